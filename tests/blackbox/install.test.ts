// Black-box tests of the installer's faults, from the packaged VSIX: GrypeScan@1 installing a fake
// grype from "github.com" (harness/fakeGitHub.ts: the loopback release server behind the agent's
// TLS-inspecting proxy), and the agent environments that must fail with a clear message, not as bugs.
// Fixtures are written here: a minimal Grype report and DB status.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { buildReleaseArchive, FakeToolBehaviour, writeFakeTool } from '../harness/fakeTool';
import { FakeGitHub, GITHUB, startFakeGitHub } from '../harness/fakeGitHub';
import { startReleaseServer } from '../harness/releaseServer';
import { runTask, RunTaskOptions, scratchDir, TaskRun } from '../harness/vsix';
import { archiveAssetName, checksumsAssetName, resolvePlatform } from '../../tasks/common/install/platform';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';

const VERSION = PINNED_VERSIONS.grype;
const platform = resolvePlatform('grype', process.platform, process.arch);
const ASSET = archiveAssetName('grype', VERSION, platform);
const ARCHIVE_PATH = `/anchore/grype/releases/download/v${VERSION}/${ASSET}`;
const CHECKSUMS_URL = `${GITHUB}/anchore/grype/releases/download/v${VERSION}/${checksumsAssetName('grype', VERSION)}`;

/** A fake grype whose scan writes a report without findings (or a huge sparse one). */
function grypeBehaviour(extra: FakeToolBehaviour = {}): FakeToolBehaviour {
  const dir = scratchDir('grype-report-');
  const report = path.join(dir, 'report.json');
  fs.writeFileSync(report, JSON.stringify({ matches: [], source: { type: 'directory', target: '.' }, descriptor: { name: 'grype', version: VERSION } }));
  return {
    subcommands: {
      'db update': { stdout: 'Vulnerability database updated to latest version!' },
      'db status': { stdout: JSON.stringify({ schemaVersion: 'v6.0.2', built: new Date().toISOString(), valid: true }) },
    },
    outputs: { json: report },
    ...extra,
  };
}

const completes = (run: TaskRun) => run.commands.filter((c) => c.command === 'task.complete');
function explain(run: TaskRun): string {
  return `\n--- stdout ---\n${run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n')}\n--- stderr ---\n${run.stderr}`;
}

/** The task failed once, with a message matching every pattern, and no "Unexpected error" or stack trace. */
function assertFailedClearly(run: TaskRun, ...patterns: RegExp[]): void {
  assert.strictEqual(run.result, 'Failed', explain(run));
  assert.strictEqual(completes(run).length, 1, explain(run));
  const message = completes(run)[0].message;
  assert.doesNotMatch(message, /Unexpected error|report it/, message);
  for (const p of patterns) assert.match(message, p);
  const log = run.stdout.split('\n').filter((l) => !l.startsWith('##vso[task.debug]')).join('\n');
  assert.ok(!/\bat .*\.js:\d+/.test(log), `stack trace in the log: ${explain(run)}`);
}

const scan = (opts: RunTaskOptions) => runTask('GrypeScan', { timeoutMs: 60_000, ...opts, inputs: { target: 'dir:.', outputFormats: 'json', ...(opts.inputs ?? {}) } });

