import * as path from 'path';
import { runSyftScenario, syftFixtures } from './syftL0Setup';

runSyftScenario({
  inputs: { outputFormats: 'cyclonedx-json@1.4,spdx-json' },
  outputs: { 'cyclonedx-json': path.join(syftFixtures, 'syft-unversioned-go-project.cdx.json'), 'spdx-json': path.join(syftFixtures, 'syft-1.11.1.spdx.json') },
});
