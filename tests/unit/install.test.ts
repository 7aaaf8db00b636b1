// installTool end to end against "github.com": a loopback release server behind the agent's proxy,
// which terminates TLS for github.com with a test CA given as the agent's CA (harness/fakeGitHub.ts).
// In-process, with the agent's tool and temp directories pointed at fresh temp dirs.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as toolLib from 'azure-pipelines-tool-lib/tool';
import { UserError } from '../../tasks/common/errors';
import { downloadFile, downloadPolicy } from '../../tasks/common/install/download';
import { cacheLocation, commitStagingDir } from '../../tasks/common/install/cache';
import { installTool, InstallRequest, InstalledTool } from '../../tasks/common/install/index';
import { archiveAssetName, resolvePlatform } from '../../tasks/common/install/platform';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { buildReleaseArchive } from '../harness/fakeTool';
import { ChecksumsMode, ReleaseServer } from '../harness/releaseServer';
import { captureStdout } from '../harness/capture';
import { FakeGitHub, GITHUB, startFakeGitHub } from '../harness/fakeGitHub';

const INSTALLER = join(__dirname, '../../tasks/common/install/index.js');
const VERSION = '1.0.0';
const platform = resolvePlatform('grype', process.platform, process.arch);
const ASSET = archiveAssetName('grype', VERSION, platform);
const ARCHIVE_PATH = `/anchore/grype/releases/download/v${VERSION}/${ASSET}`;
const CHECKSUMS_PATH = `/anchore/grype/releases/download/v${VERSION}/grype_${VERSION}_checksums.txt`;

