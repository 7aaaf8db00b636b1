import { manyFindingsReport, runScenario } from './grypeL0Setup';

runScenario({ report: manyFindingsReport(), inputs: { warnOnSeverity: 'low' } });
