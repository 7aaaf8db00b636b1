// The packaged SyftSbom task with the real syft, installed from the loopback release server
// through the task's checksum-verified path; then the templates' nightly path: GrypeScan with the
// real grype on `sbom:<the CycloneDX SyftSbom wrote>` finds what the scan of the target finds.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { addRealRelease, assertCounts, buildDb, expectedKeys, explain, findingKeys, RealTools, requireRealTools, runTool } from '../harness/realTools';
import { DEBIAN_PACKAGES, EXPECTED_DEBIAN, EXPECTED_NPM, NPM_PACKAGES, NPM_PROJECT, writeDebianRootfs, writeNpmProject, writeRecords } from '../harness/realWorld';
import { ReleaseServer, startReleaseServer } from '../harness/releaseServer';
import { runTask, RunTaskOptions, TaskRun } from '../harness/vsix';
import { scratchDirs } from '../harness/scratch';

interface CycloneDxJson {
  specVersion: string;
  metadata?: { properties?: { name: string; value: string }[] };
  components?: { name: string; version: string; type: string; purl?: string }[];
}

const tempDir = scratchDirs();

const FORMATS = ['cyclonedx-json', 'cyclonedx-json@1.5', 'cyclonedx-xml', 'spdx-json', 'spdx-tag-value', 'syft-json'];

