import { GOLDEN, golden } from '../harness/golden';
import { runScenario } from './grypeL0Setup';

runScenario({
  report: golden(GOLDEN.grypeDirJson),
  scanExitCode: 1,
  scanStderr: ['1 error occurred:', '* failed to catalog: could not fetch image'],
});
