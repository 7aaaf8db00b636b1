import { GOLDEN, golden } from '../harness/golden';
import { runSyftScenario } from './syftL0Setup';

// A Dependency-Track key without a URL: no upload, but the key is still masked.
runSyftScenario({
  inputs: { outputFormats: 'cyclonedx-json', dependencyTrackApiKey: ' odt_L0_SECRET_no_url ' },
  outputs: { 'cyclonedx-json': golden(GOLDEN.syftDirCycloneDxJson) },
});
