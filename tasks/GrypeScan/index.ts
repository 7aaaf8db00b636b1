import { runTaskMain } from '../common/main';
import { run } from './scan';

void runTaskMain(__dirname, run);
