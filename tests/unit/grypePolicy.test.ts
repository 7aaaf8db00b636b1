import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Finding } from '../../tasks/GrypeScan/report';
import { parseGrypeReport } from '../../tasks/GrypeScan/report';
import { groupByPackage, rankFindings } from '../../tasks/GrypeScan/fixFirst';
import {
  countFindings,
  countsLine,
  decideResult,
  maxSeverity,
  WARNING_ISSUES_PER_STEP,
  meetsThreshold,
  outputVariables,
  packageLine,
  Threshold,
  warningLines,
} from '../../tasks/GrypeScan/policy';
import { buildSummary } from '../../tasks/GrypeScan/summary';
import { GOLDEN, golden } from '../harness/golden';
import { describeSharedFixtures, fixture } from '../harness/paths';
import { countsOf, EPSS, EXPECTED_DEBIAN, EXPECTED_NPM, ExpectedCounts, ExpectedFinding, KNOWN_EXPLOITED } from '../harness/realWorld';

interface Row {
  fixture: string;
  warnOn: Threshold;
  failOn: Threshold;
  onlyFixed?: boolean;
  failOnKev?: boolean;
  result: 'Failed' | 'SucceededWithIssues' | 'Succeeded';
  /** package warning lines (excluding the "N more" line) */
  packageWarnings: number;
  /** the N of the "N more" line, or 0 when there is none */
  more: number;
  vars: Partial<Record<string, string>>;
}

// The project's own reports: the golden ones hold what the records of realWorld.ts say, the
// hand-written ones what was written into them (counted in grypeReport.test.ts).
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible'] as const;
const countsOfFixed = (findings: ExpectedFinding[]) => countsOf(findings.filter((f) => f.fixed !== undefined));
const SEVERITY_WORDS = ['Critical', 'High', 'Medium', 'Low', 'Negligible'] as const;
const reaches = (f: ExpectedFinding, threshold: Threshold) =>
  threshold !== 'none' && (SEVERITY_WORDS as readonly string[]).indexOf(f.severity) >= 0 && (SEVERITY_WORDS as readonly string[]).indexOf(f.severity) <= SEVERITIES.indexOf(threshold);
/** How many packages get a warning: a finding at or above `threshold`, or a known-exploited one. */
const packagesWarned = (findings: ExpectedFinding[], threshold: Threshold) =>
  new Set(findings.filter((f) => reaches(f, threshold) || KNOWN_EXPLOITED.includes(f.cve)).map((f) => `${f.package} ${f.version}`)).size;
function varsOf(c: ExpectedCounts): Row['vars'] {
  const vars: Row['vars'] = { totalCount: String(c.total), fixableCount: String(c.fixable), knownExploitedCount: String(c.knownExploited), maxSeverity: c.maxSeverity, unknownCount: String(c.unknown) };
  for (const s of SEVERITIES) vars[`${s}Count`] = String(c[s]);
  return vars;
}
const npmFixedFindings = EXPECTED_NPM.filter((f) => f.fixed !== undefined);
const debianFixedFindings = EXPECTED_DEBIAN.filter((f) => f.fixed !== undefined);
const npm = countsOf(EXPECTED_NPM);
const npmFixed = countsOfFixed(EXPECTED_NPM);
const debian = countsOf(EXPECTED_DEBIAN);
const debianFixed = countsOfFixed(EXPECTED_DEBIAN);
const DIR = golden(GOLDEN.grypeDirJson);
const IMAGE = golden(GOLDEN.grypeImageJson);
const EMPTY = golden(GOLDEN.grypeEmptyJson);
const HAND07 = fixture('grype-json', 'grype-0.7-shape.json');
const HAND24 = fixture('grype-json', 'grype-0.24-shape.json');

