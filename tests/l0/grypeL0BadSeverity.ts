import { runScenario } from './grypeL0Setup';

runScenario({ inputs: { warnOnSeverity: 'urgent' } });
