import im = require('azure-pipelines-task-lib/internal');
import tl = require('azure-pipelines-task-lib/task');
import { splitArguments } from '../common/arguments';
import { UserError } from '../common/errors';
import type { InstallRequest } from '../common/install';
import { artifactNameInput, booleanInput, pathInput, readInstallRequest, rejectUnexpandedMacro, textInput, unexpandedMacro } from '../common/inputs';
import { resolveTarget } from '../common/target';
import { logLine } from '../common/text';
import { DependencyTrackTarget, normaliseDependencyTrackUrl } from './dependencyTrack';
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
  dependencyTrack?: DependencyTrackTarget;
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
  url?: string;
  apiKey?: string;
  project?: string;
  projectVersion?: string;
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

/**
 * Dependency-Track settings, or undefined when no URL is set. Needs a CycloneDX format to upload.
 * The API key must already be registered as a secret (readInputs does it first). Pure but for `log`.
 */
export function parseDependencyTrack(raw: DependencyTrackInputs, formats: FormatSpec[], env: NodeJS.ProcessEnv, log: (line: string) => void = () => undefined): DependencyTrackTarget | undefined {
  const apiKey = raw.apiKey?.trim();
  if (!raw.url?.trim()) return undefined;
  const baseUrl = normaliseDependencyTrackUrl(raw.url);
  if (!apiKey) {
    throw new UserError('dependencyTrackUrl is set but dependencyTrackApiKey is empty. Create a secret pipeline variable holding a Dependency-Track API key (team with BOM_UPLOAD and PROJECT_CREATION_UPLOAD) and set dependencyTrackApiKey: $(thatVariable).');
  }
  // An undefined (or, in a fork's PR build, withheld) secret variable arrives as its macro text.
  const keyMacro = unexpandedMacro(apiKey);
  if (keyMacro) {
    throw new UserError(`dependencyTrackApiKey is ${keyMacro}, a variable this pipeline does not define (or does not pass to this run). Define it as a secret pipeline variable, or in a variable group linked to the pipeline.`);
  }
  if (!formats.some(isCycloneDx)) {
    throw new UserError(`Dependency-Track takes CycloneDX, but outputFormats (${formats.map((f) => f.name).join(', ')}) has none. Add cyclonedx-json to outputFormats, or clear dependencyTrackUrl.`);
  }
  const projectName = (projectField('dependencyTrackProject', raw.project, log) || env.BUILD_REPOSITORY_NAME || '').trim();
  if (!projectName) throw new UserError('dependencyTrackProject is empty and Build.Repository.Name is unknown. Set dependencyTrackProject.');
  const projectVersion = (projectField('dependencyTrackProjectVersion', raw.projectVersion, log) || env.BUILD_SOURCEBRANCHNAME || '').trim();
  if (!projectVersion) throw new UserError('dependencyTrackProjectVersion is empty and Build.SourceBranchName is unknown. Set dependencyTrackProjectVersion.');
  return { baseUrl, apiKey, projectName, projectVersion };
}

/**
 * An input that holds a secret, read without tl.getInput(), which writes `name=value` to the debug
 * log before the caller could register the value with setSecret. task-lib keeps inputs in its
 * vault (moved out of the environment when it loads) under `INPUT_<variable key>`, as getInput
 * does; the pinned 5.281.0 exposes both as `internal._vault` and `internal._getVariableKey`. Falls
 * back to getInput if that ever changes.
 */
function readSecretInput(name: string): string | undefined {
  const lib = im as Partial<Pick<typeof im, '_vault' | '_getVariableKey'>>;
  if (typeof lib._vault?.retrieveSecret === 'function' && typeof lib._getVariableKey === 'function') return lib._vault.retrieveSecret(`INPUT_${lib._getVariableKey(name)}`);
  return tl.getInput(name);
}

export function readInputs(): SyftInputs {
  // Secrets first: nothing may print the key before the agent knows to mask it.
  const apiKeyRaw = readSecretInput('dependencyTrackApiKey');
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
        url: tl.getInput('dependencyTrackUrl'),
        apiKey: apiKeyRaw,
        project: tl.getInput('dependencyTrackProject'),
        projectVersion: tl.getInput('dependencyTrackProjectVersion'),
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
