import * as assert from 'assert';
import * as path from 'path';
import { UserError } from '../../tasks/common/errors';
import { normaliseDependencyTrackUrl } from '../../tasks/SyftSbom/dependencyTrack';
import { formatArgument, parseFormats } from '../../tasks/SyftSbom/formats';
import { checkAdditionalArguments, parseDependencyTrack } from '../../tasks/SyftSbom/inputs';
import { syftArguments } from '../../tasks/SyftSbom/syftArguments';

function userError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof UserError, `expected a UserError, got ${e}`);
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /\n\s+at /);
    return true;
  });
}

describe('syft formats: outputFormats → formats (pure)', () => {
  it('defaults to cyclonedx-json when the input is not provided', () => {
    assert.deepStrictEqual(parseFormats(undefined), [{ name: 'cyclonedx-json', version: undefined, kind: 'cyclonedx-json', extension: '.cdx.json' }]);
  });

  it('keeps order, versions, aliases and gives every format its own file suffix', () => {
    const formats = parseFormats(' cyclonedx-json@1.5, spdx-json@2.3\ncyclonedx ,spdx,json,table, text ,purls,github-json');
    assert.deepStrictEqual(
      formats.map((f) => [formatArgument(f), f.extension]),
      [
        ['cyclonedx-json@1.5', '.cdx.json'],
        ['spdx-json@2.3', '.spdx.json'],
        ['cyclonedx-xml', '.cdx.xml'],
        ['spdx-tag-value', '.spdx'],
        ['syft-json', '.syft.json'],
        ['syft-table', '.txt'],
        ['syft-text', '.syft.txt'],
        ['purls', '.purls.txt'],
        ['github-json', '.github.json'],
      ],
    );
    assert.strictEqual(new Set(formats.map((f) => f.extension)).size, formats.length);
  });

  it('rejects an unknown format, naming the supported ones', () => {
    userError(() => parseFormats('cyclonedx-json,sbom-deluxe'), /'sbom-deluxe' is not a Syft format.*cyclonedx-json, cyclonedx-xml, spdx-json/);
    userError(() => parseFormats('template'), /'template' is not a Syft format/);
  });

  it('rejects a bad fmt@version with the accepted versions', () => {
    userError(() => parseFormats('cyclonedx-json@1.1'), /unsupported version '1\.1'.*1\.2 to 1\.7/);
    userError(() => parseFormats('cyclonedx-xml@2.0'), /unsupported version '2\.0'/);
    userError(() => parseFormats('spdx-json@2.1'), /2\.2, 2\.3 or 3\.0/);
    userError(() => parseFormats('cyclonedx-json@'), /unsupported version ''/);
    userError(() => parseFormats('syft-json@16'), /syft-json takes no @version/);
  });

  it('rejects an empty list and duplicates (including an alias of a listed format)', () => {
    userError(() => parseFormats(' , '), /outputFormats is empty/);
    userError(() => parseFormats('cyclonedx-json@1.5,cyclonedx-json@1.5'), /names cyclonedx-json@1\.5 more than once/);
    userError(() => parseFormats('json,syft-json'), /names syft-json more than once/);
  });

  it('one format at several versions: each versioned file carries its version, the plain one keeps its name', () => {
    const formats = parseFormats('cyclonedx-json,cyclonedx-json@1.5,cyclonedx-xml@1.6,spdx-json');
    assert.deepStrictEqual(formats.map((f) => [formatArgument(f), f.extension]), [
      ['cyclonedx-json', '.cdx.json'],
      ['cyclonedx-json@1.5', '.cdx-1.5.json'],
      ['cyclonedx-xml@1.6', '.cdx.xml'],
      ['spdx-json', '.spdx.json'],
    ]);
  });
});