const OWN_TABLE: Row[] = [
  { fixture: DIR, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: packagesWarned(EXPECTED_NPM, 'high'), more: 0, vars: varsOf(npm) },
  { fixture: DIR, warnOn: 'medium', failOn: 'critical', result: 'Failed', packageWarnings: packagesWarned(EXPECTED_NPM, 'medium'), more: 0, vars: varsOf(npm) },
  // lodash's Medium finding is known exploited: it warns whatever warnOn says, and fails with failOnKnownExploited.
  { fixture: DIR, warnOn: 'none', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: packagesWarned(EXPECTED_NPM, 'none'), more: 0, vars: varsOf(npm) },
  { fixture: DIR, warnOn: 'none', failOn: 'none', failOnKev: true, result: 'Failed', packageWarnings: packagesWarned(EXPECTED_NPM, 'none'), more: 0, vars: varsOf(npm) },
  { fixture: DIR, warnOn: 'high', failOn: 'critical', onlyFixed: true, result: 'Failed', packageWarnings: packagesWarned(npmFixedFindings, 'high'), more: 0, vars: varsOf(npmFixed) },
  { fixture: IMAGE, warnOn: 'high', failOn: 'critical', result: 'Failed', packageWarnings: packagesWarned(EXPECTED_DEBIAN, 'high'), more: 0, vars: varsOf(debian) },
  { fixture: IMAGE, warnOn: 'negligible', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: packagesWarned(EXPECTED_DEBIAN, 'negligible'), more: 0, vars: varsOf(debian) },
  // only fixed: the Critical (libtiff6, no fix) drops out, the known-exploited High (libfreetype6) warns and fails the step
  { fixture: IMAGE, warnOn: 'critical', failOn: 'high', onlyFixed: true, result: 'Failed', packageWarnings: packagesWarned(debianFixedFindings, 'critical'), more: 0, vars: varsOf(debianFixed) },
  { fixture: EMPTY, warnOn: 'negligible', failOn: 'negligible', failOnKev: true, result: 'Succeeded', packageWarnings: 0, more: 0, vars: varsOf(countsOf([])) },
  // hand-written: 0.7 has one High in libssl1.1; 0.24 a Critical (left-pad) and a High (request); neither has KEV data
  { fixture: HAND07, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 1, more: 0, vars: { totalCount: '4', fixableCount: '2', unknownCount: '1', knownExploitedCount: '0', maxSeverity: 'High' } },
  { fixture: HAND24, warnOn: 'high', failOn: 'none', failOnKev: true, result: 'SucceededWithIssues', packageWarnings: 2, more: 0, vars: { criticalCount: '1', fixableCount: '0', maxSeverity: 'Critical' } },
  { fixture: HAND24, warnOn: 'high', failOn: 'none', onlyFixed: true, result: 'Succeeded', packageWarnings: 0, more: 0, vars: { totalCount: '0', maxSeverity: 'None' } },
];

// Counts per shared fixture (read independently in grypeReport.test.ts; repeated here as literals):
// 0.104.4 debian 12: C2 H3 M21 L9 N62 U1 (98), fixed: C1 H1 M2 L2 (6)
// 0.7.0 python 3.6:  H32 M613 L107 N681 U76 (1509), fixed (fixedInVersion): H4 M24 L1 U3 (32)
// 0.109.1 debian 13: H10 M19 L5 N47 U9 (90) + 3 ignored, fixed: M4 L1 (5)
// 0.91.0 npm (UTF-16): C2 H10 M26 L13 (51), fixed 50
// 0.24.0 dir: C2 H2 M5 (9), fix state unknown/not-fixed: 0 fixable
// edge stderr-prefixed: H10 M12 L1 (23), all fixed
// 0.104.2 maven dir: C11 H36 M1 (48) in 3 packages; log4j-core 2.14.1 has the 2 known-exploited findings
// 0.111.0 webgoat maven dir: C1 H23 M14 (38) in 2 packages; xstream 1.4.5 has the 1 known-exploited finding
// Packages warned on (a finding at or above warnOn, or known exploited), counted independently of the task:
// D12 high 5, critical 2, medium 23, negligible 45; PY36 high 20, low 119; D13 high 10, medium 14; NPM16 high 11
const D12 = 'grype-0.104.4-debian-12-image.json';
const PY36 = 'grype-0.7.0-python-3.6-image-1509-matches.json';
const D13 = 'grype-0.109.1-debian-13-image.json';
const NPM16 = 'grype-0.91.0-npm-dir-scan.json';
const OLD24 = 'grype-0.24.0-dir-scan.json';
const EDGE = 'edge-grype-stderr-purl-errors-prefixed.json';
const ZERO = 'grype-0.107.1-node-dir-scan-zero-matches.json';
const ZERO07 = 'grype-0.7.0-busybox-image-zero-matches.json';
const MAVEN = 'grype-0.104.2-maven-dir-scan.json';
const WEBGOAT = 'grype-0.111.0-webgoat-maven-dir-scan.json';

const d12Vars = { criticalCount: '2', highCount: '3', mediumCount: '21', lowCount: '9', negligibleCount: '62', unknownCount: '1', totalCount: '98', fixableCount: '6', knownExploitedCount: '0', maxSeverity: 'Critical' };

