import { runSyftScenario } from './syftL0Setup';

runSyftScenario({ inputs: { outputFormats: 'cyclonedx-json@0.9' } });
