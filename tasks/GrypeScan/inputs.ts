import * as tl from 'azure-pipelines-task-lib/task';
import { splitArguments } from '../common/arguments';
import { UserError } from '../common/errors';
import { booleanInput, textInput } from '../common/main';
import { resolveTarget } from '../common/target';
import { THRESHOLDS, Threshold } from './policy';

/**
 * The task's inputs, read once into a typed object and validated. Parsing helpers are pure and
 * exported for unit tests; `readInputs` is the only function here that talks to task-lib.
 * An input the agent did not provide (undefined) means the task.json default.
 */

/** Grype output formats the task can write to a file, and the file suffix each gets. */
export const OUTPUT_FORMATS: Record<string, string> = {
  json: 'grype.json',
  sarif: 'grype.sarif',
  table: 'grype.table.txt',
  'cyclonedx-json': 'grype.cdx.json',
  'cyclonedx-xml': 'grype.cdx.xml',
  cyclonedx: 'grype.cdx.xml',
  template: 'grype.template.txt',
};

export interface GrypeInputs {
  target: string;
  warnOnSeverity: Threshold;
  failOnSeverity: Threshold;
  onlyFixed: boolean;
  /** Lower-case, de-duplicated, always starting with `json`. */
  outputFormats: string[];
  /** As given (undefined = default); prepared later by prepareOutputDirectory. */
  outputDirectory?: string;
  artifactName: string;
  publishSarif: boolean;
  dbCacheDirectory?: string;
  dbUpdateUrl?: string;
  /** '' = the pinned default. */
  grypeVersion: string;
  downloadBaseUrl?: string;
  binaryPath?: string;
  configFile?: string;
  containerRegistry?: string;
  additionalArguments: string[];
}

export function parseThreshold(name: string, raw: string | undefined, defaultValue: Threshold): Threshold {
  const value = raw?.trim().toLowerCase();
  if (!value) return defaultValue;
  if ((THRESHOLDS as readonly string[]).includes(value)) return value as Threshold;
  throw new UserError(`Input ${name} is '${raw?.trim()}', which is not a severity. Use one of: ${THRESHOLDS.join(', ')}.`);
}

export function parseOutputFormats(raw: string | undefined, additionalArguments: readonly string[] = []): string[] {
  const given = (raw ?? 'json,sarif,table')
    .split(/[\s,;]+/)
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  const formats = ['json'];
  for (const format of given) {
    if (!(format in OUTPUT_FORMATS)) {
      throw new UserError(`Input outputFormats names an unknown Grype format '${format}'. Use a comma-separated list of: ${Object.keys(OUTPUT_FORMATS).join(', ')}.`);
    }
    if (format === 'template' && !additionalArguments.some((a) => a === '-t' || a === '--template' || a.startsWith('--template='))) {
      throw new UserError("Input outputFormats has 'template' but additionalArguments gives no template file. Add -t <file> (or --template <file>) to additionalArguments.");
    }
    if (!formats.includes(format)) formats.push(format);
  }
  return formats;
}

/** '' (pinned default), 'latest', or an exact release `1.2.3` / `v1.2.3` (same rule as the installer, checked before anything runs). */
export function parseVersion(raw: string | undefined): string {
  const value = raw?.trim() ?? '';
  if (!value) return '';
  if (value.toLowerCase() === 'latest') return 'latest';
  if (/^v?\d{1,6}\.\d{1,6}\.\d{1,6}$/.test(value)) return value;
  throw new UserError(
    `Input grypeVersion is '${value}', which is not a Grype release version. Use an exact release such as 0.117.0 or v0.117.0, ` +
      "'latest', or leave it empty for the version this task pins.",
  );
}

export function parseUrl(name: string, raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`Input ${name} is '${value}', which is not a URL. Give a full http(s):// URL or leave it empty.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`Input ${name} must be an http(s) URL, not '${value}'.`);
  }
  return value;
}

/** A path input: the agent roots a relative `filePath` input; when supplied, take it as given. */
function pathInput(name: string): string | undefined {
  const value = textInput(name);
  if (!value) return undefined;
  // Outside the agent (or with an explicit value) getPathInput is the same text; the agent
  // expands an unset filePath input to the sources directory, which means "not set".
  const sources = tl.getVariable('Build.SourcesDirectory');
  if (sources && stripSlash(value) === stripSlash(sources)) return undefined;
  return value;
}

function stripSlash(p: string): string {
  return p.replace(/[\\/]+$/, '');
}

export function readInputs(): GrypeInputs {
  const additionalArguments = splitArguments(tl.getInput('additionalArguments') ?? '');
  const artifactName = tl.getInput('artifactName')?.trim();
  return {
    target: resolveTarget(tl.getInput('target'), tl.getVariable('Build.SourcesDirectory')),
    warnOnSeverity: parseThreshold('warnOnSeverity', tl.getInput('warnOnSeverity'), 'high'),
    failOnSeverity: parseThreshold('failOnSeverity', tl.getInput('failOnSeverity'), 'none'),
    onlyFixed: booleanInput('onlyFixed', false),
    outputFormats: parseOutputFormats(tl.getInput('outputFormats'), additionalArguments),
    outputDirectory: textInput('outputDirectory'),
    artifactName: artifactName === undefined || artifactName === '' ? 'grype' : artifactName,
    publishSarif: booleanInput('publishSarif', true),
    dbCacheDirectory: textInput('dbCacheDirectory'),
    dbUpdateUrl: parseUrl('dbUpdateUrl', tl.getInput('dbUpdateUrl')),
    grypeVersion: parseVersion(tl.getInput('grypeVersion')),
    downloadBaseUrl: parseUrl('downloadBaseUrl', tl.getInput('downloadBaseUrl')),
    binaryPath: pathInput('binaryPath'),
    configFile: pathInput('configFile'),
    containerRegistry: textInput('containerRegistry'),
    additionalArguments,
  };
}
