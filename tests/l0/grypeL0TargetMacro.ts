import { GOLDEN, golden } from '../harness/golden';
import { runScenario } from './grypeL0Setup';

runScenario({
  inputs: { target: 'dir:$(Build.SourcesDirectory)' },
  report: golden(GOLDEN.grypeEmptyJson),
});
