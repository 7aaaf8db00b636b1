import * as path from 'path';
import { fixtures, runScenario } from './grypeL0Setup';

runScenario({
  inputs: { dbCacheDirectory: '$(Pipeline.Workspace)/grype-db' },
  report: path.join(fixtures, 'grype-json', 'grype-0.95.0-dir-scan-zero-matches.json'),
});
