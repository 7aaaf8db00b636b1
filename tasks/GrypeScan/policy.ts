import { oneLine } from '../common/text';
import { Finding, SEVERITIES, Severity } from './report';

/**
 * Counting, thresholds, the task result and the warning lines. PURE.
 *
 * Thresholds follow Grype's own `--fail-on`: Critical > High > Medium > Low > Negligible, and a
 * finding of Unknown severity never reaches a threshold (it is counted and shown, not warned on).
 */

export const THRESHOLDS = ['none', 'negligible', 'low', 'medium', 'high', 'critical'] as const;
export type Threshold = (typeof THRESHOLDS)[number];

export type TaskOutcome = 'Failed' | 'SucceededWithIssues' | 'Succeeded';

/**
 * The agent turns only the first 10 warnings of a step into issues; the rest stay in the log only.
 * One of the 10 is the result message (SucceededWithIssues), so the finding lines plus the
 * "N more" line must fit in the other 9 for the "N more" line to be seen.
 */
export const WARNING_ISSUES_PER_STEP = 10;
const FINDING_LINE_BUDGET = WARNING_ISSUES_PER_STEP - 1;

export interface Counts {
  Critical: number;
  High: number;
  Medium: number;
  Low: number;
  Negligible: number;
  Unknown: number;
  total: number;
  /** Findings whose fix state is `fixed` (a fixed version exists). */
  fixable: number;
}

/** 0 = Critical … 5 = Unknown. */
function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The severity a threshold word stands for; undefined for `none`. */
function thresholdSeverity(threshold: Threshold): Severity | undefined {
  return threshold === 'none' ? undefined : (threshold[0].toUpperCase() + threshold.slice(1)) as Severity;
}

export function meetsThreshold(severity: Severity, threshold: Threshold): boolean {
  const limit = thresholdSeverity(threshold);
  if (!limit || severity === 'Unknown') return false;
  return severityRank(severity) <= severityRank(limit);
}

export function countFindings(findings: readonly Finding[]): Counts {
  const counts: Counts = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, total: 0, fixable: 0 };
  for (const f of findings) {
    counts[f.severity]++;
    if (f.fixState === 'fixed') counts.fixable++;
  }
  counts.total = findings.length;
  return counts;
}

/** The most severe severity present, or `None`. */
export function maxSeverity(counts: Counts): Severity | 'None' {
  return SEVERITIES.find((s) => counts[s] > 0) ?? 'None';
}

/** Most severe first; then fixable first (actionable), then by id and package for a stable order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      Number(b.fixState === 'fixed') - Number(a.fixState === 'fixed') ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
      (a.packageName < b.packageName ? -1 : a.packageName > b.packageName ? 1 : 0),
  );
}

function countAtOrAbove(counts: Counts, threshold: Threshold): number {
  return SEVERITIES.filter((s) => meetsThreshold(s, threshold)).reduce((n, s) => n + counts[s], 0);
}

export interface Decision {
  result: TaskOutcome;
  message: string;
}

/** What the fail threshold counts when it is not every finding: failOnNewOnly's new findings. */
export interface FailScope {
  counts: Counts;
  /** Word before "vulnerabilities", e.g. `new`. */
  adjective: string;
  /** Why only these count, e.g. `failOnNewOnly`. */
  note: string;
}

/** The result from the counts alone (Grype's own failures are decided before this). */
export function decideResult(counts: Counts, warnOn: Threshold, failOn: Threshold, failScope?: FailScope): Decision {
  const failing = countAtOrAbove(failScope?.counts ?? counts, failOn);
  if (failing > 0) {
    const what = failScope ? plural(failing, `${failScope.adjective} vulnerability`, `${failScope.adjective} vulnerabilities`) : plural(failing, 'vulnerability', 'vulnerabilities');
    return {
      result: 'Failed',
      message: `Grype found ${what} at or above ${thresholdSeverity(failOn)} (failOnSeverity: ${failOn}${failScope ? `, ${failScope.note}` : ''}).`,
    };
  }
  const warning = countAtOrAbove(counts, warnOn);
  if (warning > 0) {
    return {
      result: 'SucceededWithIssues',
      message: `Grype found ${plural(warning, 'vulnerability', 'vulnerabilities')} at or above ${thresholdSeverity(warnOn)} (warnOnSeverity: ${warnOn}).`,
    };
  }
  return {
    result: 'Succeeded',
    message: counts.total
      ? `Grype found ${plural(counts.total, 'vulnerability', 'vulnerabilities')}, none at or above the warning threshold (${warnOn}).`
      : 'Grype found no vulnerabilities.',
  };
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line per finding: id, severity, package, installed version, fixed version (if any). Neutralised. */
export function findingLine(f: Finding): string {
  const fixed = f.fixedVersions.length ? `fixed in ${f.fixedVersions.join(' / ')}` : f.fixState && f.fixState !== 'fixed' ? `no fix (${f.fixState})` : 'no fix';
  return oneLine(`${f.id || 'unnamed vulnerability'} (${f.severity}) in ${f.packageName || 'unnamed package'} ${f.packageVersion}, ${fixed}`, 400);
}

export interface WarningContext {
  artifactName?: string;
  reportFile: string;
  /** Warnings this step has already logged (e.g. the DB fallback), which count against the agent's 10. */
  alreadyLogged?: number;
}

/**
 * The warning lines: every finding at or above `warnOn`, most severe first (input must be sorted).
 * When they do not all fit in the step's issue budget, as many as fit, then one line saying how
 * many more there are and where they are.
 */
export function warningLines(sorted: readonly Finding[], warnOn: Threshold, where: WarningContext, prefix: (f: Finding) => string = () => ''): string[] {
  const matching = sorted.filter((f) => meetsThreshold(f.severity, warnOn));
  const budget = Math.max(2, FINDING_LINE_BUDGET - (where.alreadyLogged ?? 0));
  const shown = matching.length <= budget ? matching : matching.slice(0, budget - 1);
  const lines = shown.map((f) => oneLine(`${prefix(f)}${findingLine(f)}`, 400));
  const more = matching.length - shown.length;
  if (more > 0) {
    const place = where.artifactName
      ? `see the summary tab and the ${where.artifactName} artifact (${where.reportFile})`
      : `see the summary tab and ${where.reportFile}`;
    lines.push(oneLine(`${more} more ${more === 1 ? 'finding' : 'findings'} at or above ${thresholdSeverity(warnOn)}; ${place}`, 600));
  }
  return lines;
}

/** The task's output variables (declared in task.json `outputVariables`). `max` is maxSeverity(counts). */
export function outputVariables(
  counts: Counts,
  max: Severity | 'None',
  files: { jsonReport: string; sarifReport?: string },
  grypeVersion: string | undefined,
): Record<string, string> {
  return {
    criticalCount: String(counts.Critical),
    highCount: String(counts.High),
    mediumCount: String(counts.Medium),
    lowCount: String(counts.Low),
    negligibleCount: String(counts.Negligible),
    unknownCount: String(counts.Unknown),
    totalCount: String(counts.total),
    fixableCount: String(counts.fixable),
    maxSeverity: max,
    jsonReport: files.jsonReport,
    sarifReport: files.sarifReport ?? '',
    grypeVersion: grypeVersion ?? '',
  };
}
