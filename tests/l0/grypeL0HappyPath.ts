import { GOLDEN, golden } from '../harness/golden';
import { runScenario } from './grypeL0Setup';

runScenario({ report: golden(GOLDEN.grypeDirJson) });
