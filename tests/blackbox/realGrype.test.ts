// The packaged GrypeScan task with the real grype: installed from the loopback release server
// through the task's checksum-verified path, a real v6 DB built by mkdb and served like Grype's DB
// host, real targets (a dir: with a package-lock.json, docker-archive:, oci-dir:, registry: on
// Debian's docker-registry). Every expectation comes from tests/harness/realWorld.ts.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { reportStem } from '../../tasks/common/target';
import { addRealRelease, assertCounts, buildDb, BuiltDb, deadUrl, DbServer, expectedKeys, explain, findingKeys, RealTools, Registry, requireRealTools, runTool, startDbServer, startRegistry } from '../harness/realTools';
import { expectedPackageWarnings, packageWarningsOf } from '../harness/packageWarnings';
import { EXPECTED_DEBIAN, EXPECTED_NPM, writeDebianRootfs, writeNpmProject, writeRecords } from '../harness/realWorld';
import { ReleaseServer, startReleaseServer } from '../harness/releaseServer';
import { runTask, RunTaskOptions, TaskRun } from '../harness/vsix';
import { scratchDirs } from '../harness/scratch';

const tempDir = scratchDirs();

describe('GrypeScan with the real grype (built VSIX, real DB, real targets)', function () {
  this.timeout(240_000);

  let tools: RealTools;
  let release: ReleaseServer;
  let dbServer: DbServer;
  let db: BuiltDb;
  let records: string;
  let toolsDirectory: string;
  let dbCache: string;
  let project: string;
  let images: { dockerArchive: string; ociDir: string };

  before(async function () {
    tools = requireRealTools(this);
    const world = tempDir('real-grype-');
    records = path.join(world, 'records');
    writeRecords(records);
    db = await buildDb(tools, records, path.join(world, 'db1'), new Date(Date.now() - 3_600_000));
    dbServer = await startDbServer(db);
    release = await startReleaseServer();
    await addRealRelease(release, 'grype', PINNED_VERSIONS.grype, tools.grype);
    toolsDirectory = path.join(world, 'tools');
    dbCache = path.join(world, 'dbcache');
    project = path.join(world, 'project');
    writeNpmProject(project);
    const rootfs = path.join(world, 'rootfs');
    writeDebianRootfs(rootfs);
    images = { dockerArchive: path.join(world, 'debian.tar'), ociDir: path.join(world, 'debian-oci') };
    await runTool(tools.mkimage, ['-rootfs', rootfs, '-ref', 'realtools/debian:12', '-docker-archive', images.dockerArchive, '-oci-dir', images.ociDir]);
  });
  after(async () => {
    await dbServer?.close();
    await release?.close();
  });

  /** A GrypeScan run that installs grype from the release server and updates from the DB server. */
  function grype(inputs: Record<string, string>, opts: RunTaskOptions = {}): Promise<TaskRun> {
    return runTask('GrypeScan', {
      timeoutMs: 180_000,
      ...opts,
      inputs: { downloadBaseUrl: release.downloadBase('grype'), dbUpdateUrl: dbServer.url, dbCacheDirectory: dbCache, ...inputs },
      env: { AGENT_TOOLSDIRECTORY: toolsDirectory, ...(opts.env ?? {}) },
    });
  }
  const downloads = (suffix: string) => release.requests.filter((r) => r.method === 'GET' && r.path.endsWith(suffix)).length;
  const completes = (run: TaskRun) => run.commands.filter((c) => c.command === 'task.complete');

  describe('dir: holding a package-lock.json, first run on an empty agent', () => {
    let run: TaskRun;
    let jsonReport: string;
    before(async () => {
      run = await grype({ target: `dir:${project}` });
      jsonReport = run.variables.jsonReport;
    });

    it('installs the real grype through the checksum-verified download, once', () => {
      assert.strictEqual(run.exitCode, 0, explain(run));
      assert.strictEqual(downloads(`grype_${PINNED_VERSIONS.grype}_checksums.txt`), 1);
      assert.strictEqual(downloads(`grype_${PINNED_VERSIONS.grype}_linux_${process.arch === 'arm64' ? 'arm64' : 'amd64'}.tar.gz`), 1);
      assert.strictEqual(run.variables.grypeVersion, PINNED_VERSIONS.grype);
    });

    it('updates the DB from dbUpdateUrl: latest.json, a HEAD, then the archive', () => {
      assert.strictEqual(dbServer.archiveDownloads(), 1);
      assert.ok(dbServer.requests.some((r) => r.path === '/v6/latest.json'));
      assert.ok(dbServer.requests.some((r) => r.method === 'HEAD' && r.path.endsWith('.tar.gz')));
      assert.match(run.stdout, new RegExp(`Grype vulnerability database: built ${db.built}`));
    });

    it('finds exactly the findings the records describe', () => {
      assert.deepStrictEqual(findingKeys(jsonReport), expectedKeys(EXPECTED_NPM));
    });

    it('sets the counts, maxSeverity and the vulnerable-critical tag', () => {
      assertCounts(run, EXPECTED_NPM);
      const tags = run.commands.filter((c) => c.command === 'build.addbuildtag').map((c) => c.message);
      assert.deepStrictEqual(tags, ['vulnerable-critical']);
    });

    it('ends SucceededWithIssues (findings at or above High, failOnSeverity none)', () => {
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.strictEqual(completes(run).length, 1);
    });

    it('warns once per package with a finding at or above High or known exploited, most urgent first, naming its counts, top finding and upgrade', () => {
      assert.deepStrictEqual(packageWarningsOf(run.warnings), expectedPackageWarnings(EXPECTED_NPM, 'High'), explain(run));
      assert.ok(!run.warnings.some((w) => w.includes('left-pad')), 'left-pad has no findings');
    });

    it('publishes JSON, SARIF and table reports, and the SARIF for the Scans tab', () => {
      const uploads = run.commands.filter((c) => c.command === 'artifact.upload');
      const grypeFiles = uploads.filter((c) => c.properties.artifactname === 'grype').map((c) => path.basename(c.message));
      const stem = reportStem(`dir:${project}`, 'Job');
      assert.deepStrictEqual(grypeFiles.sort(), [`${stem}.grype.json`, `${stem}.grype.sarif`, `${stem}.grype.table.txt`].sort(), explain(run));
      assert.ok(uploads.some((c) => c.properties.artifactname === 'CodeAnalysisLogs'));
      const sarif = JSON.parse(fs.readFileSync(run.variables.sarifReport, 'utf8')) as { runs: { tool: { driver: { name: string } }; results: { ruleId: string }[] }[] };
      assert.strictEqual(sarif.runs[0].tool.driver.name, 'grype');
      const ruleIds = new Set(sarif.runs[0].results.map((r) => r.ruleId.split('-').slice(0, -1).join('-') || r.ruleId));
      for (const f of EXPECTED_NPM) assert.ok([...ruleIds].some((r) => r.includes(f.id)), `${f.id} not among SARIF rules ${[...ruleIds].join(', ')}`);
      const table = fs.readFileSync(path.join(path.dirname(jsonReport), `${stem}.grype.table.txt`), 'utf8');
      for (const f of EXPECTED_NPM) assert.ok(table.includes(f.id), `${f.id} not in the table report`);
    });

    it('a second run on the same dbCacheDirectory downloads latest.json but no archive, and no grype', async () => {
      const before = { archives: dbServer.archiveDownloads(), latest: dbServer.requests.filter((r) => r.path === '/v6/latest.json').length, releases: release.requests.length };
      const again = await grype({ target: `dir:${project}` });
      assert.strictEqual(again.exitCode, 0, explain(again));
      assert.strictEqual(dbServer.archiveDownloads(), before.archives, 'the cached DB is current: no archive download');
      assert.ok(dbServer.requests.filter((r) => r.path === '/v6/latest.json').length > before.latest, 'it asked for latest.json');
      assert.strictEqual(release.requests.length, before.releases, 'grype comes from the tool cache');
      assertCounts(again, EXPECTED_NPM);
    });
  });

  describe('the DB host', () => {
    it('serves a newer DB: the next run downloads it and reports its build date', async () => {
      const newer = await buildDb(tools, records, tempDir('real-db2-'), new Date(Date.now() - 60_000));
      assert.ok(Date.parse(newer.built) > Date.parse(db.built));
      const cache = tempDir('real-cache-newer-');
      const first = await grype({ target: `dir:${project}`, dbCacheDirectory: cache });
      assert.strictEqual(first.exitCode, 0, explain(first));
      const archivesBefore = dbServer.archiveDownloads();
      dbServer.serve(newer);
      try {
        const run = await grype({ target: `dir:${project}`, dbCacheDirectory: cache });
        assert.strictEqual(run.exitCode, 0, explain(run));
        assert.strictEqual(dbServer.archiveDownloads(), archivesBefore + 1);
        assert.match(run.stdout, new RegExp(`Grype vulnerability database: built ${newer.built}`));
        assertCounts(run, EXPECTED_NPM);
      } finally {
        dbServer.serve(db);
      }
    });

    it('is down but a valid cached DB exists: one warning, and the scan goes on', async () => {
      const cache = tempDir('real-cache-down-');
      const warm = await grype({ target: `dir:${project}`, dbCacheDirectory: cache });
      assert.strictEqual(warm.exitCode, 0, explain(warm));
      const run = await grype({ target: `dir:${project}`, dbCacheDirectory: cache, dbUpdateUrl: await deadUrl() });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      const dbWarnings = run.warnings.filter((w) => w.includes('could not be updated'));
      assert.strictEqual(dbWarnings.length, 1, run.warnings.join('\n'));
      assert.match(dbWarnings[0], new RegExp(`scanning with the cached database built ${db.built}`));
      assertCounts(run, EXPECTED_NPM);
    });

    it('is down and there is no cached DB: the step fails clearly, before scanning', async () => {
      const run = await grype({ target: `dir:${project}`, dbCacheDirectory: tempDir('real-cache-empty-'), dbUpdateUrl: await deadUrl() });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /could not be updated and there is no valid cached database in .*Check network access to the DB host \(or set dbUpdateUrl to a mirror\)/);
      assert.ok(!run.commands.some((c) => c.command === 'artifact.upload'), 'no scan, so no reports');
      assert.doesNotMatch(run.stdout + run.stderr, /Unexpected error|\n\s+at /);
    });

    it("is down and the cached DB is past grype's 120 h limit: the task names the age and the fixes", async () => {
      const old = await buildDb(tools, records, tempDir('real-db-old-'), new Date(Date.now() - 10 * 24 * 3_600_000));
      const cache = tempDir('real-cache-stale-');
      await runTool(tools.grype, ['db', 'import', old.archive], { GRYPE_DB_CACHE_DIR: cache });
      const run = await grype({ target: `dir:${project}`, dbCacheDirectory: cache, dbUpdateUrl: await deadUrl() });
      assert.strictEqual(run.result, 'Failed', explain(run));
      const message = completes(run)[0].message;
      assert.match(message, new RegExp(`was built ${old.built} \\(10 days old\\), older than the 5 days Grype accepts`));
      assert.match(message, /dbUpdateUrl/);
      assert.match(message, /Cache@2/);
      assert.match(message, /GRYPE_DB_MAX_ALLOWED_BUILT_AGE/);
      assert.doesNotMatch(message, /no valid cached database/);
    });

    it('serves a DB past the limit (a stale mirror): the scan failure says so, not a bare grype error', async () => {
      const old = await buildDb(tools, records, tempDir('real-db-old2-'), new Date(Date.now() - 7 * 24 * 3_600_000));
      const mirror = await startDbServer(old);
      try {
        const run = await grype({ target: `dir:${project}`, dbCacheDirectory: tempDir('real-cache-mirror-'), dbUpdateUrl: mirror.url });
        assert.strictEqual(run.result, 'Failed', explain(run));
        assert.match(completes(run)[0].message, new RegExp(`was built ${old.built} \\(7 days old\\), older than the 5 days Grype accepts.*GRYPE_DB_MAX_ALLOWED_BUILT_AGE`));
      } finally {
        await mirror.close();
      }
    });
  });

  describe('exit codes', () => {
    it('failOnSeverity high fails the step after publishing the reports', async () => {
      const run = await grype({ target: `dir:${project}`, failOnSeverity: 'high' });
      assert.strictEqual(run.result, 'Failed', explain(run));
      const upload = run.commands.findIndex((c) => c.command === 'artifact.upload');
      const complete = run.commands.findIndex((c) => c.command === 'task.complete');
      assert.ok(upload >= 0 && upload < complete, 'reports before the result');
      assertCounts(run, EXPECTED_NPM);
    });

    it("a --fail-on in additionalArguments (grype's exit 2) is policy, with the findings read", async () => {
      const run = await grype({ target: `dir:${project}`, additionalArguments: '--fail-on medium' });
      assert.strictEqual(run.result, 'Failed', explain(run));
      assert.match(completes(run)[0].message, /Grype's own fail-on severity .* exited with code 2/);
      assertCounts(run, EXPECTED_NPM);
    });

    it('a real grype error (a docker-archive that is not an image, exit 1) is a grype failure, not policy', async () => {
      const notAnImage = path.join(tempDir('real-bad-target-'), 'image.tar');
      fs.writeFileSync(notAnImage, 'this is not a tar archive\n');
      const run = await grype({ target: `docker-archive:${notAnImage}`, additionalArguments: '--fail-on medium' });
      assert.strictEqual(run.result, 'Failed', explain(run));
      const message = completes(run)[0].message;
      assert.match(message, /^Grype failed: it exited with code 1\. .*docker-archive: unable to provide image from tarball/s);
      assert.doesNotMatch(message, /fail-on severity/);
      assert.strictEqual(run.variables.totalCount, undefined, 'no counts from a failed scan');
    });
  });

  describe('image targets (Debian 12 os-release and dpkg status)', () => {
    for (const [label, target] of [
      ['docker-archive:', () => `docker-archive:${images.dockerArchive}`],
      ['oci-dir:', () => `oci-dir:${images.ociDir}`],
    ] as const) {
      it(`${label} finds the Debian records' findings`, async () => {
        const run = await grype({ target: target() });
        assert.strictEqual(run.exitCode, 0, explain(run));
        assert.deepStrictEqual(findingKeys(run.variables.jsonReport), expectedKeys(EXPECTED_DEBIAN));
        assertCounts(run, EXPECTED_DEBIAN);
        assert.strictEqual(run.result, 'SucceededWithIssues');
        assert.deepStrictEqual(packageWarningsOf(run.warnings), expectedPackageWarnings(EXPECTED_DEBIAN, 'High'), explain(run));
      });
    }
  });

  describe('registry: on Debian\'s docker-registry with htpasswd, through a dockerregistry service connection', () => {
    let registry: Registry;
    let image: string;
    before(async function () {
      tools = requireRealTools(this, ['dockerRegistry']);
      registry = await startRegistry(tools, tempDir('real-registry-'));
      image = `${registry.authority}/realtools/debian:12`;
      const rootfs = tempDir('real-rootfs-');
      writeDebianRootfs(rootfs);
      await runTool(tools.mkimage, ['-rootfs', rootfs, '-push', image], { MKIMAGE_USERNAME: registry.username, MKIMAGE_PASSWORD: registry.password });
    });
    after(async () => registry?.stop());

    const connection = (password: string) => ({
      dockerhub: { url: `http://${registry.authority}`, scheme: 'UsernamePassword', parameters: { username: registry.username, password, registry: `http://${registry.authority}` } },
    });
    // An empty DOCKER_CONFIG: no credentials from the machine running the tests.
    const noDockerConfig = () => ({ DOCKER_CONFIG: tempDir('real-docker-config-') });

    it('scans the image with the connection\'s credentials, which never reach the log', async () => {
      const run = await grype({ target: `registry:${image}`, containerRegistry: 'dockerhub' }, { endpoints: connection(registry.password), env: noDockerConfig() });
      assert.strictEqual(run.exitCode, 0, explain(run));
      assert.deepStrictEqual(findingKeys(run.variables.jsonReport), expectedKeys(EXPECTED_DEBIAN));
      assertCounts(run, EXPECTED_DEBIAN);
      const secrets = run.commands.filter((c) => c.command === 'task.setsecret').map((c) => c.message);
      assert.ok(secrets.includes(registry.password));
      const visible = (run.stdout + run.stderr).split('\n').filter((l) => !l.includes('##vso[task.setsecret]'));
      assert.ok(!visible.some((l) => l.includes(registry.password)), 'the password is printed nowhere else');
    });

    for (const [label, endpoints, inputs] of [
      ['no credentials', () => ({}), {}],
      ['wrong credentials', () => connection('wrong-password'), { containerRegistry: 'dockerhub' }],
    ] as const) {
      it(`${label}: the step fails with a message naming the registry`, async () => {
        const run = await grype({ target: `registry:${image}`, ...inputs }, { endpoints: endpoints(), env: noDockerConfig() });
        assert.strictEqual(run.result, 'Failed', explain(run));
        const message = completes(run)[0].message;
        assert.match(message, new RegExp(`^Grype failed: it exited with code 1\\. The registry ${registry.authority.replace(/\./g, '\\.')} refused to serve realtools/debian \\(UNAUTHORIZED: authentication required\\)`), message);
        assert.match(message, label === 'no credentials' ? /no containerRegistry service connection is set/ : /credentials of the containerRegistry service connection 'dockerhub' \(user scanner\)/);
        assert.doesNotMatch(run.stdout + run.stderr, /Unexpected error/);
      });
    }
  });

  it('in a classic release job (no Build.*, empty filePath inputs filled by the agent): scans, attaches the summary, publishes nothing the agent would reject', async () => {
    const run = await runTask('GrypeScan', {
      timeoutMs: 180_000,
      release: true,
      inputs: { target: `dir:${project}`, downloadBaseUrl: release.downloadBase('grype'), dbUpdateUrl: dbServer.url, dbCacheDirectory: dbCache },
      env: { AGENT_TOOLSDIRECTORY: toolsDirectory },
    });
    assert.strictEqual(run.env.BUILD_SOURCESDIRECTORY, undefined);
    assert.strictEqual(run.inputs.binaryPath, run.env.RELEASE_ARTIFACTSDIRECTORY, 'the agent filled the empty binaryPath');
    assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
    assertCounts(run, EXPECTED_NPM);
    assert.deepStrictEqual(run.commands.filter((c) => c.command === 'artifact.upload' || c.command.startsWith('build.')), []);
    assert.ok(run.commands.some((c) => c.command === 'task.addattachment'), 'the summary is attached');
    assert.match(run.stdout, /This is a release job, and build artifacts exist only in builds: the files stay in /);
  });

  describe('binaryPath: the real grype, already on the agent', () => {
    it('downloads nothing and reports the version the binary prints', async () => {
      const releasesBefore = release.requests.length;
      const real = JSON.parse((await runTool(tools.grype, ['version', '-o', 'json'])).stdout) as { version: string };
      const run = await grype({ target: `dir:${project}`, binaryPath: tools.grype, downloadBaseUrl: '' }, { env: { AGENT_TOOLSDIRECTORY: tempDir('real-tools-empty-') } });
      assert.strictEqual(run.exitCode, 0, explain(run));
      assert.strictEqual(release.requests.length, releasesBefore);
      assert.strictEqual(run.variables.grypeVersion, real.version);
      assertCounts(run, EXPECTED_NPM);
    });
  });
});
