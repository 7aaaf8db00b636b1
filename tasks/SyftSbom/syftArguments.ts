import path = require('path');
import { FormatSpec, formatArgument } from './formats';

export interface SyftPlan {
  args: string[];
  /** One output file per requested format, same order. */
  outputs: { format: FormatSpec; file: string }[];
  env: Record<string, string>;
}

/** Environment for every Syft run: no update check (it would reach the network and log about it). */
export const SYFT_ENV: Readonly<Record<string, string>> = { SYFT_CHECK_FOR_APP_UPDATE: 'false' };

export interface SyftArgumentsInput {
  target: string;
  formats: FormatSpec[];
  outputDirectory: string;
  /** File-name stem unique per job and target (reportStem). */
  stem: string;
  configFile?: string;
  additionalArguments: string[];
  /** SYFT_REGISTRY_AUTH_* (secrets: environment only, never argv). */
  registryEnv?: Record<string, string>;
}

/**
 * `syft scan <target> -o <fmt>[@ver]=<file> … [-c <config>] [additional…]`: one run writes every
 * format. Arguments as an array (never a shell string); secrets only in `env`. Pure.
 */
export function syftArguments(input: SyftArgumentsInput): SyftPlan {
  const outputs = input.formats.map((format) => ({
    format,
    file: path.join(input.outputDirectory, `${input.stem}${format.extension}`),
  }));
  const args = ['scan', input.target];
  for (const output of outputs) args.push('-o', `${formatArgument(output.format)}=${output.file}`);
  if (input.configFile) args.push('-c', input.configFile);
  for (const arg of input.additionalArguments) args.push(arg);
  return {
    args,
    outputs,
    env: { ...SYFT_ENV, ...(input.registryEnv ?? {}) },
  };
}
