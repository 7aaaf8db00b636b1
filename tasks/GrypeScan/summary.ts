import { cell, code, table } from '../common/markdown';
import { oneLine } from '../common/text';
import { describeBuilt } from './dbAge';
import { PackageGroup, packageCell, severityCounts, upgradeText } from './fixFirst';
import { Counts, Decision, TaskOutcome, Threshold, countsLine, plural } from './policy';
import { Finding } from './report';

/**
 * The Markdown summary (attached as `Grype: <target>`, shown in the run's Extensions tab). PURE.
 * Every value taken from a report goes through markdown.ts escaping.
 *
 * Layout: heading and result; one line of counts; "Fix first" (packages, best first, with the
 * upgrade); the top findings; the baseline and not-counted sections, if any (extraSections);
 * notes (DB build date and age, filters, ignored matches, reports).
 */

const SUMMARY_TOP_PACKAGES = 15;
const SUMMARY_TOP_FINDINGS = 25;

export interface SummaryInput {
  target: string;
  counts: Counts;
  /** Ranked (fixFirst.groupByPackage). */
  groups: readonly PackageGroup[];
  /** Ranked (fixFirst.rankFindings). */
  ranked: readonly Finding[];
  decision: Decision;
  warnOnSeverity: Threshold;
  failOnSeverity: Threshold;
  failOnKnownExploited: boolean;
  /** failOnNewOnly with a usable baseline: the fail gates count only new findings. */
  failOnNewOnly?: boolean;
  onlyFixed: boolean;
  /** Grype's `ignoredMatches`: config ignore rules and VEX, and with --only-fixed (onlyFixed) also matches without a fix. */
  ignoredCount: number;
  grypeVersion?: string;
  dbBuilt?: string;
  dbSchemaVersion?: string;
  reportFiles: string[];
  artifactName?: string;
  extraNotes?: string[];
  /** For the DB age; defaults to the current time. */
  now?: number;
  /** Further sections (baseline, not counted), each a list of lines, shown after the top findings and before the notes. */
  extraSections?: string[][];
}

const ICON: Record<TaskOutcome, string> = { Failed: '❌', SucceededWithIssues: '⚠️', Succeeded: '✅' };

/** Grype's --only-fixed moves unfixed matches into ignoredMatches, so with onlyFixed they are not all config ignores. */
function notCounted(ignoredCount: number, onlyFixed: boolean): string {
  const matches = plural(ignoredCount, 'match', 'matches');
  if (!onlyFixed) return ignoredCount ? `${matches} ignored by Grype (ignore rules or VEX) and not counted.` : '';
  return ignoredCount
    ? `${matches} not counted: ignored by Grype (ignore rules or VEX) or without a fix (onlyFixed).`
    : 'Only findings with a fix are counted (onlyFixed).';
}

/** `77.3 %`, or '' without EPSS data. */
function percent(probability: number): string {
  return probability > 0 ? `${(probability * 100).toFixed(1)} %` : '';
}

function shownOf(shown: number, all: number, noun: string): string {
  return shown === all ? `all ${all} ${noun}` : `${shown} of ${all} ${noun}`;
}

export function buildSummary(input: SummaryInput): string {
  const { counts, groups, ranked } = input;
  const lines: string[] = [];
  lines.push(`### Grype scan of ${code(input.target)}`, '');
  lines.push(`${ICON[input.decision.result]} **${cell(input.decision.result)}**: ${cell(input.decision.message)}`, '');
  lines.push(`**${cell(countsLine(counts, groups.length))}**`, '');

  if (groups.length) {
    const shown = groups.slice(0, SUMMARY_TOP_PACKAGES);
    lines.push(`#### Fix first (${shownOf(shown.length, groups.length, 'packages')}, most urgent first)`, '');
    lines.push(
      table(
        ['Package', 'Installed', 'Findings', 'Known exploited', 'Max EPSS', 'Upgrade to'],
        shown.map((g) => [
          packageCell(g.name, g.type),
          g.version,
          severityCounts(g.counts),
          g.knownExploited || '',
          percent(g.maxEpss),
          upgradeText(g).replace(/^upgrade to /, ''),
        ]),
      ),
      '',
    );
  }

  if (ranked.length) {
    const shown = ranked.slice(0, SUMMARY_TOP_FINDINGS);
    lines.push(`#### Top findings (${shownOf(shown.length, ranked.length, 'findings')}, most urgent first)`, '');
    lines.push(
      table(
        ['Severity', 'Vulnerability', 'Package', 'Installed', 'Fixed in', 'Known exploited', 'EPSS', 'Description'],
        shown.map((f) => [
          f.severity,
          f.id,
          packageCell(f.packageName, f.packageType),
          f.packageVersion,
          f.fixedVersions.length ? f.fixedVersions.join(', ') : f.fixState && f.fixState !== 'fixed' ? `— (${f.fixState})` : '—',
          f.knownExploited.length ? 'yes' : '',
          percent(f.epss),
          oneLine(f.description, 120),
        ]),
      ),
      '',
    );
  }

  for (const section of input.extraSections ?? []) for (const line of section) lines.push(line);

  lines.push('#### Notes', '');
  const db = input.dbBuilt ? `built ${describeBuilt(input.dbBuilt, input.now)}${input.dbSchemaVersion ? `, schema ${input.dbSchemaVersion}` : ''}` : 'build date unknown';
  lines.push(`- Grype ${cell(input.grypeVersion ?? 'unknown')} · vulnerability DB ${cell(db)} · target ${code(input.target)}`);
  lines.push(
    `- Warn at ${input.warnOnSeverity} or known exploited, fail at ${input.failOnSeverity}${input.failOnKnownExploited ? ' or known exploited (failOnKnownExploited)' : ''}` +
      `${input.failOnNewOnly ? ', counting only findings new since the baseline (failOnNewOnly)' : ''}.` +
      (notCounted(input.ignoredCount, input.onlyFixed) ? ` ${notCounted(input.ignoredCount, input.onlyFixed)}` : ''),
  );
  if (input.reportFiles.length) {
    const where = input.artifactName ? ` (build artifact ${code(input.artifactName)})` : '';
    lines.push(`- Reports${where}: ${input.reportFiles.map((f) => code(f)).join(', ')}`);
  }
  for (const note of input.extraNotes ?? []) lines.push(`- ${cell(note)}`);
  lines.push('');
  return lines.join('\n');
}
