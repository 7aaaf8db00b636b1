import { createHash } from 'crypto';
import fs = require('fs');
import path = require('path');
import { UserError } from './errors';
import { unexpandedMacro } from './inputs';

/** Source schemes whose value is a path on the agent, so a missing path is a user error now. */
const PATH_SCHEMES = ['dir', 'file', 'sbom', 'docker-archive', 'oci-archive', 'oci-dir', 'singularity'];

/**
 * The scan target from the `target` input (Grype/Syft source syntax). An unset input means the
 * task.json default, `dir:<sources directory>`; an explicitly empty one is an error, and so is
 * one with a macro the agent left unexpanded (the default in a classic release, which has no
 * Build.SourcesDirectory): the error names the variable, where the tool would only say that a
 * path or image called `$(…)` does not exist.
 * Pure apart from checking that a path-based target exists.
 */
export function resolveTarget(raw: string | undefined, sourcesDirectory: string | undefined): string {
  if (raw === undefined) {
    if (!sourcesDirectory) {
      throw new UserError('Input target is not set and Build.SourcesDirectory is unknown. Set target, e.g. dir:$(Build.SourcesDirectory) or nginx:1.27.');
    }
    return `dir:${sourcesDirectory}`;
  }
  const target = raw.trim();
  if (!target) {
    throw new UserError(
      'Input target is empty. Set it to what to scan: an image (nginx:1.27, registry:myacr.azurecr.io/app:1.0), ' +
        'dir:<path>, file:<path>, docker-archive:<path> or sbom:<path>; or remove it to scan $(Build.SourcesDirectory).',
    );
  }
  const macro = unexpandedMacro(target);
  if (macro) {
    throw new UserError(
      `Input target '${target}' uses ${macro}, which this pipeline does not define. Set target to what to scan, ` +
        'e.g. dir:$(System.DefaultWorkingDirectory)/<artifact> in a release pipeline, or an image such as registry:myacr.azurecr.io/app:1.0.',
    );
  }
  const match = /^([a-z][a-z-]*):(.*)$/.exec(target);
  if (match && PATH_SCHEMES.includes(match[1])) {
    const location = match[2];
    if (!location) throw new UserError(`Input target '${target}' names no path after '${match[1]}:'. Example: ${match[1]}:$(Build.SourcesDirectory).`);
    if (!fs.existsSync(location)) {
      throw new UserError(`Input target '${target}': ${path.resolve(location)} does not exist. Check the path (is the artifact downloaded or the repository checked out?).`);
    }
  }
  return target;
}

/** A file-name-safe slug: lower-case letters, digits, '.', '-', at most `max` characters. */
export function slugify(text: string, max = 60): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return slug.slice(0, max).replace(/[-.]+$/, '') || 'target';
}

/**
 * File-name stem unique per job and target, so jobs of a matrix (or one job scanning several
 * targets) can publish into the same artifact without overwriting each other: a readable slug
 * (for a directory only its last path segment: the agent's work folder path says nothing) and,
 * since slugs are shortened and lossy, a short hash of the exact target and job name.
 */
export function reportStem(target: string, jobName: string | undefined): string {
  const dirMatch = /^dir:(.*)$/.exec(target);
  const subject = dirMatch ? `dir-${path.basename(path.resolve(dirMatch[1])) || 'root'}` : target;
  const job = jobName ? `-${slugify(jobName, 40)}` : '';
  const hash = createHash('sha256').update(`${target}\n${jobName ?? ''}`).digest('hex').slice(0, 8);
  return `${slugify(subject)}${job}-${hash}`;
}
