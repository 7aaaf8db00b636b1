import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Finding } from '../../tasks/GrypeScan/report';
import { parseGrypeReport } from '../../tasks/GrypeScan/report';
import {
  countFindings,
  decideResult,
  findingLine,
  maxSeverity,
  WARNING_ISSUES_PER_STEP,
  meetsThreshold,
  outputVariables,
  sortFindings,
  Threshold,
  warningLines,
} from '../../tasks/GrypeScan/policy';
import { buildSummary } from '../../tasks/GrypeScan/summary';
import { GOLDEN, golden } from '../harness/golden';
import { describeSharedFixtures, fixture } from '../harness/paths';
import { countsOf, EXPECTED_DEBIAN, EXPECTED_NPM, ExpectedCounts, ExpectedFinding } from '../harness/realWorld';

interface Row {
  fixture: string;
  warnOn: Threshold;
  failOn: Threshold;
  onlyFixed?: boolean;
  result: 'Failed' | 'SucceededWithIssues' | 'Succeeded';
  /** finding warning lines (excluding the "N more" line) */
  findingWarnings: number;
  /** the N of the "N more" line, or 0 when there is none */
  more: number;
  vars: Partial<Record<string, string>>;
}

// The project's own reports: the golden ones hold what the records of realWorld.ts say, the
// hand-written ones what was written into them (counted in grypeReport.test.ts).
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible'] as const;
const countsOfFixed = (findings: ExpectedFinding[]) => countsOf(findings.filter((f) => f.fixed !== undefined));
/** How many findings are at or above `threshold`. */
const atOrAbove = (c: ExpectedCounts, threshold: (typeof SEVERITIES)[number]) => SEVERITIES.slice(0, SEVERITIES.indexOf(threshold) + 1).reduce((n, s) => n + c[s], 0);
function varsOf(c: ExpectedCounts): Row['vars'] {
  const vars: Row['vars'] = { totalCount: String(c.total), fixableCount: String(c.fixable), maxSeverity: c.maxSeverity, unknownCount: String(c.unknown) };
  for (const s of SEVERITIES) vars[`${s}Count`] = String(c[s]);
  return vars;
}
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
  { fixture: DIR, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: atOrAbove(npm, 'high'), more: 0, vars: varsOf(npm) },
  { fixture: DIR, warnOn: 'medium', failOn: 'critical', result: 'Failed', findingWarnings: atOrAbove(npm, 'medium'), more: 0, vars: varsOf(npm) },
  { fixture: DIR, warnOn: 'none', failOn: 'none', result: 'Succeeded', findingWarnings: 0, more: 0, vars: varsOf(npm) },
  { fixture: DIR, warnOn: 'high', failOn: 'critical', onlyFixed: true, result: 'Failed', findingWarnings: atOrAbove(npmFixed, 'high'), more: 0, vars: varsOf(npmFixed) },
  { fixture: IMAGE, warnOn: 'high', failOn: 'critical', result: 'Failed', findingWarnings: atOrAbove(debian, 'high'), more: 0, vars: varsOf(debian) },
  { fixture: IMAGE, warnOn: 'negligible', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: atOrAbove(debian, 'negligible'), more: 0, vars: varsOf(debian) },
  // only fixed: the Critical (libtiff6, no fix) drops out, the High (libfreetype6) fails the step
  { fixture: IMAGE, warnOn: 'critical', failOn: 'high', onlyFixed: true, result: 'Failed', findingWarnings: atOrAbove(debianFixed, 'critical'), more: 0, vars: varsOf(debianFixed) },
  { fixture: EMPTY, warnOn: 'negligible', failOn: 'negligible', result: 'Succeeded', findingWarnings: 0, more: 0, vars: varsOf(countsOf([])) },
  { fixture: HAND07, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 1, more: 0, vars: { totalCount: '4', fixableCount: '2', unknownCount: '1', maxSeverity: 'High' } },
  { fixture: HAND24, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 2, more: 0, vars: { criticalCount: '1', fixableCount: '0', maxSeverity: 'Critical' } },
  { fixture: HAND24, warnOn: 'high', failOn: 'none', onlyFixed: true, result: 'Succeeded', findingWarnings: 0, more: 0, vars: { totalCount: '0', maxSeverity: 'None' } },
];

