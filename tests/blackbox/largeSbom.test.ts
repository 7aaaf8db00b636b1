// SyftSbom@1 from the packaged VSIX with a large CycloneDX JSON (issue 14, item 7): 250k components,
// some nested, through counting, provenance and validation, as Syft writes it for a big image.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeManyComponentsSbom } from '../harness/cycloneDx';
import { writeFakeTool } from '../harness/fakeTool';
import { runTask } from '../harness/vsix';

describe('SyftSbom black-box: a CycloneDX JSON with 250,000 components', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'large-sbom-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is counted, validated and published; componentCount and sbomSha256 are set', async () => {
    const sbom = path.join(dir, 'big.cdx.json');
    writeManyComponentsSbom(sbom, 250_000);
    const syft = writeFakeTool(dir, 'syft', { outputs: { 'cyclonedx-json': sbom }, subcommands: { version: { stdout: 'Version:       1.42.3' } } });
    const r = await runTask('SyftSbom', { timeoutMs: 280_000, inputs: { binaryPath: syft, outputFormats: 'cyclonedx-json' } });
    const log = r.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n');
    assert.equal(r.agentResult, 'Succeeded', log);
    assert.doesNotMatch(r.stdout, /Unexpected error|Maximum call stack/, log);
    assert.equal(r.variables.componentCount, '250000');
    assert.equal(r.variables.sbomSha256, createHash('sha256').update(fs.readFileSync(r.variables.primarySbom)).digest('hex'));
    assert.match(log, /valid CycloneDX 1\.6/);
  });
});

describe('black-box: a tool printing 64 MB on one line', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flood-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the task completes; the failure message keeps a bounded tail of it', async () => {
    const syft = writeFakeTool(dir, 'syft', { stderrFloodBytes: 64 << 20, exitCode: 1, subcommands: { version: { stdout: 'Version:       1.42.3' } } });
    const r = await runTask('SyftSbom', { timeoutMs: 280_000, inputs: { binaryPath: syft } });
    assert.equal(r.agentResult, 'Failed');
    const complete = r.commands.filter((c) => c.command === 'task.complete');
    assert.equal(complete.length, 1);
    // The line shows in the log (filtered) but is cut in the tail the message quotes.
    assert.ok(r.stdout.length > 64 << 20, 'the output is shown in the log');
    assert.match(complete[0].message, /Syft .*exited with code 1/s);
    assert.match(complete[0].message, /x{100}…/);
    assert.ok(complete[0].message.length < 10_000, `message of ${complete[0].message.length} characters`);
  });
});
