// Shared setup for the SyftSbom L0 mock runs (one scenario file per behaviour, as in
// microsoft/azure-pipelines-tasks Tasks/UseDotNetV2/Tests). Runs the tsc output of the task with
// task-lib's TaskMockRunner; the installer and the Syft process are mocked: the fake runTool plays
// syft from its argv (copies a fixture to each `-o <fmt>=<path>`), since a mocked ToolRunner writes no files.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
export const syftFixtures = path.resolve(repoRoot, '..', 'shared', 'fixtures', 'syft');

export interface SyftScenario {
  inputs?: Record<string, string>;
  /** format (without @version) → fixture written to its -o path */
  outputs?: Record<string, string>;
  exitCode?: number;
  stderrTail?: string[];
}

interface ToolRun {
  name: string;
  path: string;
  args: string[];
}

export function runSyftScenario(scenario: SyftScenario): void {
  const tmr = new TaskMockRunner(path.join(repoRoot, 'build', 'tasks', 'SyftSbom', 'index.js'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'syft-l0-'));
  const sources = path.join(work, 's');
  fs.mkdirSync(sources, { recursive: true });
  fs.mkdirSync(path.join(work, 'temp'), { recursive: true });
  process.env.AGENT_TEMPDIRECTORY = path.join(work, 'temp');
  process.env.AGENT_TOOLSDIRECTORY = path.join(work, 'tools');
  process.env.BUILD_SOURCESDIRECTORY = sources;
  process.env.BUILD_ARTIFACTSTAGINGDIRECTORY = path.join(work, 'a');
  process.env.AGENT_JOBNAME = 'L0';
  process.env.BUILD_BUILDID = '99';
  process.env.BUILD_DEFINITIONNAME = 'l0-pipeline';

  for (const [name, value] of Object.entries({ target: `dir:${sources}`, ...scenario.inputs })) tmr.setInput(name, value);
  tmr.registerMock('../common/install', {
    installTool: async () => ({ path: '/mock/bin/syft', version: '1.42.3', fromCache: true }),
  });
  tmr.registerMock('../common/exec', {
    tailText: (lines: string[]) => (lines.length ? ` Last stderr lines:\n  ${lines.join('\n  ')}` : ''),
    runTool: async (run: ToolRun) => {
      console.log(`[command]${run.path} ${run.args.join(' ')}`);
      for (let i = 1; i < run.args.length; i++) {
        if (run.args[i - 1] !== '-o') continue;
        const [format, file] = run.args[i].split(/=(.*)/s);
        const fixture = scenario.outputs?.[format.split('@')[0]];
        if (fixture) fs.copyFileSync(fixture, file);
      }
      return { exitCode: scenario.exitCode ?? 0, stderrTail: scenario.stderrTail ?? [], stdout: '' };
    },
  });
  tmr.run();
}