// Counts per shared fixture (read independently in grypeReport.test.ts; repeated here as literals):
// 0.104.4 debian 12: C2 H3 M21 L9 N62 U1 (98), fixed: C1 H1 M2 L2 (6)
// 0.7.0 python 3.6:  H32 M613 L107 N681 U76 (1509), fixed (fixedInVersion): H4 M24 L1 U3 (32)
// 0.109.1 debian 13: H10 M19 L5 N47 U9 (90) + 3 ignored, fixed: M4 L1 (5)
// 0.91.0 npm (UTF-16): C2 H10 M26 L13 (51), fixed 50
// 0.24.0 dir: C2 H2 M5 (9), fix state unknown/not-fixed: 0 fixable
// edge stderr-prefixed: H10 M12 L1 (23), all fixed
const D12 = 'grype-0.104.4-debian-12-image.json';
const PY36 = 'grype-0.7.0-python-3.6-image-1509-matches.json';
const D13 = 'grype-0.109.1-debian-13-image.json';
const NPM16 = 'grype-0.91.0-npm-dir-scan.json';
const OLD24 = 'grype-0.24.0-dir-scan.json';
const EDGE = 'edge-grype-stderr-purl-errors-prefixed.json';
const ZERO = 'grype-0.107.1-node-dir-scan-zero-matches.json';
const ZERO07 = 'grype-0.7.0-busybox-image-zero-matches.json';

const d12Vars = { criticalCount: '2', highCount: '3', mediumCount: '21', lowCount: '9', negligibleCount: '62', unknownCount: '1', totalCount: '98', fixableCount: '6', maxSeverity: 'Critical' };

const TABLE: Row[] = [
  { fixture: D12, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 5, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'critical', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 2, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'medium', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 8, more: 18, vars: d12Vars },
  { fixture: D12, warnOn: 'negligible', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 8, more: 89, vars: d12Vars },
  { fixture: D12, warnOn: 'none', failOn: 'none', result: 'Succeeded', findingWarnings: 0, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'high', failOn: 'critical', result: 'Failed', findingWarnings: 5, more: 0, vars: d12Vars },
  { fixture: D12, warnOn: 'none', failOn: 'low', result: 'Failed', findingWarnings: 0, more: 0, vars: d12Vars },
  {
    fixture: D12, warnOn: 'high', failOn: 'critical', onlyFixed: true, result: 'Failed', findingWarnings: 2, more: 0,
    vars: { criticalCount: '1', highCount: '1', mediumCount: '2', lowCount: '2', negligibleCount: '0', unknownCount: '0', totalCount: '6', fixableCount: '6', maxSeverity: 'Critical' },
  },
  {
    fixture: PY36, warnOn: 'critical', failOn: 'none', result: 'Succeeded', findingWarnings: 0, more: 0,
    vars: { criticalCount: '0', highCount: '32', mediumCount: '613', lowCount: '107', negligibleCount: '681', unknownCount: '76', totalCount: '1509', fixableCount: '32', maxSeverity: 'High' },
  },
  { fixture: PY36, warnOn: 'high', failOn: 'high', result: 'Failed', findingWarnings: 8, more: 24, vars: { highCount: '32', maxSeverity: 'High' } },
  { fixture: PY36, warnOn: 'low', failOn: 'critical', result: 'SucceededWithIssues', findingWarnings: 8, more: 744, vars: { totalCount: '1509' } },
  {
    fixture: PY36, warnOn: 'high', failOn: 'none', onlyFixed: true, result: 'SucceededWithIssues', findingWarnings: 4, more: 0,
    vars: { highCount: '4', mediumCount: '24', lowCount: '1', negligibleCount: '0', unknownCount: '3', totalCount: '32', fixableCount: '32' },
  },
  {
    fixture: D13, warnOn: 'high', failOn: 'critical', result: 'SucceededWithIssues', findingWarnings: 8, more: 2,
    vars: { criticalCount: '0', highCount: '10', unknownCount: '9', totalCount: '90', maxSeverity: 'High' },
  },
  { fixture: D13, warnOn: 'medium', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 8, more: 21, vars: { totalCount: '90' } },
  { fixture: NPM16, warnOn: 'high', failOn: 'critical', result: 'Failed', findingWarnings: 8, more: 4, vars: { criticalCount: '2', highCount: '10', fixableCount: '50', maxSeverity: 'Critical' } },
  { fixture: OLD24, warnOn: 'high', failOn: 'none', result: 'SucceededWithIssues', findingWarnings: 4, more: 0, vars: { criticalCount: '2', fixableCount: '0', maxSeverity: 'Critical' } },
  { fixture: OLD24, warnOn: 'high', failOn: 'none', onlyFixed: true, result: 'Succeeded', findingWarnings: 0, more: 0, vars: { totalCount: '0', maxSeverity: 'None' } },
  { fixture: EDGE, warnOn: 'high', failOn: 'medium', result: 'Failed', findingWarnings: 8, more: 2, vars: { highCount: '10', mediumCount: '12', lowCount: '1', maxSeverity: 'High' } },
  { fixture: ZERO, warnOn: 'negligible', failOn: 'negligible', result: 'Succeeded', findingWarnings: 0, more: 0, vars: { totalCount: '0', fixableCount: '0', maxSeverity: 'None' } },
  { fixture: ZERO07, warnOn: 'high', failOn: 'critical', result: 'Succeeded', findingWarnings: 0, more: 0, vars: { totalCount: '0', maxSeverity: 'None' } },
];