const TABLE: Row[] = [
  { fixture: D12, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 5, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'critical', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 2, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'medium', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 8, more: 15, vars: d12Vars },
  { fixture: D12, warnOn: 'negligible', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 8, more: 37, vars: d12Vars },
  { fixture: D12, warnOn: 'none', failOn: 'none', result: 'Succeeded', packageWarnings: 0, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'none', failOn: 'none', failOnKev: true, result: 'Succeeded', packageWarnings: 0, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'high', failOn: 'critical', result: 'Failed', packageWarnings: 5, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'none', failOn: 'low', result: 'Failed', packageWarnings: 0, more: 0, vars: d12Vars },
  {
    fixture: D12, warnOn: 'high', failOn: 'critical', onlyFixed: true, result: 'Failed', packageWarnings: 2, more: 0,
    vars: { criticalCount: '1', highCount: '1', mediumCount: '2', lowCount: '2', negligibleCount: '0', unknownCount: '0', totalCount: '6', fixableCount: '6', maxSeverity: 'Critical' },
  },
  {
    fixture: PY36, warnOn: 'critical', failOn: 'none', result: 'Succeeded', packageWarnings: 0, more: 0,
    vars: { criticalCount: '0', highCount: '32', mediumCount: '613', lowCount: '107', negligibleCount: '681', unknownCount: '76', totalCount: '1509', fixableCount: '32', knownExploitedCount: '0', maxSeverity: 'High' },
  },
  { fixture: PY36, warnOn: 'high', failOn: 'high', result: 'Failed', packageWarnings: 8, more: 12, vars: { highCount: '32', maxSeverity: 'High' } },
  { fixture: PY36, warnOn: 'low', failOn: 'critical', failOnKev: true, result: 'SucceededWithIssues', packageWarnings: 8, more: 111, vars: { totalCount: '1509' } },
  {
    fixture: PY36, warnOn: 'high', failOn: 'none', onlyFixed: true, result: 'SucceededWithIssues', packageWarnings: 1, more: 0,
    vars: { highCount: '4', mediumCount: '24', lowCount: '1', negligibleCount: '0', unknownCount: '3', totalCount: '32', fixableCount: '32' },
  },
  {
    fixture: D13, warnOn: 'high', failOn: 'critical', result: 'SucceededWithIssues', packageWarnings: 8, more: 2,
    vars: { criticalCount: '0', highCount: '10', unknownCount: '9', totalCount: '90', maxSeverity: 'High' },
  },
  { fixture: D13, warnOn: 'medium', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 8, more: 6, vars: { totalCount: '90' } },
  { fixture: NPM16, warnOn: 'high', failOn: 'critical', result: 'Failed', packageWarnings: 8, more: 3, vars: { criticalCount: '2', highCount: '10', fixableCount: '50', maxSeverity: 'Critical' } },
  { fixture: OLD24, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 4, more: 0, vars: { criticalCount: '2', fixableCount: '0', maxSeverity: 'Critical' } },
  { fixture: OLD24, warnOn: 'high', failOn: 'none', onlyFixed: true, result: 'Succeeded', packageWarnings: 0, more: 0, vars: { totalCount: '0', maxSeverity: 'None' } },
  { fixture: EDGE, warnOn: 'high', failOn: 'medium', result: 'Failed', packageWarnings: 2, more: 0, vars: { highCount: '10', mediumCount: '12', lowCount: '1', maxSeverity: 'High' } },
  { fixture: ZERO, warnOn: 'negligible', failOn: 'negligible', failOnKev: true, result: 'Succeeded', packageWarnings: 0, more: 0, vars: { totalCount: '0', fixableCount: '0', knownExploitedCount: '0', maxSeverity: 'None' } },
  { fixture: ZERO07, warnOn: 'high', failOn: 'critical', result: 'Succeeded', packageWarnings: 0, more: 0, vars: { totalCount: '0', maxSeverity: 'None' } },
  // Known exploited (CISA KEV): warned on whatever warnOn says; failOnKnownExploited fails.
  { fixture: MAVEN, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 3, more: 0, vars: { criticalCount: '11', highCount: '36', mediumCount: '1', totalCount: '48', knownExploitedCount: '2' } },
  { fixture: MAVEN, warnOn: 'none', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 1, more: 0, vars: { knownExploitedCount: '2' } },
  { fixture: MAVEN, warnOn: 'none', failOn: 'none', failOnKev: true, result: 'Failed', packageWarnings: 1, more: 0, vars: { knownExploitedCount: '2' } },
  { fixture: MAVEN, warnOn: 'critical', failOn: 'critical', failOnKev: true, result: 'Failed', packageWarnings: 3, more: 0, vars: { criticalCount: '11' } },
  { fixture: WEBGOAT, warnOn: 'critical', failOn: 'none', result: 'SucceededWithIssues', packageWarnings: 1, more: 0, vars: { criticalCount: '1', highCount: '23', knownExploitedCount: '1' } },
  { fixture: WEBGOAT, warnOn: 'none', failOn: 'critical', failOnKev: true, result: 'Failed', packageWarnings: 1, more: 0, vars: { knownExploitedCount: '1', totalCount: '38' } },
];

