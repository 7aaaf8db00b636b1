// The installer's pure decisions: platform → asset, version input, checksums, retries, progress.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { UserError } from '../../tasks/common/errors';
import { listedChecksums } from '../../tasks/common/install/checksums';
import { archiveAssetName, checksumsAssetName, resolvePlatform } from '../../tasks/common/install/platform';
import { nextRateWindow, progressText, shouldReportProgress } from '../../tasks/common/install/progress';
import { backoffDelayMs, isRetryableStatus } from '../../tasks/common/retry';
import { defaultDownloadBase, latestReleaseUrl, parseRequestedVersion, versionFromTag } from '../../tasks/common/install/version';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { createHash } from 'node:crypto';
import { repoRoot, sharedFixturesDir } from '../harness/paths';

describe('install: platform and asset names', () => {
  it('names the Linux, macOS and Windows assets as Anchore publishes them', () => {
    assert.equal(archiveAssetName('grype', '0.117.0', resolvePlatform('grype', 'linux', 'x64')), 'grype_0.117.0_linux_amd64.tar.gz');
    assert.equal(archiveAssetName('syft', '1.42.3', resolvePlatform('syft', 'darwin', 'arm64')), 'syft_1.42.3_darwin_arm64.tar.gz');
    assert.equal(archiveAssetName('grype', '0.117.0', resolvePlatform('grype', 'win32', 'x64')), 'grype_0.117.0_windows_amd64.zip');
    assert.equal(archiveAssetName('syft', '1.42.3', resolvePlatform('syft', 'win32', 'arm64')), 'syft_1.42.3_windows_arm64.zip');
    assert.equal(checksumsAssetName('syft', '1.42.3'), 'syft_1.42.3_checksums.txt');
  });

  it('uses <tool>.exe in Windows zips and the bare name elsewhere', () => {
    assert.deepEqual(resolvePlatform('grype', 'win32', 'x64'), { os: 'windows', arch: 'amd64', archiveExtension: 'zip', binaryName: 'grype.exe' });
    assert.deepEqual(resolvePlatform('syft', 'linux', 'arm64'), { os: 'linux', arch: 'arm64', archiveExtension: 'tar.gz', binaryName: 'syft' });
  });

  it('supports ppc64le and s390x on Linux only', () => {
    assert.equal(resolvePlatform('grype', 'linux', 'ppc64').arch, 'ppc64le');
    assert.equal(resolvePlatform('syft', 'linux', 's390x').arch, 's390x');
    assert.throws(() => resolvePlatform('grype', 'darwin', 's390x'), /darwin\/s390x/);
  });

  it('rejects Windows arm64 for Grype (no such build) with a clear error', () => {
    assert.throws(() => resolvePlatform('grype', 'win32', 'arm64'), (e: Error) => e instanceof UserError && /win32\/arm64/.test(e.message) && /binaryPath/.test(e.message));
  });

  it('rejects unsupported platforms, naming them', () => {
    assert.throws(() => resolvePlatform('syft', 'freebsd', 'x64'), (e: Error) => e instanceof UserError && e.message.includes('freebsd/x64'));
    assert.throws(() => resolvePlatform('syft', 'linux', 'ia32'), (e: Error) => e instanceof UserError && e.message.includes('linux/ia32'));
  });
});

