import tl = require('azure-pipelines-task-lib/task');
import { UserError } from './errors';
import { agentProxyEnvironment } from './proxy';
import { neutraliseCommands, tailText } from './text';

export interface ToolRun {
  /** Display name for messages, e.g. 'Grype'. */
  name: string;
  path: string;
  args: string[];
  /** Added to the task's own environment (secrets belong here, never in args). */
  env?: Record<string, string>;
  cwd?: string;
  /** Keep the tool's stdout out of the log (e.g. a report printed on stdout). */
  silent?: boolean;
}

export interface ToolResult {
  /** null when the process was killed by a signal (crash, out of memory). */
  exitCode: number | null;
  /** The last stderr lines, neutralised, to explain a failure. */
  stderrTail: string[];
  stdout: string;
}

const STDERR_TAIL_LINES = 20;
/** stdout kept in memory for callers that parse it (versions, db status): small outputs only. */
const STDOUT_KEEP_BYTES = 1 << 20;

/**
 * Runs a scanner with task-lib's ToolRunner: an argument array (no shell), its displayed output
 * passed through task-lib's external-output filter so a `##vso[` line printed by the child (or
 * echoed from a scanned file) is never executed by the agent. If the agent stops the step
 * (timeout or cancel: SIGINT/SIGTERM), the child is killed and the task fails saying so.
 */
export async function runTool(run: ToolRun): Promise<ToolResult> {
  const runner = tl.tool(run.path).arg(run.args);
  const stderrTail: string[] = [];
  let stdout = '';
  runner.on('errline', (line: string) => {
    stderrTail.push(neutraliseCommands(line));
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
  });
  runner.on('stdout', (data: Buffer) => {
    if (stdout.length < STDOUT_KEEP_BYTES) stdout += data.toString('utf8');
  });

  const started = Date.now();
  const onStop = (signal: NodeJS.Signals) => {
    runner.killChildProcess('SIGKILL');
    const seconds = Math.round((Date.now() - started) / 1000);
    tl.setResult(
      tl.TaskResult.Failed,
      `${run.name} was stopped after ${seconds}s (${signal}: the step timed out or the run was cancelled). ` +
        `Raise the step's timeoutInMinutes if the scan needs longer.${tailText(stderrTail)}`,
    );
    process.exit(1);
  };
  // The agent's proxy is passed on as HTTP(S)_PROXY, which is all Grype and Syft read.
  const env = { ...process.env, ...agentEnvironment(), ...run.env } as { [key: string]: string };
  process.once('SIGINT', onStop);
  process.once('SIGTERM', onStop);
  try {
    const exitCode = await runner.execAsync({
      ignoreReturnCode: true,
      silent: run.silent,
      cwd: run.cwd,
      env,
      externalOutput: { source: 'childProcess' },
    });
    // task-lib resolves null (typed number) when a signal killed the child.
    return { exitCode: exitCode as number | null, stderrTail, stdout };
  } catch (err) {
    throw new UserError(`${run.name} could not be started from ${run.path}: ${(err as Error).message}. Check binaryPath, or that the agent can run downloaded executables.`);
  } finally {
    process.removeListener('SIGINT', onStop);
    process.removeListener('SIGTERM', onStop);
  }
}

let agentEnvironmentCache: Record<string, string> | undefined;

/** Read once per task run: a task starts its tool several times, the agent's settings do not change. */
function agentEnvironment(): Record<string, string> {
  agentEnvironmentCache ??= agentProxyEnvironment();
  return agentEnvironmentCache;
}
