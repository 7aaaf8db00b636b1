import fs = require('fs');
import path = require('path');
import { UserError } from './errors';

/**
 * The folder everything the task writes goes to: the input, else `<Build.ArtifactStagingDirectory>/<name>`,
 * else `<Agent.TempDirectory>/<name>` (agents outside a build). Created if missing and proved writable.
 */
export function prepareOutputDirectory(input: string | undefined, defaultName: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.BUILD_ARTIFACTSTAGINGDIRECTORY || env.AGENT_TEMPDIRECTORY;
  const chosen = input?.trim() || (base ? path.join(base, defaultName) : '');
  if (!chosen) {
    throw new UserError('outputDirectory is not set and neither Build.ArtifactStagingDirectory nor Agent.TempDirectory is known. Set outputDirectory.');
  }
  const dir = path.resolve(chosen);
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    throw new UserError(`outputDirectory ${dir} cannot be created or written (${(err as NodeJS.ErrnoException).code ?? String(err)}). Choose a folder the agent can write to, e.g. $(Build.ArtifactStagingDirectory)/${defaultName}.`);
  }
  return dir;
}
