import * as assert from 'assert';
import { baselineSections, baselineVariables, chooseBaselineReport, compareWithBaseline, findingsForFailGates, packageMark, sameFinding, vulnerabilityIds } from '../../tasks/GrypeScan/baseline';
import { groupByPackage } from '../../tasks/GrypeScan/fixFirst';
import { countFindings, decideResult, warningLines } from '../../tasks/GrypeScan/policy';
import { Finding, parseGrypeReport } from '../../tasks/GrypeScan/report';
import { grypeReport, MatchSpec } from '../harness/grypeJson';

/** Findings as the parser makes them from a hand-written report. */
function findings(...specs: MatchSpec[]): Finding[] {
  return parseGrypeReport(grypeReport(specs)).findings;
}

describe('grype baseline: the identity rule', () => {
  const lodash = (id: string, related: string[] = [], over: Partial<MatchSpec> = {}) => findings({ id, related, name: 'lodash', version: '4.17.20', ...over })[0];

  it('reads relatedVulnerabilities ids from the report', () => {
    assert.deepStrictEqual(lodash('GHSA-35jh-r3h4-6jhm', ['CVE-2021-23337']).relatedIds, ['CVE-2021-23337']);
    assert.deepStrictEqual(vulnerabilityIds(lodash('ghsa-35jh-r3h4-6jhm', ['CVE-2021-23337', 'CVE-2021-23337'])), ['GHSA-35JH-R3H4-6JHM', 'CVE-2021-23337']);
  });
  it('same id and package: the same finding', () => {
    assert.ok(sameFinding(lodash('CVE-2021-23337'), lodash('CVE-2021-23337')));
  });
  it('a GHSA in one run and its CVE in the next are the same finding, in both directions', () => {
    const ghsa = lodash('GHSA-35jh-r3h4-6jhm', ['CVE-2021-23337']);
    const cve = lodash('CVE-2021-23337');
    assert.ok(sameFinding(ghsa, cve));
    assert.ok(sameFinding(cve, ghsa));
  });
  it('two records that share only a related id are the same finding', () => {
    assert.ok(sameFinding(lodash('GHSA-aaaa-bbbb-cccc', ['CVE-2021-23337']), lodash('GHSA-dddd-eeee-ffff', ['cve-2021-23337'])));
  });
  it('ids compare without regard to case', () => {
    assert.ok(sameFinding(lodash('GHSA-35JH-R3H4-6JHM'), lodash('ghsa-35jh-r3h4-6jhm')));
  });
  it('another version, name or type of the package is another finding', () => {
    const base = lodash('CVE-2021-23337');
    assert.ok(!sameFinding(base, lodash('CVE-2021-23337', [], { version: '4.17.21' })));
    assert.ok(!sameFinding(base, lodash('CVE-2021-23337', [], { name: 'lodash-es' })));
    assert.ok(!sameFinding(base, lodash('CVE-2021-23337', [], { type: 'gem' })));
  });
  it('no id in common: different findings', () => {
    assert.ok(!sameFinding(lodash('CVE-2021-23337', ['GHSA-1']), lodash('CVE-2020-8203', ['GHSA-2'])));
  });
});

