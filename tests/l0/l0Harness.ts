// Shared pieces of the L0 tests (task-lib's MockTestRunner, one mock-run script per behaviour, as in
// microsoft/azure-pipelines-tasks Tasks/UseDotNetV2/Tests). A mock-run script builds a workspace
// with `mockTask`, programs the fake tool with `mockExec`, then calls `tmr.run()`; the test file
// runs the script with `runL0`. These run the tsc output of the task, not the bundle.
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TaskMockRunner } from 'azure-pipelines-task-lib/mock-run';
import type { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';

import { repoRoot } from '../harness/paths';

type TaskName = 'GrypeScan' | 'SyftSbom';

/** What the task passes to runTool (tasks/common/exec.ts). */
export interface ToolRun {
  name: string;
  path: string;
  args: string[];
  env?: Record<string, string>;
}

export interface ToolAnswer {
  exitCode: number;
  stderrTail?: string[];
  stdout?: string;
}

/**
 * A TaskMockRunner for the task's tsc output, with a fresh agent workspace (temp, tools, sources,
 * staging) in the environment, the installer mocked to a cached tool, and the given inputs.
 * task-lib is loaded only here, after nothing else has touched it (ADO-NOTES 1).
 */
export function mockTask(task: TaskName, inputs: Record<string, string>, env: Record<string, string> = {}): { tmr: TaskMockRunner; sources: string } {
  const { TaskMockRunner } = require('azure-pipelines-task-lib/mock-run') as typeof import('azure-pipelines-task-lib/mock-run');
  const tmr = new TaskMockRunner(path.join(repoRoot, 'build', 'tasks', task, 'index.js'));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `${task.toLowerCase()}-l0-`));
  const sources = path.join(work, 's');
  fs.mkdirSync(sources, { recursive: true });
  fs.mkdirSync(path.join(work, 'temp'), { recursive: true });
  Object.assign(process.env, {
    AGENT_TEMPDIRECTORY: path.join(work, 'temp'),
    AGENT_TOOLSDIRECTORY: path.join(work, 'tools'),
    BUILD_SOURCESDIRECTORY: sources,
    BUILD_ARTIFACTSTAGINGDIRECTORY: path.join(work, 'a'),
    AGENT_JOBNAME: 'L0',
    ...env,
  });
  for (const [name, value] of Object.entries({ target: `dir:${sources}`, ...inputs })) tmr.setInput(name, value);
  const tool = task === 'GrypeScan' ? { name: 'grype', version: PINNED_VERSIONS.grype } : { name: 'syft', version: PINNED_VERSIONS.syft };
  tmr.registerMock('../common/install', {
    installTool: async () => ({ path: `/mock/bin/${tool.name}`, version: tool.version, fromCache: true }),
  });
  return { tmr, sources };
}

/**
 * Replaces runTool with `answer`, after logging the command line as ToolRunner would. A mocked
 * ToolRunner writes no files, so `writeOutputs` plays the tool's `-o <format>=<path>` arguments:
 * it returns the fixture to copy for a format (undefined: write nothing).
 */
export function mockExec(tmr: TaskMockRunner, answer: (run: ToolRun) => ToolAnswer, writeOutputs?: (format: string) => string | undefined): void {
  tmr.registerMock('../common/exec', {
    runTool: async (run: ToolRun) => {
      console.log(`[command]${run.path} ${run.args.join(' ')}`);
      const result = answer(run);
      if (writeOutputs) {
        for (let i = 1; i < run.args.length; i++) {
          if (run.args[i - 1] !== '-o') continue;
          const [format, file] = run.args[i].split(/=(.*)/s);
          if (!file) continue;
          const fixture = writeOutputs(format);
          if (fixture) fs.copyFileSync(fixture, file);
        }
      }
      return { stderrTail: [], stdout: '', ...result };
    },
  });
}

/** Runs a compiled mock-run script next to this file, offline (nodePath = this Node; ADO-NOTES 1). */
export async function runL0(task: TaskName, scenario: string): Promise<MockTestRunner> {
  const { MockTestRunner } = require('azure-pipelines-task-lib/mock-test') as typeof import('azure-pipelines-task-lib/mock-test');
  const tr = new MockTestRunner(path.join(__dirname, `${scenario}.js`), path.join(repoRoot, 'tasks', task, 'task.json'));
  tr.nodePath = process.execPath;
  await tr.runAsync();
  if (!tr.stdout) throw new Error(`${scenario}: no stdout (spawn failure or output over 1 MiB)\n${tr.stderr}`);
  return tr;
}

/** "<result>: <message>" of the task.complete line. */
export function completion(tr: MockTestRunner): string {
  const m = /##vso\[task\.complete result=(\w+);\](.*)/.exec(tr.stdout);
  assert.ok(m, `no task.complete in:\n${tr.stdout}`);
  return `${m[1]}: ${m[2]}`;
}