const sha256Of = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('install: installTool against "github.com" behind the agent\'s TLS-inspecting proxy', function () {
  let github: FakeGitHub;
  let server: ReleaseServer;
  let workDir: string;
  let toolsDir: string;
  const savedEnv = { ...process.env };
  const savedPolicy = { ...downloadPolicy };

  beforeEach(async () => {
    github = await startFakeGitHub();
    server = github.server;
    workDir = mkdtempSync(join(tmpdir(), 'install-test-'));
    toolsDir = join(workDir, 'tools');
    mkdirSync(toolsDir);
    mkdirSync(join(workDir, 'temp'));
    process.env.AGENT_TOOLSDIRECTORY = toolsDir;
    process.env.AGENT_TEMPDIRECTORY = join(workDir, 'temp');
    Object.assign(process.env, github.env);
    // A generous socket timeout: TLS through the proxy on a loaded machine must not look like a stall.
    Object.assign(downloadPolicy, { baseDelayMs: 5, socketTimeoutMs: 10_000 });
  });

  afterEach(async () => {
    await github.close();
    rmSync(workDir, { recursive: true, force: true });
    process.env = { ...savedEnv };
    Object.assign(downloadPolicy, savedPolicy);
  });

  async function addGrypeRelease(checksums: ChecksumsMode = 'ok', padToBytes?: number) {
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
    assert.ok(log.includes(`${GITHUB}${ARCHIVE_PATH}`), 'log names the URL');
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
    // the true line first: taking the first match would install it; an ambiguous file must fail closed
    ['ambiguous', ['lists', ASSET, '2 times with different SHA-256 values', CHECKSUMS_PATH, ARCHIVE_PATH]],
  ] as const) {
    it(`refuses to install when the checksum is ${mode}, leaving nothing in the cache`, async () => {
      const archive = await addGrypeRelease(mode);
      const { error } = await install();
      assertUserError(error, ...fragments);
      if (mode === 'wrong' || mode === 'ambiguous') {
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
      assertUserError(error, `${GITHUB}${ARCHIVE_PATH}`, 'redirect', where, 'not followed');
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
    const { error, log } = await install();
    assert.ifError(error);
    assert.equal(requestsTo(ARCHIVE_PATH), 2, log.split('\n').filter((l) => l.startsWith('Attempt')).join('\n'));
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
    // long enough for a TLS handshake through the proxy on a loaded machine, well short of the stall
    downloadPolicy.socketTimeoutMs = 1000;
    server.addFault(ARCHIVE_PATH, { kind: 'slow', bytesPerChunk: 100, delayMs: 5000, times: 1 });
    const { error } = await install();
    assert.ifError(error);
    assert.equal(requestsTo(ARCHIVE_PATH), 2);
  });

  it('stops a download that trickles below the minimum rate for a whole window, naming the URL and the bytes received, without retrying', async () => {
    await addGrypeRelease(undefined, 200_000);
    downloadPolicy.minimumRate = { windowMs: 600, bytesPerSecond: 10 * 1024 };
    // 100 bytes every 50 ms = 2 KB/s: never silent long enough for the socket timeout
    server.addFault(ARCHIVE_PATH, { kind: 'slow', bytesPerChunk: 100, delayMs: 50 });
    const { error } = await install();
    assertUserError(error, `${GITHUB}${ARCHIVE_PATH}`, 'slower than 10.0 KB/s for 0.6 s', 'bytes received in all', 'faster mirror');
    const received = Number(/\((\d+) of \d+ bytes received in all\)/.exec(error!.message)?.[1]);
    assert.ok(received > 0 && received < 200_000, error!.message);
    assert.equal(requestsTo(ARCHIVE_PATH), 1, 'not retried');
    assertNothingCached();
  });

  it('creates the download file exclusively: an existing file or link at its path is never written through', async () => {
    await addGrypeRelease();
    const victim = join(workDir, 'victim');
    writeFileSync(victim, 'keep');
    const planted = join(workDir, 'planted.tar.gz');
    symlinkSync(victim, planted);
    await assert.rejects(downloadFile(`${GITHUB}${ARCHIVE_PATH}`, planted), /EEXIST/);
    assert.equal(readFileSync(victim, 'utf8'), 'keep');
    assert.equal(server.requests.length, 0);
  });

  describe("the agent's environment is at fault: a clear message saying what to fix", () => {
    it('a tools directory under a file (ENOTDIR)', async () => {
      await addGrypeRelease();
      const file = join(workDir, 'file');
      writeFileSync(file, '');
      process.env.AGENT_TOOLSDIRECTORY = join(file, 'tools');
      const { error } = await install();
      assertUserError(error, `Agent.ToolsDirectory) ${join(file, 'tools')} cannot be written (ENOTDIR`, 'binaryPath');
    });

    it('a temp directory under a file (ENOTDIR)', async () => {
      await addGrypeRelease();
      const file = join(workDir, 'file');
      writeFileSync(file, '');
      process.env.AGENT_TEMPDIRECTORY = join(file, 'temp');
      const { error } = await install();
      assertUserError(error, `the agent's temp directory (Agent.TempDirectory) ${join(file, 'temp')} cannot be written (ENOTDIR`);
      assert.ok(!server.requests.some((r) => r.path === ARCHIVE_PATH), 'the archive was not downloaded');
    });

    it('a tools directory without write access (EACCES; as root, whom modes do not stop, an immutable dir: EPERM)', async function () {
      if (process.platform === 'win32') this.skip();
      await addGrypeRelease();
      const asRoot = process.getuid?.() === 0;
      if (asRoot) {
        if (spawnSync('chattr', ['+i', toolsDir]).status !== 0) this.skip(); // no chattr, or no immutable flag on this file system
      } else {
        chmodSync(toolsDir, 0o555);
      }
      try {
        const { error } = await install();
        assertUserError(error, `${toolsDir} cannot be written (${asRoot ? 'EPERM' : 'EACCES'}: the agent has no write access there)`, 'binaryPath');
      } finally {
        if (asRoot) spawnSync('chattr', ['-i', toolsDir]);
        else chmodSync(toolsDir, 0o755);
      }
    });

    for (const proxyUrl of ['proxy.corp:8080', 'http://proxy corp:8080', 'http://user:s3cret@[bad']) {
      it(`a malformed agent proxy URL '${proxyUrl}'`, async () => {
        await addGrypeRelease();
        process.env.AGENT_PROXYURL = proxyUrl;
        const { error } = await install();
        assertUserError(error, "The agent's proxy URL (Agent.ProxyUrl)", 'is not a valid http(s) URL', '--proxyurl');
        assert.doesNotMatch(error!.message, /s3cret/);
        assert.equal(server.requests.length, 0);
      });
    }

    it('an archive that matches its checksum but is not a tar.gz (or zip)', async () => {
      const notAnArchive = { name: ASSET, data: Buffer.from('<html>mirror login page</html>\n') };
      server.addRelease('grype', VERSION, [notAnArchive]);
      const { error } = await install();
      assertUserError(error, `${GITHUB}${ARCHIVE_PATH} matches its checksum but cannot be extracted as a .${platform.archiveExtension} archive`, 'downloadBaseUrl');
      assertNothingCached();
      assert.deepEqual(readdirSync(join(toolsDir, 'grype', '.staging')), []);
    });
  });

  it('shows download progress as MB of MB at 10 % steps, plus task.setprogress', async () => {
    await addGrypeRelease(undefined, 2 * 1024 * 1024);
    const { error, log } = await install();
    assert.ifError(error);
    const lines = log.split('\n').filter((l) => l.startsWith(`Downloading ${GITHUB}${ARCHIVE_PATH}: `));
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
    const { error, log } = await install({ downloadBaseUrl: `${server.downloadBase('grype')}/` });
    assert.ifError(error);
    assert.ok(log.includes(`Downloading ${server.url}${ARCHIVE_PATH}`));
    assert.equal(requestsTo(ARCHIVE_PATH), 1);
    assert.deepEqual(github.proxy.connects, [], 'github.com was not asked');
  });

  it("reaches github.com over TLS through the agent's proxy (Agent.ProxyUrl), trusting the agent's CA (Agent.CAInfo)", async () => {
    await addGrypeRelease();
    const { error } = await install();
    assert.ifError(error);
    assert.ok(github.proxy.connects.length >= 2 && github.proxy.connects.every((c) => c === 'github.com:443'), `CONNECTs: ${github.proxy.connects}`);
    assert.ok(server.requests.every((r) => r.headers.host === 'github.com'), 'requests were for github.com');
  });

  it("the fake GitHub's proxy refuses any host but github.com and loopback, so nothing reaches the internet", async () => {
    const { error } = await install({ downloadBaseUrl: 'https://mirror.example.com/grype' });
    assertUserError(error, 'https://mirror.example.com/grype', 'failed after 4 attempts');
    assert.ok(github.proxy.connects.length > 0 && github.proxy.connects.every((c) => c === 'mirror.example.com:443'), `CONNECTs: ${github.proxy.connects}`);
    assert.equal(github.proxy.forbidden, github.proxy.connects.length);
  });

  it("without the agent's CA, the inspecting proxy's certificate is refused and nothing is installed", async () => {
    await addGrypeRelease();
    delete process.env.AGENT_CAINFO;
    downloadPolicy.attempts = 1;
    const { error } = await install();
    assertUserError(error, `${GITHUB}${CHECKSUMS_PATH}`, 'certificate', 'Agent.CAInfo');
    assert.equal(server.requests.length, 0);
    assertNothingCached();
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

    it('is not held up by a lock file from an older installer in another PID namespace (a live PID here, a fresh mtime)', async () => {
      await addGrypeRelease();
      mkdirSync(join(toolsDir, 'grype', VERSION), { recursive: true });
      const lock = `${cacheEntry()}.lock`;
      writeFileSync(lock, '1'); // PID 1 is alive in every namespace, whoever wrote it
      const inAnHour = new Date(Date.now() + 3600_000);
      utimesSync(lock, inAnHour, inAnHour);
      const { result, error } = await install();
      assert.ifError(error);
      assert.equal(result?.fromCache, false);
      assert.equal(readFileSync(lock, 'utf8'), '1', "another process's file is never deleted");
    });

    it('uses an entry another process renamed into place once that process marks it', async () => {
      const location = cacheLocation(toolsDir, 'grype', VERSION, process.arch);
      // The winner's complete entry, renamed in but not yet marked:
      mkdirSync(location.entryDir, { recursive: true });
      writeFileSync(join(location.entryDir, platform.binaryName), 'winner');
      const ours = mkdtempSync(join(workDir, 'staging-'));
      writeFileSync(join(ours, platform.binaryName), 'loser');
      const marking = new Promise<void>((resolve) => setTimeout(() => resolve(writeFileSync(location.markerPath, '')), 300));
      const committed = await commitStagingDir(location, ours, platform.binaryName);
      await marking;
      assert.deepEqual(committed, { binaryPath: join(location.entryDir, platform.binaryName), committedByOther: true });
      assert.equal(readFileSync(committed.binaryPath, 'utf8'), 'winner', "the winner's entry is kept");
      assert.equal(existsSync(ours), false, 'our staging dir is removed');
    });

    it('replaces a complete entry left unmarked by a process killed between its rename and its marker', async () => {
      await addGrypeRelease();
      assert.ifError((await install()).error);
      rmSync(`${cacheEntry()}.complete`);
      const { result, error } = await install();
      assert.ifError(error);
      assert.equal(result?.fromCache, false);
      assert.ok(existsSync(`${cacheEntry()}.complete`));
      assert.match(execFileSync(result!.path, ['version']).toString(), /fake grype ran/);
      assert.deepEqual(readdirSync(join(toolsDir, 'grype', '.staging')), [], 'the unmarked entry was moved aside and removed');
      assert.deepEqual(readdirSync(join(toolsDir, 'grype', VERSION)).sort(), [process.arch, `${process.arch}.complete`], 'no lock or other file beside the entry');
    });

    function spawnInstaller(envOverrides: Record<string, string | undefined> = {}): { done: Promise<{ code: number | null; out: string }>; kill: () => void } {
      const script = `require(${JSON.stringify(INSTALLER)}).installTool({ tool: 'grype', version: '${VERSION}' })
        .then((r) => console.log('RESULT ' + JSON.stringify(r)), (e) => { console.error(e.message); process.exit(1); });`;
      const env = { ...process.env, ...envOverrides };
      for (const [name, value] of Object.entries(envOverrides)) if (value === undefined) delete env[name];
      const child = spawn(process.execPath, ['-e', script], { env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('close', (code) => resolve({ code, out })));
      return { done, kill: () => child.kill('SIGKILL') };
    }

    function resultPath(run: { code: number | null; out: string }): string {
      assert.equal(run.code, 0, run.out);
      const line = run.out.split('\n').find((l) => l.startsWith('RESULT '));
      return (JSON.parse(line!.slice(7)) as InstalledTool).path;
    }

    function assertOneMarkedEntry(): void {
      assert.deepEqual(readdirSync(join(toolsDir, 'grype', VERSION)).sort(), [process.arch, `${process.arch}.complete`]);
      assert.deepEqual(readdirSync(join(toolsDir, 'grype', '.staging')), []);
    }

    it('four processes installing the same version at once all succeed with one entry, without a lock', async () => {
      await addGrypeRelease(undefined, 3 * 1024 * 1024);
      const runs = await Promise.all([1, 2, 3, 4].map(() => spawnInstaller().done));
      const paths = runs.map(resultPath);
      assert.deepEqual(new Set(paths), new Set([join(cacheEntry(), platform.binaryName)]));
      assertOneMarkedEntry();
      assert.match(execFileSync(paths[0], ['version']).toString(), /fake grype ran/);
    });

    it('outside an agent, downloads into a private mkdtemp dir of os.tmpdir(), never a predictable name there', async () => {
      await addGrypeRelease(undefined, 2 * 1024 * 1024);
      const tmp = join(workDir, 'os-tmp');
      mkdirSync(tmp);
      server.addFault(ARCHIVE_PATH, { kind: 'slow', bytesPerChunk: 256 * 1024, delayMs: 30, times: 1 });
      const seen = new Set<string>();
      const watching = setInterval(() => {
        for (const name of readdirSync(tmp)) {
          try {
            const st = statSync(join(tmp, name));
            seen.add(`${name} ${st.isDirectory() ? 'dir' : 'file'} ${(st.mode & 0o777).toString(8)}`);
          } catch {
            // removed meanwhile
          }
        }
      }, 2);
      const run = await spawnInstaller({ TMPDIR: tmp, AGENT_TEMPDIRECTORY: undefined }).done;
      clearInterval(watching);
      resultPath(run);
      assert.ok(seen.size > 0, 'the download was seen');
      for (const entry of seen) assert.match(entry, /^grype-download-\w{6} dir 700$/);
      assert.deepEqual(readdirSync(tmp), [], 'removed afterwards');
    });

    /** Polls until `ready` holds (or 20 s pass). */
    async function waitFor(ready: () => boolean): Promise<void> {
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !ready()) await new Promise((r) => setTimeout(r, 2));
    }
    const filesUnder = (dir: string): string[] =>
      existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => statSync(join(dir, n)).isFile()) : [];

    it('of four concurrent installs, one killed while downloading, the other three succeed with one entry', async () => {
      await addGrypeRelease(undefined, 3 * 1024 * 1024);
      server.addFault(ARCHIVE_PATH, { kind: 'slow', bytesPerChunk: 64 * 1024, delayMs: 20, times: 1 });
      const victim = spawnInstaller();
      await waitFor(() => filesUnder(join(workDir, 'temp')).length > 0);
      const others = [1, 2, 3].map(() => spawnInstaller());
      victim.kill();
      assert.notEqual((await victim.done).code, 0);
      const paths = (await Promise.all(others.map((o) => o.done))).map(resultPath);
      assert.deepEqual(new Set(paths), new Set([join(cacheEntry(), platform.binaryName)]));
      assertOneMarkedEntry();
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
