import { bar, cell, code, table } from '../common/markdown';
import { oneLine } from '../common/text';
import { Counts, Decision, TaskOutcome, Threshold, plural } from './policy';
import { Finding, SEVERITIES } from './report';

/** The Markdown summary tab. PURE. Every untrusted value goes through markdown.ts escaping. */

const SUMMARY_TOP_FINDINGS = 25;

export interface SummaryInput {
  target: string;
  counts: Counts;
  /** Most severe first. */
  sorted: readonly Finding[];
  decision: Decision;
  warnOnSeverity: Threshold;
  failOnSeverity: Threshold;
  onlyFixed: boolean;
  /** Grype's `ignoredMatches`: config ignore rules and VEX, and with --only-fixed (onlyFixed) also matches without a fix. */
  ignoredCount: number;
  grypeVersion?: string;
  dbBuilt?: string;
  dbSchemaVersion?: string;
  reportFiles: string[];
  artifactName?: string;
  extraNotes?: string[];
  /** Further sections (baseline, not counted), each a list of lines, shown after the top findings. */
  extraSections?: string[][];
}

const ICON: Record<TaskOutcome, string> = { Failed: '❌', SucceededWithIssues: '⚠️', Succeeded: '✅' };

/** Grype's --only-fixed moves unfixed matches into ignoredMatches, so with onlyFixed they are not all config ignores. */
function notCounted(ignoredCount: number, onlyFixed: boolean): string {
  if (!onlyFixed) return ignoredCount ? `; ${ignoredCount} ignored by Grype (ignore rules or VEX)` : '';
  return ignoredCount
    ? `; ${ignoredCount} not counted: ignored by Grype (ignore rules or VEX) or without a fix (onlyFixed)`
    : '; only findings with a fix are counted (onlyFixed)';
}

export function buildSummary(input: SummaryInput): string {
  const { counts } = input;
  const lines: string[] = [];
  lines.push(`### Grype scan of ${code(input.target)}`, '');
  lines.push(`${ICON[input.decision.result]} **${cell(input.decision.result)}**: ${cell(input.decision.message)}`, '');
  const max = Math.max(0, ...SEVERITIES.map((s) => counts[s]));
  lines.push(
    table(
      ['Severity', 'Count', ''],
      SEVERITIES.map((s) => [s, counts[s], bar(counts[s], max)]),
    ),
    '',
  );
  lines.push(
    `**${plural(counts.total, 'finding', 'findings')}**, ${counts.fixable} with a fixed version` +
      notCounted(input.ignoredCount, input.onlyFixed) +
      `. Warn at ${input.warnOnSeverity}, fail at ${input.failOnSeverity}.`,
    '',
  );
  if (input.sorted.length) {
    const shown = input.sorted.slice(0, SUMMARY_TOP_FINDINGS);
    lines.push(
      `#### Top findings (${shown.length === input.sorted.length ? `all ${shown.length}` : `${shown.length} of ${input.sorted.length}`}, most severe first)`,
      '',
    );
    lines.push(
      table(
        ['Severity', 'Vulnerability', 'Package', 'Installed', 'Fixed in', 'Description'],
        shown.map((f) => [
          f.severity,
          f.id,
          f.packageType ? `${f.packageName} (${f.packageType})` : f.packageName,
          f.packageVersion,
          f.fixedVersions.length ? f.fixedVersions.join(', ') : f.fixState && f.fixState !== 'fixed' ? `— (${f.fixState})` : '—',
          oneLine(f.description, 120),
        ]),
      ),
      '',
    );
  }
  for (const section of input.extraSections ?? []) lines.push(...section);
  const db = input.dbBuilt ? `built ${input.dbBuilt}${input.dbSchemaVersion ? `, schema ${input.dbSchemaVersion}` : ''}` : 'build date unknown';
  lines.push(`Grype ${cell(input.grypeVersion ?? 'unknown')} · vulnerability DB ${cell(db)} · target ${code(input.target)}`, '');
  if (input.reportFiles.length) {
    const where = input.artifactName ? ` (build artifact ${code(input.artifactName)})` : '';
    lines.push(`Reports${where}: ${input.reportFiles.map((f) => code(f)).join(', ')}`, '');
  }
  for (const note of input.extraNotes ?? []) lines.push(`> ${cell(note)}`, '');
  return lines.join('\n');
}
