import fs = require('fs');
import path = require('path');
import tl = require('azure-pipelines-task-lib/task');
import { chooseConfigFile } from '../common/config';
import { UserError } from '../common/errors';
import { runTool } from '../common/exec';
import { installTool } from '../common/install';
import { unexpandedMacro } from '../common/inputs';
import { prepareOutputDirectory } from '../common/outputDirectory';
import { artifactForThisJob, inBuildJob, publishFiles, publishSummary } from '../common/publish';
import { readRegistryLogin, registryAccessProblem, registryEnvironment } from '../common/registry';
import { reportStem } from '../common/target';
import { describeExit, logLine, neutraliseCommands, oneLine, tailText } from '../common/text';
import { logDbStatus, readDbStatus, updateDatabase } from './database';
import { isStaleDatabaseError, staleDatabaseMessage, staleDbWarning } from './dbAge';
import { packageMark } from './baseline';
import { groupByPackage } from './fixFirst';
import { grypeEnvironment, reportFiles, scanArguments, userRequestedFailOn } from './grypeArguments';
import { readInputs } from './inputs';
import { countFindings, countsLine, Decision, decideResult, maxSeverity, outputVariables, warningLines } from './policy';
import { decodeReport, GrypeReport, parseGrypeReport, reportSizeProblem } from './report';
import { buildSummary } from './summary';
import { notCountedReport } from './suppressed';
import { prepareTriage, triage, Triage, triageCounts, triageSections, triageVariables } from './triage';

/**
 * GrypeScan: install → DB update → scan → read the JSON → publish reports → summary → variables,
 * tag → warnings → result (always last, so a failing scan still leaves its reports).
 */
