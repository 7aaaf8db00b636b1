// L0 tests of GrypeScan with task-lib's MockTestRunner: one mock-run script per behaviour.
// Warnings are `task.logissue` (SPEC 3), which MockTestRunner's warningIssues does not see,
// so they are read from stdout (ADO-NOTES 1).
import * as assert from 'assert';
import * as path from 'path';
import type { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { PINNED_VERSIONS } from '../../tasks/common/install/versions';
import { GOLDEN_DB_BUILT } from '../harness/golden';
import { expectedPackageWarnings } from '../harness/packageWarnings';
import { countsOf, EXPECTED_NPM } from '../harness/realWorld';
import { MANY_FINDINGS } from './grypeL0Setup';
import { completion, runL0 as runTaskL0 } from './l0Harness';

// The scenarios scan the golden dir report (the npm project of realWorld.ts) unless they say otherwise.
const npm = countsOf(EXPECTED_NPM);
const npmFixed = countsOf(EXPECTED_NPM.filter((f) => f.fixed !== undefined));

function logIssues(tr: MockTestRunner, type: 'warning' | 'error'): string[] {
  return tr.stdout
    .split('\n')
    .filter((l) => l.startsWith(`##vso[task.logissue type=${type};]`))
    .map((l) => l.slice(l.indexOf(']') + 1).trim());
}

function variable(tr: MockTestRunner, name: string): string | undefined {
  const m = new RegExp(`##vso\\[task\\.setvariable variable=${name};isOutput=true;issecret=false;\\](.*)`).exec(tr.stdout);
  return m?.[1].trim();
}

const runL0 = (scenario: string) => runTaskL0('GrypeScan', scenario);

describe('GrypeScan L0 (MockTestRunner)', function () {
  this.timeout(30_000);

  it('happy path: the stale-DB warning, one warning per package with High+, output variables, tag, SucceededWithIssues', async () => {
    const tr = await runL0('grypeL0HappyPath');
    assert.ok(tr.succeeded, tr.stdout);
    assert.match(completion(tr), new RegExp(`^SucceededWithIssues: Grype found ${npm.critical + npm.high} vulnerabilities at or above High \\(warnOnSeverity: high\\) and 1 more known exploited in `));
    const warnings = logIssues(tr, 'warning');
    // The golden DB (built GOLDEN_DB_BUILT) is older than 2 days: a warning, counted in the budget.
    assert.ok(warnings[0].startsWith(`The Grype vulnerability database used for this scan was built ${GOLDEN_DB_BUILT} (`) && /days old\), more than 2 days ago/.test(warnings[0]), warnings[0]);
    assert.deepStrictEqual(warnings.slice(1), expectedPackageWarnings(EXPECTED_NPM, 'High'));
    assert.strictEqual(variable(tr, 'knownExploitedCount'), String(npm.knownExploited));
    const packages = new Set(EXPECTED_NPM.map((f) => f.package)).size;
    assert.ok(
      tr.stdout.includes(`\nGrype found ${npm.total} findings in ${packages} packages: ${npm.critical} Critical, ${npm.high} High, ${npm.medium} Medium; ${npm.fixable} with a fix; ${npm.knownExploited} known exploited.\n`),
      tr.stdout,
    );
    assert.match(tr.stdout, /##vso\[task\.addattachment type=Distributedtask\.Core\.Summary;name=Grype꞉ dir꞉\S+;\]\S+\.grype-summary\.md/);
    assert.strictEqual(variable(tr, 'criticalCount'), String(npm.critical));
    assert.strictEqual(variable(tr, 'totalCount'), String(npm.total));
    assert.strictEqual(variable(tr, 'maxSeverity'), npm.maxSeverity);
    assert.strictEqual(variable(tr, 'grypeVersion'), PINNED_VERSIONS.grype);
    assert.ok(tr.stdOutContained('##vso[build.addbuildtag]vulnerable-critical'));
    assert.ok(tr.stdOutContained('[command]/mock/bin/grype db update'));
    assert.match(tr.stdout, /\[command\]\/mock\/bin\/grype dir:\S+ -o json=\S+l0-[0-9a-f]{8}\.grype\.json -o sarif=\S+l0-[0-9a-f]{8}\.grype\.sarif\n/);
    assert.match(tr.stdout, /##vso\[artifact\.upload containerfolder=CodeAnalysisLogs;artifactname=CodeAnalysisLogs;\]\S+\.grype\.sarif/);
  });

  it('failOnSeverity critical: Failed after publishing', async () => {
    const tr = await runL0('grypeL0FailOnCritical');
    assert.ok(tr.failed);
    assert.match(completion(tr), new RegExp(`^Failed: Grype found ${npm.critical} vulnerabilities at or above Critical \\(failOnSeverity: critical\\)`));
    assert.ok(tr.stdout.indexOf('##vso[artifact.upload') < tr.stdout.indexOf('##vso[task.complete'));
    // The Critical packages, most urgent first (vm2's top finding has the higher EPSS).
    assert.ok(tr.createdErrorIssue(`Grype found ${npm.critical} vulnerabilities at or above Critical (failOnSeverity: critical) in vm2 3.9.17 (npm), minimist 1.2.5 (npm).`), tr.errorIssues.join('\n'));
  });

  it('no findings: Succeeded, maxSeverity None, no tag', async () => {
    const tr = await runL0('grypeL0NoFindings');
    assert.ok(tr.succeeded, tr.stdout);
    assert.match(completion(tr), /^Succeeded: Grype found no vulnerabilities/);
    assert.strictEqual(variable(tr, 'maxSeverity'), 'None');
    assert.ok(!tr.stdout.includes('##vso[build.addbuildtag]'));
    // Only the stale-DB warning (the fixture's DB is old): no package has a finding.
    assert.deepStrictEqual(logIssues(tr, 'warning').map((w) => w.slice(0, 60)), ['The Grype vulnerability database used for this scan was buil']);
  });

  it('more packages than the agent keeps: the DB warning, 7 packages, then one "N more" line (the result message is the 10th)', async () => {
    const tr = await runL0('grypeL0ManyWarnings');
    const warnings = logIssues(tr, 'warning');
    assert.strictEqual(warnings.length, 9);
    assert.match(warnings[0], /^The Grype vulnerability database used for this scan was built /);
    // Each finding of the report is in a package of its own: those at or above Low warn.
    const atOrAboveLow = MANY_FINDINGS.High + MANY_FINDINGS.Low;
    assert.ok(warnings.slice(1, 8).every((w) => /^lodash-high-\d+ \S+ \(npm\): 1 High \(GHSA-test-high-\d+\); upgrade to \S+$/.test(w)), warnings.join('\n'));
    assert.match(
      warnings[8],
      new RegExp(`^${atOrAboveLow - 7} more packages with findings at or above Low or known exploited; see the summary "Grype: dir:\\S+" in the run's Extensions tab and the grype artifact \\(dir-s-l0-[0-9a-f]{8}\\.grype\\.json\\)$`),
    );
  });

  it('onlyFixed counts only findings with a fix', async () => {
    const tr = await runL0('grypeL0OnlyFixed');
    assert.strictEqual(variable(tr, 'totalCount'), String(npmFixed.total));
    assert.strictEqual(variable(tr, 'fixableCount'), String(npmFixed.total));
    assert.match(tr.stdout, / -o sarif=\S+ --only-fixed\n/);
  });

  it('grype exits non-zero: Failed with its stderr, reports still published', async () => {
    const tr = await runL0('grypeL0GrypeFails');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: Grype failed: it exited with code 1 .*Last stderr lines:%0A {2}1 error occurred:%0A {2}\* failed to catalog: could not fetch image/);
    assert.ok(tr.stdOutContained('##vso[artifact.upload containerfolder=grype;artifactname=grype;]'));
    assert.strictEqual(variable(tr, 'totalCount'), undefined);
  });

  it('grype writes no JSON: Failed saying so', async () => {
    const tr = await runL0('grypeL0NoReport');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: Grype exited successfully, but its JSON report cannot be used\. Grype wrote no JSON report .*panic: runtime error/);
  });

  it('DB update fails with a valid cached DB: warning, scan runs', async () => {
    const tr = await runL0('grypeL0DbCachedFallback');
    assert.ok(tr.succeeded, tr.stdout);
    const warnings = logIssues(tr, 'warning');
    assert.strictEqual(warnings.length, 1);
    assert.ok(warnings[0].includes(`could not be updated (it exited with code 1); scanning with the cached database built ${GOLDEN_DB_BUILT}`), warnings[0]);
    assert.match(tr.stdout, /\[command\]\/mock\/bin\/grype dir:/);
  });

  it('DB update fails without a cached DB: Failed, no scan', async () => {
    const tr = await runL0('grypeL0DbUnavailable');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: The Grype vulnerability database could not be updated and there is no valid cached database/);
    assert.doesNotMatch(tr.stdout, /\[command\]\/mock\/bin\/grype dir:/);
  });

  it('dbCacheDirectory with a macro the pipeline does not define: the default cache, with a log line', async () => {
    const tr = await runL0('grypeL0DbCacheMacro');
    assert.ok(tr.succeeded, tr.stdout);
    const dir = /dbCacheDirectory uses \$\(Pipeline\.Workspace\), which this pipeline does not define; using (\S+) instead\./.exec(tr.stdout)?.[1];
    assert.ok(dir?.endsWith(path.join('tools', 'grype', 'db')), tr.stdout);
    assert.ok(tr.stdOutContained(`Updating the Grype vulnerability database in ${dir}`), tr.stdout);
  });

  it('target with a macro the pipeline does not define: Failed naming it, nothing runs', async () => {
    const tr = await runL0('grypeL0TargetMacro');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: Input target 'dir:\$\(Build\.SourcesDirectory\)' uses \$\(Build\.SourcesDirectory\), which this pipeline does not define\. Set target/);
    assert.doesNotMatch(tr.stdout, /\[command\]/);
  });

  it('unknown severity word: Failed with the choices, nothing runs', async () => {
    const tr = await runL0('grypeL0BadSeverity');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: Input warnOnSeverity is 'urgent', which is not a severity\. Use one of: none, negligible, low, medium, high, critical\./);
    assert.doesNotMatch(tr.stdout, /\[command\]/);
  });
});
