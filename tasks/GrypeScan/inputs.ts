import tl = require('azure-pipelines-task-lib/task');
import { splitArguments } from '../common/arguments';
import { UserError } from '../common/errors';
import type { InstallRequest } from '../common/install';
import { artifactNameInput, booleanInput, parseHttpUrl, pathInput, readInstallRequest, rejectUnexpandedMacro, textInput } from '../common/inputs';
import { resolveTarget } from '../common/target';
import { isOutputFormat, OUTPUT_FORMATS, OutputFormat } from './grypeArguments';
import { THRESHOLDS, Threshold } from './policy';
import { splitVexPatterns } from './vex';

/**
 * The task's inputs, read once into a typed object and validated. Parsing helpers are pure and
 * exported for unit tests; `readInputs` is the only function here that talks to task-lib.
 * An input the agent did not provide (undefined) means the task.json default.
 */

/** Grype's older names for the same formats. */
const FORMAT_ALIASES = new Map<string, OutputFormat>([['cyclonedx', 'cyclonedx-xml']]);

export interface GrypeInputs {
  target: string;
  warnOnSeverity: Threshold;
  failOnSeverity: Threshold;
  onlyFixed: boolean;
  failOnKnownExploited: boolean;
  /** Lower-case, de-duplicated, always starting with `json`. */
  outputFormats: OutputFormat[];
  /** As given (undefined = default); prepared later by prepareOutputDirectory. */
  outputDirectory?: string;
  /** undefined: `none`, publish nothing. */
  artifactName?: string;
  publishSarif: boolean;
  dbCacheDirectory?: string;
  dbUpdateUrl?: string;
  install: InstallRequest;
  configFile?: string;
  containerRegistry?: string;
  additionalArguments: string[];
  /** An earlier scan's Grype JSON (as given; a missing file is a warning, not an error). */
  baselineReport?: string;
  failOnNewOnly: boolean;
  /** As given; undefined: `.grype-exceptions.yaml` in the sources directory, if there is one. */
  exceptionsFile?: string;
  /** Paths or globs, resolved by findVexDocuments. */
  vexDocuments: string[];
}

export function parseThreshold(name: string, raw: string | undefined, defaultValue: Threshold): Threshold {
  const value = raw?.trim().toLowerCase();
  if (!value) return defaultValue;
  if ((THRESHOLDS as readonly string[]).includes(value)) return value as Threshold;
  throw new UserError(`Input ${name} is '${raw?.trim()}', which is not a severity. Use one of: ${THRESHOLDS.join(', ')}.`);
}

export function parseOutputFormats(raw: string | undefined, additionalArguments: readonly string[] = []): OutputFormat[] {
  const given = (raw ?? 'json,sarif,table')
    .split(/[\s,;]+/)
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean)
    .map((f) => FORMAT_ALIASES.get(f) ?? f);
  const formats: OutputFormat[] = ['json'];
  for (const format of given) {
    if (!isOutputFormat(format)) {
      throw new UserError(`Input outputFormats names an unknown Grype format '${format}'. Use a comma-separated list of: ${Object.keys(OUTPUT_FORMATS).join(', ')}.`);
    }
    if (format === 'template' && !additionalArguments.some((a) => a === '-t' || a === '--template' || a.startsWith('--template='))) {
      throw new UserError("Input outputFormats has 'template' but additionalArguments gives no template file. Add -t <file> (or --template <file>) to additionalArguments.");
    }
    if (!formats.includes(format)) formats.push(format);
  }
  return formats;
}

export function readInputs(): GrypeInputs {
  const additionalArguments = splitArguments(tl.getInput('additionalArguments') ?? '');
  return {
    target: resolveTarget(tl.getInput('target'), tl.getVariable('Build.SourcesDirectory')),
    warnOnSeverity: parseThreshold('warnOnSeverity', tl.getInput('warnOnSeverity'), 'high'),
    failOnSeverity: parseThreshold('failOnSeverity', tl.getInput('failOnSeverity'), 'none'),
    onlyFixed: booleanInput('onlyFixed', false),
    failOnKnownExploited: booleanInput('failOnKnownExploited', false),
    outputFormats: parseOutputFormats(tl.getInput('outputFormats'), additionalArguments),
    outputDirectory: textInput('outputDirectory'),
    artifactName: artifactNameInput('grype'),
    publishSarif: booleanInput('publishSarif', true),
    dbCacheDirectory: textInput('dbCacheDirectory'),
    dbUpdateUrl: parseHttpUrl('dbUpdateUrl', tl.getInput('dbUpdateUrl')),
    install: readInstallRequest('grype'),
    configFile: rejectUnexpandedMacro('configFile', pathInput('configFile')),
    containerRegistry: textInput('containerRegistry'),
    additionalArguments,
    baselineReport: pathInput('baselineReport'),
    failOnNewOnly: booleanInput('failOnNewOnly', false),
    exceptionsFile: rejectUnexpandedMacro('exceptionsFile', pathInput('exceptionsFile')),
    vexDocuments: splitVexPatterns(tl.getInput('vexDocuments')),
  };
}