export async function run(): Promise<void> {
  const inputs = readInputs();
  const login = readRegistryLogin(inputs.containerRegistry);
  const outputDirectory = prepareOutputDirectory(inputs.outputDirectory, 'output_grype');
  const artifactName = artifactForThisJob(inputs.artifactName, outputDirectory);
  const sourcesDirectory = tl.getVariable('Build.SourcesDirectory');
  const config = chooseConfigFile('grype', inputs.configFile, sourcesDirectory);
  logLine(config.message);
  // Exceptions and VEX paths are checked before anything is installed or scanned.
  const triageSetup = prepareTriage(inputs, sourcesDirectory);

  const grype = await installTool(inputs.install);

  const dbCacheDirectory = chooseDbCacheDirectory(inputs.dbCacheDirectory);
  const env = grypeEnvironment({
    dbCacheDirectory,
    dbUpdateUrl: inputs.dbUpdateUrl,
    registry: login ? registryEnvironment('GRYPE', login) : undefined,
  });
  if (login) logLine(`Registry credentials for ${login.authority} from service connection '${inputs.containerRegistry}' are passed to Grype through its environment.`);

  const db = await updateDatabase(grype.path, env, dbCacheDirectory);
  if (db.warning) tl.logIssue(tl.IssueType.Warning, db.warning);

  const stem = reportStem(inputs.target, tl.getVariable('Agent.JobName'));
  const reports = reportFiles(outputDirectory, stem, inputs.outputFormats);
  const notCountedFile = path.join(outputDirectory, `${stem}.grype-not-counted.json`);
  // A report left by an earlier run must never be read as this run's.
  for (const file of [...reports.map((r) => r.path), notCountedFile]) fs.rmSync(file, { force: true });

  logLine(`Scanning ${inputs.target} with Grype${grype.version ? ` ${grype.version}` : ''}.`);
  const scan = await runTool({
    name: 'Grype',
    path: grype.path,
    args: scanArguments({ target: inputs.target, reports, onlyFixed: inputs.onlyFixed, configFile: config.path, vexDocuments: triageSetup.vexDocuments, additionalArguments: inputs.additionalArguments }),
    env,
  });

  const jsonFile = reports[0].path;
  let report: GrypeReport | undefined;
  let reportProblem: string | undefined;
  if (fs.existsSync(jsonFile)) {
    reportProblem = reportSizeProblem(`Grype's JSON report ${jsonFile}`, fs.statSync(jsonFile).size);
  } else {
    reportProblem = `Grype wrote no JSON report (${jsonFile} does not exist).`;
  }
  if (!reportProblem) {
    try {
      // Decoded first, so the file's bytes can be freed while the findings are read.
      report = parseGrypeReport(decodeReport(fs.readFileSync(jsonFile)), { onlyFixed: inputs.onlyFixed, label: `Grype's JSON report ${jsonFile}` });
    } catch (err) {
      // Not Grype JSON (UserError), or too large to read at all (e.g. RangeError): either way unusable.
      reportProblem = err instanceof UserError ? err.message : `Grype's JSON report ${jsonFile} could not be read: ${(err as Error).message}.`;
    }
  }

  let failOnHit: string | undefined;
  let grypeFailure: string | undefined;
  if (scan.exitCode !== 0) {
    const configText = config.path ? safeRead(config.path) : undefined;
    if (report && (scan.exitCode === 1 || scan.exitCode === 2) && userRequestedFailOn(inputs.additionalArguments, configText, process.env)) {
      failOnHit = `Grype's own fail-on severity (set in additionalArguments, the config file or GRYPE_FAIL_ON_SEVERITY) was reached: it exited with code ${scan.exitCode}.`;
    } else {
      grypeFailure =
        `Grype failed: ${describeExit(scan.exitCode)}` +
        (reportProblem ? `. ${reportProblem}` : ' (the scan did not complete, so its findings are not trusted).') +
        ' Check the target and the messages below; add --verbose to additionalArguments for more detail.';
    }
  } else if (reportProblem) {
    grypeFailure = `Grype exited successfully, but its JSON report cannot be used. ${reportProblem}`;
  }

  const existing = reports.filter((r) => fs.existsSync(r.path));
  const sarif = existing.find((r) => r.format === 'sarif');

  // Exceptions, baseline and what is not counted; their JSON goes out with the reports.
  let triaged: Triage | undefined;
  if (report && !grypeFailure) {
    triaged = triage(report, triageSetup, inputs, { now: new Date(), stem, jobName: tl.getVariable('Agent.JobName') });
    if (triaged.notCounted.length) fs.writeFileSync(notCountedFile, notCountedReport(inputs.target, triaged.notCounted));
  }
  const published = existing.map((r) => r.path).concat(fs.existsSync(notCountedFile) ? [notCountedFile] : []);

  // 1. Reports artifact (+ SARIF for the Scans tab) first, so whatever happens next, even a failed
  //    scan, leaves them.
  if (published.length) publishFiles(artifactName, published);
  if (inputs.publishSarif && sarif && inBuildJob()) {
    tl.uploadArtifact('CodeAnalysisLogs', sarif.path, 'CodeAnalysisLogs');
  } else if (inputs.publishSarif && !inputs.outputFormats.includes('sarif')) {
    logLine("publishSarif is true but outputFormats has no 'sarif': nothing is published to the Scans tab (CodeAnalysisLogs).");
  }

  if (grypeFailure) {
    const stderr = scan.stderrTail.join('\n');
    // A mirror serving an old DB: the update succeeds, then Grype refuses the DB it got.
    const stale = isStaleDatabaseError(stderr) ? staleDatabaseMessage((await readDbStatus(grype.path, env)).built, dbCacheDirectory, { ...process.env, ...env }) : undefined;
    const refused = registryAccessProblem(stderr, login, inputs.containerRegistry);
    grypeFailure = stale ?? (refused ? `Grype failed: ${describeExit(scan.exitCode)}. ${refused}` : grypeFailure);
  }
  if (grypeFailure || !report || !triaged) {
    tl.setResult(tl.TaskResult.Failed, neutraliseCommands(`${grypeFailure ?? reportProblem}${tailText(scan.stderrTail)}`));
    return;
  }

  // The DB build date: from the update's fallback status, else the report, else `grype db status`.
  let dbStatus = db.status;
  if (!dbStatus.built && report.dbBuilt) dbStatus = { built: report.dbBuilt, schemaVersion: report.dbSchemaVersion };
  if (!dbStatus.built) dbStatus = await readDbStatus(grype.path, env);
  if (!db.warning) logDbStatus(dbStatus);

  // The DB fallback warning already names the cached DB's build date; otherwise warn when it is stale.
  const staleDb = db.warning ? undefined : staleDbWarning(dbStatus.built);
  if (staleDb) tl.logIssue(tl.IssueType.Warning, staleDb);

  const grypeVersion = usableVersion(report.grypeVersion) ?? grype.version;
  // Counts, fix-first groups and warnings cover the counted findings only (exceptions, VEX, onlyFixed left out).
  const { ranked, comparison } = triaged;
  const groups = groupByPackage(ranked);
  const counts = countFindings(ranked);
  if (inputs.failOnNewOnly && !inputs.baselineReport) logLine('failOnNewOnly is true but baselineReport is empty: failOnSeverity and failOnKnownExploited count every finding.');
  let decision: Decision = decideResult(
    counts,
    groups,
    { warnOn: inputs.warnOnSeverity, failOn: inputs.failOnSeverity, failOnKnownExploited: inputs.failOnKnownExploited },
    triaged.failScope,
  );
  if (failOnHit && decision.result !== 'Failed') decision = { result: 'Failed', message: failOnHit };
  const max = maxSeverity(counts);

  // One line of counts; the packages and findings are in the warnings, the summary and the reports.
  logLine(`Grype found ${countsLine(counts, groups.length)}${triageCounts(triaged)}.`);

  // 2. Summary (the run's Extensions tab).
  const summaryName = `Grype: ${inputs.target}`;
  const summary = buildSummary({
    target: inputs.target,
    counts,
    groups,
    ranked,
    decision,
    warnOnSeverity: inputs.warnOnSeverity,
    failOnSeverity: inputs.failOnSeverity,
    failOnKnownExploited: inputs.failOnKnownExploited,
    failOnNewOnly: triaged.failScope !== undefined,
    onlyFixed: inputs.onlyFixed,
    ignoredCount: report.ignoredCount,
    grypeVersion,
    dbBuilt: dbStatus.built,
    dbSchemaVersion: dbStatus.schemaVersion,
    reportFiles: published.map((p) => path.basename(p)),
    artifactName,
    extraNotes: [db.warning, staleDb, failOnHit].filter((n): n is string => Boolean(n)),
    extraSections: triageSections(triaged),
  });
  publishSummary(outputDirectory, `${stem}.grype-summary.md`, summary, summaryName);

  // 3. Output variables and build tag.
  const variables = { ...outputVariables(counts, max, { jsonReport: jsonFile, sarifReport: sarif?.path }, grypeVersion), ...triageVariables(triaged) };
  for (const [name, value] of Object.entries(variables)) tl.setVariable(name, value, false, true);
  if (max !== 'None' && inBuildJob()) tl.addBuildTag(`vulnerable-${max.toLowerCase()}`);

  // 4. Warnings: baseline and exceptions, then one per package, best first (new ones marked), within the step's budget.
  for (const line of triaged.warnings) tl.logIssue(tl.IssueType.Warning, line);
  const where = {
    summaryName,
    artifactName,
    reportFile: artifactName ? path.basename(jsonFile) : jsonFile,
    alreadyLogged: (db.warning ? 1 : 0) + (staleDb ? 1 : 0) + triaged.warnings.length,
  };
  for (const line of warningLines(groups, inputs.warnOnSeverity, where, (g) => packageMark(comparison, g.findings))) tl.logIssue(tl.IssueType.Warning, line);

  // 5. Result, last.
  tl.setResult(tl.TaskResult[decision.result], decision.message);
}

/**
 * The input, else the default. An input with a macro the pipeline does not define falls back to
 * the default with a log line instead of failing: the cache only saves a download, and the scan
 * is the same wherever the DB is kept.
 */
function chooseDbCacheDirectory(input: string | undefined): string {
  const macro = unexpandedMacro(input);
  if (!macro) return input ?? defaultDbCacheDirectory();
  const dir = defaultDbCacheDirectory();
  logLine(`dbCacheDirectory uses ${macro}, which this pipeline does not define; using ${dir} instead.`);
  return dir;
}

function defaultDbCacheDirectory(): string {
  const tools = tl.getVariable('Agent.ToolsDirectory');
  if (tools) return path.join(tools, 'grype', 'db');
  const temp = tl.getVariable('Agent.TempDirectory');
  if (temp) return path.join(temp, 'grype', 'db');
  throw new UserError('dbCacheDirectory is not set and neither Agent.ToolsDirectory nor Agent.TempDirectory is known. Set dbCacheDirectory.');
}

/** Snapshot reports say `[not provided]`; treat anything without a digit as unknown. */
function usableVersion(version: string | undefined): string | undefined {
  return version && /\d/.test(version) ? oneLine(version, 40) : undefined;
}

function safeRead(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