/** One test per row; `file` finds the row's report. */
function policyTests(rows: Row[], file: (fixture: string) => string): void {
  for (const row of rows) {
    const title =
      `${path.basename(row.fixture)} warn=${row.warnOn} fail=${row.failOn}${row.onlyFixed ? ' onlyFixed' : ''}${row.failOnKev ? ' failOnKnownExploited' : ''} → ` +
      `${row.result}, ${row.packageWarnings}${row.more ? ` + "${row.more} more"` : ''} package warnings`;
    it(title, () => {
      const report = parseGrypeReport(fs.readFileSync(file(row.fixture)), { onlyFixed: row.onlyFixed });
      const ranked = rankFindings(report.findings);
      const groups = groupByPackage(ranked);
      const counts = countFindings(ranked);
      const decision = decideResult(counts, groups, { warnOn: row.warnOn, failOn: row.failOn, failOnKnownExploited: row.failOnKev ?? false });
      assert.strictEqual(decision.result, row.result, decision.message);

      const lines = warningLines(groups, row.warnOn, { summaryName: 'Grype: dir:/src', artifactName: 'grype', reportFile: 'x.grype.json' });
      const moreLine = lines.find((l) => / more packages? with /.test(l));
      assert.strictEqual(lines.length - (moreLine ? 1 : 0), row.packageWarnings, lines.join('\n'));
      if (row.more) {
        assert.ok(moreLine, 'no "N more" line');
        assert.strictEqual(lines[lines.length - 1], moreLine, '"N more" line is last');
        assert.match(
          moreLine,
          new RegExp(`^${row.more} more packages? with findings at or above \\w+ or known exploited; see the summary "Grype: dir:/src" in the run's Extensions tab and the grype artifact \\(x\\.grype\\.json\\)$`),
        );
      } else {
        assert.strictEqual(moreLine, undefined);
      }
      // With the result message, everything fits in the agent's 10 warnings per step.
      assert.ok(lines.length <= WARNING_ISSUES_PER_STEP - 1);
      // One line per package, never two for the same one.
      assert.strictEqual(new Set(lines).size, lines.length);

      const vars = outputVariables(counts, maxSeverity(counts), { jsonReport: '/o/x.grype.json', sarifReport: '/o/x.grype.sarif' }, '0.117.0');
      for (const [k, v] of Object.entries(row.vars)) assert.strictEqual(vars[k], v, k);
      assert.strictEqual(vars.jsonReport, '/o/x.grype.json');
      assert.strictEqual(vars.sarifReport, '/o/x.grype.sarif');
      assert.strictEqual(vars.grypeVersion, '0.117.0');
      assert.strictEqual(Number(vars.totalCount), ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'].reduce((n, s) => n + Number(vars[`${s}Count`]), 0));
    });
  }
}

describe("grype policy: thresholds × the project's reports → result, warnings, output variables", () => policyTests(OWN_TABLE, (f) => f));
describeSharedFixtures('grype policy: thresholds × fixtures → result, warnings, output variables', (shared) => policyTests(TABLE, (f) => path.join(shared, 'grype-json', f)));

function finding(over: Partial<Finding>): Finding {
  return {
    id: 'CVE-1', severity: 'High', packageName: 'pkg', packageVersion: '1.0.0', packageType: 'npm', fixState: 'fixed', fixedVersions: ['1.1.0'], description: '',
    risk: 0, epss: 0, knownExploited: [], relatedIds: [], ...over,
  };
}

const where = { summaryName: 'Grype: dir:/src', reportFile: '/out/r.grype.json' };

describe('grype policy: package warnings', () => {
  it('one warning per package, best first, naming version, type, counts, known exploited, top id and the upgrade', () => {
    const groups = groupByPackage([
      finding({ id: 'CVE-LOW', severity: 'Low', packageName: 'left-pad' }),
      ...Array.from({ length: 14 }, (_, i) => finding({ id: `GHSA-c${String(i).padStart(2, '0')}`, severity: 'Critical', packageName: 'vm2', packageVersion: '3.9.17', fixedVersions: [i === 3 ? '3.11.4' : '3.9.19'] })),
      ...Array.from({ length: 3 }, (_, i) => finding({ id: `GHSA-h${i}`, severity: 'High', packageName: 'vm2', packageVersion: '3.9.17', fixedVersions: ['3.10.0'] })),
      finding({ id: 'CVE-2025-27363', severity: 'Medium', packageName: 'libfreetype6', packageVersion: '2.11.1+dfsg-1ubuntu0.2', packageType: 'deb', fixedVersions: ['2.11.1+dfsg-1ubuntu0.3'], epss: 0.77, knownExploited: ['CVE-2025-27363'] }),
      finding({ id: 'CVE-NOFIX', severity: 'High', packageName: 'zlib', packageVersion: '1.2.13', packageType: 'deb', fixState: 'not-fixed', fixedVersions: [] }),
    ]);
    assert.deepStrictEqual(warningLines(groups, 'high', where), [
      'libfreetype6 2.11.1+dfsg-1ubuntu0.2 (deb): 1 Medium, 1 known exploited (CVE-2025-27363); upgrade to 2.11.1+dfsg-1ubuntu0.3',
      'vm2 3.9.17 (npm): 14 Critical, 3 High (GHSA-c00); upgrade to 3.11.4',
      'zlib 1.2.13 (deb): 1 High (CVE-NOFIX); no fix yet',
    ]);
  });
  it('a known-exploited finding below warnOn still warns, and makes the step SucceededWithIssues', () => {
    const findings = [finding({ id: 'CVE-K', severity: 'Low', knownExploited: ['CVE-K'] }), finding({ id: 'CVE-M', severity: 'Medium', packageName: 'other' })];
    const groups = groupByPackage(findings);
    assert.deepStrictEqual(warningLines(groups, 'critical', where), ['pkg 1.0.0 (npm): 1 Low, 1 known exploited (CVE-K); upgrade to 1.1.0']);
    const decision = decideResult(countFindings(findings), groups, { warnOn: 'critical', failOn: 'none', failOnKnownExploited: false });
    assert.deepStrictEqual(decision, { result: 'SucceededWithIssues', message: 'Grype found 1 known-exploited vulnerability in pkg 1.0.0 (npm).' });
  });
  it('Unknown severity never reaches a threshold; negligible reaches only negligible', () => {
    for (const t of ['none', 'negligible', 'low', 'medium', 'high', 'critical'] as Threshold[]) assert.strictEqual(meetsThreshold('Unknown', t), false);
    assert.strictEqual(meetsThreshold('Negligible', 'negligible'), true);
    assert.strictEqual(meetsThreshold('Negligible', 'low'), false);
    assert.strictEqual(meetsThreshold('Critical', 'none'), false);
  });
  it('untrusted text in a warning line is one neutralised line', () => {
    const [group] = groupByPackage([finding({ id: 'CVE-9', packageName: 'evil##vso[task.complete result=Succeeded]\n;x', packageVersion: '1\r\n##vso[task.setvariable variable=a]b' })]);
    const line = packageLine(group);
    assert.ok(!line.includes('##vso['), line);
    assert.ok(!/[\r\n]/.test(line), line);
  });
  const packages = (n: number) => groupByPackage(Array.from({ length: n }, (_, i) => finding({ packageName: `p${String(i).padStart(2, '0')}` })));
  it('9 packages all fit beside the result message; 10 become 8 and "2 more packages"', () => {
    assert.strictEqual(warningLines(packages(9), 'high', where).length, 9);
    const ten = warningLines(packages(10), 'high', where);
    assert.strictEqual(ten.length, 9);
    assert.match(ten[8], /^2 more packages with findings at or above High or known exploited; see the summary "Grype: dir:\/src" in the run's Extensions tab and \/out\/r\.grype\.json$/);
  });
  it('warnings the step already logged (DB fallback, stale DB) take package lines', () => {
    const ten = warningLines(packages(10), 'high', { ...where, alreadyLogged: 2 });
    assert.strictEqual(ten.length, 7);
    assert.match(ten[6], /^4 more packages with /);
  });
  it('with warnOn none, the "N more" line counts known-exploited packages', () => {
    const groups = groupByPackage(Array.from({ length: 12 }, (_, i) => finding({ packageName: `k${i}`, knownExploited: ['CVE-K'] })));
    const lines = warningLines(groups, 'none', { ...where, artifactName: 'grype', reportFile: 'r.grype.json' });
    assert.strictEqual(lines.length, 9);
    assert.strictEqual(lines[8], '4 more packages with known-exploited findings; see the summary "Grype: dir:/src" in the run\'s Extensions tab and the grype artifact (r.grype.json)');
  });
});

describe('grype policy: result messages name the top packages', () => {
  const findings = [
    finding({ id: 'CVE-A', severity: 'Critical', packageName: 'a' }),
    finding({ id: 'CVE-B', severity: 'Critical', packageName: 'b', risk: 90 }),
    finding({ id: 'CVE-C', severity: 'Critical', packageName: 'c' }),
    finding({ id: 'CVE-D', severity: 'Critical', packageName: 'd' }),
    finding({ id: 'CVE-E', severity: 'Critical', packageName: 'e' }),
    finding({ id: 'CVE-K', severity: 'Low', packageName: 'k', packageType: 'deb', knownExploited: ['CVE-K'] }),
  ];
  const groups = groupByPackage(findings);
  const counts = countFindings(findings);
  it('failOnSeverity: the three most urgent packages with a failing finding, then how many more', () => {
    assert.deepStrictEqual(decideResult(counts, groups, { warnOn: 'high', failOn: 'critical', failOnKnownExploited: false }), {
      result: 'Failed',
      message: 'Grype found 5 vulnerabilities at or above Critical (failOnSeverity: critical) in b 1.0.0 (npm), a 1.0.0 (npm), c 1.0.0 (npm) and 2 more packages.',
    });
  });
  it('failOnKnownExploited: Failed naming the known-exploited packages, alone or beside failOnSeverity', () => {
    assert.deepStrictEqual(decideResult(counts, groups, { warnOn: 'high', failOn: 'none', failOnKnownExploited: true }), {
      result: 'Failed',
      message: 'Grype found 1 known-exploited vulnerability (failOnKnownExploited) in k 1.0.0 (deb).',
    });
    assert.match(decideResult(counts, groups, { warnOn: 'high', failOn: 'critical', failOnKnownExploited: true }).message, /^Grype found 5 vulnerabilities at or above Critical .* and 2 more packages; and 1 known-exploited vulnerability \(failOnKnownExploited\) in k 1\.0\.0 \(deb\)\.$/);
  });
  it('warnings: at or above warnOn plus the known-exploited ones below it', () => {
    assert.deepStrictEqual(decideResult(counts, groups, { warnOn: 'high', failOn: 'none', failOnKnownExploited: false }), {
      result: 'SucceededWithIssues',
      message: 'Grype found 5 vulnerabilities at or above High (warnOnSeverity: high) and 1 more known exploited in k 1.0.0 (deb), b 1.0.0 (npm), a 1.0.0 (npm) and 3 more packages.',
    });
  });
  it('one line of counts, empty severities left out', () => {
    assert.strictEqual(countsLine(counts, groups.length), '6 findings in 6 packages: 5 Critical, 1 Low; 6 with a fix; 1 known exploited');
    assert.strictEqual(countsLine(countFindings([]), 0), 'no findings');
  });
});

/** The summary's input for one report, as the task builds it. */
function summaryInput(file: string, grypeVersion: string, dbBuilt: string, now: number) {
  const report = parseGrypeReport(fs.readFileSync(file));
  const ranked = rankFindings(report.findings);
  const groups = groupByPackage(ranked);
  const counts = countFindings(ranked);
  return {
    target: 'dir:/src',
    counts,
    groups,
    ranked,
    decision: decideResult(counts, groups, { warnOn: 'high', failOn: 'none', failOnKnownExploited: false }),
    warnOnSeverity: 'high' as Threshold,
    failOnSeverity: 'none' as Threshold,
    failOnKnownExploited: false,
    onlyFixed: false,
    ignoredCount: 0,
    grypeVersion,
    dbBuilt,
    dbSchemaVersion: 'v6.1.0',
    reportFiles: ['a.grype.json', 'a.grype.sarif'],
    artifactName: 'grype',
    now,
  };
}
/** The body rows of the table under `heading` (after its header and separator lines). */
const tableRows = (md: string, heading: string) => {
  const lines = md.split('\n');
  const body = lines.slice(lines.findIndex((l) => l.startsWith(heading)) + 4);
  return body.slice(0, body.findIndex((l) => !l.startsWith('| ')));
};

describe('grype summary (markdown)', () => {
  // The golden scan of the npm project: lodash 4.17.20 has the known-exploited (Medium) finding,
  // vm2 3.9.17 a Critical with no fix yet; EPSS as the records give it.
  const base = summaryInput(DIR, '0.122.0', '2026-12-01T06:00:00Z', Date.parse('2026-12-06T06:00:00Z'));
  const md = buildSummary(base);
  const lines = md.split('\n');
  const epss = (cve: string) => `${(EPSS[cve] * 100).toFixed(1)} %`;
  it('in order: heading and result, one line of counts, Fix first, top findings, notes', () => {
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const counts = `${npm.total} findings in 3 packages: ${npm.critical} Critical, ${npm.high} High, ${npm.medium} Medium; ${npm.fixable} with a fix; ${npm.knownExploited} known exploited`;
    const order = [/^### Grype scan of `dir:\/src`$/, /^⚠️ \*\*SucceededWithIssues\*\*: /, new RegExp(`^\\*\\*${counts}\\*\\*$`), /^#### Fix first /, /^#### Top findings /, /^#### Notes$/].map(at);
    assert.ok(order.every((i) => i >= 0), `${order.join(',')}\n${md}`);
    assert.deepStrictEqual([...order].sort((a, b) => a - b), order);
  });
  it('Fix first: one row per package, known exploited first, with max EPSS and the upgrade target', () => {
    assert.match(md, /#### Fix first \(all 3 packages, most urgent first\)/);
    assert.deepStrictEqual(tableRows(md, '#### Fix first'), [
      `| lodash (npm) | 4.17.20 | 1 High, 1 Medium | 1 | ${epss('CVE-2021-23337')} | 4.17.21 |`,
      // Two Criticals, the higher EPSS (and risk) first; one of them has no fix yet.
      `| vm2 (npm) | 3.9.17 | 2 Critical |  | ${epss('CVE-2023-37466')} | 3.10.0 (1 with no fix yet) |`,
      `| minimist (npm) | 1.2.5 | 1 Critical |  | ${epss('CVE-2021-44906')} | 1.2.6 |`,
    ]);
  });
  it('Fix first in Debian version order: the image scan', () => {
    const image = buildSummary(summaryInput(IMAGE, '0.122.0', '2026-12-01T06:00:00Z', Date.parse('2026-12-06T06:00:00Z')));
    assert.deepStrictEqual(tableRows(image, '#### Fix first'), [
      `| libfreetype6 (deb) | 2.12.1+dfsg-5 | 1 High | 1 | ${epss('CVE-2025-27363')} | 2.12.1+dfsg-5+deb12u4 |`,
      `| libtiff6 (deb) | 4.5.0-6+deb12u1 | 1 Critical |  | ${epss('CVE-2023-3164')} | no fix yet |`,
      `| openssl (deb) | 3.0.11-1\\~deb12u1 | 1 Medium |  | ${epss('CVE-2023-5678')} | 3.0.11-1\\~deb12u2 |`,
    ]);
  });
  it('top findings: known-exploited first, with known-exploited and EPSS columns', () => {
    const header = lines.find((l) => l.startsWith('| Severity |'));
    assert.strictEqual(header, '| Severity | Vulnerability | Package | Installed | Fixed in | Known exploited | EPSS | Description |');
    const rows = lines.filter((l) => /^\| (Critical|High|Medium|Low|Negligible|Unknown) \| /.test(l));
    assert.strictEqual(rows.length, npm.total);
    assert.match(rows[0], new RegExp(`^\\| Medium \\| GHSA-29mw-wpgm-hmr9 \\| lodash \\(npm\\) \\| 4\\.17\\.20 \\| 4\\.17\\.21 \\| yes \\| ${epss('CVE-2020-28500').replace('.', '\\.')} \\| `));
    assert.match(rows[1], /^\| Critical \| GHSA-cchq-frgv-rjh5 \| vm2 /);
    assert.ok(rows.slice(1).every((r) => !r.includes('| yes |')), rows.join('\n'));
    assert.match(rows[rows.length - 1], /^\| High \| GHSA-35jh-r3h4-6jhm \| lodash /);
  });
  it('notes: Grype and DB versions with the DB age, thresholds, reports', () => {
    assert.match(md, /- Grype 0\.122\.0 · vulnerability DB built 2026-12-01T06:00:00Z \(5 days old\), schema v6\.1\.0 · target `dir:\/src`/);
    assert.match(md, /- Warn at high or known exploited, fail at none\./);
    assert.match(md, /- Reports \(build artifact `grype`\): `a\.grype\.json`, `a\.grype\.sarif`/);
  });
  it("says what was not counted: Grype's ignoredMatches also hold unfixed matches under onlyFixed (--only-fixed)", () => {
    const note = (onlyFixed: boolean, ignoredCount: number) => buildSummary({ ...base, onlyFixed, ignoredCount }).split('\n').find((l) => l.startsWith('- Warn at'));
    assert.strictEqual(note(false, 0), '- Warn at high or known exploited, fail at none.');
    assert.strictEqual(note(false, 3), '- Warn at high or known exploited, fail at none. 3 matches ignored by Grype (ignore rules or VEX) and not counted.');
    assert.strictEqual(note(true, 0), '- Warn at high or known exploited, fail at none. Only findings with a fix are counted (onlyFixed).');
    assert.strictEqual(note(true, 7), '- Warn at high or known exploited, fail at none. 7 matches not counted: ignored by Grype (ignore rules or VEX) or without a fix (onlyFixed).');
    assert.strictEqual(note(false, 1), '- Warn at high or known exploited, fail at none. 1 match ignored by Grype (ignore rules or VEX) and not counted.');
  });
  it('notes say when the fail gates count only new findings (failOnNewOnly with a baseline)', () => {
    const note = buildSummary({ ...base, failOnSeverity: 'high', failOnKnownExploited: true, failOnNewOnly: true }).split('\n').find((l) => l.startsWith('- Warn at'));
    assert.strictEqual(note, '- Warn at high or known exploited, fail at high or known exploited (failOnKnownExploited), counting only findings new since the baseline (failOnNewOnly).');
  });
  it('a report from before EPSS and KEV: empty columns, ordered by severity', () => {
    // hand-written 0.24 shape: a Critical, a High and a Medium, in another order in the file
    const out = buildSummary(summaryInput(HAND24, '0.24.0', '2026-12-01T06:00:00Z', Date.parse('2026-12-06T06:00:00Z')));
    const rows = out.split('\n').filter((l) => /^\| (Critical|High|Medium|Low|Negligible|Unknown) \| /.test(l));
    assert.deepStrictEqual(rows.map((r) => r.split(' | ')[0]), ['| Critical', '| High', '| Medium'], rows.join('\n'));
    assert.ok(rows.every((r) => / \|  \|  \| [^|]*\|$/.test(r)), `no known-exploited or EPSS values:\n${rows.join('\n')}`);
  });
  it('escapes report text for Markdown: no emphasis, code, tables, HTML or links', () => {
    const evil = [
      finding({
        packageName: 'a|b_c*d~e`f##vso[task.setvariable variable=x]1',
        description: 'see [here](https://evil.example/x) or www.evil.example\n##vso[task.complete result=Succeeded]\n<script>&lt;b&gt;',
      }),
    ];
    const r = rankFindings(evil);
    const out = buildSummary({ ...base, counts: countFindings(r), ranked: r, groups: groupByPackage(r) });
    assert.ok(!out.includes('##vso['));
    assert.ok(!out.includes('<script>'));
    assert.ok(!out.includes('&lt;b&gt;'), 'entities in report text are shown as text, not decoded');
    assert.ok(!/https?:\/\//.test(out), 'no URL a renderer would link');
    assert.ok(!/\bwww\./.test(out), 'no www. a renderer would link');
    assert.ok(out.includes('\\[here\\]'), 'link brackets escaped');
    assert.ok(out.includes('a\\|b\\_c\\*d\\~e\\`f##\\_vso\\[task.setvariable variable=x\\]1'), out);
  });
});

describeSharedFixtures('grype summary (markdown) over a Maven scan', (shared) => {
  const md = buildSummary(summaryInput(path.join(shared, 'grype-json', MAVEN), '0.104.2', '2026-01-15T00:00:00Z', Date.parse('2026-01-20T00:00:00Z')));
  it('Fix first: known exploited first, then risk, and the upgrade target in Maven version order', () => {
    assert.match(md, /^\*\*48 findings in 3 packages: 11 Critical, 36 High, 1 Medium; 48 with a fix; 2 known exploited\*\*$/m);
    const rows = tableRows(md, '#### Fix first').slice(0, 3);
    assert.strictEqual(rows[0], '| log4j-core (java-archive) | 2.14.1 | 2 Critical, 1 High, 1 Medium | 2 | 94.4 % | 2.17.1 |');
    // Text4Shell (risk 88.5) before jackson-databind's top Critical (risk 58.3): same severity, higher risk.
    assert.strictEqual(rows[1], '| commons-text (java-archive) | 1.9 | 1 Critical |  | 94.2 % | 1.10.0 |');
    // The lowest version fixing all 43, in Maven order (2.12.7.1 after 2.9.10.8, unlike text order).
    assert.match(rows[2], /^\| jackson-databind \(java-archive\) \| 2\.9\.10 \| 8 Critical, 35 High \| {2}\| [\d.]+ % \| 2\.12\.7\.1 \|$/);
  });
  it('top findings: the two known-exploited log4j-core findings first', () => {
    const rows = md.split('\n').filter((l) => /^\| (Critical|High|Medium|Low|Negligible|Unknown) \| /.test(l));
    assert.strictEqual(rows.length, 25);
    assert.match(rows[0], /^\| Critical \| GHSA-jfh8-c2jp-5v3q \| log4j-core \(java-archive\) \| 2\.14\.1 \| 2\.15\.0 \| yes \| 94\.4 % \| /);
    assert.match(rows[1], /^\| Critical \| GHSA-7rjr-3q55-vv33 \| log4j-core .* \| yes \| /);
    assert.doesNotMatch(rows[2], /\| yes \|/);
  });
});
