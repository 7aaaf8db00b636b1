import fs = require('fs');
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from '../common/errors';
import { runTool } from '../common/exec';
import { describeExit, logLine, oneLine, tailText } from '../common/text';
import { describeBuilt, staleDatabaseMessage } from './dbAge';

/**
 * The vulnerability DB: `grype db update` into dbCacheDirectory before every scan, then
 * `grype db status` for the build date. An update failure with a valid cached DB is a warning;
 * without one it fails the task.
 */

export interface DbStatus {
  built?: string;
  schemaVersion?: string;
  valid?: boolean;
}

/**
 * `grype db status` output: JSON (`-o json`, v0.88+) or text (`Built:  …` lines, every version).
 * PURE. Unrecognisable output → {}.
 */
export function parseDbStatus(output: string): DbStatus {
  const text = output.trim();
  const brace = text.indexOf('{');
  if (brace >= 0) {
    const end = text.lastIndexOf('}');
    try {
      const doc = JSON.parse(text.slice(brace, end + 1)) as Record<string, unknown>;
      return {
        built: typeof doc.built === 'string' ? doc.built : undefined,
        schemaVersion: doc.schemaVersion !== undefined ? String(doc.schemaVersion) : undefined,
        valid: typeof doc.valid === 'boolean' ? doc.valid : undefined,
      };
    } catch {
      // not JSON after all: try the text form
    }
  }
  const field = (name: string) => new RegExp(`^\\s*${name}\\s*:\\s*(.+?)\\s*$`, 'im').exec(text)?.[1];
  const status = field('Status');
  return {
    built: field('Built'),
    schemaVersion: field('Schema(?: version)?'),
    valid: status === undefined ? undefined : /^valid\b/i.test(status),
  };
}

export interface DatabaseResult {
  status: DbStatus;
  /** Set when the update failed and the scan uses the cached DB. */
  warning?: string;
}

const HEARTBEAT_MS = 15_000;

/** `grype db status` (text or JSON output), never failing: a status that cannot be read is invalid. */
export async function readDbStatus(grypePath: string, env: Record<string, string>): Promise<DbStatus> {
  const run = await runTool({ name: 'grype db status', path: grypePath, args: ['db', 'status'], env, silent: true });
  const status = parseDbStatus(run.stdout);
  if (run.exitCode !== 0) return { ...status, valid: false };
  return status.valid === undefined ? { ...status, valid: true } : status;
}

export function logDbStatus(status: DbStatus): void {
  // The status comes from Grype's output or the report: untrusted text.
  logLine(oneLine(`Grype vulnerability database: built ${describeBuilt(status.built)}${status.schemaVersion ? `, schema ${status.schemaVersion}` : ''}.`));
}

/**
 * Runs `grype db update`, with a heartbeat in the log while it runs. When it succeeds the status
 * is not read here: the scan's JSON report carries the DB build date (one Grype start less per
 * run); the caller falls back to readDbStatus when the report has none. When it fails,
 * `grype db status` decides: a valid cached DB → warning and scan; none → UserError.
 */
export async function updateDatabase(grypePath: string, env: Record<string, string>, cacheDirectory: string): Promise<DatabaseResult> {
  // Unlike outputDirectory, not probed for writing: a read-only folder holding a valid DB still serves the scan.
  try {
    fs.mkdirSync(cacheDirectory, { recursive: true });
  } catch (err) {
    throw new UserError(`dbCacheDirectory ${cacheDirectory} cannot be created (${(err as NodeJS.ErrnoException).code ?? String(err)}). Choose a folder the agent can write to, e.g. $(Agent.ToolsDirectory)/grype/db.`);
  }
  logLine(`Updating the Grype vulnerability database in ${cacheDirectory}${env.GRYPE_DB_UPDATE_URL ? ` from ${env.GRYPE_DB_UPDATE_URL}` : ''}…`);
  const started = Date.now();
  const heartbeat = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    logLine(`Still updating the Grype vulnerability database (${seconds}s)…`);
    tl.setProgress(Math.min(90, Math.round(seconds / 3)), 'Updating the Grype vulnerability database');
  }, HEARTBEAT_MS);
  let update;
  try {
    update = await runTool({ name: 'grype db update', path: grypePath, args: ['db', 'update'], env });
  } finally {
    clearInterval(heartbeat);
  }
  if (update.exitCode === 0) return { status: {} };

  const status = await readDbStatus(grypePath, env);
  const why = `grype db update failed: ${describeExit(update.exitCode)}.${tailText(update.stderrTail)}`;
  // Grype calls a cached DB past its age limit invalid: say that, not "no cached database". A DB
  // Grype calls valid is trusted (a config file may allow older ones).
  const stale = status.valid === false ? staleDatabaseMessage(status.built, cacheDirectory, { ...process.env, ...env }) : undefined;
  if (stale) throw new UserError(`${stale} ${why}`);
  if (status.valid) {
    const warning = oneLine(
      `The Grype vulnerability database could not be updated (${describeExit(update.exitCode)}); scanning with the cached database built ${describeBuilt(status.built)}. ` +
        'Check network access to the DB host or set dbUpdateUrl to a mirror.',
      600,
    );
    logLine(why);
    logDbStatus(status);
    return { status, warning };
  }
  throw new UserError(
    `The Grype vulnerability database could not be updated and there is no valid cached database in ${cacheDirectory}. ` +
      `Check network access to the DB host (or set dbUpdateUrl to a mirror), or restore a cached DB into dbCacheDirectory (e.g. with Cache@2). ${why}`,
  );
}
