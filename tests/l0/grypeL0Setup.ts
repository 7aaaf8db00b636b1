// Shared setup for the GrypeScan L0 mock runs (one scenario file per behaviour, as in
// microsoft/azure-pipelines-tasks Tasks/UseDotNetV2/Tests). Runs the tsc output of the task with
// task-lib's TaskMockRunner; the installer and the Grype process are mocked: the fake runTool plays
// grype from its argv (copies a fixture to `-o json=<path>`), because a mocked ToolRunner writes no files.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const fixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures');

export interface Scenario {
  inputs?: Record<string, string>;
  /** JSON report the fake grype writes (fixture path); undefined → writes nothing */
  report?: string;
  scanExitCode?: number;
  scanStderr?: string[];
  dbUpdateExitCode?: number;
  dbStatusExitCode?: number;
}

interface ToolRun {
  name: string;
  path: string;
  args: string[];
  env?: Record<string, string>;
}

export function runScenario(scenario: Scenario): void {
  const taskPath = path.join(repoRoot, 'build', 'tasks', 'GrypeScan', 'index.js');
  const tmr = new TaskMockRunner(taskPath);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'grype-l0-'));
  const sources = path.join(work, 's');
  fs.mkdirSync(sources, { recursive: true });
  fs.mkdirSync(path.join(work, 'temp'), { recursive: true });
  process.env.AGENT_TEMPDIRECTORY = path.join(work, 'temp');
  process.env.AGENT_TOOLSDIRECTORY = path.join(work, 'tools');
  process.env.BUILD_SOURCESDIRECTORY = sources;
  process.env.BUILD_ARTIFACTSTAGINGDIRECTORY = path.join(work, 'a');
  process.env.AGENT_JOBNAME = 'L0';

  const inputs: Record<string, string> = { target: `dir:${sources}`, warnOnSeverity: 'high', failOnSeverity: 'none', outputFormats: 'json,sarif', ...scenario.inputs };
  for (const [name, value] of Object.entries(inputs)) tmr.setInput(name, value);

  tmr.registerMock('../common/install', {
    installTool: async () => ({ path: '/mock/bin/grype', version: '0.117.0', fromCache: true }),
  });
  const dbStatus = fs.readFileSync(path.join(fixtures, 'grype-misc', 'grype-0.112.0-version-json-and-db-status.txt'), 'utf8').split('=== GRYPE DB STATUS ===')[1];
  tmr.registerMock('../common/exec', {
    tailText: (lines: string[]) => (lines.length ? ` Last stderr lines:\n  ${lines.join('\n  ')}` : ''),
    runTool: async (run: ToolRun) => {
      console.log(`[command]${run.path} ${run.args.join(' ')}`);
      if (run.args[0] === 'db' && run.args[1] === 'update') {
        const code = scenario.dbUpdateExitCode ?? 0;
        return { exitCode: code, stderrTail: code ? ['failed to load vulnerability db: connection refused'] : [], stdout: '' };
      }
      if (run.args[0] === 'db' && run.args[1] === 'status') {
        const code = scenario.dbStatusExitCode ?? 0;
        return { exitCode: code, stderrTail: [], stdout: code ? '' : dbStatus };
      }
      for (let i = 0; i < run.args.length; i++) {
        if (run.args[i - 1] !== '-o') continue;
        const [format, file] = run.args[i].split(/=(.*)/s);
        if (format === 'json' && scenario.report) fs.copyFileSync(scenario.report, file);
        else if (format !== 'json') fs.writeFileSync(file, `fake ${format}\n`);
      }
      return { exitCode: scenario.scanExitCode ?? 0, stderrTail: scenario.scanStderr ?? [], stdout: '' };
    },
  });
  tmr.run();
}
