import { runScenario } from './grypeL0Setup';

runScenario({ report: undefined, scanStderr: ['panic: runtime error'] });
