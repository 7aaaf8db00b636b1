// installTool end to end against a loopback release server, in-process, with the agent's
// tool and temp directories pointed at fresh temp dirs.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as toolLib from 'azure-pipelines-tool-lib/tool';
import { UserError } from '../../tasks/common/errors';
import { downloadPolicy } from '../../tasks/common/install/download';
import { takeOverStaleLock } from '../../tasks/common/install/cache';
import { installTool, InstallRequest, InstalledTool } from '../../tasks/common/install/index';
import { archiveAssetName, resolvePlatform } from '../../tasks/common/install/platform';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { buildReleaseArchive } from '../harness/fakeTool';
import { ReleaseServer, startReleaseServer } from '../harness/releaseServer';
import { captureStdout } from '../harness/capture';
import { startConnectProxy } from '../harness/connectProxy';

const INSTALLER = join(__dirname, '../../tasks/common/install/index.js');
const VERSION = '1.0.0';
const platform = resolvePlatform('grype', process.platform, process.arch);
const ASSET = archiveAssetName('grype', VERSION, platform);
const ARCHIVE_PATH = `/anchore/grype/releases/download/v${VERSION}/${ASSET}`;
const CHECKSUMS_PATH = `/anchore/grype/releases/download/v${VERSION}/grype_${VERSION}_checksums.txt`;

