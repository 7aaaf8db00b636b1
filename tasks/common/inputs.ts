import tl = require('azure-pipelines-task-lib/task');
import { UserError } from './errors';
import type { InstallRequest } from './install';
import { parseRequestedVersion } from './install/version';
import type { ToolName } from './install/versions';

/**
 * Reading inputs the same way in both tasks. An input the agent did not provide (undefined, as
 * when the task runs outside the agent) means its task.json default; an empty one means unset.
 */

/**
 * The first `$(Some.Variable)` left in an input value, if any. The agent leaves the macro of a
 * variable the pipeline does not define as it is (e.g. $(Build.ArtifactStagingDirectory) in a
 * classic release), so such a value is not what the user meant. PURE.
 */
export function unexpandedMacro(value: string | undefined): string | undefined {
  return value === undefined ? undefined : /\$\([A-Za-z_][A-Za-z0-9_.-]*\)/.exec(value)?.[0];
}

/** A path input whose macro the agent left unexpanded names no file the user meant. PURE. */
export function rejectUnexpandedMacro(name: string, value: string | undefined): string | undefined {
  const macro = unexpandedMacro(value);
  if (macro) throw new UserError(`Input ${name} '${value}' uses ${macro}, which this pipeline does not define. Define that variable in the pipeline, or change or clear ${name}.`);
  return value;
}

/** A text input, trimmed; empty means unset. */
export function textInput(name: string): string | undefined {
  const value = tl.getInput(name)?.trim();
  return value ? value : undefined;
}

/** A boolean input given as text ('true'/'false', any case); anything else is a user error. */
export function booleanInput(name: string, defaultValue: boolean): boolean {
  const raw = tl.getInput(name)?.trim().toLowerCase();
  if (!raw) return defaultValue;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UserError(`Input ${name} must be true or false, not '${raw}'.`);
}

/**
 * A `filePath` input. The agent fills an empty filePath input with the job's root folder (the
 * sources directory in a build, the artifacts directory in a classic release), which therefore
 * means "not set": task-lib's filePathSupplied tells which.
 */
export function pathInput(name: string): string | undefined {
  return tl.filePathSupplied(name) ? textInput(name) : undefined;
}

/** The build artifact to publish into: the input, else `defaultName`; undefined for `none` (write the files, publish nothing). */
export function artifactNameInput(defaultName: string): string | undefined {
  const name = textInput('artifactName') ?? defaultName;
  return name.toLowerCase() === 'none' ? undefined : name;
}

/** An optional http(s) URL input. Pure. */
export function parseHttpUrl(name: string, raw: string | undefined): string | undefined {
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
  if (url.username || url.password) {
    // It would be printed in the log with every download; the task has no secret channel for it.
    throw new UserError(`Input ${name} must not contain credentials (user:password@). Use a mirror the agent can read without them, or binaryPath.`);
  }
  return value;
}

/**
 * `<tool>Version`, `downloadBaseUrl` and `binaryPath`, checked before anything runs (the installer
 * applies the same version rule later; a bad version should not wait for a DB update to fail).
 */
export function readInstallRequest(tool: ToolName): InstallRequest {
  const versionInput = `${tool}Version`;
  const version = textInput(versionInput) ?? '';
  try {
    parseRequestedVersion(tool, version);
  } catch (err) {
    throw new UserError(`Input ${versionInput}: ${(err as Error).message}`);
  }
  return { tool, version, downloadBaseUrl: parseHttpUrl('downloadBaseUrl', tl.getInput('downloadBaseUrl')), binaryPath: pathInput('binaryPath') };
}
