// SyftSbom@1 from the packaged VSIX, run like the agent runs it, with a fake `syft` that writes
// the golden outputs of the pinned syft for realWorld.ts, and a loopback Dependency-Track server.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFakeTool, FakeToolBehaviour } from '../harness/fakeTool';
import { DependencyTrackServer, startDependencyTrackServer } from '../harness/dependencyTrackServer';
import { runTask, RunTaskOptions, TaskRun } from '../harness/vsix';
import { reportStem } from '../../tasks/common/target';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { GOLDEN, golden, SYFT_DIR_CYCLONEDX_COMPONENTS, SYFT_DIR_PACKAGES } from '../harness/golden';

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

// The npm project of realWorld.ts; the CycloneDX JSON in the spec version the first test asks for.
const GOOD_OUTPUTS = {
  'cyclonedx-json': golden(GOLDEN.syftDirCycloneDx15Json),
  'cyclonedx-xml': golden(GOLDEN.syftDirCycloneDxXml),
  'spdx-json': golden(GOLDEN.syftDirSpdxJson),
  'syft-json': golden(GOLDEN.syftDirSyftJson),
  'spdx-tag-value': golden(GOLDEN.syftDirSpdxTagValue),
  'syft-table': golden(GOLDEN.syftDirTable),
};
const VERSION = { version: { stdout: fs.readFileSync(golden(GOLDEN.syftVersionText), 'utf8').trimEnd() } };

interface Invocation {
  argv: string[];
  env: Record<string, string>;
}

