import * as path from 'path';
import { fixtures, runScenario } from './grypeL0Setup';

runScenario({ report: path.join(fixtures, 'grype-json', 'grype-0.7.0-busybox-image-zero-matches.json'), inputs: { warnOnSeverity: 'negligible' } });
