import { runSyftScenario } from './syftL0Setup';

// Dependency-Track settings that fail the checks (no CycloneDX format): the key is masked first.
runSyftScenario({
  inputs: { outputFormats: 'spdx-json', dependencyTrackUrl: 'https://dt.example.com', dependencyTrackApiKey: 'odt_L0_SECRET_bad' },
});
