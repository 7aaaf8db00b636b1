import { ChildProcess, spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from './errors';
import { agentProxyEnvironment } from './proxy';
import { logLine, neutraliseCommands, tailText } from './text';

export interface ToolRun {
  /** Display name for messages, e.g. 'Grype'. */
  name: string;
  path: string;
  args: string[];
  /** Added to the task's own environment (secrets belong here, never in args). */
  env?: Record<string, string>;
  cwd?: string;
  /** Keep the command line and the tool's output out of the log (e.g. a status read from stdout). */
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
/** A tail line longer than this is cut: a tool can print megabytes without a newline. */
const TAIL_LINE_CHARS = 2000;
/** stdout kept in memory for callers that parse it (versions, db status): small outputs only. */
const STDOUT_KEEP_BYTES = 1 << 20;

/**
 * The last `maxLines` lines of a stream, each cut to `maxLineChars` (marked with …). Each chunk is
 * scanned once and at most one line's worth of it is kept, so memory is bounded and the cost
 * linear in the output, however it is split into lines (100 MB on one line included).
 */
export class LineTail {
  private readonly lines: string[] = [];
  private current = '';
  private cut = false;

  constructor(
    private readonly maxLines: number,
    private readonly maxLineChars: number,
  ) {}

  write(text: string): void {
    let from = 0;
    for (let newline = text.indexOf('\n'); newline >= 0; newline = text.indexOf('\n', from)) {
      this.keep(text, from, newline);
      this.endLine();
      from = newline + 1;
    }
    this.keep(text, from, text.length);
  }

  /** The tail, with the unfinished last line (if any) as its last line. */
  end(): string[] {
    if (this.current || this.cut) this.endLine();
    return this.lines;
  }

  private keep(text: string, from: number, to: number): void {
    const room = this.maxLineChars - this.current.length;
    if (to - from > room) this.cut = true;
    if (room > 0) this.current += text.slice(from, Math.min(to, from + room));
  }

  private endLine(): void {
    // Grype and Syft colour their errors even without a terminal; the tail lands in issue and
    // result messages, where the escapes are noise.
    const line = this.current.replace(/\r$/, '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    this.lines.push(this.cut ? `${line}…` : line);
    if (this.lines.length > this.maxLines) this.lines.shift();
    this.current = '';
    this.cut = false;
  }
}

/**
 * Runs a scanner: an argument array (no shell), stdin closed, its output shown in the log through
 * task-lib's external-output filter, so a `##vso[` line printed by the child (or echoed from a
 * scanned file) is never executed by the agent. Not task-lib's ToolRunner: it splits output into
 * lines by re-scanning everything since the last newline on each chunk, which is quadratic on a
 * long line (100 MB on one line took minutes). If the agent stops the step (timeout or cancel:
 * SIGINT/SIGTERM), the child is killed and the task fails saying so.
 */
export async function runTool(run: ToolRun): Promise<ToolResult> {
  // The agent's proxy is passed on as HTTP(S)_PROXY, which is all Grype and Syft read.
  const env = { ...process.env, ...agentEnvironment(), ...run.env };
  const stderrTail = new LineTail(STDERR_TAIL_LINES, TAIL_LINE_CHARS);
  const stdoutKept: Buffer[] = [];
  let stdoutKeptBytes = 0;

  if (!run.silent) logLine(`[command]${[run.path, ...run.args].join(' ')}`);
  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(run.path, run.args, { cwd: run.cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  } catch (err) {
    throw notStarted(run, err);
  }
  const onStop = (signal: NodeJS.Signals) => {
    child.kill('SIGKILL');
    const seconds = Math.round((Date.now() - started) / 1000);
    tl.setResult(
      tl.TaskResult.Failed,
      `${run.name} was stopped after ${seconds}s (${signal}: the step timed out or the run was cancelled). ` +
        `Raise the step's timeoutInMinutes if the scan needs longer.${tailText(stderrTail.end().map(neutraliseCommands))}`,
    );
    process.exit(1);
  };
  process.once('SIGINT', onStop);
  process.once('SIGTERM', onStop);
  try {
    const stderrText = new StringDecoder('utf8');
    child.stderr!.on('data', (data: Buffer) => stderrTail.write(stderrText.write(data)));
    child.stdout!.on('data', (data: Buffer) => {
      if (stdoutKeptBytes >= STDOUT_KEEP_BYTES) return;
      stdoutKept.push(data);
      stdoutKeptBytes += data.length;
    });
    const shown = run.silent ? [] : [display(child.stdout!), display(child.stderr!)];
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    await Promise.all(shown);
    stderrTail.write(stderrText.end());
    return { exitCode, stderrTail: stderrTail.end().map(neutraliseCommands), stdout: Buffer.concat(stdoutKept).toString('utf8') };
  } catch (err) {
    throw notStarted(run, err);
  } finally {
    process.removeListener('SIGINT', onStop);
    process.removeListener('SIGTERM', onStop);
  }
}

/** Shows a child's output stream in the log, filtered; resolves once all of it is written. */
async function display(output: Readable): Promise<void> {
  const filter = tl.createExternalOutputStream({ source: 'childProcess' });
  let endsLine = true;
  output.on('data', (data: Buffer) => {
    if (data.length) endsLine = data[data.length - 1] === 0x0a;
  });
  output.pipe(filter);
  await finished(filter);
  // The next log line must not be glued to an unfinished last line of the tool.
  if (!endsLine) logLine('');
}

function notStarted(run: ToolRun, err: unknown): UserError {
  return new UserError(`${run.name} could not be started from ${run.path}: ${(err as Error).message}. Check binaryPath, or that the agent can run downloaded executables.`);
}

let agentEnvironmentCache: Record<string, string> | undefined;

/** Read once per task run: a task starts its tool several times, the agent's settings do not change. */
function agentEnvironment(): Record<string, string> {
  agentEnvironmentCache ??= agentProxyEnvironment();
  return agentEnvironmentCache;
}
