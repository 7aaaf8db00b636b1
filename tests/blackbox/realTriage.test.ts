// GrypeScan's triage with the real grype: the fix-first order (known exploited, severity, risk,
// EPSS) stated literally for the npm records (realGrype.test.ts derives it for every target), the
// Fix first table and failOnKnownExploited on records that carry EPSS and CISA KEV entries, VEX statements
// applied by grype itself, and a baseline taken from an earlier real scan. The expectations come
// from tests/harness/realWorld.ts, never from running grype.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { assertCounts, buildDb, explain, RealTools, requireRealTools, runTool } from '../harness/realTools';
import { countsOf, EXPECTED_NPM, NPM_PACKAGES, Package, writeNpmProject, writeRecords } from '../harness/realWorld';
import { packageWarningsOf } from '../harness/packageWarnings';
import { runTask, TaskRun } from '../harness/vsix';
import { scratchDirs } from '../harness/scratch';

const tempDir = scratchDirs();

/** The Markdown summary the run attached (task.addattachment) or uploaded. */
function summaryOf(run: TaskRun): string {
  const c = run.commands.find((x) => x.command === 'task.addattachment' || x.command === 'task.uploadsummary');
  assert.ok(c, `no summary${explain(run)}`);
  return fs.readFileSync(c.message, 'utf8');
}

