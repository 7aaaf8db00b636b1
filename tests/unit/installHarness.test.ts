// The test harness other suites build on: the fake grype/syft and the loopback release host.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReleaseArchive, checksumsFile, writeFakeTool } from '../harness/fakeTool';
import { startReleaseServer } from '../harness/releaseServer';
import { GOLDEN, golden } from '../harness/golden';

const FIXTURE = golden(GOLDEN.grypeEmptyJson);

describe('install harness: fake tool', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fake-tool-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes fixture outputs to files and stdout, placeholders for unknown formats', () => {
    const grype = writeFakeTool(dir, 'grype', { outputs: { json: FIXTURE }, stdout: '##vso[task.complete result=Succeeded]', stderr: 'warn' });
    assert.equal(statSync(grype).mode & 0o777, 0o755);
    const out = join(dir, 'out.json');
    const run = spawnSync(grype, ['dir:.', '-o', `json=${out}`, '-o', 'table'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    assert.deepEqual(readFileSync(out), readFileSync(FIXTURE));
    assert.equal(run.stdout, '##vso[task.complete result=Succeeded]\nfake table output\n');
    assert.equal(run.stderr, 'warn\n');
  });

  it('matches sub-commands by longest prefix and records invocations', () => {
    const record = join(dir, 'calls.jsonl');
    const grype = writeFakeTool(dir, 'grype', { recordFile: record, subcommands: { db: { exitCode: 1 }, 'db check': { stdout: 'update available', exitCode: 100 } } });
    const run = spawnSync(grype, ['db', 'check', '-o', 'json'], { encoding: 'utf8', env: { ...process.env, MARK: 'x' } });
    assert.equal(run.status, 100);
    assert.equal(run.stdout, 'update available\n', 'no outputs for sub-commands');
    const call = JSON.parse(readFileSync(record, 'utf8').trim());
    assert.deepEqual(call.argv, ['db', 'check', '-o', 'json']);
    assert.equal(call.env.MARK, 'x');
  });

  it('takes its behaviour from FAKE_TOOL_BEHAVIOUR when set, and truncates outputs', () => {
    const syft = writeFakeTool(dir, 'syft', { exitCode: 3 });
    const behaviourFile = join(dir, 'b.json');
    writeFileSync(behaviourFile, JSON.stringify({ outputs: { 'cyclonedx-json': FIXTURE }, truncateOutputs: 10 }));
    const out = join(dir, 'sbom.json');
    const run = spawnSync(syft, ['scan', 'dir:.', '-o', `cyclonedx-json@1.5=${out}`], { env: { ...process.env, FAKE_TOOL_BEHAVIOUR: behaviourFile } });
    assert.equal(run.status, 0);
    assert.deepEqual(readFileSync(out), readFileSync(FIXTURE).subarray(0, 10));
  });

  it('builds release archives with the binary at the root, padded on request', async () => {
    const linux = await buildReleaseArchive('syft', '1.2.3', 'linux', 'arm64', {}, 1024 * 1024);
    assert.equal(linux.name, 'syft_1.2.3_linux_arm64.tar.gz');
    assert.ok(linux.data.length >= 1024 * 1024);
    writeFileSync(join(dir, linux.name), linux.data);
    assert.match(execFileSync('tar', ['tzf', join(dir, linux.name)]).toString(), /^syft$/m);
    const windows = await buildReleaseArchive('syft', '1.2.3', 'windows', 'amd64');
    assert.equal(windows.name, 'syft_1.2.3_windows_amd64.zip');
    assert.match(checksumsFile([linux, windows]), /^[0-9a-f]{64} {2}syft_1\.2\.3_linux_arm64\.tar\.gz\n[0-9a-f]{64} {2}syft_1\.2\.3_windows_amd64\.zip\n$/);
  });
});

describe('install harness: release server', () => {
  it('serves assets, checksums and latest like github.com', async () => {
    const server = await startReleaseServer();
    try {
      const asset = { name: 'grype_1.0.0_linux_amd64.tar.gz', data: Buffer.from('archive') };
      server.addRelease('grype', '1.0.0', [asset]);
      server.setLatest('grype', '1.0.0');
      const base = server.downloadBase('grype');
      assert.equal(Buffer.from(await (await fetch(`${base}/v1.0.0/${asset.name}`)).arrayBuffer()).toString(), 'archive');
      assert.equal(await (await fetch(`${base}/v1.0.0/grype_1.0.0_checksums.txt`)).text(), checksumsFile([asset, { name: 'grype_1.0.0_linux_amd64.deb', data: Buffer.from('deb') }]));
      const redirect = await fetch(`${server.url}/anchore/grype/releases/latest`, { redirect: 'manual' });
      assert.equal(redirect.status, 302);
      assert.equal(redirect.headers.get('location'), '/anchore/grype/releases/tag/v1.0.0');
      const json = await fetch(`${server.url}/anchore/grype/releases/latest`, { headers: { Accept: 'application/json' } });
      assert.equal(((await json.json()) as { tag_name: string }).tag_name, 'v1.0.0');
      server.addFault(asset.name, { kind: 'status', status: 503, times: 1 });
      assert.equal((await fetch(`${base}/v1.0.0/${asset.name}`)).status, 503);
      assert.equal((await fetch(`${base}/v1.0.0/${asset.name}`)).status, 200);
      assert.equal((await fetch(`${base}/v9.9.9/${asset.name}`)).status, 404);
      assert.equal(server.requests.length, 7);
    } finally {
      await server.close();
    }
  });
});