describe('install: version input', () => {
  it('defaults to the pinned versions', () => {
    assert.deepEqual(parseRequestedVersion('grype', ''), { kind: 'exact', version: PINNED_VERSIONS.grype });
    assert.deepEqual(parseRequestedVersion('syft', '  '), { kind: 'exact', version: PINNED_VERSIONS.syft });
  });

  it('pins the versions the real-tool suite builds (tests/realtools go.mod files)', () => {
    const goMod = (...p: string[]) => readFileSync(join(repoRoot, 'tests', 'realtools', ...p, 'go.mod'), 'utf8');
    assert.match(goMod(), new RegExp(`^\\s*github\\.com/anchore/grype v${PINNED_VERSIONS.grype.replace(/\./g, '\\.')}( // indirect)?$`, 'm'));
    // A module required only for its `tool` directive is marked indirect.
    assert.match(goMod('syft'), new RegExp(`^\\s*github\\.com/anchore/syft v${PINNED_VERSIONS.syft.replace(/\./g, '\\.')}( // indirect)?$`, 'm'));
  });

  it('accepts 1.2.3, v1.2.3 and latest', () => {
    assert.deepEqual(parseRequestedVersion('grype', '1.2.3'), { kind: 'exact', version: '1.2.3' });
    assert.deepEqual(parseRequestedVersion('grype', ' v0.80.10 '), { kind: 'exact', version: '0.80.10' });
    assert.deepEqual(parseRequestedVersion('syft', 'latest'), { kind: 'latest' });
    assert.deepEqual(parseRequestedVersion('syft', 'Latest'), { kind: 'latest' });
  });

  for (const odd of ['1.2', 'abc', '1.2.3; rm -rf /', 'v', '1.2.3.4', '^1.2.3', '1.2.x', 'v1.2.3-rc1 ']) {
    it(`rejects '${odd}' naming the input and giving an example`, () => {
      assert.throws(
        () => parseRequestedVersion('grype', odd),
        (e: Error) => e instanceof UserError && e.message.includes(`'${odd}'`) && e.message.includes(PINNED_VERSIONS.grype) && e.message.includes('latest'),
      );
    });
  }

  it('reads versions from tags and tag URLs', () => {
    assert.equal(versionFromTag('v0.117.0'), '0.117.0');
    assert.equal(versionFromTag('https://github.com/anchore/syft/releases/tag/v1.42.3'), '1.42.3');
    assert.equal(versionFromTag('/anchore/syft/releases/tag/v1.42.3'), '1.42.3');
    assert.equal(versionFromTag('https://github.com/anchore/syft/releases'), undefined);
    assert.equal(versionFromTag('nightly'), undefined);
  });

  it('downloads from github.com, whatever the environment says (no override a pipeline variable could set)', () => {
    process.env.GRYPE_SYFT_TASKS_GITHUB_URL = 'http://127.0.0.1:1/';
    try {
      assert.equal(defaultDownloadBase('grype'), 'https://github.com/anchore/grype/releases/download');
      assert.equal(latestReleaseUrl('syft'), 'https://github.com/anchore/syft/releases/latest');
    } finally {
      delete process.env.GRYPE_SYFT_TASKS_GITHUB_URL;
    }
  });
});