/** A copy of the project's npm folder holding only some of its packages (an earlier state). */
function npmProjectWith(dir: string, names: string[]): string {
  writeNpmProject(dir);
  const lock = JSON.parse(fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  for (const p of NPM_PACKAGES as Package[]) if (!names.includes(p.name)) delete lock.packages[`node_modules/${p.name}`];
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  return dir;
}

describe('GrypeScan triage with the real grype: fix first, VEX, baseline', function () {
  this.timeout(240_000);

  let tools: RealTools;
  let dbCache: string;
  let project: string;

  before(async function () {
    tools = requireRealTools(this);
    const world = tempDir('real-triage-');
    writeRecords(path.join(world, 'records'));
    const db = await buildDb(tools, path.join(world, 'records'), path.join(world, 'db'));
    dbCache = path.join(world, 'dbcache');
    await runTool(tools.grype, ['db', 'import', db.archive], { GRYPE_DB_CACHE_DIR: dbCache });
    project = path.join(world, 'project');
    writeNpmProject(project);
  });

  /** The real grype from binaryPath on the imported DB; the DB host is a dead port (cached DB, one warning). */
  function grype(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<TaskRun> {
    return runTask('GrypeScan', {
      timeoutMs: 180_000,
      inputs: { binaryPath: tools.grype, dbCacheDirectory: dbCache, dbUpdateUrl: 'http://127.0.0.1:9', ...inputs },
      env,
    });
  }

  describe('fix first on the npm project (a KEV entry on a Medium lodash finding, EPSS on every CVE)', () => {
    let run: TaskRun;
    before(async () => {
      run = await grype({ target: `dir:${project}` });
    });

    it('one warning per package, known exploited first, then severity and risk, each with its upgrade (stated literally)', () => {
      assert.deepStrictEqual(packageWarningsOf(run.warnings), [
        'lodash 4.17.20 (npm): 1 High, 1 Medium, 1 known exploited (GHSA-29mw-wpgm-hmr9); upgrade to 4.17.21',
        'vm2 3.9.17 (npm): 2 Critical (GHSA-cchq-frgv-rjh5); upgrade to 3.10.0 (1 with no fix yet)',
        'minimist 1.2.5 (npm): 1 Critical (GHSA-xvch-5gv4-984h); upgrade to 1.2.6',
      ], explain(run));
      assert.strictEqual(run.variables.knownExploitedCount, String(countsOf(EXPECTED_NPM).knownExploited));
    });

    it('the summary opens with the result and a Fix first table in the same order', () => {
      const md = summaryOf(run);
      const fixFirst = md.slice(md.indexOf('#### Fix first'));
      const rows = fixFirst.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Package') && !l.startsWith('| ---'));
      const names = rows.slice(0, 4).map((r) => r.split('|')[1].trim());
      assert.deepStrictEqual(names.slice(0, 3), ['lodash (npm)', 'vm2 (npm)', 'minimist (npm)'], fixFirst);
      assert.ok(md.indexOf('#### Fix first') < md.indexOf('#### Top findings'));
    });

    it('failOnKnownExploited fails the step on the Medium KEV finding, naming its package, after publishing', async () => {
      const failed = await grype({ target: `dir:${project}`, failOnKnownExploited: 'true' });
      assert.strictEqual(failed.result, 'Failed', explain(failed));
      const complete = failed.commands.filter((c) => c.command === 'task.complete');
      assert.match(complete[complete.length - 1].message, /known-exploited.*lodash 4\.17\.20 \(npm\)/);
      assert.ok(failed.commands.findIndex((c) => c.command === 'artifact.upload') < failed.commands.findIndex((c) => c.command === 'task.complete'));
    });
  });

  it("VEX: grype leaves out a not_affected statement's finding; the summary lists it with status and justification", async () => {
    const sources = tempDir('real-vex-sources-');
    fs.writeFileSync(
      path.join(sources, 'lodash.openvex.json'),
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.invalid/vex/lodash-1',
        author: 'Test vendor',
        timestamp: '2026-12-01T00:00:00Z',
        version: 1,
        statements: [{ vulnerability: { name: 'GHSA-35jh-r3h4-6jhm' }, products: [{ '@id': 'pkg:npm/lodash@4.17.20' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }],
      }),
    );
    const run = await grype({ target: `dir:${project}`, vexDocuments: path.join(sources, '*.openvex.json') }, { BUILD_SOURCESDIRECTORY: sources });
    assert.strictEqual(run.exitCode, 0, explain(run));
    assertCounts(run, EXPECTED_NPM.filter((f) => f.id !== 'GHSA-35jh-r3h4-6jhm'));
    const md = summaryOf(run);
    const vex = md.slice(md.indexOf('Not affected (VEX)'));
    assert.ok(md.includes('Not affected (VEX)'), md);
    assert.match(vex, /GHSA-35jh-r3h4-6jhm.*lodash.*4\.17\.20.*not\\?_affected.*vulnerable\\?_code\\?_not\\?_in\\?_execute\\?_path/);
  });

  describe('baseline: the JSON report of an earlier real scan', () => {
    let baseline: string;
    before(async () => {
      // The earlier state of the project: only minimist.
      const earlier = await grype({ target: `dir:${npmProjectWith(tempDir('real-earlier-'), ['minimist'])}` });
      assert.strictEqual(earlier.exitCode, 0, explain(earlier));
      baseline = path.join(tempDir('real-baseline-'), 'baseline.grype.json');
      fs.copyFileSync(earlier.variables.jsonReport, baseline);
    });

    it('counts what is new and gates only on it (failOnNewOnly)', async () => {
      const run = await grype({ target: `dir:${project}`, baselineReport: baseline, failOnNewOnly: 'true', failOnSeverity: 'high' });
      assert.strictEqual(run.result, 'Failed', explain(run));
      const newFindings = EXPECTED_NPM.filter((f) => f.package !== 'minimist');
      assert.strictEqual(run.variables.newCount, String(newFindings.length));
      assert.strictEqual(run.variables.fixedCount, '0');
      const warnings = packageWarningsOf(run.warnings);
      assert.ok(warnings.some((w) => w.startsWith('New package: lodash 4.17.20 (npm)')), warnings.join('\n'));
      assert.ok(warnings.some((w) => w.startsWith('minimist 1.2.5 (npm)')), 'minimist was already there');
      assert.match(summaryOf(run), /New since baseline/);
    });

    it('with nothing new, failOnNewOnly lets the Critical findings the baseline already had through', async () => {
      const same = await grype({ target: `dir:${project}` });
      const run = await grype({ target: `dir:${project}`, baselineReport: same.variables.jsonReport, failOnNewOnly: 'true', failOnSeverity: 'high' });
      assert.strictEqual(run.result, 'SucceededWithIssues', explain(run));
      assert.strictEqual(run.variables.newCount, '0');
      assert.strictEqual(run.variables.fixedCount, '0');
      assertCounts(run, EXPECTED_NPM);
    });

    it('what the project no longer has is fixed since the baseline', async () => {
      const full = await grype({ target: `dir:${project}` });
      const run = await grype({ target: `dir:${npmProjectWith(tempDir('real-later-'), ['lodash', 'minimist'])}`, baselineReport: full.variables.jsonReport });
      assert.strictEqual(run.exitCode, 0, explain(run));
      assert.strictEqual(run.variables.fixedCount, String(EXPECTED_NPM.filter((f) => f.package === 'vm2').length));
      assert.strictEqual(run.variables.newCount, '0');
      assert.match(summaryOf(run), /Fixed since baseline/);
    });
  });
});
