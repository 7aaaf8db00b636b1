import fs = require('fs');
import path = require('path');
import { UserError } from './errors';
import { unexpandedMacro } from './inputs';
import { logLine } from './text';

/**
 * The folder everything the task writes goes to: the input, else `<Build.ArtifactStagingDirectory>/<name>`,
 * else `<Agent.TempDirectory>/<name>` (agents outside a build). An input with a macro the agent
 * left unexpanded (the default in a classic release, which has no Build.ArtifactStagingDirectory)
 * counts as unset, with a line in the log. Created if missing and proved writable.
 */
export function prepareOutputDirectory(
  input: string | undefined,
  defaultName: string,
  env: NodeJS.ProcessEnv = process.env,
  log: (line: string) => void = logLine,
): string {
  const macro = unexpandedMacro(input);
  const base = env.BUILD_ARTIFACTSTAGINGDIRECTORY || env.AGENT_TEMPDIRECTORY;
  const chosen = (macro ? undefined : input?.trim()) || (base ? path.join(base, defaultName) : '');
  if (!chosen) {
    const why = macro ? `uses ${macro}, which this pipeline does not define,` : 'is not set';
    throw new UserError(`outputDirectory ${why} and neither Build.ArtifactStagingDirectory nor Agent.TempDirectory is known. Set outputDirectory.`);
  }
  const dir = path.resolve(chosen);
  if (macro) log(`outputDirectory uses ${macro}, which this pipeline does not define; writing to ${dir} instead.`);
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