describe('install: checksums file', () => {
  it("finds an asset's line in a checksums file laid out as Anchore's releases are (goreleaser)", () => {
    const version = PINNED_VERSIONS.grype;
    const platforms: [string, string][] = [['linux', 'x64'], ['linux', 'arm64'], ['darwin', 'x64'], ['darwin', 'arm64'], ['win32', 'x64']];
    const archives = platforms.map(([os, arch]) => archiveAssetName('grype', version, resolvePlatform('grype', os, arch)));
    // Every archive has its SBOM beside it; the hashes stand in for the real ones (sha256 of the name).
    const assets = [...archives, ...archives.map((a) => `${a}.sbom.json`), `grype_${version}_linux_amd64.deb`, `grype_${version}_linux_amd64.rpm`];
    const hashOf = (name: string) => createHash('sha256').update(name).digest('hex');
    const text = assets.sort().map((a) => `${hashOf(a)}  ${a}`).join('\n') + '\n';
    for (const a of archives) assert.deepEqual(listedChecksums(text, a), [hashOf(a)], a);
    const linux = archiveAssetName('grype', version, resolvePlatform('grype', 'linux', 'x64'));
    assert.deepEqual(listedChecksums(text, linux.replace(/\.gz$/, '')), [], 'whole file names only');
    assert.deepEqual(listedChecksums(text, linux.replace(version, '0.0.1')), []);
  });

  const shared = sharedFixturesDir();
  if (shared) it("finds an asset's line in a real release checksums file (shared corpus)", () => {
    const text = readFileSync(join(shared!, 'checksums/grype_0.78.0_checksums.test-valid.txt'), 'utf8');
    assert.deepEqual(listedChecksums(text, 'grype_0.78.0_darwin_arm64.tar.gz'), ['51249ee801b41272218252af2c72a644a7ef037b0b27d7b0eae3b55361e82cf6']);
    assert.deepEqual(listedChecksums(text, 'grype_0.78.0_darwin_arm64.tar'), [], 'whole file names only');
    assert.deepEqual(listedChecksums(text, 'grype_0.79.0_darwin_arm64.tar.gz'), []);
  });

  it('accepts binary-mode lines, CRLF and upper-case hex', () => {
    const hash = 'AB'.repeat(32);
    assert.deepEqual(listedChecksums(`${hash} *syft_1.0.0_linux_amd64.tar.gz\r\n`, 'syft_1.0.0_linux_amd64.tar.gz'), [hash.toLowerCase()]);
  });

  it('ignores malformed lines', () => {
    assert.deepEqual(listedChecksums('abc  syft_1.0.0_linux_amd64.tar.gz\n', 'syft_1.0.0_linux_amd64.tar.gz'), []);
  });

  it('lists every distinct hash of an asset named twice, so an ambiguous file can be refused; a repeated identical line is one', () => {
    const [good, bad] = ['a'.repeat(64), 'b'.repeat(64)];
    const name = 'grype_1.0.0_linux_amd64.tar.gz';
    assert.deepEqual(listedChecksums(`${good}  ${name}\n${bad}  ${name}\n`, name), [good, bad]);
    assert.deepEqual(listedChecksums(`${good}  ${name}\n${good.toUpperCase()} *${name}\n`, name), [good]);
  });
});

describe('install: retries and progress', () => {
  it('fails a download only once a whole window passed below the minimum rate, measuring each window afresh', () => {
    const minimum = { windowMs: 60_000, bytesPerSecond: 10 * 1024 };
    const start = { startMs: 0, startBytes: 0 };
    assert.equal(nextRateWindow(start, 59_999, 0, minimum), start, 'not a whole window yet');
    assert.equal(nextRateWindow(start, 60_000, 30, minimum), 'too-slow', '1 byte every 2 s');
    assert.equal(nextRateWindow(start, 60_000, 60 * 10 * 1024 - 1, minimum), 'too-slow', 'just under 10 KiB/s');
    const next = nextRateWindow(start, 60_000, 60 * 10 * 1024, minimum);
    assert.deepEqual(next, { startMs: 60_000, startBytes: 60 * 10 * 1024 }, '10 KiB/s is enough; the next window starts now');
    assert.equal(nextRateWindow(next as { startMs: number; startBytes: number }, 120_000, 60 * 10 * 1024 + 5, minimum), 'too-slow', 'a fast first minute does not cover a stalled second one');
  });

  it('retries throttling and server errors, not other client errors', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
    for (const s of [400, 401, 403, 404, 410]) assert.equal(isRetryableStatus(s), false, String(s));
  });

  it('backs off exponentially', () => {
    assert.deepEqual([1, 2, 3].map((a) => backoffDelayMs(a, 1000)), [1000, 2000, 4000]);
  });

  it('reports every interval or every 10 %, and reads as MB of MB', () => {
    const state = { lastReportAtMs: 0, lastReportedTenth: 0 };
    const total = 30 * 1024 * 1024;
    assert.equal(shouldReportProgress(state, 100, total * 0.05, total, 5000), false);
    assert.equal(shouldReportProgress(state, 100, total * 0.11, total, 5000), true);
    assert.equal(shouldReportProgress(state, 5000, 10, undefined, 5000), true);
    assert.equal(shouldReportProgress(state, 100, 2000, 2000, 5000), false, 'a small file finishes without a progress line');
    assert.equal(progressText(12.3 * 1024 * 1024, total), '12.3 MB of 30.0 MB');
    assert.equal(progressText(1024 * 1024, undefined), '1.0 MB');
    assert.equal(progressText(512 * 1024, 2 * 1024 * 1024), '512.0 KB of 2.0 MB');
  });
});
