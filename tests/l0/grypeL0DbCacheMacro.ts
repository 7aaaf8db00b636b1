import { GOLDEN, golden } from '../harness/golden';
import { runScenario } from './grypeL0Setup';

runScenario({
  inputs: { dbCacheDirectory: '$(Pipeline.Workspace)/grype-db' },
  report: golden(GOLDEN.grypeEmptyJson),
});
