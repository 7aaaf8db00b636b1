import { code, table } from '../common/markdown';
import { oneLine } from '../common/text';
import { packageCell } from './fixFirst';
import { BaselineMark, plural } from './policy';
import { Finding } from './report';

/**
 * This scan against an earlier one of the same target (the baseline, a Grype JSON report). PURE.
 *
 * Two findings are the same when they are about the same package (name, version and type) and
 * share a vulnerability id: the id of one is the id or a related id of the other. So a finding
 * reported as GHSA-… in one run and as its CVE in the next (Grype names a match by the record it
 * came from, which can change between DB builds) is not new.
 */

/** What the task names its Grype JSON report: `<stem>.grype.json` (see reportFiles). */
const REPORT_SUFFIX = '.grype.json';

/**
 * baselineReport as a folder (a downloaded reports artifact): the report of the same target and
 * job (same file name), else the only report of the same job (the stem ends `-<job>-<hash>`; an
 * image tag with the build id changes the rest), else the only report there. `jobSlug` is
 * slugify(jobName). Returns the chosen file or why there is none.
 */
export function chooseBaselineReport(files: readonly string[], stem: string, jobSlug: string | undefined): { file?: string; problem?: string } {
  const reports = files.filter((f) => f.endsWith(REPORT_SUFFIX));
  const base = (f: string) => f.split(/[\\/]/).pop() as string;
  const same = reports.filter((f) => base(f) === `${stem}${REPORT_SUFFIX}`);
  if (same.length === 1) return { file: same[0] };
  const jobOf = (f: string) => /^(.*)-[0-9a-f]{8}\.grype\.json$/.exec(base(f))?.[1];
  const sameJob = jobSlug ? reports.filter((f) => jobOf(f)?.endsWith(`-${jobSlug}`)) : [];
  if (sameJob.length === 1) return { file: sameJob[0] };
  if (reports.length === 1) return { file: reports[0] };
  if (!reports.length) return { problem: `has no Grype JSON report (*${REPORT_SUFFIX})` };
  return { problem: `has ${reports.length} Grype JSON reports and none is named ${stem}${REPORT_SUFFIX} (same target and job); give the file itself` };
}

/** Rows of the "New" and "Fixed" tables in the summary (the reports have them all). */
const SUMMARY_ROWS = 25;

/** The finding's id and related ids, upper-cased (ids are case-insensitive; GHSA ids are written both ways). */
export function vulnerabilityIds(f: Finding): string[] {
  return [...new Set([f.id, ...f.relatedIds].filter(Boolean).map((id) => id.toUpperCase()))];
}

function packageKey(f: Finding): string {
  return `${f.packageType.toLowerCase()}\0${f.packageName}\0${f.packageVersion}`;
}

/** The identity rule on its own: same package, and an id in common. */
export function sameFinding(a: Finding, b: Finding): boolean {
  if (packageKey(a) !== packageKey(b)) return false;
  const ids = new Set(vulnerabilityIds(a));
  return vulnerabilityIds(b).some((id) => ids.has(id));
}

/** Finds findings of a list by the identity rule, in time linear in the findings. */
class FindingIndex {
  private readonly byKey = new Map<string, number[]>();
  readonly packages = new Set<string>();

  constructor(readonly findings: readonly Finding[]) {
    findings.forEach((f, i) => {
      const pkg = packageKey(f);
      this.packages.add(pkg);
      for (const id of vulnerabilityIds(f)) {
        const key = `${pkg}\0${id}`;
        const list = this.byKey.get(key);
        if (list) list.push(i);
        else this.byKey.set(key, [i]);
      }
    });
  }

  /** Indexes of the findings that are the same as `f`. */
  matches(f: Finding): number[] {
    const pkg = packageKey(f);
    const found = new Set<number>();
    for (const id of vulnerabilityIds(f)) for (const i of this.byKey.get(`${pkg}\0${id}`) ?? []) found.add(i);
    return [...found];
  }
}