describe('SyftSbom@1 black-box from the VSIX (fake syft)', function () {
  this.timeout(120_000);
  let dir: string;
  let record: string;
  let n = 0;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syft-bb-'));
    record = path.join(dir, 'invocations.jsonl');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function fakeSyft(behaviour: FakeToolBehaviour): string {
    return writeFakeTool(fs.mkdtempSync(path.join(dir, `bin${n++}-`)), 'syft', { subcommands: VERSION, recordFile: record, ...behaviour });
  }
  function invocations(): Invocation[] {
    return fs.existsSync(record) ? fs.readFileSync(record, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Invocation) : [];
  }
  const scans = () => invocations().filter((i) => i.argv[0] === 'scan');
  /** The golden image SBOM with a serial number CycloneDX's schema rejects (its one schema error). */
  function invalidCycloneDx(): string {
    const doc = JSON.parse(fs.readFileSync(golden(GOLDEN.syftImageCycloneDxJson), 'utf8'));
    doc.serialNumber = 'urn:uuid:not-a-uuid';
    const file = path.join(dir, 'invalid.cdx.json');
    fs.writeFileSync(file, JSON.stringify(doc, null, 2));
    return file;
  }
  async function run(inputs: Record<string, string>, opts: Omit<RunTaskOptions, 'inputs'> = {}): Promise<TaskRun> {
    return runTask('SyftSbom', { timeoutMs: 60_000, ...opts, inputs });
  }
  const failMessage = (r: TaskRun) => r.commands.filter((c) => c.command === 'task.complete').map((c) => c.message).join('\n');
  const uploads = (r: TaskRun) => r.commands.filter((c) => c.command === 'artifact.upload');
  function assertClean(r: TaskRun): void {
    assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at .*\.js:\d+/, 'no stack traces');
  }

  it('several formats in one Syft run: files, provenance, artifact uploads, summary, output variables', async () => {
    const syft = fakeSyft({ outputs: GOOD_OUTPUTS, stderr: ' ✔ Indexed file system' });
    const r = await run({ binaryPath: syft, outputFormats: 'cyclonedx-json@1.5, spdx-json, cyclonedx-xml, syft-json, spdx-tag-value, syft-table' });
    assertClean(r);
    assert.equal(r.agentResult, 'Succeeded', r.stdout);
    const out = path.join(r.dirs.artifacts, 'sbom');
    const stem = path.join(out, reportStem(`dir:${r.dirs.sources}`, 'Job', r.env.PIPELINE_WORKSPACE));
    const files = ['.cdx.json', '.spdx.json', '.cdx.xml', '.syft.json', '.spdx', '.txt'].map((e) => stem + e);

    const [scan, ...more] = scans();
    assert.equal(more.length, 0, 'one Syft run');
    assert.deepEqual(scan.argv, [
      'scan',
      `dir:${r.dirs.sources}`,
      '-o', `cyclonedx-json@1.5=${files[0]}`,
      '-o', `spdx-json=${files[1]}`,
      '-o', `cyclonedx-xml=${files[2]}`,
      '-o', `syft-json=${files[3]}`,
      '-o', `spdx-tag-value=${files[4]}`,
      '-o', `syft-table=${files[5]}`,
    ]);
    assert.equal(scan.env.SYFT_CHECK_FOR_APP_UPDATE, 'false');

    // CycloneDX: provenance added; SPDX / Syft: untouched.
    const cdx = JSON.parse(fs.readFileSync(files[0], 'utf8'));
    const props = Object.fromEntries(cdx.metadata.properties.map((p: { name: string; value: string }) => [p.name, p.value]));
    assert.equal(props['azure-pipelines:pipeline:name'], 'blackbox-pipeline');
    assert.equal(props['azure-pipelines:run:id'], '42');
    assert.equal(props['azure-pipelines:run:url'], 'https://dev.azure.com/contoso/project/_build/results?buildId=42');
    assert.equal(props['azure-pipelines:repository:url'], 'https://dev.azure.com/contoso/project/_git/blackbox-repo');
    assert.equal(props['azure-pipelines:repository:branch'], 'refs/heads/master');
    assert.equal(props['azure-pipelines:repository:commit'], '0123456789abcdef0123456789abcdef01234567');
    assert.ok(props['azure-pipelines:agent:os']);
    assert.match(fs.readFileSync(files[2], 'utf8'), /<property name="azure-pipelines:run:id">42<\/property><property name="azure-pipelines:run:url">/);
    for (const [i, fixture] of [[1, GOOD_OUTPUTS['spdx-json']], [3, GOOD_OUTPUTS['syft-json']], [4, GOOD_OUTPUTS['spdx-tag-value']], [5, GOOD_OUTPUTS['syft-table']]] as const) {
      assert.deepEqual(fs.readFileSync(files[i]), fs.readFileSync(fixture), `${files[i]} is published untouched`);
    }
    assert.match(r.stdout, /dir-s-job-[0-9a-f]{8}\.cdx\.json: valid CycloneDX 1\.5/);
    assert.match(r.stdout, /dir-s-job-[0-9a-f]{8}\.cdx\.xml: valid CycloneDX 1\.7/);

    // Every file uploaded to the artifact, before the result.
    assert.deepEqual(uploads(r).map((c) => [c.properties.artifactname, c.properties.containerfolder, c.message]), files.map((f) => ['sbom', 'sbom', f]));
    const completeAt = r.commands.findIndex((c) => c.command === 'task.complete');
    assert.ok(r.commands.findIndex((c) => c.command === 'artifact.upload') < completeAt);

    // Output variables (declared outputs).
    assert.equal(r.variables.sbomFiles, files.join(','));
    assert.equal(r.variables.primarySbom, files[0]);
    assert.equal(r.variables.componentCount, String(SYFT_DIR_CYCLONEDX_COMPONENTS));
    assert.equal(r.variables.sbomSha256, sha256(files[0]));
    assert.equal(r.variables.syftVersion, PINNED_VERSIONS.syft);
    for (const name of ['sbomFiles', 'primarySbom', 'componentCount', 'sbomSha256', 'syftVersion']) {
      const cmd = r.commands.find((c) => c.command === 'task.setvariable' && c.properties.variable === name)!;
      assert.equal(cmd.properties.isoutput, 'true', name);
    }

    // Summary: counts by type, files, sizes, SHA-256.
    const summaryCmd = r.commands.find((c) => c.command === 'task.uploadsummary')!;
    const summary = fs.readFileSync(summaryCmd.message, 'utf8');
    assert.ok(summary.includes(`**${SYFT_DIR_CYCLONEDX_COMPONENTS}** component(s)`), summary);
    assert.match(summary, /\| library \| \d+ \| █/);
    for (const f of files) assert.ok(summary.includes(path.basename(f)), `summary names ${f}`);
    assert.ok(summary.includes(sha256(files[0])) && summary.includes(sha256(files[1])));
    assert.match(summary, /\d+\.\d KB/);
    assert.match(summary, /✅ valid/);
  });

  it('an invalid CycloneDX SBOM: published, then a warning (SucceededWithIssues), or Failed with failOnInvalid', async () => {
    const invalid = invalidCycloneDx();
    const syft = fakeSyft({ outputs: { 'cyclonedx-json': invalid } });
    const warn = await run({ binaryPath: syft, target: 'alpine:3.20' });
    assertClean(warn);
    assert.equal(warn.agentResult, 'SucceededWithIssues');
    assert.match(warn.warnings.join('\n'), /alpine-3\.20-job-[0-9a-f]{8}\.cdx\.json is not valid CycloneDX 1\.7: 1 schema error\(s\), first: \/serialNumber: must match pattern/);
    assert.equal(uploads(warn).length, 1);

    const fail = await run({ binaryPath: syft, target: 'alpine:3.20', failOnInvalid: 'true' });
    assert.equal(fail.agentResult, 'Failed');
    assert.match(failMessage(fail), /not valid CycloneDX.*failOnInvalid is true/);
    const completeAt = fail.commands.findIndex((c) => c.command === 'task.complete');
    assert.ok(fail.commands.findIndex((c) => c.command === 'artifact.upload') < completeAt, 'published before failing');

    const off = await run({ binaryPath: syft, target: 'alpine:3.20', validateSbom: 'false', addPipelineMetadata: 'false', artifactName: 'none' });
    assert.equal(off.agentResult, 'Succeeded');
    assert.equal(uploads(off).length, 0);
    assert.deepEqual(fs.readFileSync(off.variables.primarySbom), fs.readFileSync(invalid), 'no provenance: byte-identical');
  });

  it('componentCount and the summary: real packages of the first SBOM (a text format first is skipped; no SPDX document root)', async () => {
    const syft = fakeSyft({ outputs: { 'syft-table': golden(GOLDEN.syftDirTable), 'spdx-json': golden(GOLDEN.syftDirSpdxJson) } });
    const r = await run({ binaryPath: syft, outputFormats: 'syft-table,spdx-json' });
    assert.equal(r.agentResult, 'Succeeded', r.stdout);
    // The packages of the npm project, without the scanned folder itself.
    const expected = SYFT_DIR_PACKAGES;
    assert.equal(r.variables.componentCount, String(expected));
    assert.match(r.variables.primarySbom, /\.txt$/, 'the first format stays the primary SBOM');
    const summary = fs.readFileSync(r.commands.find((c) => c.command === 'task.uploadsummary')!.message, 'utf8');
    assert.match(summary, /## Components \(\S+\.spdx\.json\)/);
    assert.ok(summary.includes(`**${expected}** component(s).`), summary);
  });

  it('a CycloneDX output that cannot be validated: a warning saying why, or Failed with failOnInvalid (published first)', async () => {
    const write = (name: string, text: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    };
    const cases: [string, string, RegExp][] = [
      ['empty-object', '{}', /not CycloneDX JSON/],
      ['no-spec-version', '{"bomFormat":"CycloneDX","version":1,"components":[]}', /declares no CycloneDX spec version/],
      ['unknown-version', '{"bomFormat":"CycloneDX","specVersion":"1.9","version":1,"components":[]}', /CycloneDX 1\.9 is not a spec version/],
      ['spdx', fs.readFileSync(GOOD_OUTPUTS['spdx-json'], 'utf8'), /not CycloneDX JSON/],
    ];
    for (const [name, text, why] of cases) {
      const syft = fakeSyft({ outputs: { 'cyclonedx-json': write(`${name}.json`, text) } });
      const fail = await run({ binaryPath: syft, failOnInvalid: 'true' });
      assertClean(fail);
      assert.equal(fail.agentResult, 'Failed', `${name}\n${fail.stdout}`);
      assert.match(failMessage(fail), /could not be validated as CycloneDX.*failOnInvalid is true/);
      assert.match(failMessage(fail), why);
      assert.match(fail.warnings.join('\n'), why);
      const completeAt = fail.commands.findIndex((c) => c.command === 'task.complete');
      assert.ok(fail.commands.findIndex((c) => c.command === 'artifact.upload') < completeAt, 'published before failing');
    }
    const syft = fakeSyft({ outputs: { 'cyclonedx-json': write('warn.json', '{}') } });
    const warn = await run({ binaryPath: syft });
    assert.equal(warn.agentResult, 'SucceededWithIssues');
    assert.match(warn.warnings.join('\n'), /\.cdx\.json could not be validated as CycloneDX: the document is not CycloneDX JSON/);
    assert.match(failMessage(warn), /Set failOnInvalid: true/);
    const summary = fs.readFileSync(warn.commands.find((c) => c.command === 'task.uploadsummary')!.message, 'utf8');
    assert.match(summary, /could not be validated: the document is not CycloneDX JSON/);
  });

  it('Syft failures: non-zero exit and truncated output fail with Syft\'s last stderr lines; child ##vso lines are not executed', async () => {
    const crash = fakeSyft({ exitCode: 1, stderr: 'line one\n##vso[task.setvariable variable=pwned]1\n[0001] ERROR could not fetch image "nope:1": unauthorized' });
    const r1 = await run({ binaryPath: crash, target: 'nope:1' });
    assertClean(r1);
    assert.equal(r1.agentResult, 'Failed');
    assert.match(failMessage(r1), /Syft failed \(it exited with code 1\) .*nope:1[\s\S]*Last stderr lines:[\s\S]*unauthorized/);
    assert.equal(r1.variables.pwned, undefined);
    // What Syft wrote before failing (the fake leaves a placeholder) is still published, to diagnose.
    assert.equal(uploads(r1).length, 1);

    const truncated = fakeSyft({ outputs: GOOD_OUTPUTS, truncateOutputs: 500, stderr: 'writing SBOM…' });
    const r2 = await run({ binaryPath: truncated, outputFormats: 'cyclonedx-json,spdx-json' });
    assert.equal(r2.agentResult, 'Failed');
    assert.match(failMessage(r2), /not complete JSON.*Syft probably stopped[\s\S]*writing SBOM/);
    assert.equal(uploads(r2).length, 2, 'the incomplete outputs are published before the task fails');
    assert.ok(r2.stdout.indexOf('##vso[artifact.upload') < r2.stdout.indexOf('##vso[task.complete'));

    const xmlCut = fakeSyft({ outputs: GOOD_OUTPUTS, truncateOutputs: 2000 });
    const r3 = await run({ binaryPath: xmlCut, outputFormats: 'cyclonedx-xml' });
    assert.equal(r3.agentResult, 'Failed');
    assert.match(failMessage(r3), /does not end with <\/bom>/);
  });

  it('bad inputs fail before Syft runs, with what to do', async () => {
    const syft = fakeSyft({ outputs: GOOD_OUTPUTS });
    const cases: [Record<string, string>, RegExp][] = [
      [{ outputFormats: 'cyclonedx-json,sbom-deluxe' }, /'sbom-deluxe' is not a Syft format this task supports\. Use one of cyclonedx-json/],
      [{ outputFormats: 'cyclonedx-json@1.9' }, /unsupported version '1\.9'\. cyclonedx-json accepts 1\.2 to 1\.7/],
      [{ dependencyTrackUrl: 'dtrack.example.com', dependencyTrackApiKey: 'k' }, /dependencyTrackUrl 'dtrack\.example\.com' is not a valid URL/],
      [{ dependencyTrackUrl: 'https://dtrack.example.com' }, /dependencyTrackApiKey is empty.*secret pipeline variable/],
      [{ target: '   ' }, /Input target is empty/],
      [{ additionalArguments: '-o json' }, /task sets Syft's outputs itself/],
      [{ configFile: '$(Undefined.Folder)/syft.yaml' }, /Input configFile '\$\(Undefined\.Folder\)\/syft\.yaml' uses \$\(Undefined\.Folder\), which this pipeline does not define/],
      [{ dependencyTrackUrl: 'https://dtrack.example.com', dependencyTrackApiKey: '$(DT_API_KEY)' }, /dependencyTrackApiKey is \$\(DT_API_KEY\), a variable this pipeline does not define/],
    ];
    for (const [inputs, expected] of cases) {
      const r = await run({ binaryPath: syft, ...inputs });
      assertClean(r);
      assert.equal(r.agentResult, 'Failed', JSON.stringify(inputs));
      assert.match(failMessage(r), expected);
    }
    assert.equal(scans().length, 0, 'Syft never ran');
  });

  it('registry credentials reach Syft only through SYFT_REGISTRY_AUTH_* and are masked', async () => {
    const syft = fakeSyft({ outputs: GOOD_OUTPUTS });
    const r = await run(
      { binaryPath: syft, target: 'registry:myacr.azurecr.io/app:1.0', containerRegistry: 'acr' },
      { endpoints: { acr: { url: 'https://myacr.azurecr.io', scheme: 'UsernamePassword', parameters: { username: 'bob', password: 'p@ss-W0rd', registry: 'https://myacr.azurecr.io' } } } },
    );
    assert.equal(r.agentResult, 'Succeeded', r.stdout);
    const [scan] = scans();
    assert.equal(scan.env.SYFT_REGISTRY_AUTH_AUTHORITY, 'myacr.azurecr.io');
    assert.equal(scan.env.SYFT_REGISTRY_AUTH_USERNAME, 'bob');
    assert.equal(scan.env.SYFT_REGISTRY_AUTH_PASSWORD, 'p@ss-W0rd');
    assert.ok(!scan.argv.join(' ').includes('p@ss-W0rd'));
    assert.ok(r.commands.some((c) => c.command === 'task.setsecret' && c.message === 'p@ss-W0rd'));
  });

  describe('Dependency-Track upload (loopback server)', () => {
    let dt: DependencyTrackServer;
    beforeEach(async () => {
      dt = await startDependencyTrackServer('odt_SECRET_key_value_123');
    });
    afterEach(() => dt.close());
    const dtInputs = (syft: string, extra: Record<string, string> = {}) => ({
      binaryPath: syft,
      outputFormats: 'spdx-json,cyclonedx-json',
      dependencyTrackUrl: `${dt.url}/`,
      dependencyTrackApiKey: dt.apiKey,
      ...extra,
    });
    function assertKeyMasked(r: TaskRun): void {
      const setSecretAt = r.commands.findIndex((c) => c.command === 'task.setsecret' && c.message === dt.apiKey);
      assert.ok(setSecretAt >= 0, 'the key is registered as a secret');
      const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.includes(dt.apiKey));
      assert.deepEqual(lines.map((l) => l.replace(dt.apiKey, '<key>')), ['##vso[task.setsecret]<key>'], 'the key appears only in the setsecret command');
    }

    it('uploads the CycloneDX SBOM (multipart, X-Api-Key, project fields); the token is logged and in the summary', async () => {
      const syft = fakeSyft({ outputs: GOOD_OUTPUTS });
      const r = await run(dtInputs(syft));
      assert.equal(r.agentResult, 'Succeeded', r.stdout);
      assertKeyMasked(r);
      assert.equal(dt.received.length, 1);
      const [req] = dt.received;
      assert.equal(req.url, '/api/v1/bom');
      assert.equal(req.headers['x-api-key'], dt.apiKey);
      assert.match(String(req.headers['content-type']), /^multipart\/form-data; boundary=/);
      assert.deepEqual(req.fields, { projectName: 'blackbox-repo', projectVersion: 'master', autoCreate: 'true' });
      const bom = req.parts!.find((p) => p.name === 'bom')!;
      const cdxFile = r.variables.sbomFiles.split(',')[1];
      assert.deepEqual(bom.data, fs.readFileSync(cdxFile), 'the published CycloneDX (with provenance) is uploaded');
      assert.equal(bom.fileName, path.basename(cdxFile));
      const token = /processing token: ([0-9a-f-]{36})/.exec(r.stdout)?.[1];
      assert.ok(token, r.stdout);
      const summary = fs.readFileSync(r.commands.find((c) => c.command === 'task.uploadsummary')!.message, 'utf8');
      assert.match(summary, new RegExp(`uploaded, token ${token}`));
      assert.match(summary, /\| blackbox-repo \| master \|/);
      assert.equal(r.variables.primarySbom, r.variables.sbomFiles.split(',')[0], 'the first format is primary');
    });

    it('explicit project and version; XML is uploaded as XML', async () => {
      const syft = fakeSyft({ outputs: GOOD_OUTPUTS });
      const r = await run(dtInputs(syft, { outputFormats: 'cyclonedx-xml', dependencyTrackProject: 'shop', dependencyTrackProjectVersion: '2.1.0' }));
      assert.equal(r.agentResult, 'Succeeded', r.stdout);
      assert.deepEqual(dt.received[0].fields, { projectName: 'shop', projectVersion: '2.1.0', autoCreate: 'true' });
      assert.equal(dt.received[0].parts!.find((p) => p.name === 'bom')!.contentType, 'application/xml');
    });

    it('failOnInvalid with an invalid SBOM: nothing is uploaded, and the log, summary and result say why', async () => {
      const syft = fakeSyft({ outputs: { 'cyclonedx-json': invalidCycloneDx() } });
      const r = await run(dtInputs(syft, { outputFormats: 'cyclonedx-json', failOnInvalid: 'true' }));
      assertClean(r);
      assert.equal(r.agentResult, 'Failed');
      assert.equal(dt.received.length, 0, 'not uploaded');
      assert.match(r.stdout, /Not uploading \S+\.cdx\.json to Dependency-Track: failOnInvalid is true and the CycloneDX validation did not pass \(\S+\.cdx\.json \(1 error\(s\)\) is not valid CycloneDX/);
      assert.match(failMessage(r), /not valid CycloneDX.*failOnInvalid is true, so the SBOM was not uploaded to Dependency-Track\./);
      const summary = fs.readFileSync(r.commands.find((c) => c.command === 'task.uploadsummary')!.message, 'utf8');
      assert.match(summary, /not uploaded: failOnInvalid is true and the CycloneDX validation did not pass/);
      assert.equal(uploads(r).length, 1, 'published before failing');

      const warnOnly = await run(dtInputs(syft, { outputFormats: 'cyclonedx-json' }));
      assert.equal(warnOnly.agentResult, 'SucceededWithIssues');
      assert.equal(dt.received.length, 1, 'without failOnInvalid an invalid SBOM is still uploaded (a warning only)');
    });

    it('project and version defaults the pipeline does not define (classic release): not sent as literal $(…) text', async () => {
      const syft = fakeSyft({ outputs: GOOD_OUTPUTS });
      const r = await run(dtInputs(syft), { env: { BUILD_REPOSITORY_NAME: undefined, BUILD_SOURCEBRANCHNAME: undefined } });
      assertClean(r);
      assert.equal(r.inputs.dependencyTrackProject, '$(Build.Repository.Name)', 'the agent passes the macro text');
      assert.equal(r.agentResult, 'Failed');
      assert.match(r.stdout, /dependencyTrackProject: \$\(Build\.Repository\.Name\) is not defined in this pipeline/);
      assert.match(failMessage(r), /dependencyTrackProject is empty and Build\.Repository\.Name is unknown\. Set dependencyTrackProject\./);
      assert.equal(dt.received.length, 0);
      assert.equal(scans().length, 0, 'Syft never ran');

      const named = await run(dtInputs(syft, { dependencyTrackProject: 'shop' }), { env: { BUILD_SOURCEBRANCHNAME: undefined } });
      assert.equal(named.agentResult, 'Failed');
      assert.match(named.stdout, /dependencyTrackProjectVersion: \$\(Build\.SourceBranchName\) is not defined in this pipeline/);
      assert.match(failMessage(named), /dependencyTrackProjectVersion is empty/);
    });

    const failures: [string, () => void, RegExp, number][] = [
      ['401', () => dt.answers.push({ status: 401 }), /HTTP 401.*BOM_UPLOAD.*PROJECT_CREATION_UPLOAD/, 1],
      ['413', () => dt.answers.push({ status: 413 }), /too large \(HTTP 413.*upload limit/, 1],
      ['500 (retried)', () => dt.answers.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }), /HTTP 500 .* after 4 attempt\(s\)/, 4],
      [
        '200 with an HTML page (the frontend)',
        () => dt.answers.push({ status: 200, body: '<!doctype html><html><head><title>Dependency-Track</title></head></html>', headers: { 'Content-Type': 'text/html' } }),
        /HTTP 200 without a Dependency-Track token, so dependencyTrackUrl is not the address of the Dependency-Track API server.*API server's address/,
        1,
      ],
    ];
    for (const [name, program, expected, requests] of failures) {
      it(`${name}: Failed with a clear message, after the SBOM is published; summary says so`, async () => {
        program();
        const syft = fakeSyft({ outputs: GOOD_OUTPUTS });
        const r = await run(dtInputs(syft), { env: { SYFTSBOM_DT_RETRY_DELAY_MS: '1' } });
        assertClean(r);
        assertKeyMasked(r);
        assert.equal(r.agentResult, 'Failed');
        assert.match(failMessage(r), expected);
        assert.equal(dt.received.length, requests);
        assert.equal(uploads(r).length, 2, 'SBOMs are published before the upload decides the result');
        assert.ok(r.variables.sbomSha256, 'variables are set');
        const summary = fs.readFileSync(r.commands.find((c) => c.command === 'task.uploadsummary')!.message, 'utf8');
        assert.match(summary, /failed: /);
      });
    }
  });
});
