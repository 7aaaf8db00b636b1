import fs = require('fs');
import path = require('path');
import { UserError } from '../common/errors';
import { logLine, oneLine } from '../common/text';
import { slugify } from '../common/target';
import { BaselineComparison, baselineSections, baselineVariables, chooseBaselineReport, compareWithBaseline, findingsForFailGates } from './baseline';
import { applyExceptions, DEFAULT_EXCEPTIONS_FILE, parseExceptions, VulnerabilityException } from './exceptions';
import type { GrypeInputs } from './inputs';
import { rankFindings } from './fixFirst';
import type { FailScope } from './policy';
import { decodeReport, Finding, GrypeReport, parseGrypeReport } from './report';
import { NotCounted, notCountedFindings, notCountedSections } from './suppressed';
import { parseOpenVexStatements, VexStatement } from './openvex';
import { findVexDocuments } from './vex';

/**
 * The baseline, exceptions and VEX around the scan: the thin file-reading layer over the pure
 * modules baseline.ts, exceptions.ts, suppressed.ts and vex.ts.
 */

export interface TriageSetup {
  exceptions: VulnerabilityException[];
  exceptionsFile?: string;
  vexDocuments: string[];
  /** The documents' OpenVEX statements, for the justifications the report does not carry. */
  vexStatements: VexStatement[];
}

/** Before the scan: an invalid exceptions file or a VEX path that matches nothing fails the step here. */
export function prepareTriage(inputs: Pick<GrypeInputs, 'exceptionsFile' | 'vexDocuments'>, sourcesDirectory: string | undefined): TriageSetup {
  let exceptionsFile = inputs.exceptionsFile;
  if (exceptionsFile) {
    if (!fs.existsSync(exceptionsFile) || !fs.statSync(exceptionsFile).isFile()) {
      throw new UserError(`exceptionsFile '${exceptionsFile}' was not found. Fix the path, or clear the input to use ${DEFAULT_EXCEPTIONS_FILE} in the sources directory if there is one.`);
    }
  } else if (sourcesDirectory) {
    const candidate = path.join(sourcesDirectory, DEFAULT_EXCEPTIONS_FILE);
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) exceptionsFile = candidate;
  }
  const exceptions = exceptionsFile ? parseExceptions(fs.readFileSync(exceptionsFile, 'utf8'), exceptionsFile) : [];
  if (exceptionsFile) logLine(`Using ${exceptions.length} ${exceptions.length === 1 ? 'exception' : 'exceptions'} from ${exceptionsFile}.`);
  const vexDocuments = findVexDocuments(inputs.vexDocuments, sourcesDirectory);
  if (vexDocuments.length) logLine(`VEX documents passed to Grype: ${vexDocuments.join(', ')}`);
  const vexStatements = vexDocuments.flatMap((f) => parseOpenVexStatements(fs.readFileSync(f, 'utf8')));
  return { exceptions, exceptionsFile, vexDocuments, vexStatements };
}

/** Files under a folder (a downloaded artifact is small and shallow). */
function filesUnder(dir: string, depth = 4): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isFile()) out.push(full);
    else if (entry.isDirectory() && depth > 0) for (const file of filesUnder(full, depth - 1)) out.push(file);
  }
  return out.sort();
}

/**
 * The baseline's findings, or a warning saying why there is none (the step goes on without it).
 * `given` is a report, or a folder holding one (see chooseBaselineReport).
 */
