import path = require('path');

/**
 * Inputs → Grype argv and environment: the one place that maps them (like anchore/scan-action's
 * explicit mapping). PURE: no I/O, no task-lib.
 *
 * Not passed on purpose: `--fail-on`. The task decides the result from the JSON report itself,
 * so thresholds are exact and a Grype error is never mistaken for a policy failure.
 */

/** Grype output formats the task can write to a file, and the file suffix each gets. */
export const OUTPUT_FORMATS = {
  json: 'grype.json',
  sarif: 'grype.sarif',
  table: 'grype.table.txt',
  'cyclonedx-json': 'grype.cdx.json',
  'cyclonedx-xml': 'grype.cdx.xml',
  template: 'grype.template.txt',
} as const;
export type OutputFormat = keyof typeof OUTPUT_FORMATS;

export function isOutputFormat(value: string): value is OutputFormat {
  return Object.prototype.hasOwnProperty.call(OUTPUT_FORMATS, value);
}

export interface ReportFile {
  format: OutputFormat;
  path: string;
}

/** `<outputDirectory>/<stem>.grype.json`, `.grype.sarif`, `.grype.table.txt`, … JSON first. */
export function reportFiles(outputDirectory: string, stem: string, formats: readonly OutputFormat[]): ReportFile[] {
  const ordered: OutputFormat[] = ['json', ...formats.filter((f) => f !== 'json')];
  return ordered.map((format) => ({ format, path: path.join(outputDirectory, `${stem}.${OUTPUT_FORMATS[format]}`) }));
}

export interface ScanArgumentsInput {
  target: string;
  reports: readonly ReportFile[];
  onlyFixed: boolean;
  configFile?: string;
  /** OpenVEX documents (vexDocuments), one `--vex` each. */
  vexDocuments?: readonly string[];
  additionalArguments: readonly string[];
}

export function scanArguments(input: ScanArgumentsInput): string[] {
  const args = [input.target];
  for (const report of input.reports) args.push('-o', `${report.format}=${report.path}`);
  // Also filtered again by parseGrypeReport: Grype's own SARIF/table then agree, and counts stay exact with older Grype.
  if (input.onlyFixed) args.push('--only-fixed');
  if (input.configFile) args.push('-c', input.configFile);
  for (const vex of input.vexDocuments ?? []) args.push('--vex', vex);
  // Last, so the user's flags win over ours where Grype takes the last value.
  for (const arg of input.additionalArguments) args.push(arg);
  return args;
}

export interface EnvironmentInput {
  dbCacheDirectory: string;
  dbUpdateUrl?: string;
  /** GRYPE_REGISTRY_AUTH_* from the registry service connection (secrets: environment only). */
  registry?: Record<string, string>;
}

/** Environment for every Grype invocation. The scan does not update the DB again (we just did). */
export function grypeEnvironment(input: EnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {
    GRYPE_CHECK_FOR_APP_UPDATE: 'false',
    GRYPE_DB_CACHE_DIR: input.dbCacheDirectory,
    GRYPE_DB_AUTO_UPDATE: 'false',
  };
  if (input.dbUpdateUrl) env.GRYPE_DB_UPDATE_URL = input.dbUpdateUrl;
  return { ...env, ...(input.registry ?? {}) };
}

/**
 * Did the user ask Grype itself to fail on a severity (additionalArguments, config file, or
 * environment)? Then Grype's exit code 2 (≥ v0.91.1) or 1 (older) with a complete JSON report is
 * that policy firing, not a crash.
 */
export function userRequestedFailOn(additionalArguments: readonly string[], configText: string | undefined, env: NodeJS.ProcessEnv): boolean {
  if (additionalArguments.some((a) => a === '--fail-on' || a.startsWith('--fail-on=') || a === '-f' || /^-f\S/.test(a))) return true;
  if (configText && /^\s*fail-on-severity\s*:\s*['"]?[a-z]/im.test(configText)) return true;
  return Boolean(env.GRYPE_FAIL_ON_SEVERITY?.trim());
}
