import * as path from 'path';
import { fixtures, runScenario } from './grypeL0Setup';

runScenario({ report: path.join(fixtures, 'grype-json', 'grype-0.7.0-python-3.6-image-1509-matches.json'), inputs: { warnOnSeverity: 'low' } });
