// L0 tests of GrypeScan with task-lib's MockTestRunner: one mock-run script per behaviour.
// Warnings are `task.logissue` (SPEC 3), which MockTestRunner's warningIssues does not see,
// so they are read from stdout (ADO-NOTES 1).
import * as assert from 'assert';
import * as path from 'path';
import type { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { completion, runL0 as runTaskL0 } from './l0Harness';

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
    assert.match(completion(tr), /^SucceededWithIssues: Grype found 5 vulnerabilities at or above High \(warnOnSeverity: high\) in /);
    const warnings = logIssues(tr, 'warning');
    // The fixture's DB (built 2026-01-15) is older than 2 days: a warning, counted in the budget.
    assert.match(warnings[0], /^The Grype vulnerability database used for this scan was built 2026-01-15T\S+ \(\d+ days old\), more than 2 days ago/);
    assert.strictEqual(warnings.length, 1 + 5, warnings.join('\n'));
    assert.ok(warnings.slice(1).every((w) => /^\S+ \S+ \([a-z-]+\): .*\((CVE|GHSA)-[^)]+\); (upgrade to \S+|no fix yet)/.test(w)), warnings.join('\n'));
    assert.strictEqual(variable(tr, 'knownExploitedCount'), '0');
    assert.match(tr.stdout, /^Grype found 98 findings in 45 packages: 2 Critical, 3 High, 21 Medium, 9 Low, 62 Negligible, 1 Unknown; 6 with a fix; 0 known exploited\.$/m);
    assert.match(tr.stdout, /##vso\[task\.addattachment type=Distributedtask\.Core\.Summary;name=Grype꞉ dir꞉\S+;\]\S+\.grype-summary\.md/);
    assert.strictEqual(variable(tr, 'criticalCount'), '2');
    assert.strictEqual(variable(tr, 'totalCount'), '98');
    assert.strictEqual(variable(tr, 'maxSeverity'), 'Critical');
    assert.strictEqual(variable(tr, 'grypeVersion'), '0.104.4');
    assert.ok(tr.stdOutContained('##vso[build.addbuildtag]vulnerable-critical'));
    assert.ok(tr.stdOutContained('[command]/mock/bin/grype db update'));
    assert.match(tr.stdout, /\[command\]\/mock\/bin\/grype dir:\S+ -o json=\S+l0-[0-9a-f]{8}\.grype\.json -o sarif=\S+l0-[0-9a-f]{8}\.grype\.sarif\n/);
    assert.match(tr.stdout, /##vso\[artifact\.upload containerfolder=CodeAnalysisLogs;artifactname=CodeAnalysisLogs;\]\S+\.grype\.sarif/);
  });

  it('failOnSeverity critical: Failed after publishing', async () => {
    const tr = await runL0('grypeL0FailOnCritical');
    assert.ok(tr.failed);
    assert.match(completion(tr), /^Failed: Grype found 2 vulnerabilities at or above Critical \(failOnSeverity: critical\)/);
    assert.ok(tr.stdout.indexOf('##vso[artifact.upload') < tr.stdout.indexOf('##vso[task.complete'));
    assert.ok(
      tr.errorIssues.some((m) => /^Grype found 2 vulnerabilities at or above Critical \(failOnSeverity: critical\) in python 3\.11\.14 \(binary\), libsqlite3-0 3\.40\.1-2\+deb12u2 \(deb\)\.$/.test(m)),
      tr.errorIssues.join('\n'),
    );
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
    // 119 packages have a finding at or above Low (counted independently in grypePolicy.test.ts).
    assert.ok(warnings.slice(1, 8).every((w) => /^\S+ \S+ \((deb|python)\): \d+ High/.test(w)), warnings.join('\n'));
    assert.match(
      warnings[8],
      /^112 more packages with findings at or above Low or known exploited; see the summary "Grype: dir:\S+" in the run's Extensions tab and the grype artifact \(dir-s-l0-[0-9a-f]{8}\.grype\.json\)$/,
    );
  });

  it('onlyFixed counts only findings with a fix', async () => {
    const tr = await runL0('grypeL0OnlyFixed');
    assert.strictEqual(variable(tr, 'totalCount'), '6');
    assert.strictEqual(variable(tr, 'fixableCount'), '6');
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
    assert.match(warnings[0], /could not be updated \(it exited with code 1\); scanning with the cached database built 2026-08-01T06:59:36Z/);
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
