import tl = require('azure-pipelines-task-lib/task');
import { splitArguments } from '../common/arguments';
import { UserError } from '../common/errors';
import type { InstallRequest } from '../common/install';
import { artifactNameInput, booleanInput, pathInput, readInstallRequest, rejectUnexpandedMacro, textInput, unexpandedMacro } from '../common/inputs';
import { authParameter } from '../common/registry';
import { resolveTarget } from '../common/target';
import { logLine } from '../common/text';
import { DependencyTrackTarget, normaliseDependencyTrackUrl } from './dependencyTrack';
import { FailOnPolicyViolation, FailOnSeverity, parseChoice, SEVERITIES } from './dependencyTrackGate';
import { FormatSpec, isCycloneDx, parseFormats } from './formats';

/**
 * The task's inputs, read once and checked before anything runs. An input the agent did not
 * provide (undefined) means the task.json default. Parsing helpers are pure and exported.
 */
export interface SyftInputs {
  target: string;
  formats: FormatSpec[];
  outputDirectory?: string;
  /** undefined: `none`, publish nothing. */
  artifactName?: string;
  validateSbom: boolean;
  failOnInvalid: boolean;
  addPipelineMetadata: boolean;
  dependencyTrack?: DependencyTrackSettings;
  install: InstallRequest;
  configFile?: string;
  containerRegistry?: string;
  additionalArguments: string[];
}

/** Options that would fight the task's own `-o` outputs. Pure. */
export function checkAdditionalArguments(args: string[]): void {
  const clash = args.find((a) => a === '-o' || a === '--output' || a.startsWith('--output=') || (/^-o./.test(a) && !a.startsWith('--')));
  if (clash) {
    throw new UserError(`additionalArguments contains '${clash}', but the task sets Syft's outputs itself. List the formats in outputFormats instead (e.g. cyclonedx-json,spdx-json).`);
  }
}

export interface DependencyTrackInputs {
  /** the dependencyTrackServiceConnection input (its id) and what the connection holds */
  connection?: { id: string; url?: string; apiKey?: string; frontendUrl?: string };
  url?: string;
  apiKey?: string;
  project?: string;
  projectVersion?: string;
  tags?: string;
  parentName?: string;
  parentVersion?: string;
  isLatest?: string;
  wait?: string;
  timeoutMinutes?: string;
  failOnSeverity?: string;
  failOnPolicyViolation?: string;
  frontendUrl?: string;
}

/** Waiting for Dependency-Track's analysis, and what fails the step afterwards. */
export interface DependencyTrackWait {
  failOnSeverity: FailOnSeverity;
  failOnPolicyViolation: FailOnPolicyViolation;
}

export interface DependencyTrackSettings {
  target: DependencyTrackTarget;
  /** the deadline of the upload, and of the whole wait */
  timeoutMinutes: number;
  /** undefined: upload only */
  wait?: DependencyTrackWait;
  /** the frontend's address, for the link to the project */
  frontendUrl?: string;
}

/**
 * A project field as given, or undefined when empty or still holding a `$(Variable)` the pipeline
 * does not define (classic release pipelines have no Build.Repository.Name), which `log` names. Pure.
 */
function projectField(name: string, value: string | undefined, log: (line: string) => void): string | undefined {
  const macro = unexpandedMacro(value);
  if (macro) {
    log(`${name}: ${macro} is not defined in this pipeline, so ${name} counts as empty.`);
    return undefined;
  }
  return value?.trim() || undefined;
}

/** `true`/`false` (any case), empty → `fallback`. Pure. */
function parseBoolean(name: string, raw: string | undefined, fallback: boolean): boolean {
  return parseChoice(name, raw, ['true', 'false'] as const, fallback ? 'true' : 'false') === 'true';
}

/** A positive number of minutes (fractions allowed), empty → 10. Pure. */
function parseTimeoutMinutes(raw: string | undefined): number {
  const text = raw?.trim();
  if (!text) return 10;
  const minutes = Number(text);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 360) {
    throw new UserError(`Input dependencyTrackTimeoutMinutes must be a number of minutes above 0 and at most 360, not '${text}'.`);
  }
  return minutes;
}

/**
 * Dependency-Track settings, or undefined when neither a service connection nor a URL is set.
 * Needs a CycloneDX format to upload. The API key must already be registered as a secret
 * (readInputs does it first). Pure but for `log`.
 */