/** One test per row; `file` finds the row's report. */
function policyTests(rows: Row[], file: (fixture: string) => string): void {
  for (const row of rows) {
    const title = `${path.basename(row.fixture)} warn=${row.warnOn} fail=${row.failOn}${row.onlyFixed ? ' onlyFixed' : ''} → ${row.result}, ${row.findingWarnings}${row.more ? ` + "${row.more} more"` : ''} warnings`;
    it(title, () => {
      const report = parseGrypeReport(fs.readFileSync(file(row.fixture)), { onlyFixed: row.onlyFixed });
      const sorted = sortFindings(report.findings);
      const counts = countFindings(sorted);
      const decision = decideResult(counts, row.warnOn, row.failOn);
      assert.strictEqual(decision.result, row.result, decision.message);

      const lines = warningLines(sorted, row.warnOn, { artifactName: 'grype', reportFile: 'x.grype.json' });
      const moreLine = lines.find((l) => / more findings? at or above /.test(l));
      assert.strictEqual(lines.length - (moreLine ? 1 : 0), row.findingWarnings);
      if (row.more) {
        assert.ok(moreLine, 'no "N more" line');
        assert.strictEqual(lines[lines.length - 1], moreLine, '"N more" line is last');
        assert.match(moreLine, new RegExp(`^${row.more} more findings? at or above \\w+; see the summary tab and the grype artifact \\(x\\.grype\\.json\\)$`));
      } else {
        assert.strictEqual(moreLine, undefined);
      }
      // With the result message, everything fits in the agent's 10 warnings per step.
      assert.ok(lines.length <= WARNING_ISSUES_PER_STEP - 1);

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
  return { id: 'CVE-1', severity: 'High', packageName: 'pkg', packageVersion: '1.0', packageType: 'npm', fixState: 'fixed', fixedVersions: ['1.1'], description: '', ...over };
}

describe('grype policy: details', () => {
  it('warnings are most severe first and name id, severity, package, installed and fixed version', () => {
    const sorted = sortFindings([
      finding({ id: 'CVE-LOW', severity: 'Low' }),
      finding({ id: 'CVE-CRIT', severity: 'Critical', packageName: 'openssl', packageVersion: '1.1.1k', fixedVersions: ['1.1.1l'] }),
      finding({ id: 'CVE-HIGH-NOFIX', severity: 'High', fixState: 'not-fixed', fixedVersions: [] }),
    ]);
    const lines = warningLines(sorted, 'low', { reportFile: '/out/r.json' });
    assert.deepStrictEqual(lines, [
      'CVE-CRIT (Critical) in openssl 1.1.1k, fixed in 1.1.1l',
      'CVE-HIGH-NOFIX (High) in pkg 1.0, no fix (not-fixed)',
      'CVE-LOW (Low) in pkg 1.0, fixed in 1.1',
    ]);
  });
  it('Unknown severity never reaches a threshold; negligible reaches only negligible', () => {
    for (const t of ['none', 'negligible', 'low', 'medium', 'high', 'critical'] as Threshold[]) assert.strictEqual(meetsThreshold('Unknown', t), false);
    assert.strictEqual(meetsThreshold('Negligible', 'negligible'), true);
    assert.strictEqual(meetsThreshold('Negligible', 'low'), false);
    assert.strictEqual(meetsThreshold('Critical', 'none'), false);
  });
  it('untrusted text in a warning line is one neutralised line', () => {
    const line = findingLine(finding({ id: 'CVE-9', packageName: 'evil##vso[task.complete result=Succeeded]\n;x', packageVersion: '1\r\n##vso[task.setvariable variable=a]b' }));
    assert.ok(!line.includes('##vso['), line);
    assert.ok(!/[\r\n]/.test(line), line);
  });
  it('9 matching findings all fit beside the result message; 10 become 8 and "2 more"', () => {
    const nine = Array.from({ length: 9 }, (_, i) => finding({ id: `CVE-${i}` }));
    assert.strictEqual(warningLines(nine, 'high', { reportFile: 'r' }).length, 9);
    const ten = warningLines(Array.from({ length: 10 }, (_, i) => finding({ id: `CVE-${i}` })), 'high', { reportFile: 'r' });
    assert.strictEqual(ten.length, 9);
    assert.match(ten[8], /^2 more findings at or above High/);
  });
  it('a warning the step already logged (DB fallback) takes one finding line', () => {
    const ten = warningLines(Array.from({ length: 10 }, (_, i) => finding({ id: `CVE-${i}` })), 'high', { reportFile: 'r', alreadyLogged: 1 });
    assert.strictEqual(ten.length, 8);
    assert.match(ten[7], /^3 more findings at or above High/);
  });
  it('"N more" without an artifact points at the report path', () => {
    const many = Array.from({ length: 12 }, (_, i) => finding({ id: `CVE-${i}` }));
    const lines = warningLines(sortFindings(many), 'high', { reportFile: '/out/r.grype.json' });
    assert.strictEqual(lines.length, 9);
    assert.strictEqual(lines[8], '4 more findings at or above High; see the summary tab and /out/r.grype.json');
  });
});

describe('grype summary (markdown)', () => {
  // The severity mix of a large image scan (98 findings), so that the cap and the bars show.
  const mix: [Finding['severity'], number][] = [['Critical', 2], ['High', 3], ['Medium', 21], ['Low', 9], ['Negligible', 62], ['Unknown', 1]];
  const sorted = sortFindings(mix.flatMap(([severity, n]) => Array.from({ length: n }, (_, i) => finding({ id: `CVE-2026-${severity}-${i}`, severity }))));
  const counts = countFindings(sorted);
  const md = buildSummary({
    target: 'registry:exam:v1',
    counts,
    sorted,
    decision: decideResult(counts, 'high', 'none'),
    warnOnSeverity: 'high',
    failOnSeverity: 'none',
    onlyFixed: false,
    ignoredCount: 0,
    grypeVersion: '0.104.4',
    dbBuilt: '2026-01-15T00:00:00Z',
    dbSchemaVersion: 'v6.1.0',
    reportFiles: ['a.grype.json', 'a.grype.sarif'],
    artifactName: 'grype',
  });
  it('has counts with proportional bars, most severe first', () => {
    assert.match(md, /\| Critical \| 2 \| █░+ \|/);
    assert.match(md, /\| Negligible \| 62 \| █{20} \|/);
    assert.ok(md.indexOf('| Critical |') < md.indexOf('| High |'));
  });
  it('has a capped top-findings table, most severe first, with fixed versions', () => {
    assert.match(md, /Top findings \(25 of 98, most severe first\)/);
    const rows = md.split('\n').filter((l) => /^\| (Critical|High|Medium|Low|Negligible|Unknown) \| [A-Z]/.test(l));
    assert.strictEqual(rows.length, 25);
    assert.ok(rows[0].startsWith('| Critical |'));
    assert.ok(rows.some((r) => /\| Critical \| [^|]+ \| [^|]+ \| [^|]+ \| [0-9]/.test(r)), 'a fixed version is shown');
  });
  it('names Grype and DB versions and the target', () => {
    assert.match(md, /Grype 0\.104\.4/);
    assert.match(md, /built 2026-01-15T00:00:00Z, schema v6\.1\.0/);
    assert.match(md, /`registry:exam:v1`/);
  });
  it("says what was not counted: Grype's ignoredMatches also hold unfixed matches under onlyFixed (--only-fixed)", () => {
    const one = sortFindings([finding({ fixState: 'fixed', fixedVersions: ['2'] })]);
    const line = (onlyFixed: boolean, ignoredCount: number) =>
      buildSummary({ target: 'dir:/x', counts: countFindings(one), sorted: one, decision: decideResult(countFindings(one), 'high', 'none'), warnOnSeverity: 'high', failOnSeverity: 'none', onlyFixed, ignoredCount, reportFiles: [] })
        .split('\n')
        .find((l) => l.startsWith('**1 finding**'));
    assert.strictEqual(line(false, 0), '**1 finding**, 1 with a fixed version. Warn at high, fail at none.');
    assert.strictEqual(line(false, 3), "**1 finding**, 1 with a fixed version; 3 ignored by Grype's configuration. Warn at high, fail at none.");
    assert.strictEqual(line(true, 0), '**1 finding**, 1 with a fixed version; only findings with a fix are counted (onlyFixed). Warn at high, fail at none.');
    assert.strictEqual(line(true, 7), "**1 finding**, 1 with a fixed version; 7 not counted: ignored by Grype's configuration or without a fix (onlyFixed). Warn at high, fail at none.");
  });
  it('escapes hostile package names and descriptions', () => {
    const evil = sortFindings([finding({ packageName: 'a|b##vso[task.setvariable variable=x]1', description: 'line1\n##vso[task.complete result=Succeeded]\n<script>' })]);
    const out = buildSummary({ target: 'dir:/x', counts: countFindings(evil), sorted: evil, decision: decideResult(countFindings(evil), 'high', 'none'), warnOnSeverity: 'high', failOnSeverity: 'none', onlyFixed: false, ignoredCount: 0, reportFiles: [] });
    assert.ok(!out.includes('##vso['));
    assert.ok(!out.includes('<script>'));
    assert.match(out, /a\\\|b##_vso\\\[task\.setvariable variable=x\\\]1/);
  });
});
