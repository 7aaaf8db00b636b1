import { GOLDEN, golden } from '../harness/golden';
import { runSyftScenario } from './syftL0Setup';

runSyftScenario({
  inputs: { outputFormats: 'cyclonedx-json@1.5,spdx-json' },
  outputs: { 'cyclonedx-json': golden(GOLDEN.syftDirCycloneDx15Json), 'spdx-json': golden(GOLDEN.syftDirSpdxJson) },
});
