import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chooseConfigFile } from '../../tasks/common/config';
import { UserError } from '../../tasks/common/errors';
import { parseDbStatus, updateDatabase } from '../../tasks/GrypeScan/database';
import { describeBuilt } from '../../tasks/GrypeScan/dbAge';
import { grypeEnvironment, reportFiles, scanArguments, userRequestedFailOn } from '../../tasks/GrypeScan/grypeArguments';
import { rejectUnexpandedMacro } from '../../tasks/common/inputs';
import { parseOutputFormats, parseThreshold } from '../../tasks/GrypeScan/inputs';
import { GOLDEN, golden, GOLDEN_DB_BUILT } from '../harness/golden';
import { sharedFixturesDir } from '../harness/paths';

function userError(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: Error) => e instanceof UserError && re.test(e.message) && !/\n\s+at /.test(e.message));
}

describe('grype arguments: inputs → argv (pure)', () => {
  const out = '/out';
  it('JSON is always first and every format gets -o fmt=path with a per-job stem', () => {
    const files = reportFiles(out, 'nginx-1.27-job', parseOutputFormats('sarif, table'));
    assert.deepStrictEqual(files, [
      { format: 'json', path: path.join(out, 'nginx-1.27-job.grype.json') },
      { format: 'sarif', path: path.join(out, 'nginx-1.27-job.grype.sarif') },
      { format: 'table', path: path.join(out, 'nginx-1.27-job.grype.table.txt') },
    ]);
    const args = scanArguments({ target: 'nginx:1.27', reports: files, onlyFixed: false, additionalArguments: [] });
    assert.deepStrictEqual(args, ['nginx:1.27', '-o', `json=${files[0].path}`, '-o', `sarif=${files[1].path}`, '-o', `table=${files[2].path}`]);
  });
  it('JSON is added when the user omitted it; duplicates collapse; cyclonedx formats', () => {
    assert.deepStrictEqual(parseOutputFormats('table'), ['json', 'table']);
    assert.deepStrictEqual(parseOutputFormats('JSON,json, sarif;sarif'), ['json', 'sarif']);
    assert.deepStrictEqual(parseOutputFormats(undefined), ['json', 'sarif', 'table']);
    assert.deepStrictEqual(parseOutputFormats(''), ['json']);
    assert.deepStrictEqual(parseOutputFormats('cyclonedx-json,cyclonedx-xml'), ['json', 'cyclonedx-json', 'cyclonedx-xml']);
    assert.deepStrictEqual(parseOutputFormats('template', ['-t', 'x.tmpl']), ['json', 'template']);
  });
  it('unknown output format and template without -t are user errors', () => {
    userError(() => parseOutputFormats('json,html'), /unknown Grype format 'html'.*json, sarif, table/);
    userError(() => parseOutputFormats('constructor'), /unknown Grype format 'constructor'/);
    userError(() => parseOutputFormats('template'), /-t <file>/);
  });
  it('onlyFixed, config file and additional arguments (last, so the user wins)', () => {
    const args = scanArguments({
      target: 'dir:/src',
      reports: [{ format: 'json', path: '/o/r.json' }],
      onlyFixed: true,
      configFile: '/src/grype.yaml',
      additionalArguments: ['--scope', 'all-layers', '--exclude', './a b/**'],
    });
    assert.deepStrictEqual(args, ['dir:/src', '-o', 'json=/o/r.json', '--only-fixed', '-c', '/src/grype.yaml', '--scope', 'all-layers', '--exclude', './a b/**']);
    assert.ok(!args.includes('--fail-on'));
  });
  it('environment: no app-update check, DB cache, no second DB update, mirror URL, registry auth', () => {
    assert.deepStrictEqual(grypeEnvironment({ dbCacheDirectory: '/db' }), { GRYPE_CHECK_FOR_APP_UPDATE: 'false', GRYPE_DB_CACHE_DIR: '/db', GRYPE_DB_AUTO_UPDATE: 'false' });
    const env = grypeEnvironment({ dbCacheDirectory: '/db', dbUpdateUrl: 'https://mirror/db', registry: { GRYPE_REGISTRY_AUTH_PASSWORD: 's3cret' } });
    assert.strictEqual(env.GRYPE_DB_UPDATE_URL, 'https://mirror/db');
    assert.strictEqual(env.GRYPE_REGISTRY_AUTH_PASSWORD, 's3cret');
  });
  it('detects a user-requested fail-on (args, config, environment)', () => {
    assert.strictEqual(userRequestedFailOn(['--fail-on', 'high'], undefined, {}), true);
    assert.strictEqual(userRequestedFailOn(['--fail-on=high'], undefined, {}), true);
    assert.strictEqual(userRequestedFailOn(['-f', 'high'], undefined, {}), true);
    assert.strictEqual(userRequestedFailOn([], 'only-fixed: true\nfail-on-severity: "high"\n', {}), true);
    assert.strictEqual(userRequestedFailOn([], '# fail-on-severity: high\n', {}), false);
    assert.strictEqual(userRequestedFailOn([], undefined, { GRYPE_FAIL_ON_SEVERITY: 'high' }), true);
    assert.strictEqual(userRequestedFailOn(['--scope', 'all-layers'], 'fail-on-severity: ""', {}), false);
  });
});

