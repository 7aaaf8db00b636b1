import { runSyftScenario } from './syftL0Setup';

runSyftScenario({ inputs: { target: 'nope:1' }, exitCode: 1, stderrTail: ['[0000] ERROR could not fetch image "nope:1": unauthorized'] });
