// The "fix first" order, grouping by package and upgrade targets; the stale-DB warning; summary attachment names.
import * as assert from 'assert';
import { attachmentName } from '../../tasks/common/publish';
import { staleDbWarning } from '../../tasks/GrypeScan/dbAge';
import { compareFindings, groupByPackage, rankFindings, upgradeFor, upgradeText } from '../../tasks/GrypeScan/fixFirst';
import { Finding } from '../../tasks/GrypeScan/report';

function finding(over: Partial<Finding>): Finding {
  return {
    id: 'CVE-1', severity: 'High', packageName: 'pkg', packageVersion: '1.0.0', packageType: 'npm', fixState: 'fixed', fixedVersions: ['1.1.0'], description: '',
    risk: 0, epss: 0, knownExploited: [], relatedIds: [], ...over,
  };
}

describe('fix first: order', () => {
  it('known exploited, then severity, then risk, then EPSS, then id', () => {
    const ranked = rankFindings([
      finding({ id: 'CVE-5-id-b', severity: 'High' }),
      finding({ id: 'CVE-4-id-a', severity: 'High' }),
      finding({ id: 'CVE-3-epss', severity: 'High', epss: 0.5 }),
      finding({ id: 'CVE-2-risk', severity: 'High', risk: 10, epss: 0.1 }),
      finding({ id: 'CVE-1-critical', severity: 'Critical' }),
      finding({ id: 'CVE-0-kev-medium', severity: 'Medium', knownExploited: ['CVE-0'] }),
    ]);
    assert.deepStrictEqual(
      ranked.map((f) => f.id),
      ['CVE-0-kev-medium', 'CVE-1-critical', 'CVE-2-risk', 'CVE-3-epss', 'CVE-4-id-a', 'CVE-5-id-b'],
    );
  });
  it('reports without risk, EPSS or KEV sort by severity, then id', () => {
    const ranked = rankFindings([finding({ id: 'B', severity: 'Low' }), finding({ id: 'Z', severity: 'Critical' }), finding({ id: 'A', severity: 'Low' }), finding({ id: 'C', severity: 'Unknown' })]);
    assert.deepStrictEqual(ranked.map((f) => f.id), ['Z', 'A', 'B', 'C']);
  });
  it('is a total order: equal findings compare 0, and the order does not depend on the input order', () => {
    const a = finding({ id: 'X', packageName: 'a' });
    assert.strictEqual(compareFindings(a, { ...a }), 0);
    const list = [finding({ id: 'X', packageName: 'b' }), a, finding({ id: 'X', packageName: 'a', packageVersion: '0.9' })];
    assert.deepStrictEqual(rankFindings(list), rankFindings([...list].reverse()));
  });
});

describe('fix first: grouping by package', () => {
  const groups = groupByPackage([
    finding({ id: 'CVE-A', severity: 'High', packageName: 'a', epss: 0.2 }),
    finding({ id: 'CVE-A2', severity: 'Low', packageName: 'a', epss: 0.6, fixState: 'not-fixed', fixedVersions: [] }),
    finding({ id: 'CVE-B', severity: 'Critical', packageName: 'b' }),
    // Same name, other version or type: other packages.
    finding({ id: 'CVE-A3', severity: 'High', packageName: 'a', packageVersion: '2.0.0' }),
    finding({ id: 'CVE-A4', severity: 'High', packageName: 'a', packageType: 'python', packageVersion: '1.0', fixedVersions: ['1.1'] }),
    finding({ id: 'CVE-K', severity: 'Negligible', packageName: 'k', packageType: 'deb', knownExploited: ['CVE-K'], epss: 0.9 }),
  ]);
  it('a package is name, version and type; groups are ranked by their top finding', () => {
    assert.deepStrictEqual(
      groups.map((g) => `${g.name} ${g.version} ${g.type}`),
      ['k 1.0.0 deb', 'b 1.0.0 npm', 'a 1.0.0 npm', 'a 2.0.0 npm', 'a 1.0 python'],
    );
  });
  it('each group counts its severities, known-exploited and unfixed findings, and keeps the highest EPSS', () => {
    const a = groups[2];
    assert.deepStrictEqual(a.findings.map((f) => f.id), ['CVE-A', 'CVE-A2']);
    assert.deepStrictEqual(a.counts, { Critical: 0, High: 1, Medium: 0, Low: 1, Negligible: 0, Unknown: 0 });
    assert.strictEqual(a.maxEpss, 0.6);
    assert.strictEqual(a.noFix, 1);
    assert.strictEqual(a.knownExploited, 0);
    assert.strictEqual(groups[0].knownExploited, 1);
    assert.strictEqual(upgradeText(a), 'upgrade to 1.1.0 (1 with no fix yet)');
  });
  it('more findings first when the top findings tie', () => {
    const tied = groupByPackage([finding({ id: 'X', packageName: 'one' }), finding({ id: 'X', packageName: 'two' }), finding({ id: 'Y', packageName: 'two', severity: 'Low' })]);
    assert.deepStrictEqual(tied.map((g) => g.name), ['two', 'one']);
  });
});