describe('grype inputs: validation (pure helpers)', () => {
  it('severity words, any case; unknown words are user errors listing the choices', () => {
    assert.strictEqual(parseThreshold('warnOnSeverity', 'HIGH', 'none'), 'high');
    assert.strictEqual(parseThreshold('warnOnSeverity', ' critical ', 'none'), 'critical');
    assert.strictEqual(parseThreshold('failOnSeverity', undefined, 'none'), 'none');
    assert.strictEqual(parseThreshold('failOnSeverity', '', 'high'), 'high');
    userError(() => parseThreshold('failOnSeverity', 'severe', 'none'), /failOnSeverity is 'severe'.*none, negligible, low, medium, high, critical/);
    userError(() => parseThreshold('warnOnSeverity', 'unknown', 'none'), /not a severity/);
  });
  it('config file detection: explicit must exist; else first candidate in the sources directory (grype.yaml as the seed pipelines use)', () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'grype-cfg-'));
    try {
      assert.strictEqual(chooseConfigFile('grype', undefined, src).path, undefined);
      fs.writeFileSync(path.join(src, 'grype.yaml'), 'only-fixed: true\n');
      assert.strictEqual(chooseConfigFile('grype', undefined, src).path, path.join(src, 'grype.yaml'));
      fs.writeFileSync(path.join(src, '.grype.yaml'), 'only-fixed: true\n');
      assert.strictEqual(chooseConfigFile('grype', undefined, src).path, path.join(src, '.grype.yaml'));
      userError(() => chooseConfigFile('grype', path.join(src, 'missing.yaml'), src), /configFile '.*missing\.yaml' was not found/);
    } finally {
      fs.rmSync(src, { recursive: true, force: true });
    }
  });
  it('a path input with a macro the pipeline does not define is a user error naming input and macro', () => {
    assert.strictEqual(rejectUnexpandedMacro('configFile', '/src/grype.yaml'), '/src/grype.yaml');
    assert.strictEqual(rejectUnexpandedMacro('configFile', undefined), undefined);
    userError(
      () => rejectUnexpandedMacro('configFile', '$(Build.SourcesDirectory)/grype.yaml'),
      /^Input configFile '\$\(Build\.SourcesDirectory\)\/grype\.yaml' uses \$\(Build\.SourcesDirectory\), which this pipeline does not define\. Define that variable in the pipeline, or change or clear configFile\.$/,
    );
  });
});

describe('grype db cache directory', () => {
  it('one that cannot be created is a user error naming dbCacheDirectory, the path and the error code; grype does not run', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'grype-db-')), 'a-file');
    fs.writeFileSync(file, '');
    const cache = path.join(file, 'db');
    await assert.rejects(
      updateDatabase('/nonexistent/grype', {}, cache),
      (e: Error) => e instanceof UserError && e.message === `dbCacheDirectory ${cache} cannot be created (ENOTDIR). Choose a folder the agent can write to, e.g. $(Agent.ToolsDirectory)/grype/db.`,
    );
  });
});

describe('grype db status parsing', () => {
  it('reads the JSON form (golden `db status -o json` of the pinned grype)', () => {
    const status = parseDbStatus(fs.readFileSync(golden(GOLDEN.grypeDbStatusJson), 'utf8'));
    assert.strictEqual(status.built, GOLDEN_DB_BUILT);
    assert.strictEqual(status.valid, true);
    // the schema version grype's own builder stamps (mkdb uses it); the same one the scan's report names
    assert.match(status.schemaVersion ?? '', /^v6\.\d+\.\d+$/);
    assert.strictEqual(status.schemaVersion, JSON.parse(fs.readFileSync(golden(GOLDEN.grypeImageJson), 'utf8')).descriptor.db.status.schemaVersion);
  });
  const shared = sharedFixturesDir();
  if (shared) it('reads the JSON form (grype 0.112 fixture, shared corpus)', () => {
    const text = fs.readFileSync(path.join(shared, 'grype-misc', 'grype-0.112.0-version-json-and-db-status.txt'), 'utf8');
    const statusJson = text.slice(text.indexOf('=== GRYPE DB STATUS ===') + '=== GRYPE DB STATUS ==='.length);
    assert.deepStrictEqual(parseDbStatus(statusJson), {
      built: '2026-08-01T06:59:36Z',
      schemaVersion: 'v6.1.9',
      valid: true,
    });
  });
  it('reads the text form (old and new)', () => {
    const old = 'Location:  /root/.cache/grype/db/5\nBuilt:     2024-03-01 01:23:45 +0000 UTC\nSchema:    5\nChecksum:  sha256:abc\nStatus:    valid\n';
    assert.deepStrictEqual(parseDbStatus(old), { built: '2024-03-01 01:23:45 +0000 UTC', schemaVersion: '5', valid: true });
    const invalid = 'Path:   /db/6/vulnerability.db\nSchema: v6.0.2\nBuilt:  2025-01-01T00:00:00Z\nStatus: invalid\n';
    assert.strictEqual(parseDbStatus(invalid).valid, false);
    assert.deepStrictEqual(parseDbStatus('garbage'), { built: undefined, schemaVersion: undefined, valid: undefined });
  });
  it('describes the build date with its age', () => {
    assert.strictEqual(describeBuilt('2026-08-01T06:00:00Z', Date.parse('2026-08-01T10:00:00Z')), '2026-08-01T06:00:00Z (4 h old)');
    assert.strictEqual(describeBuilt('2026-08-01T06:00:00Z', Date.parse('2026-08-11T06:00:00Z')), '2026-08-01T06:00:00Z (10 days old)');
    assert.strictEqual(describeBuilt(undefined), 'unknown build date');
    assert.strictEqual(describeBuilt('yesterday'), 'yesterday');
  });
});
