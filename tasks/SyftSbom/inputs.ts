import im = require('azure-pipelines-task-lib/internal');
import tl = require('azure-pipelines-task-lib/task');
import { splitArguments } from '../common/arguments';
import { UserError } from '../common/errors';
import type { InstallRequest } from '../common/install';
import { artifactNameInput, booleanInput, pathInput, readInstallRequest, textInput } from '../common/inputs';
import { resolveTarget } from '../common/target';
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
 * Dependency-Track settings, or undefined when no URL is set. Needs a CycloneDX format to upload.
 * The API key must already be registered as a secret (readInputs does it first). Pure.
 */
export function parseDependencyTrack(raw: DependencyTrackInputs, formats: FormatSpec[], env: NodeJS.ProcessEnv): DependencyTrackTarget | undefined {
  const apiKey = raw.apiKey?.trim();
  if (!raw.url?.trim()) return undefined;
  const baseUrl = normaliseDependencyTrackUrl(raw.url);
  if (!apiKey) {
    throw new UserError('dependencyTrackUrl is set but dependencyTrackApiKey is empty. Create a secret pipeline variable holding a Dependency-Track API key (team with BOM_UPLOAD and PROJECT_CREATION_UPLOAD) and set dependencyTrackApiKey: $(thatVariable).');
  }
  if (!formats.some(isCycloneDx)) {
    throw new UserError(`Dependency-Track takes CycloneDX, but outputFormats (${formats.map((f) => f.name).join(', ')}) has none. Add cyclonedx-json to outputFormats, or clear dependencyTrackUrl.`);
  }
  const projectName = (raw.project?.trim() || env.BUILD_REPOSITORY_NAME || '').trim();
  if (!projectName) throw new UserError('dependencyTrackProject is empty and Build.Repository.Name is unknown. Set dependencyTrackProject.');
  const projectVersion = (raw.projectVersion?.trim() || env.BUILD_SOURCEBRANCHNAME || '').trim();
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
    ),
    install: readInstallRequest('syft'),
    configFile: pathInput('configFile'),
    containerRegistry: textInput('containerRegistry'),
    additionalArguments,
  };
}