describe('SyftSbom with the real syft (built VSIX), and GrypeScan on its SBOM', function () {
  this.timeout(240_000);

  let tools: RealTools;
  let release: ReleaseServer;
  let toolsDirectory: string;
  let project: string;
  let dockerArchive: string;
  let dbCache: string;

  before(async function () {
    tools = requireRealTools(this);
    const world = tempDir('real-syft-');
    release = await startReleaseServer();
    await addRealRelease(release, 'syft', PINNED_VERSIONS.syft, tools.syft);
    toolsDirectory = path.join(world, 'tools');
    project = path.join(world, 'project');
    writeNpmProject(project);
    const rootfs = path.join(world, 'rootfs');
    writeDebianRootfs(rootfs);
    dockerArchive = path.join(world, 'debian.tar');
    await runTool(tools.mkimage, ['-rootfs', rootfs, '-ref', 'realtools/debian:12', '-docker-archive', dockerArchive]);
    // GrypeScan runs below use binaryPath and an imported DB: this suite is about the SBOMs.
    writeRecords(path.join(world, 'records'));
    const db = await buildDb(tools, path.join(world, 'records'), path.join(world, 'db'));
    dbCache = path.join(world, 'dbcache');
    await runTool(tools.grype, ['db', 'import', db.archive], { GRYPE_DB_CACHE_DIR: dbCache });
  });
  after(async () => {
    await release?.close();
  });

  function syft(inputs: Record<string, string>, opts: RunTaskOptions = {}): Promise<TaskRun> {
    return runTask('SyftSbom', {
      timeoutMs: 180_000,
      ...opts,
      inputs: { downloadBaseUrl: release.downloadBase('syft'), ...inputs },
      env: { AGENT_TOOLSDIRECTORY: toolsDirectory, ...(opts.env ?? {}) },
    });
  }
  /** GrypeScan with the real grype from binaryPath, on the imported DB, with no DB host. */
  function grype(target: string): Promise<TaskRun> {
    return runTask('GrypeScan', {
      timeoutMs: 180_000,
      inputs: { target, binaryPath: tools.grype, dbCacheDirectory: dbCache, dbUpdateUrl: 'http://127.0.0.1:9' },
    });
  }

  describe('one run writing every format of a dir: with a package-lock.json', () => {
    let run: TaskRun;
    let files: string[];
    before(async () => {
      run = await syft({ target: `dir:${project}`, outputFormats: FORMATS.join(',') });
      files = (run.variables.sbomFiles ?? '').split(',').filter(Boolean);
    });

    it('installs the real syft through the checksum-verified download and succeeds', () => {
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      assert.strictEqual(run.exitCode, 0);
      const gets = release.requests.filter((r) => r.method === 'GET').map((r) => path.basename(r.path));
      assert.ok(gets.includes(`syft_${PINNED_VERSIONS.syft}_checksums.txt`), gets.join(', '));
      assert.ok(gets.some((g) => g.startsWith(`syft_${PINNED_VERSIONS.syft}_linux_`)), gets.join(', '));
      assert.strictEqual(run.variables.syftVersion, PINNED_VERSIONS.syft);
    });

    it('writes one file per format, and publishes them', () => {
      assert.strictEqual(files.length, FORMATS.length, run.variables.sbomFiles);
      for (const f of files) assert.ok(fs.statSync(f).size > 0, f);
      const uploaded = run.commands.filter((c) => c.command === 'artifact.upload' && c.properties.artifactname === 'sbom').map((c) => c.message);
      assert.deepStrictEqual(uploaded.sort(), [...files].sort());
    });

    it("cyclonedx-json is the pinned syft's default spec version, 1.7, and @1.5 is 1.5, in a file named for its version", () => {
      assert.ok(files.some((f) => f.endsWith('.cdx-1.5.json')), files.join(', '));
      const json = files.filter((f) => /\.cdx(-[\d.]+)?\.json$/.test(f)).map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as CycloneDxJson);
      assert.deepStrictEqual(json.map((d) => d.specVersion).sort(), ['1.5', '1.7']);
      const xml = fs.readFileSync(files.find((f) => f.endsWith('.cdx.xml'))!, 'utf8');
      assert.match(xml, /xmlns="http:\/\/cyclonedx\.org\/schema\/bom\/1\.7"/);
    });

    it('validates every CycloneDX file and stamps the pipeline provenance into each', () => {
      const cyclonedx = files.filter((f) => /\.cdx(-[\d.]+)?\.(json|xml)$/.test(f));
      assert.strictEqual(cyclonedx.length, 3);
      for (const f of cyclonedx) {
        const name = path.basename(f);
        assert.match(run.stdout, new RegExp(`${name.replace(/\./g, '\\.')}: valid CycloneDX 1\\.[57] \\(checked against the CycloneDX schema\\)`), `${name} validated${explain(run)}`);
        const text = fs.readFileSync(f, 'utf8');
        for (const value of ['blackbox-pipeline', '0123456789abcdef0123456789abcdef01234567', 'refs/heads/master']) assert.ok(text.includes(value), `${name} lacks ${value}`);
      }
      const props = (JSON.parse(fs.readFileSync(run.variables.primarySbom, 'utf8')) as CycloneDxJson).metadata?.properties ?? [];
      assert.ok(props.some((p) => p.name === 'azure-pipelines:run:id' && p.value === '42'), JSON.stringify(props));
      assert.strictEqual(run.warnings.length, 0, run.warnings.join('\n'));
    });

    it("componentCount is the project's own package count (its dependencies and itself), and every package is in the SBOM", () => {
      assert.strictEqual(run.variables.componentCount, String(NPM_PACKAGES.length + 1), explain(run));
      const components = (JSON.parse(fs.readFileSync(run.variables.primarySbom, 'utf8')) as CycloneDxJson).components ?? [];
      for (const p of [...NPM_PACKAGES, NPM_PROJECT]) assert.ok(components.some((c) => c.name === p.name && c.version === p.version && c.purl === `pkg:npm/${p.name}@${p.version}`), `${p.name}@${p.version}`);
    });

    it('the SPDX and syft-json files list the same packages', () => {
      const spdx = JSON.parse(fs.readFileSync(files.find((f) => f.endsWith('.spdx.json'))!, 'utf8')) as { packages: { name: string; versionInfo?: string }[] };
      const syftJson = JSON.parse(fs.readFileSync(files.find((f) => f.endsWith('.syft.json'))!, 'utf8')) as { artifacts: { name: string; version: string }[] };
      const tagValue = fs.readFileSync(files.find((f) => f.endsWith('.spdx'))!, 'utf8');
      for (const p of NPM_PACKAGES) {
        assert.ok(spdx.packages.some((x) => x.name === p.name && x.versionInfo === p.version), `spdx-json ${p.name}`);
        assert.ok(syftJson.artifacts.some((x) => x.name === p.name && x.version === p.version), `syft-json ${p.name}`);
        assert.match(tagValue, new RegExp(`PackageName: ${p.name}\\nSPDXID: [^\\n]+\\nPackageVersion: ${p.version.replace(/\./g, '\\.')}`));
      }
    });

    it("GrypeScan on sbom:<SyftSbom's CycloneDX> finds what the scan of the directory finds", async () => {
      const fromSbom = await grype(`sbom:${run.variables.primarySbom}`);
      assert.strictEqual(fromSbom.exitCode, 0, explain(fromSbom));
      assert.deepStrictEqual(findingKeys(fromSbom.variables.jsonReport), expectedKeys(EXPECTED_NPM));
      const fromDir = await grype(`dir:${project}`);
      assert.deepStrictEqual(findingKeys(fromSbom.variables.jsonReport), findingKeys(fromDir.variables.jsonReport));
      assertCounts(fromSbom, EXPECTED_NPM);
    });
  });

  describe('a docker-archive: image (Debian 12)', () => {
    it("catalogues the dpkg packages, and GrypeScan on its SBOM finds the image's findings", async () => {
      const run = await syft({ target: `docker-archive:${dockerArchive}` });
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      // The four dpkg packages; the distribution and the dpkg status file are components, not packages.
      assert.strictEqual(run.variables.componentCount, String(DEBIAN_PACKAGES.length), explain(run));
      const scan = await grype(`sbom:${run.variables.primarySbom}`);
      assert.deepStrictEqual(findingKeys(scan.variables.jsonReport), expectedKeys(EXPECTED_DEBIAN));
      const image = await grype(`docker-archive:${dockerArchive}`);
      assert.deepStrictEqual(findingKeys(scan.variables.jsonReport), findingKeys(image.variables.jsonReport));
    });
  });

  it('in a classic release job: writes and validates the SBOM, publishes no artifact, uploads the summary', async () => {
    const run = await runTask('SyftSbom', {
      timeoutMs: 180_000,
      release: true,
      inputs: { target: `dir:${project}`, downloadBaseUrl: release.downloadBase('syft') },
      env: { AGENT_TOOLSDIRECTORY: toolsDirectory },
    });
    assert.strictEqual(run.result, 'Succeeded', explain(run));
    assert.strictEqual(run.variables.componentCount, String(NPM_PACKAGES.length + 1));
    assert.match(run.stdout, /valid CycloneDX 1\.7/);
    assert.deepStrictEqual(run.commands.filter((c) => c.command === 'artifact.upload' || c.command.startsWith('build.')), []);
    assert.ok(run.commands.some((c) => c.command === 'task.uploadsummary' || c.command === 'task.addattachment'), 'the summary is attached');
  });

  describe('binaryPath: the real syft, already on the agent', () => {
    it('downloads nothing and reports the version the binary prints', async () => {
      const before = release.requests.length;
      const real = JSON.parse((await runTool(tools.syft, ['version', '-o', 'json'])).stdout) as { version: string };
      const run = await syft({ target: `dir:${project}`, binaryPath: tools.syft, downloadBaseUrl: '' }, { env: { AGENT_TOOLSDIRECTORY: tempDir('real-syft-tools-') } });
      assert.strictEqual(run.result, 'Succeeded', explain(run));
      assert.strictEqual(release.requests.length, before);
      assert.strictEqual(run.variables.syftVersion, real.version);
    });
  });
});
