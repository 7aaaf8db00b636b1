import * as path from 'path';
import { fixtures, runScenario } from './grypeL0Setup';

runScenario({ report: path.join(fixtures, 'grype-json', 'grype-0.104.4-debian-12-image.json'), inputs: { failOnSeverity: 'critical' } });