describe('fix first: upgrade target', () => {
  it('the lowest version that fixes every fixable finding, in the ecosystem order (not text order)', () => {
    const fixes = ['3.9.19', '3.10.0', '3.9.2'].map((v, i) => finding({ id: `F${i}`, packageVersion: '3.9.1', fixedVersions: [v] }));
    assert.deepStrictEqual(upgradeFor('3.9.1', 'npm', fixes), { kind: 'target', version: '3.10.0' });
  });
  it("several fix lines: the lowest listed version above the installed one (Go's go1.20 fixed in 1.19.8 / 1.20.3)", () => {
    const go = [
      finding({ id: 'GO-1', packageName: 'stdlib', packageType: 'go-module', packageVersion: 'go1.20', fixedVersions: ['1.19.8', '1.20.3'] }),
      finding({ id: 'GO-2', packageName: 'stdlib', packageType: 'go-module', packageVersion: 'go1.20', fixedVersions: ['1.20.1', '1.19.6'] }),
    ];
    assert.deepStrictEqual(upgradeFor('go1.20', 'go-module', go), { kind: 'target', version: '1.20.3' });
  });
  it('Debian, RPM, Alpine, Python and Maven versions use their own order', () => {
    const one = (type: string, installed: string, fixes: string[][]) =>
      upgradeFor(installed, type, fixes.map((versions, i) => finding({ id: `F${i}`, packageType: type, packageVersion: installed, fixedVersions: versions })));
    assert.deepStrictEqual(one('deb', '3.0.11-1~deb12u2', [['3.0.13-1~deb12u1'], ['3.0.11-1~deb12u3']]), { kind: 'target', version: '3.0.13-1~deb12u1' });
    assert.deepStrictEqual(one('rpm', '0:3.0.7-24.el9', [['1:3.0.7-25.el9'], ['0:3.0.7-27.el9']]), { kind: 'target', version: '1:3.0.7-25.el9' });
    assert.deepStrictEqual(one('apk', '3.1.4-r0', [['3.1.4-r1'], ['3.1.4_p1-r0']]), { kind: 'target', version: '3.1.4_p1-r0' });
    assert.deepStrictEqual(one('python', '2.25.0', [['2.31.0'], ['2.32.0rc1']]), { kind: 'target', version: '2.32.0rc1' });
    assert.deepStrictEqual(one('java-archive', '2.14.1', [['2.15.0'], ['2.17.1'], ['2.17.0']]), { kind: 'target', version: '2.17.1' });
  });
  it('order unknown (ecosystem, or a version it cannot read): the fix versions as listed', () => {
    assert.deepStrictEqual(upgradeFor('1.0', 'gem', [finding({ fixedVersions: ['1.2', '1.1'] }), finding({ id: 'F2', fixedVersions: ['1.1'] })]), { kind: 'unordered', versions: ['1.2', '1.1'] });
    assert.deepStrictEqual(upgradeFor('1.0.0', 'npm', [finding({ fixedVersions: ['next'] })]), { kind: 'unordered', versions: ['next'] });
    assert.deepStrictEqual(upgradeFor('weird', 'npm', [finding({ fixedVersions: ['1.1.0'] })]), { kind: 'unordered', versions: ['1.1.0'] });
    // A report whose fix is not above the installed version does not agree with the order: no target is claimed.
    assert.deepStrictEqual(upgradeFor('2.0.0', 'npm', [finding({ fixedVersions: ['1.1.0'] })]), { kind: 'unordered', versions: ['1.1.0'] });
    const [group] = groupByPackage([finding({ packageType: 'gem', fixedVersions: ['1.2', '1.1'] })]);
    assert.strictEqual(upgradeText(group), 'fixed in 1.2 / 1.1');
  });
  it('no fixable finding: no fix yet', () => {
    assert.deepStrictEqual(upgradeFor('1.0.0', 'npm', [finding({ fixState: 'not-fixed', fixedVersions: [] }), finding({ fixState: 'wont-fix', fixedVersions: [] })]), { kind: 'none' });
    assert.strictEqual(upgradeText(groupByPackage([finding({ fixState: 'unknown', fixedVersions: [] })])[0]), 'no fix yet');
  });
});

describe('stale vulnerability DB', () => {
  const now = Date.parse('2026-08-10T12:00:00Z');
  it('warns past 2 days, naming the build date and how to refresh', () => {
    const warning = staleDbWarning('2026-08-05T06:00:00Z', now);
    assert.ok(warning);
    assert.match(warning, /built 2026-08-05T06:00:00Z \(5 days old\), more than 2 days ago/);
    assert.match(warning, /dbUpdateUrl/);
    assert.match(warning, /dbCacheDirectory/);
  });
  it('no warning within 2 days, or without a readable date', () => {
    assert.strictEqual(staleDbWarning('2026-08-08T12:00:00Z', now), undefined);
    assert.strictEqual(staleDbWarning('2026-08-08T11:59:00Z', now) !== undefined, true);
    assert.strictEqual(staleDbWarning(undefined, now), undefined);
    assert.strictEqual(staleDbWarning('[not provided]', now), undefined);
  });
});

describe('summary attachment name', () => {
  it('keeps "Grype: <target>" readable while leaving out what the agent refuses in a name', () => {
    const name = attachmentName('Grype: registry:ghcr.io/org/app:1.2 C:\\src\\x <a>|"*?');
    assert.strictEqual(name, 'Grype꞉ registry꞉ghcr.io∕org∕app꞉1.2 C꞉∖src∖x ‹a›¦″∗？');
    assert.ok(!/[\u0000-\u001f:/\\<>|"*?]/.test(name));
  });
  it('one line, neutralised, capped', () => {
    const name = attachmentName(`Grype: dir:x\n##vso[task.complete result=Failed]${'y'.repeat(300)}`);
    assert.ok(!name.includes('##vso['));
    assert.ok(!/[\r\n]/.test(name));
    assert.ok(name.length <= 120);
  });
});
