// Both tasks as steps of a classic release pipeline (issue 14, item 12): System.HostType=release,
// no Build.* variables, the release's artifacts folder as the working directory, and empty filePath
// inputs (binaryPath, configFile) filled with that folder by the agent. The agent rejects
// artifact.upload and build.addbuildtag outside a build, failing the step.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFakeTool } from '../harness/fakeTool';
import { runTask, TaskName, TaskRun } from '../harness/vsix';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';

const GRYPE_REPORT = {
  matches: [
    {
      vulnerability: { id: 'CVE-2026-0001', severity: 'High', fix: { versions: ['1.2.4'], state: 'fixed' }, description: 'a test finding' },
      artifact: { name: 'libfoo', version: '1.2.3', type: 'deb' },
      matchDetails: [],
    },
  ],
  source: { type: 'directory', target: '.' },
  descriptor: { name: 'grype', version: PINNED_VERSIONS.grype, db: { status: { built: '2026-01-01T00:00:00Z', schemaVersion: 'v6.0.2', valid: true } } },
};
const CYCLONEDX = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'libfoo', version: '1.2.3', 'bom-ref': 'pkg:deb/libfoo@1.2.3' }] };

describe('black-box: a classic release job', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-job-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A tool cache holding the pinned version (binaryPath is empty: the task installs from the cache). */
  function toolsWith(task: TaskName): string {
    const tool = task === 'GrypeScan' ? 'grype' : 'syft';
    const tools = fs.mkdtempSync(path.join(dir, 'tools-'));
    const entry = path.join(tools, tool, PINNED_VERSIONS[tool], process.arch);
    fs.mkdirSync(entry, { recursive: true });
    const data = path.join(dir, `${tool}-output.json`);
    fs.writeFileSync(data, JSON.stringify(task === 'GrypeScan' ? GRYPE_REPORT : CYCLONEDX));
    writeFakeTool(entry, tool, {
      outputs: task === 'GrypeScan' ? { json: data } : { 'cyclonedx-json': data },
      subcommands: { 'db update': { stdout: 'updated' }, version: { stdout: `Version: ${PINNED_VERSIONS[tool]}` } },
    });
    fs.writeFileSync(`${entry}.complete`, '');
    return tools;
  }
  const log = (r: TaskRun) => r.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n');

  async function releaseRun(task: TaskName): Promise<TaskRun> {
    const r = await runTask(task, { release: true, env: { AGENT_TOOLSDIRECTORY: toolsWith(task) }, inputs: { target: 'dir:$(System.DefaultWorkingDirectory)' } });
    // What the agent passed: the empty filePath inputs became the release's artifacts folder.
    assert.equal(r.inputs.binaryPath, r.env.RELEASE_ARTIFACTSDIRECTORY);
    assert.equal(r.inputs.configFile, r.env.RELEASE_ARTIFACTSDIRECTORY);
    assert.equal(r.env.BUILD_SOURCESDIRECTORY, undefined);
    return r;
  }
  function assertNoBuildOnlyCommands(r: TaskRun): void {
    const rejected = r.commands.filter((c) => c.command === 'artifact.upload' || c.command === 'artifact.associate' || c.command.startsWith('build.'));
    assert.deepEqual(rejected, [], 'commands the agent rejects outside a build (they fail the step)');
  }
  /** One summary: task.uploadsummary, or (GrypeScan's named section) task.addattachment of the summary type. */
  const summariesOf = (r: TaskRun) =>
    r.commands.filter((c) => c.command === 'task.uploadsummary' || (c.command === 'task.addattachment' && c.properties.type === 'Distributedtask.Core.Summary'));
  function assertSummaryAttached(r: TaskRun, outputDirectory: string): void {
    const summaries = summariesOf(r);
    assert.equal(summaries.length, 1);
    assert.ok(summaries[0].message.startsWith(outputDirectory + path.sep) && fs.existsSync(summaries[0].message), summaries[0].message);
  }

  it('GrypeScan: scans, keeps the reports in outputDirectory, says so once, attaches the summary; no artifact, no tag', async () => {
    const r = await releaseRun('GrypeScan');
    assert.equal(r.agentResult, 'SucceededWithIssues', log(r));
    assertNoBuildOnlyCommands(r);
    const out = path.join(r.env.AGENT_TEMPDIRECTORY, 'output_grype');
    assert.equal(log(r).split(out).length - 1 >= 1, true, log(r));
    assert.equal((log(r).match(/build artifacts exist only in builds/g) ?? []).length, 1, log(r));
    assert.match(log(r), new RegExp(`the files stay in ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.ok(fs.readdirSync(out).some((f) => f.endsWith('.grype.json')) && fs.readdirSync(out).some((f) => f.endsWith('.grype.sarif')));
    assertSummaryAttached(r, out);
    assert.equal(r.variables.highCount, '1');
    assert.doesNotMatch(r.warnings.join('\n'), /artifact/, 'the warnings do not point at an artifact that does not exist');
  });

  it('SyftSbom: writes the SBOM, keeps it in outputDirectory, says so once, attaches the summary; no artifact', async () => {
    const r = await releaseRun('SyftSbom');
    assert.equal(r.agentResult, 'Succeeded', log(r));
    assertNoBuildOnlyCommands(r);
    const out = path.join(r.env.AGENT_TEMPDIRECTORY, 'sbom');
    assert.equal((log(r).match(/build artifacts exist only in builds/g) ?? []).length, 1, log(r));
    assert.ok(r.variables.primarySbom.startsWith(out + path.sep) && fs.existsSync(r.variables.primarySbom), r.variables.primarySbom);
    assert.equal(r.variables.componentCount, '1');
    assertSummaryAttached(r, out);
    assert.match(fs.readFileSync(r.commands.find((c) => c.command === 'task.uploadsummary')!.message, 'utf8'), /Not published as a build artifact/);
  });
});