describe('installer black-box (built VSIX, "github.com" behind a TLS-inspecting proxy)', function () {
  this.timeout(90_000);
  let github: FakeGitHub;
  beforeEach(async () => (github = await startFakeGitHub()));
  afterEach(() => github.close());

  async function addRelease(checksums?: 'ambiguous'): Promise<void> {
    const archive = await buildReleaseArchive('grype', VERSION, platform.os, platform.arch, grypeBehaviour());
    github.server.addRelease('grype', VERSION, [archive], { checksums });
  }

  it('ignores GRYPE_SYFT_TASKS_GITHUB_URL, the removed test hook: a pipeline variable cannot swap the download', async () => {
    await addRelease();
    const hook = await startReleaseServer();
    try {
      hook.addRelease('grype', VERSION, [await buildReleaseArchive('grype', VERSION, platform.os, platform.arch, grypeBehaviour())]);
      const run = await scan({ env: { ...github.env, AGENT_TOOLSDIRECTORY: scratchDir('tools-'), GRYPE_SYFT_TASKS_GITHUB_URL: hook.url } });
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      assert.deepStrictEqual(hook.requests, [], 'the hook server was not asked');
      assert.ok(github.server.requests.some((r) => r.path === ARCHIVE_PATH), 'downloaded from github.com');
    } finally {
      await hook.close();
    }
  });

  it('refuses a checksums file listing the archive twice with different hashes, though the true line comes first', async () => {
    await addRelease('ambiguous');
    const run = await scan({ env: { ...github.env, AGENT_TOOLSDIRECTORY: scratchDir('tools-') } });
    assertFailedClearly(run, new RegExp(`${CHECKSUMS_URL.replace(/[.]/g, '\\.')} lists ${ASSET.replace(/[.]/g, '\\.')} 2 times with different SHA-256 values`), /was not installed/);
    assert.ok(!github.server.requests.some((r) => r.path === ARCHIVE_PATH), 'the archive was not even downloaded');
  });

  it('refuses an archive that matches its checksum but is not a tar.gz/zip', async () => {
    github.server.addRelease('grype', VERSION, [{ name: ASSET, data: Buffer.from('<html>proxy login</html>\n') }]);
    const run = await scan({ env: { ...github.env, AGENT_TOOLSDIRECTORY: scratchDir('tools-') } });
    assertFailedClearly(run, /matches its checksum but cannot be extracted as a \.(tar\.gz|zip) archive/, /downloadBaseUrl/);
  });

  it('a tools directory that cannot be written (ENOTDIR)', async () => {
    await addRelease();
    const tools = scratchDir('tools-');
    fs.writeFileSync(path.join(tools, 'grype'), ''); // a file where the tool's folder goes
    const run = await scan({ env: { ...github.env, AGENT_TOOLSDIRECTORY: tools } });
    assertFailedClearly(run, /the agent's tools directory \(Agent\.ToolsDirectory\) \S+ cannot be written \(ENOTDIR: a part of its path is a file, not a folder\)/, /binaryPath/);
  });

  for (const withBinaryPath of [false, true]) {
    it(`a malformed agent proxy URL, ${withBinaryPath ? 'handing the proxy to grype' : 'installing'}`, async () => {
      await addRelease();
      const inputs: Record<string, string> = withBinaryPath ? { binaryPath: writeFakeTool(scratchDir('fake-'), 'grype', grypeBehaviour()) } : {};
      const run = await scan({ env: { ...github.env, AGENT_TOOLSDIRECTORY: scratchDir('tools-'), AGENT_PROXYURL: 'http://proxy corp:8080' }, inputs });
      assertFailedClearly(run, /The agent's proxy URL \(Agent\.ProxyUrl\) 'http:\/\/proxy corp:8080' is not a valid http\(s\) URL/, /--proxyurl/);
    });
  }

  it('a 1 GB Grype report (beyond V8\'s string limit) fails with what to do, and the reports are still published', async () => {
    const grype = writeFakeTool(scratchDir('fake-'), 'grype', grypeBehaviour({ sparseOutputBytes: 1024 ** 3 }));
    const run = await scan({ inputs: { binaryPath: grype, outputFormats: 'json,table' } });
    assertFailedClearly(run, /Grype's JSON report \S+ is 1\.0 GB, more than the 512\.0 MB a Node\.js task can read/, /--exclude/);
    assert.ok(run.commands.some((c) => c.command === 'artifact.upload'), 'reports published');
  });

  it('the safety net: with default inputs and no fake GitHub, nothing reaches the internet (the agent proxy is a dead loopback port)', async () => {
    const run = await runTask('GrypeScan', { inputs: { target: 'dir:.' } });
    assertFailedClearly(run, new RegExp(`Downloading ${CHECKSUMS_URL.replace(/[.]/g, '\\.')} failed after 4 attempts: .*ECONNREFUSED 127\\.0\\.0\\.1:9`));
  });

  it('stops a download trickling below 10 KiB/s for 60 s, naming the URL and the bytes received', async function () {
    this.timeout(150_000);
    await addRelease();
    // 1 byte every 2 s: never silent for the 60 s socket timeout, and would take days
    github.server.addFault(ARCHIVE_PATH, { kind: 'slow', bytesPerChunk: 1, delayMs: 2000 });
    const run = await scan({ env: { ...github.env, AGENT_TOOLSDIRECTORY: scratchDir('tools-') }, timeoutMs: 140_000 });
    assertFailedClearly(run, new RegExp(`Downloading ${GITHUB}${ARCHIVE_PATH.replace(/[.]/g, '\\.')} was stopped: it ran slower than 10\\.0 KB/s for 60 s \\(\\d+ of \\d+ bytes received in all\\)`));
    assert.strictEqual(github.server.requests.filter((r) => r.path === ARCHIVE_PATH).length, 1, 'not retried');
  });
});