describe('syft arguments: inputs → argv (pure)', () => {
  const formats = parseFormats('cyclonedx-json@1.5,spdx-json,cyclonedx-xml');
  it('one `syft scan` run with -o fmt[@ver]=file per format, then -c, then additional arguments', () => {
    const plan = syftArguments({
      target: 'registry:myacr.azurecr.io/app:1.0',
      formats,
      outputDirectory: '/out',
      stem: 'registry-myacr.azurecr.io-app-1.0-job',
      configFile: '/src/.syft.yaml',
      additionalArguments: ['--exclude', './test/**', '--scope', 'all-layers'],
      registryEnv: { SYFT_REGISTRY_AUTH_PASSWORD: 's3cret' },
    });
    const stem = path.join('/out', 'registry-myacr.azurecr.io-app-1.0-job');
    assert.deepStrictEqual(plan.args, [
      'scan',
      'registry:myacr.azurecr.io/app:1.0',
      '-o',
      `cyclonedx-json@1.5=${stem}.cdx.json`,
      '-o',
      `spdx-json=${stem}.spdx.json`,
      '-o',
      `cyclonedx-xml=${stem}.cdx.xml`,
      '-c',
      '/src/.syft.yaml',
      '--exclude',
      './test/**',
      '--scope',
      'all-layers',
    ]);
    assert.deepStrictEqual(plan.outputs.map((o) => o.file), [`${stem}.cdx.json`, `${stem}.spdx.json`, `${stem}.cdx.xml`]);
    assert.deepStrictEqual(plan.env, { SYFT_CHECK_FOR_APP_UPDATE: 'false', SYFT_REGISTRY_AUTH_PASSWORD: 's3cret' });
    assert.ok(!plan.args.some((a) => a.includes('s3cret')), 'secrets never go on the command line');
  });

  it('no -c without a config file', () => {
    const plan = syftArguments({ target: 'dir:/src', formats: parseFormats(undefined), outputDirectory: '/o', stem: 's', additionalArguments: [] });
    assert.deepStrictEqual(plan.args, ['scan', 'dir:/src', '-o', `cyclonedx-json=${path.join('/o', 's.cdx.json')}`]);
  });

  it('additionalArguments may not set outputs (the task owns -o)', () => {
    userError(() => checkAdditionalArguments(['-o', 'json']), /'-o'.*outputFormats/);
    userError(() => checkAdditionalArguments(['--output=json']), /outputFormats/);
    userError(() => checkAdditionalArguments(['-ojson']), /outputFormats/);
    checkAdditionalArguments(['--scope', 'all-layers', '--override-default-catalogers', 'java']);
  });

});