const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('install: installTool against a loopback release host', function () {
  let server: ReleaseServer;
  let workDir: string;
  let toolsDir: string;
  const savedEnv = { ...process.env };
  const savedPolicy = { ...downloadPolicy };

  beforeEach(async () => {
    server = await startReleaseServer();
    workDir = mkdtempSync(join(tmpdir(), 'install-test-'));
    toolsDir = join(workDir, 'tools');
    mkdirSync(toolsDir);
    mkdirSync(join(workDir, 'temp'));
    process.env.AGENT_TOOLSDIRECTORY = toolsDir;
    process.env.AGENT_TEMPDIRECTORY = join(workDir, 'temp');
    process.env.GRYPE_SYFT_TASKS_GITHUB_URL = server.url;
    Object.assign(downloadPolicy, { baseDelayMs: 5, socketTimeoutMs: 2000 });
  });

  afterEach(async () => {
    await server.close();
    rmSync(workDir, { recursive: true, force: true });
    process.env = { ...savedEnv };
    Object.assign(downloadPolicy, savedPolicy);
  });

  async function addGrypeRelease(checksums: 'ok' | 'missing-file' | 'missing-line' | 'wrong' = 'ok', padToBytes?: number) {
    const archive = await buildReleaseArchive('grype', VERSION, platform.os, platform.arch, { stdout: 'fake grype ran' }, padToBytes);
    server.addRelease('grype', VERSION, [archive], { checksums });
    return archive;
  }

  const requestsTo = (path: string) => server.requests.filter((r) => r.path === path).length;
  const install = (req: Partial<InstallRequest> = {}) => captureStdout(() => installTool({ tool: 'grype', version: VERSION, ...req }));
  const cacheEntry = () => join(toolsDir, 'grype', VERSION, process.arch);

  /** tool-lib's lookup, without its debug lines in the test output */
  function findLocalTool(): string | undefined {
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      return toolLib.findLocalTool('grype', VERSION);
    } finally {
      process.stdout.write = write;
    }
  }

  function assertNothingCached(): void {
    assert.equal(findLocalTool(), undefined, 'tool-lib finds no entry');
    assert.equal(existsSync(cacheEntry()), false, 'no cache entry dir');
    assert.equal(existsSync(`${cacheEntry()}.complete`), false, 'no marker');
  }

  function assertUserError(error: Error | undefined, ...fragments: string[]): void {
    assert.ok(error instanceof UserError, `expected a UserError, got ${error}`);
    for (const f of fragments) assert.ok(error.message.includes(f), `message should mention '${f}': ${error.message}`);
  }

  it('downloads, verifies, extracts and caches the release for this platform', async () => {
    const archive = await addGrypeRelease();
    const { result, log, error } = await install();
    assert.ifError(error);
    const installed = result as InstalledTool;
    assert.equal(installed.version, VERSION);
    assert.equal(installed.fromCache, false);
    assert.equal(installed.path, join(cacheEntry(), platform.binaryName));
    assert.match(execFileSync(installed.path, ['version']).toString(), /fake grype ran/);
    assert.equal(findLocalTool(), cacheEntry(), 'tool-lib finds the entry');
    const sha256 = sha256Of(archive.data);
    assert.ok(log.includes(`${server.url}${ARCHIVE_PATH}`), 'log names the URL');
    assert.ok(log.includes(`Verified SHA-256 ${sha256}`), 'log names the verified hash');
    assert.ok(log.includes('not in the tool cache'), 'log says cache miss');
    assert.deepEqual(readdirSync(join(toolsDir, 'grype', '.staging')), [], 'no staging leftovers');
    assert.deepEqual(readdirSync(join(workDir, 'temp')), [], 'downloaded archive removed');
  });

  it('installs from the cache on the second run with zero HTTP requests', async () => {
    await addGrypeRelease();
    assert.ifError((await install()).error);
    const before = server.requests.length;
    const { result, log } = await install();
    assert.equal(server.requests.length, before);
    assert.equal(result?.fromCache, true);
    assert.ok(log.includes('from the tool cache'));
  });

  it('installs the pinned default when the version is empty', async () => {
    const archive = await buildReleaseArchive('grype', PINNED_VERSIONS.grype, platform.os, platform.arch);
    server.addRelease('grype', PINNED_VERSIONS.grype, [archive]);
    const { result, error } = await install({ version: '' });
    assert.ifError(error);
    assert.equal(result?.version, PINNED_VERSIONS.grype);
  });

  it('extracts a Windows zip with tool-lib (needs unzip) and names its URL', async function () {
    if (spawnSync('which', ['unzip']).status !== 0) this.skip();
    const win = resolvePlatform('grype', 'win32', 'x64');
    const archive = await buildReleaseArchive('grype', VERSION, win.os, win.arch);
    assert.equal(archive.name, `grype_${VERSION}_windows_amd64.zip`);
    const zipPath = join(workDir, archive.name);
    writeFileSync(zipPath, archive.data);
    const dest = await captureStdout(() => toolLib.extractZip(zipPath, join(workDir, 'unzipped')));
    assert.ifError(dest.error);
    assert.ok(existsSync(join(workDir, 'unzipped', win.binaryName)));
  });

  for (const [mode, fragments] of [
    ['wrong', ['SHA-256 mismatch', ARCHIVE_PATH, CHECKSUMS_PATH]],
    ['missing-line', ['has no line for', ASSET, CHECKSUMS_PATH, ARCHIVE_PATH]],
    ['missing-file', ['checksums file', CHECKSUMS_PATH, 'missing', ARCHIVE_PATH]],
  ] as const) {
    it(`refuses to install when the checksum is ${mode}, leaving nothing in the cache`, async () => {
      const archive = await addGrypeRelease(mode);
      const { error } = await install();
      assertUserError(error, ...fragments);
      if (mode === 'wrong') {
        // the server's 'wrong' checksums list the hash of the archive plus one byte
        assertUserError(error, sha256Of(archive.data), sha256Of(Buffer.concat([archive.data, Buffer.from('x')])));
      }
      assertNothingCached();
    });
  }

  it('fails on a 404 archive without retrying, naming URL, version, os and arch', async () => {
    await addGrypeRelease();
    server.addFault(ARCHIVE_PATH, { kind: 'status', status: 404 });
    const { error } = await install();
    assertUserError(error, ARCHIVE_PATH, VERSION, platform.os, platform.arch, '404');
    assert.equal(requestsTo(ARCHIVE_PATH), 1);
    assertNothingCached();
  });

  it('fails on a version that does not exist without retrying, naming URL, version, os and arch', async () => {
    const { error } = await install({ version: '9.9.9' });
    assertUserError(error, '/v9.9.9/grype_9.9.9_checksums.txt', '9.9.9', platform.os, platform.arch, '404');
    assert.equal(server.requests.length, 1);
  });

  for (const status of [500, 429, 503]) {
    it(`retries HTTP ${status} twice and then installs`, async () => {
      await addGrypeRelease();
      server.addFault(ARCHIVE_PATH, { kind: 'status', status, times: 2 });
      const { result, error, log } = await install();
      assert.ifError(error);
      assert.equal(result?.fromCache, false);
      assert.equal(requestsTo(ARCHIVE_PATH), 3);
      assert.match(log, /Attempt 1 of 4 .* failed \(HTTP/);
    });
  }

  for (const [name, headers, where] of [
    ['to a Location it does not follow (300)', { Location: 'http://mirror.invalid/grype.tar.gz' }, 'to http://mirror.invalid/grype.tar.gz'],
    ['without a Location (302)', {}, 'without a Location header'],
  ] as const) {
    it(`fails clearly, without retrying, on a redirect ${name} instead of reading it as the archive`, async () => {
      await addGrypeRelease();
      server.addFault(ARCHIVE_PATH, { kind: 'status', status: name.includes('300') ? 300 : 302, headers });
      const { error } = await install();
      assertUserError(error, `${server.url}${ARCHIVE_PATH}`, 'redirect', where, 'not followed');
      assert.doesNotMatch(error!.message, /SHA-256/);
      assert.equal(requestsTo(ARCHIVE_PATH), 1);
      assertNothingCached();
    });
  }

  it('gives up on a persistent HTTP 503 after the retries, naming the URL', async () => {
    await addGrypeRelease();
    server.addFault(ARCHIVE_PATH, { kind: 'status', status: 503 });
    const { error } = await install();
    assertUserError(error, ARCHIVE_PATH, 'HTTP 503');
    assert.equal(requestsTo(ARCHIVE_PATH), 4);
    assertNothingCached();
  });

  it('retries a connection reset once and then installs', async () => {
    await addGrypeRelease(undefined, 200_000);
    server.addFault(ARCHIVE_PATH, { kind: 'reset', afterBytes: 1000, times: 1 });
    const { error } = await install();
    assert.ifError(error);
    assert.equal(requestsTo(ARCHIVE_PATH), 2);
  });

  for (const fault of [
    { kind: 'reset', afterBytes: 1000 },
    { kind: 'truncate', bytes: 1000 },
  ] as const) {
    it(`retries a ${fault.kind} body, then fails clearly and caches nothing`, async () => {
      await addGrypeRelease(undefined, 200_000);
      server.addFault(ARCHIVE_PATH, fault);
      const { error } = await install();
      assertUserError(error, ARCHIVE_PATH, 'after 4 attempts', 'proxy');
      assert.equal(requestsTo(ARCHIVE_PATH), 4);
      assertNothingCached();
    });
  }

  it('retries a stalled download after the socket timeout', async () => {
    await addGrypeRelease();
    downloadPolicy.socketTimeoutMs = 200;
    server.addFault(ARCHIVE_PATH, { kind: 'slow', bytesPerChunk: 100, delayMs: 1000, times: 1 });
    const { error } = await install();
    assert.ifError(error);
    assert.equal(requestsTo(ARCHIVE_PATH), 2);
  });

  it('shows download progress as MB of MB at 10 % steps, plus task.setprogress', async () => {
    await addGrypeRelease(undefined, 2 * 1024 * 1024);
    const { error, log } = await install();
    assert.ifError(error);
    const lines = log.split('\n').filter((l) => l.startsWith(`Downloading ${server.url}${ARCHIVE_PATH}: `));
    assert.ok(lines.length >= 2 && lines.length <= 11, `progress lines: ${lines.length}`);
    assert.match(lines[lines.length - 1], /: 2\.0 MB of 2\.0 MB$/);
    assert.match(log, /##vso\[task\.setprogress value=100;\]Downloading/);
  });

  it("resolves 'latest' from GitHub's JSON answer and says pinning is safer", async () => {
    await addGrypeRelease();
    server.setLatest('grype', VERSION);
    const { result, error, log } = await install({ version: 'latest' });
    assert.ifError(error);
    assert.equal(result?.version, VERSION);
    assert.match(log, /Pinning a version is safer/);
    const latestRequest = server.requests.find((r) => r.path === '/anchore/grype/releases/latest');
    assert.equal(latestRequest?.headers.accept, 'application/json');
  });

  it("resolves 'latest' from GitHub's redirect when JSON is not answered", async () => {
    await addGrypeRelease();
    server.setLatest('grype', VERSION, { ignoreAcceptJson: true });
    const { result, error } = await install({ version: 'latest' });
    assert.ifError(error);
    assert.equal(result?.version, VERSION);
    assert.equal(requestsTo(`/anchore/grype/releases/tag/v${VERSION}`), 0, 'the redirect is read, not followed');
  });

  it("refuses 'latest' with a mirror, without any request", async () => {
    const { error } = await install({ version: 'latest', downloadBaseUrl: server.downloadBase('grype') });
    assertUserError(error, 'pin a version when using a mirror');
    assert.equal(server.requests.length, 0);
  });

  it('downloads from a mirror given by downloadBaseUrl, not from GitHub', async () => {
    await addGrypeRelease();
    process.env.GRYPE_SYFT_TASKS_GITHUB_URL = 'http://127.0.0.1:9'; // GitHub must not be asked
    const { error, log } = await install({ downloadBaseUrl: `${server.downloadBase('grype')}/` });
    assert.ifError(error);
    assert.ok(log.includes(`Downloading ${server.url}${ARCHIVE_PATH}`));
    assert.equal(requestsTo(ARCHIVE_PATH), 1);
  });

  it("goes through the agent's proxy (Agent.ProxyUrl)", async () => {
    await addGrypeRelease();
    const proxy = await startConnectProxy();
    try {
      process.env.AGENT_PROXYURL = proxy.url;
      const { error } = await install();
      assert.ifError(error);
      const target = new URL(server.url).host;
      assert.ok(proxy.connects.length >= 2 && proxy.connects.every((c) => c === target), `CONNECTs: ${proxy.connects}`);
    } finally {
      await proxy.close();
    }
  });

  it('rejects odd version strings before any request', async () => {
    const { error } = await install({ version: '1.2.3; rm -rf /' });
    assertUserError(error, "'1.2.3; rm -rf /'", PINNED_VERSIONS.grype);
    assert.equal(server.requests.length, 0);
  });

  describe('binaryPath', () => {
    it('uses an existing executable and downloads nothing', async () => {
      const binary = join(workDir, 'grype');
      writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
      const { result, error } = await install({ binaryPath: binary, version: 'latest' });
      assert.ifError(error);
      assert.deepEqual(result, { path: binary, version: '', fromCache: false });
      assert.equal(server.requests.length, 0);
    });

    it('rejects a missing file', async () => {
      const { error } = await install({ binaryPath: join(workDir, 'nope') });
      assertUserError(error, join(workDir, 'nope'), 'does not exist');
    });

    it('rejects a directory', async () => {
      const { error } = await install({ binaryPath: workDir });
      assertUserError(error, 'is not a file');
    });

    it('rejects a file that is not executable', async function () {
      if (process.platform === 'win32') this.skip();
      const binary = join(workDir, 'grype');
      writeFileSync(binary, '#!/bin/sh\n');
      chmodSync(binary, 0o644);
      const { error } = await install({ binaryPath: binary });
      assertUserError(error, binary, 'not executable', 'chmod +x');
    });
  });

  describe('interrupted and concurrent installs', () => {
    it('replaces an unmarked entry left by an interrupted install', async () => {
      await addGrypeRelease();
      mkdirSync(cacheEntry(), { recursive: true });
      writeFileSync(join(cacheEntry(), platform.binaryName), 'half-written');
      assert.equal(findLocalTool(), undefined, 'an unmarked entry is not used by tool-lib either');
      const { result, error } = await install();
      assert.ifError(error);
      assert.equal(result?.fromCache, false);
      assert.match(readFileSync(result!.path, 'utf8'), /^#!\/usr\/bin\/env node/);
      assert.ok(existsSync(`${cacheEntry()}.complete`));
    });

    it('breaks a commit lock left by a dead process', async () => {
      await addGrypeRelease();
      mkdirSync(join(toolsDir, 'grype', VERSION), { recursive: true });
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      writeFileSync(`${cacheEntry()}.lock`, dead);
      const { error } = await install();
      assert.ifError(error);
      assert.equal(existsSync(`${cacheEntry()}.lock`), false);
    });

    it('takes over a stale lock atomically: the rename-aside removes it once, and never a live lock', () => {
      const lockPath = join(toolsDir, 'race.lock');
      const others = () => readdirSync(toolsDir).filter((n) => n !== 'race.lock');
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
      writeFileSync(lockPath, dead);
      assert.equal(takeOverStaleLock(lockPath), true, 'the first waiter removes the stale lock');
      assert.equal(existsSync(lockPath), false);
      assert.equal(takeOverStaleLock(lockPath), false, 'a second waiter finds nothing to take over');
      // A waiter that judged the old lock stale just before another process re-created it:
      writeFileSync(lockPath, String(process.pid));
      assert.equal(takeOverStaleLock(lockPath), false);
      assert.equal(readFileSync(lockPath, 'utf8'), String(process.pid), 'the live lock is put back untouched');
      assert.deepEqual(others(), [], 'no aside files are left');
    });

    function spawnInstaller(): { done: Promise<{ code: number | null; out: string }>; kill: () => void } {
      const script = `require(${JSON.stringify(INSTALLER)}).installTool({ tool: 'grype', version: '${VERSION}' })
        .then((r) => console.log('RESULT ' + JSON.stringify(r)), (e) => { console.error(e.message); process.exit(1); });`;
      const child = spawn(process.execPath, ['-e', script], { env: process.env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('close', (code) => resolve({ code, out })));
      return { done, kill: () => child.kill('SIGKILL') };
    }

    it('two processes installing the same version at once both succeed with one entry', async () => {
      await addGrypeRelease(undefined, 3 * 1024 * 1024);
      const runs = await Promise.all([spawnInstaller().done, spawnInstaller().done]);
      const paths = runs.map((r) => {
        assert.equal(r.code, 0, r.out);
        const line = r.out.split('\n').find((l) => l.startsWith('RESULT '));
        return (JSON.parse(line!.slice(7)) as InstalledTool).path;
      });
      assert.equal(paths[0], paths[1]);
      assert.deepEqual(readdirSync(join(toolsDir, 'grype', VERSION)).sort(), [process.arch, `${process.arch}.complete`]);
      assert.deepEqual(readdirSync(join(toolsDir, 'grype', '.staging')), []);
      assert.match(execFileSync(paths[0], ['version']).toString(), /fake grype ran/);
    });

    it('a process killed during extraction leaves nothing a later run uses', async () => {
      await addGrypeRelease(undefined, 40 * 1024 * 1024);
      const staging = join(toolsDir, 'grype', '.staging');
      const child = spawnInstaller();
      // Kill as soon as extraction has started writing into a staging dir.
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const dirs = existsSync(staging) ? readdirSync(staging) : [];
        if (dirs.some((d) => readdirSync(join(staging, d)).length > 0)) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      child.kill();
      await child.done;
      assert.equal(existsSync(`${cacheEntry()}.complete`), false, 'killed before the commit');
      assert.equal(findLocalTool(), undefined);
      const before = requestsTo(ARCHIVE_PATH);
      const { result, error } = await install();
      assert.ifError(error);
      assert.equal(result?.fromCache, false);
      assert.equal(requestsTo(ARCHIVE_PATH), before + 1, 'downloaded again');
      assert.match(execFileSync(result!.path, ['version']).toString(), /fake grype ran/);
    });
  });
});