export interface BaselineComparison {
  /** Label of the baseline for messages (its file name). */
  baseline: string;
  /** Counted findings that are not in the baseline, in the order given. */
  newFindings: Finding[];
  /** Baseline findings this scan no longer reports at all (neither counted nor left out for a reason). */
  fixedFindings: Finding[];
  /** How a counted finding relates to the baseline: '' (in it), 'new', or 'new package' (no baseline finding on that package). */
  mark(f: Finding): '' | 'new' | 'new package';
}

/**
 * `counted`: the findings this run counts; `leftOut`: what this scan saw but does not count
 * (Grype's ignored matches, exceptions, onlyFixed): those are not "fixed", only set aside.
 */
export function compareWithBaseline(baselineLabel: string, baseline: readonly Finding[], counted: readonly Finding[], leftOut: readonly Finding[]): BaselineComparison {
  const before = new FindingIndex(baseline);
  const seen = new Set<number>();
  const newFindings: Finding[] = [];
  const isNew = new Set<Finding>();
  for (const f of counted) {
    const same = before.matches(f);
    if (same.length) for (const i of same) seen.add(i);
    else {
      newFindings.push(f);
      isNew.add(f);
    }
  }
  for (const f of leftOut) for (const i of before.matches(f)) seen.add(i);
  return {
    baseline: baselineLabel,
    newFindings,
    fixedFindings: baseline.filter((_, i) => !seen.has(i)),
    mark: (f) => (!isNew.has(f) ? '' : before.packages.has(packageKey(f)) ? 'new' : 'new package'),
  };
}

/**
 * The findings the fail gates (failOnSeverity and failOnKnownExploited) count: only the new
 * ones with failOnNewOnly and a usable baseline, else all counted findings.
 */
export function findingsForFailGates(counted: readonly Finding[], comparison: BaselineComparison | undefined, failOnNewOnly: boolean): readonly Finding[] {
  return failOnNewOnly && comparison ? comparison.newFindings : counted;
}

/** How one package's findings (a fixFirst group) stand against the baseline, for its warning; none without a baseline. */
export function packageMark(comparison: BaselineComparison | undefined, findings: readonly Finding[]): BaselineMark | undefined {
  if (!comparison) return undefined;
  const marks = findings.map((f) => comparison.mark(f));
  return { newPackage: marks.includes('new package'), newFindings: marks.filter((m) => m !== '').length };
}

/** Output variables: empty without a usable baseline (so "0 new" always means "compared, none new"). */
export function baselineVariables(comparison: BaselineComparison | undefined): { newCount: string; fixedCount: string } {
  return {
    newCount: comparison ? String(comparison.newFindings.length) : '',
    fixedCount: comparison ? String(comparison.fixedFindings.length) : '',
  };
}

function findingRows(findings: readonly Finding[]): (string | number)[][] {
  return findings.slice(0, SUMMARY_ROWS).map((f) => [
    f.severity,
    f.id,
    packageCell(f.packageName, f.packageType),
    f.packageVersion,
    f.fixedVersions.length ? f.fixedVersions.join(', ') : '—',
  ]);
}

function shownOf(findings: readonly Finding[]): string {
  return findings.length > SUMMARY_ROWS ? ` (${SUMMARY_ROWS} of ${findings.length}; the rest are in the reports)` : '';
}

/** "New since baseline" and "Fixed since baseline" for the summary tab. Both lists most urgent first (fixFirst.rankFindings). */
export function baselineSections(comparison: BaselineComparison, rankedNew: readonly Finding[], rankedFixed: readonly Finding[]): string[] {
  const headers = ['Severity', 'Vulnerability', 'Package', 'Installed', 'Fixed in'];
  const lines = [`Compared with the baseline ${code(oneLine(comparison.baseline, 200))}.`, ''];
  lines.push(`#### New since baseline: ${plural(rankedNew.length, 'finding', 'findings')}${shownOf(rankedNew)}`, '');
  if (rankedNew.length) lines.push(table(headers, findingRows(rankedNew)), '');
  lines.push(`#### Fixed since baseline: ${plural(rankedFixed.length, 'finding', 'findings')}${shownOf(rankedFixed)}`, '');
  if (rankedFixed.length) lines.push(table(headers, findingRows(rankedFixed)), '');
  return lines;
}
