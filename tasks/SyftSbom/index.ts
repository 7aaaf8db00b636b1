import { runTaskMain } from '../common/main';
import { run } from './run';

void runTaskMain(__dirname, run);