export function parseDependencyTrack(raw: DependencyTrackInputs, formats: FormatSpec[], env: NodeJS.ProcessEnv, log: (line: string) => void = () => undefined): DependencyTrackSettings | undefined {
  const connection = raw.connection;
  if (connection && (raw.url?.trim() || raw.apiKey?.trim())) {
    throw new UserError(
      `Both dependencyTrackServiceConnection and ${raw.url?.trim() ? 'dependencyTrackUrl' : 'dependencyTrackApiKey'} are set. Use one: the service connection ` +
        `(it holds the URL and the API key), or dependencyTrackUrl with dependencyTrackApiKey for existing pipelines. Clear the other input(s).`,
    );
  }
  const failOnSeverity = parseChoice('dependencyTrackFailOnSeverity', raw.failOnSeverity, ['none', ...SEVERITIES] as const, 'none');
  const failOnPolicyViolation = parseChoice('dependencyTrackFailOnPolicyViolation', raw.failOnPolicyViolation, ['none', 'warn', 'fail'] as const, 'none');
  const waitInput = parseBoolean('dependencyTrackWait', raw.wait, false);
  let baseUrl: string;
  let apiKey: string;
  let source: string;
  let keyName: string;
  let frontendUrl = parseFrontendUrl('dependencyTrackFrontendUrl', raw.frontendUrl);
  if (connection) {
    source = `service connection '${connection.id}'`;
    keyName = `The API key of service connection '${connection.id}'`;
    if (!connection.url?.trim()) throw new UserError(`The Dependency-Track service connection '${connection.id}' was not found or has no server URL. Check dependencyTrackServiceConnection and that this pipeline may use the connection.`);
    baseUrl = normaliseDependencyTrackUrl(connection.url, `The server URL of ${source}`);
    apiKey = connection.apiKey?.trim() ?? '';
    if (!apiKey) throw new UserError(`The Dependency-Track service connection '${connection.id}' has no API key. Edit the connection and enter a Dependency-Track API key (Administration → Access Management → Teams → API Keys).`);
    frontendUrl ??= parseFrontendUrl(`The frontend URL of ${source}`, connection.frontendUrl);
  } else {
    if (!raw.url?.trim()) {
      const asked = [
        waitInput ? 'dependencyTrackWait' : '',
        failOnSeverity !== 'none' ? 'dependencyTrackFailOnSeverity' : '',
        failOnPolicyViolation !== 'none' ? 'dependencyTrackFailOnPolicyViolation' : '',
      ].filter(Boolean);
      // A gate without a server would pass every build: say so instead.
      if (asked.length) throw new UserError(`${asked.join(' and ')} ${asked.length === 1 ? 'is' : 'are'} set, but no Dependency-Track server is: set dependencyTrackServiceConnection (or dependencyTrackUrl with dependencyTrackApiKey).`);
      return undefined;
    }
    source = 'dependencyTrackUrl';
    keyName = 'The key in dependencyTrackApiKey';
    baseUrl = normaliseDependencyTrackUrl(raw.url);
    apiKey = raw.apiKey?.trim() ?? '';
    if (!apiKey) {
      throw new UserError('dependencyTrackUrl is set but dependencyTrackApiKey is empty. Use dependencyTrackServiceConnection (a Dependency-Track service connection holding the URL and key), or create a secret pipeline variable holding a Dependency-Track API key (team with BOM_UPLOAD and PROJECT_CREATION_UPLOAD) and set dependencyTrackApiKey: $(thatVariable).');
    }
    // An undefined (or, in a fork's PR build, withheld) secret variable arrives as its macro text.
    const keyMacro = unexpandedMacro(apiKey);
    if (keyMacro) {
      throw new UserError(`dependencyTrackApiKey is ${keyMacro}, a variable this pipeline does not define (or does not pass to this run). Define it as a secret pipeline variable, or in a variable group linked to the pipeline.`);
    }
  }
  if (!formats.some(isCycloneDx)) {
    throw new UserError(`Dependency-Track takes CycloneDX, but outputFormats (${formats.map((f) => f.name).join(', ')}) has none. Add cyclonedx-json to outputFormats, or clear ${connection ? 'dependencyTrackServiceConnection' : 'dependencyTrackUrl'}.`);
  }
  const projectName = (projectField('dependencyTrackProject', raw.project, log) || env.BUILD_REPOSITORY_NAME || '').trim();
  if (!projectName) throw new UserError('dependencyTrackProject is empty and Build.Repository.Name is unknown. Set dependencyTrackProject.');
  const projectVersion = (projectField('dependencyTrackProjectVersion', raw.projectVersion, log) || env.BUILD_SOURCEBRANCHNAME || '').trim();
  if (!projectVersion) throw new UserError('dependencyTrackProjectVersion is empty and Build.SourceBranchName is unknown. Set dependencyTrackProjectVersion.');

  const tags = (rejectUnexpandedMacro('dependencyTrackProjectTags', raw.tags) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  const parentName = rejectUnexpandedMacro('dependencyTrackParentName', raw.parentName?.trim() || undefined);
  const parentVersion = rejectUnexpandedMacro('dependencyTrackParentVersion', raw.parentVersion?.trim() || undefined);
  if (parentVersion && !parentName) throw new UserError('dependencyTrackParentVersion is set but dependencyTrackParentName is empty. Set the parent project\'s name too, or clear dependencyTrackParentVersion.');
  const isLatest = parseBoolean('dependencyTrackIsLatest', raw.isLatest, false);

  // Either fail input needs the analysis, so it turns the wait on.
  const wait = waitInput || failOnSeverity !== 'none' || failOnPolicyViolation !== 'none';
  return {
    target: { baseUrl, apiKey, source, keyName, projectName, projectVersion, tags, parentName, parentVersion, isLatest },
    timeoutMinutes: parseTimeoutMinutes(raw.timeoutMinutes),
    wait: wait ? { failOnSeverity, failOnPolicyViolation } : undefined,
    frontendUrl,
  };
}

/** The frontend's address (for links only): an http(s) URL, without a trailing slash. Pure. */
function parseFrontendUrl(name: string, raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw new UserError(`${name} '${value.replace(/\/\/[^/?#]*@/, '//')}' is not an http(s) URL without credentials. Give the address users open in the browser, e.g. https://dtrack.example.com.`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The Dependency-Track key, registered as a secret before anything else can print it: from the
 * service connection's authorization (task-lib's endpoint API; not getEndpointAuthorizationParameter,
 * which writes the value to the debug log), or the legacy input (a secret variable, which the
 * agent masks).
 */
function readDependencyTrackConnection(): DependencyTrackInputs['connection'] {
  const id = textInput('dependencyTrackServiceConnection');
  if (!id) return undefined;
  const apiKey = authParameter(id, 'apitoken');
  if (apiKey?.trim()) tl.setSecret(apiKey.trim());
  return { id, url: tl.getEndpointUrl(id, true), apiKey, frontendUrl: tl.getEndpointDataParameter(id, 'frontendUrl', true) };
}

export function readInputs(): SyftInputs {
  // Secrets first: nothing may print the key before the agent knows to mask it.
  const connection = readDependencyTrackConnection();
  const apiKeyRaw = tl.getInput('dependencyTrackApiKey');
  if (apiKeyRaw?.trim()) tl.setSecret(apiKeyRaw.trim());
  const sources = tl.getVariable('Build.SourcesDirectory');
  const target = resolveTarget(tl.getInput('target'), sources);
  const formats = parseFormats(tl.getInput('outputFormats'));
  const additionalArguments = splitArguments(tl.getInput('additionalArguments') ?? '');
  checkAdditionalArguments(additionalArguments);
  return {
    target,
    formats,
    outputDirectory: textInput('outputDirectory'),
    artifactName: artifactNameInput('sbom'),
    validateSbom: booleanInput('validateSbom', true),
    failOnInvalid: booleanInput('failOnInvalid', false),
    addPipelineMetadata: booleanInput('addPipelineMetadata', true),
    dependencyTrack: parseDependencyTrack(
      {
        connection,
        url: tl.getInput('dependencyTrackUrl'),
        apiKey: apiKeyRaw,
        project: tl.getInput('dependencyTrackProject'),
        projectVersion: tl.getInput('dependencyTrackProjectVersion'),
        tags: tl.getInput('dependencyTrackProjectTags'),
        parentName: tl.getInput('dependencyTrackParentName'),
        parentVersion: tl.getInput('dependencyTrackParentVersion'),
        isLatest: tl.getInput('dependencyTrackIsLatest'),
        wait: tl.getInput('dependencyTrackWait'),
        timeoutMinutes: tl.getInput('dependencyTrackTimeoutMinutes'),
        failOnSeverity: tl.getInput('dependencyTrackFailOnSeverity'),
        failOnPolicyViolation: tl.getInput('dependencyTrackFailOnPolicyViolation'),
        frontendUrl: tl.getInput('dependencyTrackFrontendUrl'),
      },
      formats,
      process.env,
      (line) => logLine(line),
    ),
    install: readInstallRequest('syft'),
    configFile: rejectUnexpandedMacro('configFile', pathInput('configFile')),
    containerRegistry: textInput('containerRegistry'),
    additionalArguments,
  };
}
