import * as path from 'path';
import { runSyftScenario, syftFixtures } from './syftL0Setup';

// A Dependency-Track key without a URL: no upload, but the key is still masked.
runSyftScenario({
  inputs: { outputFormats: 'cyclonedx-json', dependencyTrackApiKey: ' odt_L0_SECRET_no_url ' },
  outputs: { 'cyclonedx-json': path.join(syftFixtures, 'syft-1.11.1-webgoat-dir.cdx.json') },
});
