import { createHash } from 'crypto';
import fs = require('fs');
import path = require('path');
import { UserError } from './errors';
import { unexpandedMacro } from './inputs';

/** Source schemes whose value is a path on the agent, so a missing path is a user error now. */
const PATH_SCHEMES = ['dir', 'file', 'sbom', 'docker-archive', 'oci-archive', 'oci-dir', 'singularity'];

/** `dir:/x` → { scheme: 'dir', location: '/x' }; undefined for images and other non-path targets. Pure. */
function pathTarget(target: string): { scheme: string; location: string } | undefined {
  const match = /^([a-z][a-z-]*):(.*)$/.exec(target);
  return match && PATH_SCHEMES.includes(match[1]) ? { scheme: match[1], location: match[2] } : undefined;
}

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
  const given = pathTarget(target);
  if (given) {
    const { scheme, location } = given;
    if (!location) throw new UserError(`Input target '${target}' names no path after '${scheme}:'. Example: ${scheme}:$(Build.SourcesDirectory).`);
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
 * (for a path only its last segment: the agent's work folder path says nothing) and,
 * since slugs are shortened and lossy, a short hash of the target and job name. A path inside the
 * pipeline workspace is hashed relative to it, so the name is the same on every agent and run.
 */
export function reportStem(
  target: string,
  jobName: string | undefined,
  workspace: string | undefined = process.env.PIPELINE_WORKSPACE || process.env.AGENT_BUILDDIRECTORY,
): string {
  const local = pathTarget(target);
  const subject = local ? `${local.scheme}-${path.basename(path.resolve(local.location)) || 'root'}` : target;
  const job = jobName ? `-${slugify(jobName, 40)}` : '';
  const hash = createHash('sha256').update(`${workspaceRelative(target, workspace)}\n${jobName ?? ''}`).digest('hex').slice(0, 8);
  return `${slugify(subject)}${job}-${hash}`;
}

/** `dir:/agent/_work/7/s` → `dir:s` when the workspace is /agent/_work/7; other targets as they are. */
function workspaceRelative(target: string, workspace: string | undefined): string {
  const local = pathTarget(target);
  if (!workspace || !local) return target;
  const relative = path.relative(path.resolve(workspace), path.resolve(local.location));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return target;
  return `${local.scheme}:${relative.split(path.sep).join('/') || '.'}`;
}
