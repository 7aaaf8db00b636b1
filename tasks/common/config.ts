import path = require('path');
import { UserError } from './errors';
import { isFile } from './files';

/** Where Grype/Syft look for a project config, in their own order (first wins). */
export function configCandidates(tool: 'grype' | 'syft'): string[] {
  return [`.${tool}.yaml`, `.${tool}.yml`, `${tool}.yaml`, `${tool}.yml`, `.${tool}/config.yaml`];
}

export interface ConfigChoice {
  path?: string;
  /** What the log should say about it. */
  message: string;
}

/**
 * The config file to pass with `-c`: the explicit `configFile` input (must exist), else the first
 * candidate in the sources directory, else none. `-c` is always explicit so the choice does not
 * depend on the working directory the tool happens to run in.
 */
export function chooseConfigFile(tool: 'grype' | 'syft', explicit: string | undefined, sourcesDirectory: string | undefined): ConfigChoice {
  const given = explicit?.trim();
  if (given) {
    if (!isFile(given)) {
      throw new UserError(`configFile '${given}' was not found. Fix the path, or clear the input to let the task look for ${configCandidates(tool).join(', ')} in the sources directory.`);
    }
    return { path: given, message: `Using ${tool} config file ${given} (configFile input).` };
  }
  if (sourcesDirectory) {
    for (const candidate of configCandidates(tool)) {
      const full = path.join(sourcesDirectory, candidate);
      if (isFile(full)) {
        return { path: full, message: `Using ${tool} config file ${full} (found in the sources directory).` };
      }
    }
  }
  return { message: `No ${tool} config file given or found (${configCandidates(tool).join(', ')} in ${sourcesDirectory ?? 'the sources directory'}); using ${tool} defaults.` };
}
