import { table } from '../common/markdown';
import { oneLine } from '../common/text';
import type { ExceptedFinding } from './exceptions';
import { packageCell, rankFindings } from './fixFirst';
import { plural } from './policy';
import { findVexStatement, VexStatement } from './openvex';
import { AppliedIgnoreRule, Finding, IgnoredFinding } from './report';

/**
 * Every finding the scan saw but does not count, with why: Grype's ignored matches (VEX
 * statements, config ignore rules, --only-fixed), the task's own onlyFixed filter, and
 * exceptions. PURE. The summary shows a capped list; the not-counted JSON file has them all.
 */

/** Rows per table in the summary. */
const SUMMARY_ROWS = 25;

export type NotCountedKind = 'vex' | 'exception' | 'ignore-rule' | 'only-fixed';

export interface NotCounted {
  finding: Finding;
  kind: NotCountedKind;
  /** Why, in words (one line, neutralised). */
  why: string;
  vexStatus?: string;
  vexJustification?: string;
  exception?: { entry: number; reason: string; expires: string };
}

/** Grype's --only-fixed is three ignore rules on these fix states (grype cmd/grype/cli/commands/root.go). */
const NOT_FIXED_STATES = ['not-fixed', 'wont-fix', 'unknown'];

function ruleWords(rule: AppliedIgnoreRule): string {
  const parts: string[] = [];
  if (rule.vulnerability) parts.push(`vulnerability ${rule.vulnerability}`);
  const pkg = [rule.packageName, rule.packageVersion].filter(Boolean).join(' ');
  if (pkg || rule.packageType) parts.push(`package ${pkg}${rule.packageType ? ` (${rule.packageType})` : ''}`.trim());
  if (rule.fixState) parts.push(`fix state ${rule.fixState}`);
  if (rule.namespace) parts.push(`namespace ${rule.namespace}`);
  return `Grype ignore rule${parts.length ? `: ${parts.join(', ')}` : ''}${rule.reason ? `; reason: ${rule.reason}` : ''}`;
}

/**
 * One of Grype's ignored matches, classified by the first rule that explains it. For VEX, the
 * justification comes from the rule if it has one, else from the statement in `vexStatements`
 * (Grype's default VEX rules carry only the status), else its impact statement.
 */
export function classifyIgnored(match: IgnoredFinding, onlyFixed: boolean, vexStatements: readonly VexStatement[] = []): NotCounted {
  const { rules, ...finding } = match;
  const vex = rules.find((r) => r.namespace === 'vex');
  if (vex) {
    const statement = vex.vexJustification ? undefined : findVexStatement(vexStatements, [finding.id, ...finding.relatedIds], match.purl, vex.vexStatus);
    const justification = vex.vexJustification || statement?.justification || statement?.impactStatement || '';
    return {
      finding,
      kind: 'vex',
      why: oneLine(`VEX: ${vex.vexStatus || 'status not given'}${justification ? ` (${justification})` : ''}`, 300),
      vexStatus: vex.vexStatus,
      vexJustification: justification,
    };
  }
  const onlyFixedRule = onlyFixed ? rules.find((r) => NOT_FIXED_STATES.includes(r.fixState) && !r.vulnerability && !r.packageName) : undefined;
  if (onlyFixedRule || (onlyFixed && !rules.length && finding.fixState !== 'fixed')) {
    return { finding, kind: 'only-fixed', why: `No fix (${finding.fixState || onlyFixedRule?.fixState || 'unknown'}); onlyFixed counts only findings with a fix` };
  }
  return { finding, kind: 'ignore-rule', why: oneLine(rules.length ? rules.map(ruleWords).join('; ') : 'Ignored by Grype (no rule given)', 300) };
}

