import * as path from 'path';
import { fixtures, runScenario } from './grypeL0Setup';

runScenario({
  report: path.join(fixtures, 'grype-json', 'grype-0.104.4-debian-12-image.json'),
  scanExitCode: 1,
  scanStderr: ['1 error occurred:', '* failed to catalog: could not fetch image'],
});