export function readBaseline(given: string | undefined, onlyFixed: boolean, stem: string, jobName: string | undefined): { findings?: Finding[]; label?: string; warning?: string } {
  if (!given) return {};
  const goOn = 'The scan goes on without a baseline: every finding counts, as if baselineReport were empty.';
  if (!fs.existsSync(given)) {
    return { warning: oneLine(`baselineReport '${given}' does not exist (no earlier report downloaded?). ${goOn}`, 600) };
  }
  let file = given;
  if (fs.statSync(given).isDirectory()) {
    let files: string[];
    try {
      files = filesUnder(given);
    } catch (err) {
      return { warning: oneLine(`baselineReport folder '${given}' could not be read: ${(err as Error).message}. ${goOn}`, 600) };
    }
    const choice = chooseBaselineReport(files, stem, jobName ? slugify(jobName, 40) : undefined);
    if (!choice.file) return { warning: oneLine(`baselineReport folder '${given}' ${choice.problem}. ${goOn}`, 600) };
    file = choice.file;
    logLine(`Baseline: ${file} (from the folder ${given}).`);
  }
  try {
    // Filtered like this run (onlyFixed), so findings this run does not look at are not "fixed".
    const report = parseGrypeReport(decodeReport(fs.readFileSync(file)), { onlyFixed, label: `baselineReport ${file}` });
    return { findings: report.findings, label: path.basename(file) };
  } catch (err) {
    const why = err instanceof UserError ? err.message : `baselineReport ${file} could not be read: ${(err as Error).message}.`;
    return { warning: oneLine(`${why} ${goOn}`, 600) };
  }
}

export interface Triage {
  /** The findings that count, most urgent first (fixFirst.rankFindings). */
  ranked: Finding[];
  notCounted: NotCounted[];
  comparison?: BaselineComparison;
  /** What failOnSeverity and failOnKnownExploited count when failOnNewOnly applies. */
  failScope?: FailScope;
  /** Baseline and exception warnings, in that order. */
  warnings: string[];
  exceptedCount: number;
}

/** After the scan: exceptions, then the comparison with the baseline, then what the fail gate counts. */
export function triage(
  report: GrypeReport,
  setup: TriageSetup,
  inputs: Pick<GrypeInputs, 'baselineReport' | 'failOnNewOnly' | 'onlyFixed'>,
  run: { now: Date; stem: string; jobName: string | undefined },
): Triage {
  const outcome = applyExceptions(report.findings, setup.exceptions, run.now);
  const notCounted = notCountedFindings(report.ignored, report.unfixed, outcome.excepted, inputs.onlyFixed, setup.vexStatements);
  const baseline = readBaseline(inputs.baselineReport, inputs.onlyFixed, run.stem, run.jobName);
  const comparison =
    baseline.findings && baseline.label
      ? compareWithBaseline(baseline.label, baseline.findings, outcome.counted, notCounted.map((n) => n.finding))
      : undefined;
  const gate = findingsForFailGates(outcome.counted, comparison, inputs.failOnNewOnly);
  return {
    ranked: rankFindings(outcome.counted),
    notCounted,
    comparison,
    failScope: gate !== outcome.counted ? { findings: gate, adjective: 'new', note: 'failOnNewOnly: only findings not in the baseline' } : undefined,
    warnings: [...(baseline.warning ? [baseline.warning] : []), ...outcome.warnings],
    exceptedCount: outcome.excepted.length,
  };
}

/** Summary sections: baseline (if any), then what was not counted. */
export function triageSections(t: Triage): string[][] {
  const sections: string[][] = [];
  if (t.comparison) sections.push(baselineSections(t.comparison, rankFindings(t.comparison.newFindings), rankFindings(t.comparison.fixedFindings)));
  const notCounted = notCountedSections(t.notCounted);
  if (notCounted.length) sections.push(notCounted);
  return sections;
}

/** What the counts line of the log adds: `; 2 new, 1 fixed since the baseline; 3 not counted`, or ''. */
export function triageCounts(t: Triage): string {
  const baseline = t.comparison ? `; ${t.comparison.newFindings.length} new, ${t.comparison.fixedFindings.length} fixed since the baseline` : '';
  return `${baseline}${t.notCounted.length ? `; ${t.notCounted.length} not counted` : ''}`;
}

export function triageVariables(t: Triage): Record<string, string> {
  return { ...baselineVariables(t.comparison), exceptedCount: String(t.exceptedCount) };
}
