import { oneLine } from '../common/text';
import { PackageGroup, packageLabel, severityCounts, upgradeText } from './fixFirst';
import { Finding, SEVERITIES, Severity, severityRank } from './report';

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
 * One of the 10 is the result message (SucceededWithIssues), so the package lines, the "N more"
 * line and any DB warning must fit in the other 9 for the "N more" line to be seen.
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
  /** Findings listed in CISA KEV (`knownExploited[]`). */
  knownExploited: number;
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
  const counts: Counts = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, total: 0, fixable: 0, knownExploited: 0 };
  for (const f of findings) {
    counts[f.severity]++;
    if (f.fixState === 'fixed') counts.fixable++;
    if (f.knownExploited.length) counts.knownExploited++;
  }
  counts.total = findings.length;
  return counts;
}

/** The most severe severity present, or `None`. */
export function maxSeverity(counts: Counts): Severity | 'None' {
  return SEVERITIES.find((s) => counts[s] > 0) ?? 'None';
}

function countAtOrAbove(counts: Counts, threshold: Threshold): number {
  return SEVERITIES.filter((s) => meetsThreshold(s, threshold)).reduce((n, s) => n + counts[s], 0);
}

export interface Decision {
  result: TaskOutcome;
  message: string;
}

export interface ResultPolicy {
  warnOn: Threshold;
  failOn: Threshold;
  /** failOnKnownExploited: any counted finding in CISA KEV fails the step. */
  failOnKnownExploited: boolean;
}

/**
 * What the fail gates (failOnSeverity and failOnKnownExploited) count when it is not every
 * counted finding: failOnNewOnly's new findings. The findings are the same objects as in the groups.
 */
export interface FailScope {
  findings: readonly Finding[];
  /** Word before "vulnerabilities", e.g. `new`. */
  adjective: string;
  /** Why only these count, e.g. `failOnNewOnly`. */
  note: string;
}

/** Packages named in a result message; the rest are counted. */
const MESSAGE_PACKAGES = 3;

/** ` in log4j-core 2.14.1 (java-archive), openssl 3.0.11-1 (deb) and 2 more packages` for the packages holding matching findings. */
function inPackages(groups: readonly PackageGroup[], matches: (f: Finding) => boolean): string {
  const hit = groups.filter((g) => g.findings.some(matches));
  if (!hit.length) return '';
  const named = hit.slice(0, MESSAGE_PACKAGES).map(packageLabel);
  const more = hit.length - named.length;
  return ` in ${named.join(', ')}${more ? ` and ${plural(more, 'more package', 'more packages')}` : ''}`;
}

const isKnownExploited = (f: Finding): boolean => f.knownExploited.length > 0;

/**
 * The result from the findings alone (Grype's own failures are decided before this). A package
 * gets a warning for a finding at or above warnOn or any known-exploited one, so either makes
 * the step SucceededWithIssues. Messages name the top packages (groups are ranked). With a
 * `failScope`, both fail gates count only its findings; warnings still cover every finding.
 */
export function decideResult(counts: Counts, groups: readonly PackageGroup[], policy: ResultPolicy, failScope?: FailScope): Decision {
  const { warnOn, failOn } = policy;
  const inScope = failScope ? new Set(failScope.findings) : undefined;
  const gated = (test: (f: Finding) => boolean) => (f: Finding) => (!inScope || inScope.has(f)) && test(f);
  const gateCounts = failScope ? countFindings(failScope.findings) : counts;
  const failing = countAtOrAbove(gateCounts, failOn);
  const failingKev = policy.failOnKnownExploited ? gateCounts.knownExploited : 0;
  if (failing > 0 || failingKev > 0) {
    const adjective = failScope ? `${failScope.adjective} ` : '';
    const note = failScope ? `, ${failScope.note}` : '';
    const reasons: string[] = [];
    if (failing > 0) {
      reasons.push(
        `${plural(failing, `${adjective}vulnerability`, `${adjective}vulnerabilities`)} at or above ${thresholdSeverity(failOn)} (failOnSeverity: ${failOn}${note})` +
          inPackages(groups, gated((f) => meetsThreshold(f.severity, failOn))),
      );
    }
    if (failingKev > 0) {
      reasons.push(
        `${plural(failingKev, `${adjective}known-exploited vulnerability`, `${adjective}known-exploited vulnerabilities`)} (failOnKnownExploited${note})` +
          inPackages(groups, gated(isKnownExploited)),
      );
    }
    return { result: 'Failed', message: oneLine(`Grype found ${reasons.join('; and ')}.`, 600) };
  }
  const warns = (f: Finding) => meetsThreshold(f.severity, warnOn) || isKnownExploited(f);
  const warning = groups.reduce((n, g) => n + g.findings.filter(warns).length, 0);
  if (warning > 0) {
    const atOrAbove = countAtOrAbove(counts, warnOn);
    const what =
      warnOn === 'none' || atOrAbove === 0
        ? `${plural(warning, 'known-exploited vulnerability', 'known-exploited vulnerabilities')}`
        : `${plural(atOrAbove, 'vulnerability', 'vulnerabilities')} at or above ${thresholdSeverity(warnOn)} (warnOnSeverity: ${warnOn})` +
          (warning > atOrAbove ? ` and ${warning - atOrAbove} more known exploited` : '');
    return { result: 'SucceededWithIssues', message: oneLine(`Grype found ${what}${inPackages(groups, warns)}.`, 600) };
  }
  return {
    result: 'Succeeded',
    message: counts.total
      ? `Grype found ${plural(counts.total, 'vulnerability', 'vulnerabilities')}, none at or above the warning threshold (${warnOn}) and none known exploited.`
      : 'Grype found no vulnerabilities.',
  };
}

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `98 findings in 40 packages: 2 Critical, 3 High, …; 6 with a fix; 1 known exploited` (empty severities left out). Raw text. */
export function countsLine(counts: Counts, packages: number): string {
  if (!counts.total) return 'no findings';
  return (
    `${plural(counts.total, 'finding', 'findings')} in ${plural(packages, 'package', 'packages')}: ${severityCounts(counts)}; ` +
    `${counts.fixable} with a fix; ${counts.knownExploited} known exploited`
  );
}