/** Everything not counted: Grype's ignored matches, matches without a fix under onlyFixed, and excepted findings. */
export function notCountedFindings(
  ignored: readonly IgnoredFinding[],
  unfixed: readonly Finding[],
  excepted: readonly ExceptedFinding[],
  onlyFixed: boolean,
  vexStatements: readonly VexStatement[] = [],
): NotCounted[] {
  return [
    ...excepted.map(({ finding, exception }): NotCounted => ({
      finding,
      kind: 'exception',
      why: oneLine(`Exception (entry ${exception.entry}, expires ${exception.expires}): ${exception.reason}`, 300),
      exception: { entry: exception.entry, reason: exception.reason, expires: exception.expires },
    })),
    ...ignored.map((m) => classifyIgnored(m, onlyFixed, vexStatements)),
    ...unfixed.map((finding): NotCounted => ({ finding, kind: 'only-fixed', why: `No fix (${finding.fixState || 'unknown'}); onlyFixed counts only findings with a fix` })),
  ];
}

/** Most urgent first, as in the other tables. */
function sorted(list: readonly NotCounted[]): NotCounted[] {
  const order = new Map(rankFindings(list.map((n) => n.finding)).map((f, i) => [f, i]));
  return [...list].sort((a, b) => (order.get(a.finding) as number) - (order.get(b.finding) as number));
}

function heading(title: string, shown: number, total: number): string {
  return `#### ${title} (${shown === total ? plural(total, 'finding', 'findings') : `${shown} of ${total}; all are in the not-counted JSON report`})`;
}

/** One capped table of the summary: heading, then at most SUMMARY_ROWS rows, most urgent first. */
function section(title: string, list: readonly NotCounted[], headers: string[], row: (n: NotCounted) => (string | number)[]): string[] {
  if (!list.length) return [];
  const shown = sorted(list).slice(0, SUMMARY_ROWS);
  return [heading(title, shown.length, list.length), '', table(headers, shown.map(row)), ''];
}

const findingCells = (f: Finding): string[] => [f.severity, f.id, packageCell(f.packageName, f.packageType), f.packageVersion];

/**
 * The summary sections of what was left out, in this order: "Excepted" (with reason and expiry),
 * "Not affected (VEX)" (status and justification), "Not counted" (Grype ignore rules, onlyFixed);
 * none when nothing was left out.
 */
export function notCountedSections(list: readonly NotCounted[]): string[] {
  const head = ['Severity', 'Vulnerability', 'Package', 'Installed'];
  return [
    ...section('Excepted', list.filter((n) => n.kind === 'exception'), [...head, 'Reason', 'Expires', 'Entry'], (n) => [
      ...findingCells(n.finding),
      n.exception?.reason ?? '',
      n.exception?.expires ?? '',
      n.exception?.entry ?? '',
    ]),
    ...section('Not affected (VEX)', list.filter((n) => n.kind === 'vex'), [...head, 'Status', 'Justification'], (n) => [
      ...findingCells(n.finding),
      n.vexStatus || '—',
      n.vexJustification || '—',
    ]),
    ...section('Not counted', list.filter((n) => n.kind === 'ignore-rule' || n.kind === 'only-fixed'), [...head, 'Why'], (n) => [...findingCells(n.finding), n.why]),
  ];
}

/** The not-counted JSON report: every finding left out, with why. */
export function notCountedReport(target: string, list: readonly NotCounted[]): string {
  const counts: Record<NotCountedKind, number> = { vex: 0, exception: 0, 'ignore-rule': 0, 'only-fixed': 0 };
  for (const n of list) counts[n.kind]++;
  return `${JSON.stringify(
    {
      target,
      counts,
      findings: sorted(list).map((n) => ({
        vulnerability: n.finding.id,
        relatedVulnerabilities: n.finding.relatedIds,
        severity: n.finding.severity,
        package: { name: n.finding.packageName, version: n.finding.packageVersion, type: n.finding.packageType },
        fixState: n.finding.fixState,
        fixedVersions: n.finding.fixedVersions,
        kind: n.kind,
        why: n.why,
        ...(n.kind === 'vex' ? { vexStatus: n.vexStatus, vexJustification: n.vexJustification } : {}),
        ...(n.exception ? { exception: n.exception } : {}),
      })),
    },
    null,
    2,
  )}\n`;
}