describe('syft inputs: Dependency-Track settings (pure)', () => {
  const cdx = parseFormats('cyclonedx-json');
  const env = { BUILD_REPOSITORY_NAME: 'my-repo', BUILD_SOURCEBRANCHNAME: 'main' };

  it('is off without a URL (the key is registered as a secret by readInputs: see the L0 tests)', () => {
    assert.strictEqual(parseDependencyTrack({ url: '', apiKey: ' k1 ' }, cdx, env), undefined);
  });

  it('defaults project and version to the repository and branch; normalises the URL', () => {
    const dt = parseDependencyTrack({ url: 'https://dt.example.com/api/v1/bom/', apiKey: 'odt_abc' }, cdx, env);
    assert.deepStrictEqual(dt, {
      target: {
        baseUrl: 'https://dt.example.com',
        apiKey: 'odt_abc',
        source: 'dependencyTrackUrl',
        keyName: 'The key in dependencyTrackApiKey',
        projectName: 'my-repo',
        projectVersion: 'main',
        tags: [],
        parentName: undefined,
        parentVersion: undefined,
        isLatest: false,
      },
      timeoutMinutes: 10,
      wait: undefined,
      frontendUrl: undefined,
    });
    assert.strictEqual(parseDependencyTrack({ url: 'http://h:8081/dtrack', apiKey: 'k', project: 'p', projectVersion: '2.0' }, cdx, env)!.target.baseUrl, 'http://h:8081/dtrack');
  });

  it('a project or version still holding an undefined $(Variable) counts as empty, and the log names it', () => {
    const lines: string[] = [];
    const classicRelease = { url: 'https://dt', apiKey: 'k', project: '$(Build.Repository.Name)', projectVersion: '$(Build.SourceBranchName)' };
    userError(() => parseDependencyTrack(classicRelease, cdx, {}, (l) => lines.push(l)), /dependencyTrackProject is empty and Build\.Repository\.Name is unknown/);
    assert.deepStrictEqual(lines, ['dependencyTrackProject: $(Build.Repository.Name) is not defined in this pipeline, so dependencyTrackProject counts as empty.']);
    lines.length = 0;
    userError(() => parseDependencyTrack({ ...classicRelease, project: 'shop' }, cdx, {}, (l) => lines.push(l)), /dependencyTrackProjectVersion is empty/);
    assert.deepStrictEqual(lines, ['dependencyTrackProjectVersion: $(Build.SourceBranchName) is not defined in this pipeline, so dependencyTrackProjectVersion counts as empty.']);
    const dt = parseDependencyTrack({ ...classicRelease, project: 'shop-$(Release.Name)' }, cdx, env, () => undefined);
    assert.deepStrictEqual([dt!.target.projectName, dt!.target.projectVersion], ['my-repo', 'main'], 'the defaults apply');
  });

  it('URL without a key is a clear error that points at secret variables', () => {
    userError(() => parseDependencyTrack({ url: 'https://dt.example.com' }, cdx, env), /dependencyTrackApiKey is empty.*secret pipeline variable/);
  });

  it('a key that is still an undefined $(Variable) is a clear error, not a 401 from the server', () => {
    userError(() => parseDependencyTrack({ url: 'https://dt.example.com', apiKey: '$(DT_API_KEY)' }, cdx, env),
      /^dependencyTrackApiKey is \$\(DT_API_KEY\), a variable this pipeline does not define .*secret pipeline variable/);
  });

  it('malformed URLs are clear errors', () => {
    userError(() => parseDependencyTrack({ url: 'dt.example.com', apiKey: 'k' }, cdx, env), /'dt\.example\.com' is not a valid URL/);
    userError(() => normaliseDependencyTrackUrl('ftp://dt.example.com'), /must start with https:\/\//);
    userError(() => normaliseDependencyTrackUrl('https://user:pw@dt.example.com'), /must not contain credentials/);
    userError(() => normaliseDependencyTrackUrl('https://dt.example.com/?x=1'), /query or fragment/);
    userError(() => normaliseDependencyTrackUrl('http://'), /not a valid URL/);
  });

  it('needs a CycloneDX format to upload, and a project name', () => {
    userError(() => parseDependencyTrack({ url: 'https://dt', apiKey: 'k' }, parseFormats('spdx-json'), env), /has none\. Add cyclonedx-json/);
    userError(() => parseDependencyTrack({ url: 'https://dt', apiKey: 'k' }, cdx, {}), /dependencyTrackProject is empty/);
  });

  const connection = { id: 'dt-prod', url: 'https://dt.example.com/', apiKey: 'odt_conn', frontendUrl: 'https://ui.example.com/' };

  it('a service connection gives URL, key and frontend URL; messages name the connection', () => {
    const dt = parseDependencyTrack({ connection }, cdx, env)!;
    assert.deepStrictEqual(
      [dt.target.baseUrl, dt.target.apiKey, dt.target.source, dt.target.keyName, dt.frontendUrl],
      ['https://dt.example.com', 'odt_conn', "service connection 'dt-prod'", "The API key of service connection 'dt-prod'", 'https://ui.example.com'],
    );
    assert.strictEqual(parseDependencyTrack({ connection, frontendUrl: 'https://other.example.com/dt/' }, cdx, env)!.frontendUrl, 'https://other.example.com/dt', 'the input wins over the connection');
    userError(() => parseDependencyTrack({ connection: { ...connection, apiKey: ' ' } }, cdx, env), /service connection 'dt-prod' has no API key\. Edit the connection/);
    userError(() => parseDependencyTrack({ connection: { id: 'missing' } }, cdx, env), /service connection 'missing' was not found or has no server URL/);
    userError(() => parseDependencyTrack({ connection: { ...connection, url: 'ftp://x' } }, cdx, env), /^The server URL of service connection 'dt-prod' 'ftp:\/\/x' is not a valid URL/);
    userError(() => parseDependencyTrack({ connection: { ...connection, frontendUrl: 'ui.example.com' } }, cdx, env), /^The frontend URL of service connection 'dt-prod' 'ui\.example\.com' is not an http\(s\) URL/);
  });

  it('a service connection and dependencyTrackUrl/ApiKey together are a clear error', () => {
    userError(() => parseDependencyTrack({ connection, url: 'https://dt.example.com' }, cdx, env), /^Both dependencyTrackServiceConnection and dependencyTrackUrl are set\. Use one/);
    userError(() => parseDependencyTrack({ connection, apiKey: 'k' }, cdx, env), /^Both dependencyTrackServiceConnection and dependencyTrackApiKey are set/);
  });

  it('upload options: tags split on commas, parent, isLatest; a parent version needs a name', () => {
    const dt = parseDependencyTrack({ connection, tags: ' team-a, ,prod ', parentName: 'platform', parentVersion: '2', isLatest: 'TRUE' }, cdx, env)!;
    assert.deepStrictEqual([dt.target.tags, dt.target.parentName, dt.target.parentVersion, dt.target.isLatest], [['team-a', 'prod'], 'platform', '2', true]);
    userError(() => parseDependencyTrack({ connection, parentVersion: '2' }, cdx, env), /dependencyTrackParentVersion is set but dependencyTrackParentName is empty/);
    userError(() => parseDependencyTrack({ connection, isLatest: 'yes' }, cdx, env), /Input dependencyTrackIsLatest must be one of true, false, not 'yes'/);
    userError(() => parseDependencyTrack({ connection, tags: '$(Undefined.Tags)' }, cdx, env), /dependencyTrackProjectTags .*\$\(Undefined\.Tags\), which this pipeline does not define/);
  });

  it('a wait or gate without a server is a clear error (it would pass every build)', () => {
    userError(() => parseDependencyTrack({ failOnSeverity: 'critical' }, cdx, env), /^dependencyTrackFailOnSeverity is set, but no Dependency-Track server is: set dependencyTrackServiceConnection/);
    userError(() => parseDependencyTrack({ wait: 'true', failOnPolicyViolation: 'fail' }, cdx, env), /^dependencyTrackWait and dependencyTrackFailOnPolicyViolation are set, but no Dependency-Track server is/);
    assert.strictEqual(parseDependencyTrack({ wait: 'false', failOnSeverity: 'none', failOnPolicyViolation: 'none' }, cdx, env), undefined);
  });

  it('wait and gate inputs: either fail input turns the wait on; bad values are clear errors', () => {
    assert.strictEqual(parseDependencyTrack({ connection }, cdx, env)!.wait, undefined);
    assert.deepStrictEqual(parseDependencyTrack({ connection, wait: 'true' }, cdx, env)!.wait, { failOnSeverity: 'none', failOnPolicyViolation: 'none' });
    assert.deepStrictEqual(parseDependencyTrack({ connection, failOnSeverity: 'High' }, cdx, env)!.wait, { failOnSeverity: 'high', failOnPolicyViolation: 'none' });
    assert.deepStrictEqual(parseDependencyTrack({ connection, wait: 'false', failOnPolicyViolation: 'warn' }, cdx, env)!.wait, { failOnSeverity: 'none', failOnPolicyViolation: 'warn' });
    assert.strictEqual(parseDependencyTrack({ connection, timeoutMinutes: '0.5' }, cdx, env)!.timeoutMinutes, 0.5);
    userError(() => parseDependencyTrack({ connection, failOnSeverity: 'severe' }, cdx, env), /dependencyTrackFailOnSeverity must be one of none, critical, high, medium, low, not 'severe'/);
    userError(() => parseDependencyTrack({ connection, failOnPolicyViolation: 'info' }, cdx, env), /dependencyTrackFailOnPolicyViolation must be one of none, warn, fail/);
    for (const bad of ['0', '-1', 'ten', '1000']) userError(() => parseDependencyTrack({ connection, timeoutMinutes: bad }, cdx, env), /dependencyTrackTimeoutMinutes must be a number of minutes above 0/);
  });
});