/** How a package stands against the baseline (see baseline.packageMark). */
export interface BaselineMark {
  /** The baseline has no finding on this package (name, version and type). */
  newPackage: boolean;
  /** Its findings that are not in the baseline. */
  newFindings: number;
}

/**
 * One warning per package: `vm2 3.9.17 (npm): 14 Critical, 3 High, 1 known exploited (GHSA-…); upgrade to 3.11.4`.
 * Against a baseline: `New package: ` before a package the baseline does not have (all its
 * findings are new), `, 2 new` after the counts of a known package with new findings. Neutralised.
 */
export function packageLine(group: PackageGroup, mark?: BaselineMark): string {
  const prefix = mark?.newPackage ? 'New package: ' : '';
  const kev = group.knownExploited ? `, ${group.knownExploited} known exploited` : '';
  const fresh = mark && !mark.newPackage && mark.newFindings ? `, ${mark.newFindings} new` : '';
  const top = group.findings[0]?.id || 'unnamed vulnerability';
  return oneLine(`${prefix}${packageLabel(group)}: ${severityCounts(group.counts)}${kev}${fresh} (${top}); ${upgradeText(group)}`, 400);
}

export interface WarningContext {
  /** Where the full lists are: the summary's name and the artifact or report path. */
  summaryName: string;
  artifactName?: string;
  reportFile: string;
  /** Warnings this step has already logged (e.g. the DB fallback or a stale DB), which count against the agent's 10. */
  alreadyLogged?: number;
}

/**
 * The warning lines: one per package with a finding at or above `warnOn` or any known-exploited
 * finding, best first (groups must be ranked). When they do not all fit in the step's issue
 * budget, as many as fit, then one line saying how many more packages there are and where the
 * full list is.
 */
export function warningLines(groups: readonly PackageGroup[], warnOn: Threshold, where: WarningContext, markOf?: (group: PackageGroup) => BaselineMark | undefined): string[] {
  const matching = groups.filter((g) => g.knownExploited > 0 || g.findings.some((f) => meetsThreshold(f.severity, warnOn)));
  const budget = Math.max(2, FINDING_LINE_BUDGET - (where.alreadyLogged ?? 0));
  const shown = matching.length <= budget ? matching : matching.slice(0, budget - 1);
  const lines = shown.map((g) => packageLine(g, markOf?.(g)));
  const more = matching.length - shown.length;
  if (more > 0) {
    const criterion = warnOn === 'none' ? 'known-exploited findings' : `findings at or above ${thresholdSeverity(warnOn)} or known exploited`;
    const place = `see the summary "${where.summaryName}" in the run's Extensions tab and ${where.artifactName ? `the ${where.artifactName} artifact (${where.reportFile})` : where.reportFile}`;
    lines.push(oneLine(`${plural(more, 'more package', 'more packages')} with ${criterion}; ${place}`, 600));
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
    knownExploitedCount: String(counts.knownExploited),
    maxSeverity: max,
    jsonReport: files.jsonReport,
    sarifReport: files.sarifReport ?? '',
    grypeVersion: grypeVersion ?? '',
  };
}
