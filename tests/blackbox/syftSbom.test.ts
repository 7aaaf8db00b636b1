// SyftSbom@1 from the packaged VSIX, run like the agent runs it, with a fake `syft` that writes
// the golden outputs of the pinned syft for realWorld.ts, and a loopback Dependency-Track server.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFakeTool, FakeToolBehaviour } from '../harness/fakeTool';
import { DependencyTrackServer, DtBehaviour, startDependencyTrackServer } from '../harness/dependencyTrackServer';
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
    // componentCount counts the packages: not the file component CycloneDX adds for the lock file.
    assert.equal(r.variables.componentCount, String(SYFT_DIR_PACKAGES));
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
    assert.ok(summary.includes(`**${expected}** package(s) in `), summary);
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
      [{ configFile: '$(Undefined.Folder)/syft.yaml' }, /Input configFile '\S*\$\(Undefined\.Folder\)\/syft\.yaml' uses \$\(Undefined\.Folder\), which this pipeline does not define/],
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
    // dependencyTrackApiKey is read with tl.getInput, whose own debug line shows it: the docs ask
    // for a secret variable, which the agent masks there. Nothing else prints it.
    function assertKeyMasked(r: TaskRun): void {
      const setSecretAt = r.commands.findIndex((c) => c.command === 'task.setsecret' && c.message === dt.apiKey);
      assert.ok(setSecretAt >= 0, 'the key is registered as a secret');
      const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.includes(dt.apiKey));
      assert.deepEqual(lines.map((l) => l.replace(dt.apiKey, '<key>')), ['##vso[task.debug]dependencyTrackApiKey=<key>', '##vso[task.setsecret]<key>'], 'the key appears only in getInput\'s debug line and the setsecret command');
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
      [
        '200 with an HTML page (the frontend)',
        () => dt.answers.push({ status: 200, body: '<!doctype html><html><head><title>Dependency-Track</title></head></html>', headers: { 'Content-Type': 'text/html' } }),
        /HTTP 200 without a Dependency-Track token, so dependencyTrackUrl is not the address of the Dependency-Track API server.*API server's address/,
        1,
      ],
    ];
    it('a 500 is retried after the back-off, then the upload succeeds', async () => {
      dt.answers.push({ status: 500 });
      const r = await run(dtInputs(fakeSyft({ outputs: GOOD_OUTPUTS })));
      assert.equal(r.agentResult, 'Succeeded', r.stdout);
      assert.match(r.stdout, /Attempt 1 of 4 to upload the SBOM to Dependency-Track failed \(HTTP 500\); retrying in 2000 ms\./);
      assert.equal(dt.received.length, 2);
    });

    for (const [name, program, expected, requests] of failures) {
      it(`${name}: Failed with a clear message, after the SBOM is published; summary says so`, async () => {
        program();
        const syft = fakeSyft({ outputs: GOOD_OUTPUTS });
        const r = await run(dtInputs(syft));
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
  describe('Dependency-Track service connection, wait and gate (loopback server playing the documented API)', () => {
    const KEY = 'odt_CONNECTION_key_4567';
    const CONNECTION = '6c1f0d4e-7a3b-4f1e-9d2c-1b2a3c4d5e6f';
    let dt: DependencyTrackServer;
    afterEach(() => dt?.close());

    /** A small CycloneDX SBOM written by hand (not a shared fixture). */
    function handWrittenSbom(): string {
      const file = path.join(dir, 'hand.cdx.json');
      const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20', 'bom-ref': 'lodash' }] };
      fs.writeFileSync(file, JSON.stringify(bom));
      return file;
    }
    async function runWithConnection(behaviour: Partial<DtBehaviour>, inputs: Record<string, string> = {}): Promise<TaskRun> {
      dt = await startDependencyTrackServer(KEY, behaviour);
      const syft = fakeSyft({ outputs: { 'cyclonedx-json': handWrittenSbom() } });
      // As the agent passes a service connection: ENDPOINT_URL_<id>, ENDPOINT_AUTH_<id> (JSON),
      // ENDPOINT_AUTH_PARAMETER_<id>_APITOKEN, ENDPOINT_DATA_<id>_FRONTENDURL.
      return run(
        { binaryPath: syft, outputFormats: 'cyclonedx-json', dependencyTrackServiceConnection: CONNECTION, dependencyTrackProject: 'shop', dependencyTrackProjectVersion: '1.0', ...inputs },
        { endpoints: { [CONNECTION]: { url: `${dt.url}/`, scheme: 'Token', parameters: { apitoken: KEY }, data: { frontendUrl: 'https://dtrack-ui.example.com/' } } } },
      );
    }
    const summaryOf = (r: TaskRun) => fs.readFileSync(r.commands.find((c) => c.command === 'task.uploadsummary')!.message, 'utf8');
    function assertConnectionKeyOnlyInSetSecretAndHeader(r: TaskRun): void {
      const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.includes(KEY));
      assert.deepEqual(lines, [`##vso[task.setsecret]${KEY}`], 'the key appears only in the setsecret command');
      assert.ok(dt.received.length > 0 && dt.received.every((q) => q.headers['x-api-key'] === KEY), 'every request carries the key in X-Api-Key');
      assert.ok(dt.received.every((q) => !q.url.includes(KEY) && !q.body.includes(KEY)), 'and nowhere else');
    }

    it('uploads with the connection and options, waits (processing true, then false), then fails the gate on a high vulnerability; outputs, summary, link', async () => {
      const r = await runWithConnection(
        {
          existing: ['platform@2'],
          processingPolls: 1,
          counts: { critical: 0, high: 2, medium: 1, low: 0, unassigned: 3 },
          violations: [
            { state: 'WARN', policy: 'Licence review', component: 'lodash', type: 'LICENSE' },
            { state: 'INFO', policy: 'Inventory', component: 'lodash', type: 'OPERATIONAL' },
            { state: 'FAIL', policy: 'No vulnerable lodash', component: 'lodash' },
          ],
        },
        { dependencyTrackProjectTags: 'team-a,prod', dependencyTrackParentName: 'platform', dependencyTrackParentVersion: '2', dependencyTrackIsLatest: 'true', dependencyTrackFailOnSeverity: 'high' },
      );
      assertClean(r);
      assertConnectionKeyOnlyInSetSecretAndHeader(r);
      assert.equal(r.agentResult, 'Failed', r.stdout);
      assert.match(failMessage(r), /^Dependency-Track reports 2 high vulnerabilities \(dependencyTrackFailOnSeverity is high\)\. See the Dependency-Track section of the summary\.$/);
      assert.deepEqual(dt.log, ['upload', 'eventToken', 'eventToken', 'lookup', 'refresh', 'metrics', 'violations'], 'the documented sequence, polled until processing is false');
      assert.deepEqual(dt.received[0].fields, { projectName: 'shop', projectVersion: '1.0', autoCreate: 'true', projectTags: 'team-a,prod', parentName: 'platform', parentVersion: '2', isLatest: 'true' });
      const project = dt.projects.get('shop@1.0')!;
      assert.deepEqual(
        ['dtCriticalCount', 'dtHighCount', 'dtMediumCount', 'dtLowCount', 'dtUnassignedCount', 'dtPolicyViolationFailCount', 'dtPolicyViolationWarnCount', 'dtProjectUuid'].map((v) => r.variables[v]),
        ['0', '2', '1', '0', '3', '1', '1', project.uuid],
      );
      assert.ok(r.commands.findIndex((c) => c.command === 'artifact.upload') < r.commands.findIndex((c) => c.command === 'task.setvariable' && c.properties.variable === 'dtHighCount'), 'the SBOM is published before the wait');
      const summary = summaryOf(r);
      assert.ok(summary.includes(`Project: [${project.uuid}](https://dtrack-ui.example.com/projects/${project.uuid})`), summary);
      assert.match(summary, /\| High \| 2 \|/);
      assert.match(summary, /Policy violations: \*\*1\*\* FAIL, \*\*1\*\* WARN, \*\*1\*\* INFO\./);
      const rows = summary.split('\n').filter((l) => /^\| (FAIL|WARN|INFO) \|/.test(l));
      assert.deepEqual(rows, ['| FAIL | No vulnerable lodash | lodash@1.0.0 | SECURITY |', '| WARN | Licence review | lodash@1.0.0 | LICENSE |', '| INFO | Inventory | lodash@1.0.0 | OPERATIONAL |']);
    });

    it('a server older than 4.11 with metrics stale until refreshed: bom/token fallback, the fresh counts (not the stale ones); a WARN passes failOnPolicyViolation fail', async () => {
      const r = await runWithConnection(
        {
          eventApi: false,
          existing: ['shop@1.0'],
          oldCounts: { critical: 9, high: 9, medium: 9, low: 9, unassigned: 9 },
          metricsStaleUntilRefresh: true,
          refreshDelayMs: 300,
          violations: [{ state: 'WARN', policy: 'Licence review', component: 'lodash' }],
        },
        { dependencyTrackFailOnPolicyViolation: 'fail' },
      );
      assertClean(r);
      assert.equal(r.agentResult, 'Succeeded', r.stdout);
      assert.deepEqual(dt.log, ['upload', 'eventToken', 'bomToken', 'lookup', 'refresh', 'metrics', 'metrics', 'violations'], 'the stale metrics (before the upload) are read again after the refresh lands');
      assert.match(r.stdout, /older than 4\.11\); polling \/api\/v1\/bom\/token instead/);
      assert.deepEqual([r.variables.dtCriticalCount, r.variables.dtPolicyViolationWarnCount], ['0', '1']);
    });

    const faults: [string, Partial<DtBehaviour>, Record<string, string>, RegExp][] = [
      ['403 on the violations (no VIEW_POLICY_VIOLATION)', { refuse: { violations: 403 } }, { dependencyTrackWait: 'true' }, new RegExp(`HTTP 403 from http://127\\.0\\.0\\.1:\\d+/api/v1/violation/project/[0-9a-f-]{36}\\): The API key of service connection '${CONNECTION}' must belong to a team with the VIEW_POLICY_VIOLATION permission`)],
      ['401 on the project lookup (VIEW_PORTFOLIO)', { refuse: { lookup: 401 } }, { dependencyTrackWait: 'true' }, /HTTP 401 from .*\/api\/v1\/project\/lookup\?name=shop&version=1\.0\): .* VIEW_PORTFOLIO permission/],
      ['an unknown project (404)', { forgetProjects: true }, { dependencyTrackWait: 'true' }, /Dependency-Track has no project 'shop' version '1\.0' \(HTTP 404/],
      ['a server that stops answering during the wait', { hang: 'metrics' }, { dependencyTrackWait: 'true', dependencyTrackTimeoutMinutes: '0.03' }, /did not finish within dependencyTrackTimeoutMinutes \(0\.03 min\): the task was still waiting for the metrics of project 'shop' version '1\.0' to include this upload/],
      ['processing that never ends', { processingPolls: 1e6 }, { dependencyTrackFailOnSeverity: 'critical', dependencyTrackTimeoutMinutes: '0.03' }, /still waiting for processing the SBOM \(token [0-9a-f-]{36}\)\. Dependency-Track may be busy or its analysis queue stuck/],
      ['a server that never answers the upload', { hang: 'upload' }, { dependencyTrackWait: 'true', dependencyTrackTimeoutMinutes: '0.02' }, /upload of the SBOM \(.*\) to Dependency-Track at .* did not finish within dependencyTrackTimeoutMinutes \(0\.02 min\), retries included/],
    ];
    for (const [name, behaviour, inputs, expected] of faults) {
      it(`${name}: Failed with a clear message, after the SBOM is published; summary says so; no dt* outputs`, async () => {
        const r = await runWithConnection(behaviour, inputs);
        assertClean(r);
        assertConnectionKeyOnlyInSetSecretAndHeader(r);
        assert.equal(r.agentResult, 'Failed', r.stdout);
        assert.match(failMessage(r), expected);
        assert.equal(uploads(r).length, 1, 'published before failing');
        assert.match(summaryOf(r), /failed: /);
        assert.ok(r.variables.sbomSha256 && r.variables.dtCriticalCount === undefined);
      });
    }

    it('the connection together with dependencyTrackUrl is a clear error before Syft runs', async () => {
      const r = await runWithConnection({}, { dependencyTrackUrl: 'https://dtrack.example.com' });
      assert.equal(r.agentResult, 'Failed');
      assert.match(failMessage(r), /Both dependencyTrackServiceConnection and dependencyTrackUrl are set\. Use one/);
      assert.equal(scans().length, 0);
      assert.equal(dt.received.length, 0);
    });
  });
});
