import * as path from 'path';
import { runSyftScenario, syftFixtures } from './syftL0Setup';

// A text format first: the component count comes from the first real SBOM (CycloneDX).
runSyftScenario({
  inputs: { outputFormats: 'syft-table,cyclonedx-json' },
  outputs: { 'syft-table': path.join(syftFixtures, 'snapshot-syft-head-table.txt'), 'cyclonedx-json': path.join(syftFixtures, 'syft-1.11.1-webgoat-dir.cdx.json') },
});
