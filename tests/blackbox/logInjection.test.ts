// Logging-command injection through inputs (issue 14, item 1): every input the tasks print carries
// `##vso[…]`, and the packaged task must print it neutralised. The agent executes a `##vso[` found
// anywhere in a line, so a raw echo of such an input would set a variable or the task's result.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFakeTool } from '../harness/fakeTool';
import { startDependencyTrackServer } from '../harness/dependencyTrackServer';
import { extractedTaskDir, runTask, RunTaskOptions, TaskName, TaskRun } from '../harness/vsix';

/** A command the agent would run if it reached the log raw; `]` first closes any surrounding text. */
const payload = (input: string) => `x]##vso[task.setvariable variable=INJECTED_${input}]y`;
const RESULT_PAYLOAD = 'x]##vso[task.complete result=Failed]y';

/** What the tasks themselves issue. Anything else in a run is an injection. */
const TASK_COMMANDS = new Set(['task.debug', 'task.setvariable', 'task.setsecret', 'task.issue', 'task.logissue', 'task.setprogress', 'task.complete', 'task.uploadsummary', 'task.addattachment', 'artifact.upload', 'build.addbuildtag']);
/** The output variables a task declares (task.json outputVariables): the only ones it may set. */
function declaredOutputs(task: TaskName): Set<string> {
  const taskJson = JSON.parse(fs.readFileSync(path.join(extractedTaskDir(task), 'task.json'), 'utf8')) as { outputVariables?: { name: string }[] };
  return new Set((taskJson.outputVariables ?? []).map((v) => v.name));
}

const GRYPE_REPORT = {
  matches: [],
  source: { type: 'directory', target: '.' },
  distro: { name: '', version: '' },
  descriptor: { name: 'grype', version: '0.117.0', db: { status: { built: '2026-01-01T00:00:00Z', schemaVersion: 'v6.0.2', valid: true } } },
};
const CYCLONEDX = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'left-pad', version: '1.3.0', 'bom-ref': 'pkg:npm/left-pad@1.3.0' }] };

describe('black-box: no input reaches the agent as a logging command', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inject-bb-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fake(task: TaskName, where = fs.mkdtempSync(path.join(dir, 'bin-'))): string {
    fs.mkdirSync(where, { recursive: true });
    if (task === 'GrypeScan') {
      const report = path.join(dir, 'grype.json');
      fs.writeFileSync(report, JSON.stringify(GRYPE_REPORT));
      return writeFakeTool(where, 'grype', { outputs: { json: report }, subcommands: { 'db update': { stdout: 'updated' }, version: { stdout: 'Version: 0.117.0' } } });
    }
    const sbom = path.join(dir, 'bom.cdx.json');
    fs.writeFileSync(sbom, JSON.stringify(CYCLONEDX, null, 2));
    return writeFakeTool(where, 'syft', { outputs: { 'cyclonedx-json': sbom }, subcommands: { version: { stdout: 'Version:       1.42.3' } } });
  }

  /** Commands no task issues, or variables it does not declare: what an injection would add. */
  function injected(task: TaskName, run: TaskRun): string[] {
    const outputs = declaredOutputs(task);
    return run.commands
      .filter(
        (c) =>
          !TASK_COMMANDS.has(c.command) ||
          (c.command === 'task.setvariable' && !outputs.has(c.properties.variable ?? '')) ||
          // GrypeScan attaches its summary as a named section; no other attachment type is the task's.
          (c.command === 'task.addattachment' && c.properties.type !== 'Distributedtask.Core.Summary'),
      )
      .map((c) => `${c.command} ${JSON.stringify(c.properties)} ${c.message}`);
  }
  const explain = (run: TaskRun) => run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n');

  // Per input: how to give it the payload (a path may contain it, too) and still let the run go on.
  // (containerRegistry is left out: the agent passes the connection's id, a GUID, not text the user types.)
  type Case = (p: string) => Promise<Pick<RunTaskOptions, 'inputs'>> | Pick<RunTaskOptions, 'inputs'>;
  const folder = (p: string) => {
    const d = path.join(fs.mkdtempSync(path.join(dir, 'in-')), p);
    fs.mkdirSync(d, { recursive: true });
    return d;
  };
  const common = (task: TaskName): Record<string, Case> => ({
    artifactName: (p) => ({ inputs: { artifactName: p } }),
    target: (p) => ({ inputs: { target: `dir:${folder(p)}` } }),
    outputDirectory: (p) => ({ inputs: { outputDirectory: folder(p) } }),
    binaryPath: (p) => ({ inputs: { binaryPath: fake(task, folder(p)) } }),
    configFile: (p) => {
      const file = path.join(folder(p), 'config.yaml');
      fs.writeFileSync(file, 'quiet: false\n');
      return { inputs: { configFile: file } };
    },
    additionalArguments: (p) => ({ inputs: { additionalArguments: `--name '${p}'` } }),
  });
  const cases: Record<TaskName, Record<string, Case>> = {
    GrypeScan: {
      ...common('GrypeScan'),
      dbCacheDirectory: (p) => ({ inputs: { dbCacheDirectory: folder(p) } }),
      dbUpdateUrl: (p) => ({ inputs: { dbUpdateUrl: `https://db.example.com/${p}` } }),
    },
    SyftSbom: {
      ...common('SyftSbom'),
      dependencyTrackProject: async (p) => ({ inputs: { ...(await dependencyTrack()), dependencyTrackProject: p } }),
      dependencyTrackProjectVersion: async (p) => ({ inputs: { ...(await dependencyTrack()), dependencyTrackProjectVersion: p } }),
    },
  };
  const servers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });
  async function dependencyTrack(): Promise<Record<string, string>> {
    const server = await startDependencyTrackServer('odt_KEY_for_injection_tests');
    servers.push(server);
    return { dependencyTrackUrl: server.url, dependencyTrackApiKey: server.apiKey };
  }

  for (const task of ['GrypeScan', 'SyftSbom'] as const) {
    describe(task, () => {
      let baseline: TaskRun;
      const run = (opts: Pick<RunTaskOptions, 'inputs'>) => runTask(task, { timeoutMs: 60_000, ...opts, inputs: { binaryPath: fake(task), ...opts.inputs } });
      before(async () => {
        baseline = await run({});
        assert.equal(baseline.agentResult, 'Succeeded', explain(baseline));
      });

      it(`artifactName '${RESULT_PAYLOAD}' does not change the result`, async () => {
        const r = await run({ inputs: { artifactName: RESULT_PAYLOAD } });
        assert.equal(r.result, baseline.result, explain(r));
        assert.deepEqual(injected(task, r), []);
        assert.match(r.stdout, /to build artifact 'x\]##_vso\[task\.complete result=Failed\]y'/);
      });

      for (const [input, make] of Object.entries(cases[task])) {
        it(`${input} is printed neutralised`, async () => {
          const p = payload(input);
          const r = await run(await make(p));
          assert.equal(r.agentResult, baseline.agentResult, explain(r));
          assert.deepEqual(injected(task, r), [], explain(r));
          assert.equal(r.variables[`INJECTED_${input}`], undefined);
          // The input did reach the log (else this case proves nothing), in its harmless form.
          assert.ok(r.stdout.split('\n').some((l) => !l.startsWith('##vso[') && l.includes(p.replace('##vso[', '##_vso['))), `${input} not in the log:\n${explain(r)}`);
        });
      }
    });
  }
});