describe('grype baseline: comparison', () => {
  const baseline = findings(
    { id: 'GHSA-35jh-r3h4-6jhm', related: ['CVE-2021-23337'], name: 'lodash', version: '4.17.20', severity: 'High' },
    { id: 'CVE-2022-0001', name: 'minimist', version: '1.2.5', severity: 'Critical' },
    { id: 'CVE-2022-0002', name: 'qs', version: '6.5.2', severity: 'Medium' },
    { id: 'CVE-2022-0003', name: 'ws', version: '7.0.0', severity: 'Low' },
  );
  const current = findings(
    { id: 'CVE-2021-23337', name: 'lodash', version: '4.17.20', severity: 'High' }, // same as the GHSA
    { id: 'CVE-2023-0009', name: 'lodash', version: '4.17.20', severity: 'Critical' }, // new, known package
    { id: 'CVE-2023-0010', name: 'axios', version: '1.0.0', severity: 'High' }, // new package
    { id: 'CVE-2022-0002', name: 'qs', version: '6.5.2', severity: 'Medium' },
  );
  const leftOut = findings({ id: 'CVE-2022-0003', name: 'ws', version: '7.0.0' }); // e.g. excepted now
  const comparison = compareWithBaseline('base.json', baseline, current, leftOut);

  it('new: counted findings with no same finding in the baseline', () => {
    assert.deepStrictEqual(comparison.newFindings.map((f) => f.id), ['CVE-2023-0009', 'CVE-2023-0010']);
  });
  it('fixed: baseline findings gone from the scan; one only left out (exception, VEX, …) is not fixed', () => {
    assert.deepStrictEqual(comparison.fixedFindings.map((f) => f.id), ['CVE-2022-0001']);
  });
  it('marks: new, new package, or nothing; per package: new package, or how many are new', () => {
    assert.deepStrictEqual(current.map((f) => comparison.mark(f)), ['', 'new', 'new package', '']);
    assert.strictEqual(packageMark(undefined, [current[1]]), undefined);
    // One line per package: the package's findings together.
    assert.deepStrictEqual(packageMark(comparison, [current[0], current[1]]), { newPackage: false, newFindings: 1 });
    assert.deepStrictEqual(packageMark(comparison, [current[0]]), { newPackage: false, newFindings: 0 });
    assert.deepStrictEqual(packageMark(comparison, [current[2]]), { newPackage: true, newFindings: 1 });
  });
  it('package warning lines carry the marks: "New package:" first, else how many of its findings are new', () => {
    const groups = groupByPackage(current);
    assert.deepStrictEqual(warningLines(groups, 'high', { summaryName: 'Grype: dir:/src', reportFile: 'r.json' }, (g) => packageMark(comparison, g.findings)), [
      'lodash 4.17.20 (npm): 1 Critical, 1 High, 1 new (CVE-2023-0009); no fix yet',
      'New package: axios 1.0.0 (npm): 1 High (CVE-2023-0010); no fix yet',
    ]);
    assert.deepStrictEqual(warningLines(groups, 'high', { summaryName: 'Grype: dir:/src', reportFile: 'r.json' }), [
      'lodash 4.17.20 (npm): 1 Critical, 1 High (CVE-2023-0009); no fix yet',
      'axios 1.0.0 (npm): 1 High (CVE-2023-0010); no fix yet',
    ]);
  });
  it('output variables: counts with a baseline, empty without', () => {
    assert.deepStrictEqual(baselineVariables(comparison), { newCount: '2', fixedCount: '1' });
    assert.deepStrictEqual(baselineVariables(undefined), { newCount: '', fixedCount: '' });
  });
  it('failOnNewOnly: the fail gate counts only new findings, and only with a baseline', () => {
    assert.deepStrictEqual(findingsForFailGates(current, comparison, true).map((f) => f.id), ['CVE-2023-0009', 'CVE-2023-0010']);
    assert.strictEqual(findingsForFailGates(current, comparison, false), current);
    assert.strictEqual(findingsForFailGates(current, undefined, true), current);
  });
  it('failOnNewOnly decision: an old High does not fail at high, a new one does and says so', () => {
    const policy = { warnOn: 'high', failOn: 'high', failOnKnownExploited: false } as const;
    const onlyOld = compareWithBaseline('base.json', baseline, current.slice(0, 1), []);
    const scope = (c: typeof comparison) => ({ findings: c.newFindings, adjective: 'new', note: 'failOnNewOnly' });
    const passing = decideResult(countFindings(current.slice(0, 1)), groupByPackage(current.slice(0, 1)), policy, scope(onlyOld));
    assert.strictEqual(passing.result, 'SucceededWithIssues', 'warnings still cover the old finding');
    const failing = decideResult(countFindings(current), groupByPackage(current), policy, scope(comparison));
    assert.deepStrictEqual(failing, {
      result: 'Failed',
      message: 'Grype found 2 new vulnerabilities at or above High (failOnSeverity: high, failOnNewOnly) in lodash 4.17.20 (npm), axios 1.0.0 (npm).',
    });
    assert.strictEqual(
      decideResult(countFindings(current), groupByPackage(current), policy).message,
      'Grype found 3 vulnerabilities at or above High (failOnSeverity: high) in lodash 4.17.20 (npm), axios 1.0.0 (npm).',
    );
  });
  it('failOnNewOnly applies to failOnKnownExploited too: an old known-exploited finding does not fail, a new one does', () => {
    const kev = (f: Finding): Finding => ({ ...f, knownExploited: ['CVE-2021-23337'] });
    const old = kev(current[0]); // in the baseline (as its GHSA)
    const policy = { warnOn: 'none', failOn: 'none', failOnKnownExploited: true } as const;
    const onlyOld = compareWithBaseline('base.json', baseline, [old], []);
    const passing = decideResult(countFindings([old]), groupByPackage([old]), policy, { findings: onlyOld.newFindings, adjective: 'new', note: 'failOnNewOnly' });
    assert.deepStrictEqual(passing, { result: 'SucceededWithIssues', message: 'Grype found 1 known-exploited vulnerability in lodash 4.17.20 (npm).' });
    assert.strictEqual(decideResult(countFindings([old]), groupByPackage([old]), policy).result, 'Failed', 'without the scope it fails');
    const oldQs = kev(current[3]); // qs CVE-2022-0002: in the baseline
    const brandNew = kev(current[2]); // axios: a new package
    const now = [old, oldQs, brandNew];
    const c = compareWithBaseline('base.json', baseline, now, []);
    const failing = decideResult(countFindings(now), groupByPackage(now), policy, { findings: c.newFindings, adjective: 'new', note: 'failOnNewOnly' });
    assert.deepStrictEqual(failing, {
      result: 'Failed',
      message: 'Grype found 1 new known-exploited vulnerability (failOnKnownExploited, failOnNewOnly) in axios 1.0.0 (npm).',
    });
  });
  it('summary sections "New since baseline" and "Fixed since baseline"', () => {
    const text = baselineSections(comparison, comparison.newFindings, comparison.fixedFindings).join('\n');
    assert.match(text, /Compared with the baseline `base\.json`/);
    assert.match(text, /#### New since baseline: 2 findings\n/);
    assert.match(text, /\| Critical \| CVE-2023-0009 \| lodash \(npm\) \| 4\.17\.20 \| — \|/);
    assert.match(text, /#### Fixed since baseline: 1 finding\n/);
    assert.match(text, /\| Critical \| CVE-2022-0001 \| minimist \(npm\) \| 1\.2\.5 \| — \|/);
  });
  it('summary tables are capped at 25 rows and say so', () => {
    const many = findings(...Array.from({ length: 30 }, (_, i) => ({ id: `CVE-2024-${1000 + i}`, name: 'p', version: '1' })));
    const c = compareWithBaseline('b.json', [], many, []);
    const text = baselineSections(c, c.newFindings, c.fixedFindings).join('\n');
    assert.match(text, /New since baseline: 30 findings \(25 of 30; the rest are in the reports\)/);
    assert.strictEqual((text.match(/CVE-2024-/g) ?? []).length, 25);
  });
  it('thousands of findings renamed GHSA↔CVE between runs: none new, none fixed', () => {
    const specs = Array.from({ length: 3000 }, (_, i) => ({ id: `CVE-2024-${i}`, related: [`GHSA-${i}`], name: `p${i % 100}`, version: '1' }));
    const before = findings(...specs);
    const now = findings(...specs.map((s) => ({ ...s, id: s.related[0], related: [s.id] })));
    const c = compareWithBaseline('b.json', before, now, []);
    assert.strictEqual(c.newFindings.length, 0);
    assert.strictEqual(c.fixedFindings.length, 0);
  });
});

describe('grype baseline: a folder (downloaded artifact) as baselineReport', () => {
  const stem = 'dir-s-grype-0123abcd';
  it('the report of the same target and job', () => {
    assert.deepStrictEqual(chooseBaselineReport(['/b/x-grype-99999999.grype.json', `/b/${stem}.grype.json`, `/b/${stem}.grype-summary.md`], stem, 'grype'), { file: `/b/${stem}.grype.json` });
  });
  it('else the only report of the same job (an image tag with the build id changes the target)', () => {
    const files = ['/b/myacr.azurecr.io-web-41-grype_web-aaaaaaaa.grype.json', '/b/myacr.azurecr.io-api-41-grype_api-bbbbbbbb.grype.json'];
    assert.deepStrictEqual(chooseBaselineReport(files, 'myacr.azurecr.io-web-42-grype_web-cccccccc', 'grype_web'), { file: files[0] });
  });
  it('else the only report there', () => {
    assert.deepStrictEqual(chooseBaselineReport(['/b/other-job-aaaaaaaa.grype.json', '/b/other.grype.sarif'], stem, 'grype'), { file: '/b/other-job-aaaaaaaa.grype.json' });
  });
  it('none, or several and none of this target or job: why', () => {
    assert.deepStrictEqual(chooseBaselineReport(['/b/x.sarif'], stem, 'grype'), { problem: 'has no Grype JSON report (*.grype.json)' });
    assert.match(chooseBaselineReport(['/b/a-j1-aaaaaaaa.grype.json', '/b/b-j2-bbbbbbbb.grype.json'], stem, 'grype').problem ?? '', /has 2 Grype JSON reports and none is named dir-s-grype-0123abcd\.grype\.json/);
  });
});
