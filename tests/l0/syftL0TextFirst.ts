import { GOLDEN, golden } from '../harness/golden';
import { runSyftScenario } from './syftL0Setup';

// A text format first: the component count comes from the first real SBOM (CycloneDX).
runSyftScenario({
  inputs: { outputFormats: 'syft-table,cyclonedx-json' },
  outputs: { 'syft-table': golden(GOLDEN.syftDirTable), 'cyclonedx-json': golden(GOLDEN.syftDirCycloneDxJson) },
});
