import fs = require('fs');
import tl = require('azure-pipelines-task-lib/task');
import { UserError } from '../common/errors';
import { runTool } from '../common/exec';
import { describeExit, logLine, oneLine, tailText } from '../common/text';

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

/** "2026-08-01T06:59:36Z (3 days old)" for the log. PURE apart from `now`. */
export function describeBuilt(built: string | undefined, now = Date.now()): string {
  if (!built) return 'unknown build date';
  const time = Date.parse(built);
  if (Number.isNaN(time)) return built;
  const hours = Math.max(0, Math.round((now - time) / 3_600_000));
  return `${built} (${hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`} old)`;
}

/** Grype's default limit on the age of the DB it scans with (GRYPE_DB_MAX_ALLOWED_BUILT_AGE). */
const DEFAULT_MAX_DB_AGE_MS = 120 * 3_600_000;
const GO_DURATION_UNITS_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 };

/**
 * The DB age Grype accepts, from the environment it runs with (pipeline variables reach it):
 * undefined when GRYPE_DB_VALIDATE_AGE turns the check off. GRYPE_DB_MAX_ALLOWED_BUILT_AGE is a
 * Go duration (`120h`, `72h30m`); one that cannot be read leaves Grype's default. PURE.
 */
export function maxAllowedDbAgeMs(env: Record<string, string | undefined>): number | undefined {
  if (/^(false|0|no)$/i.test((env.GRYPE_DB_VALIDATE_AGE ?? '').trim())) return undefined;
  const text = (env.GRYPE_DB_MAX_ALLOWED_BUILT_AGE ?? '').trim();
  if (!/^(\d+(\.\d+)?(h|ms|us|µs|ns|m|s))+$/.test(text)) return DEFAULT_MAX_DB_AGE_MS;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|µs|ns|m|s)/g)) total += Number(amount) * GO_DURATION_UNITS_MS[unit];
  return total;
}

function describeDuration(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/**
 * When a DB built at `built` is past the age Grype accepts, says so with its age and the fixes;
 * undefined while it is young enough (or its age is unknown). PURE apart from `now`.
 */
export function staleDatabaseMessage(built: string | undefined, cacheDirectory: string, env: Record<string, string | undefined>, now = Date.now()): string | undefined {
  const limit = maxAllowedDbAgeMs(env);
  const time = built ? Date.parse(built) : NaN;
  // Grype reports a missing DB as built at Go's zero time (year 1): unknown, not old.
  if (limit === undefined || !(time > 0) || now - time <= limit) return undefined;
  return (
    `The Grype vulnerability database in ${cacheDirectory} was built ${built} (${describeDuration(now - time)} old), ` +
    `older than the ${describeDuration(limit)} Grype accepts, and no newer one could be had from the DB host, so Grype will not scan with it. ` +
    'To fix it: let the agent reach the DB host, or set dbUpdateUrl to a mirror that serves a fresh database; ' +
    'if a Cache@2 step restores dbCacheDirectory, change its key so it stops restoring the old database (the templates key it by day); ' +
    'to scan with an old database on purpose, set the pipeline variable GRYPE_DB_MAX_ALLOWED_BUILT_AGE (a Go duration, e.g. 720h).'
  );
}

/** Grype's own words for a DB past its age limit (in a failed scan's output). PURE. */
export function isStaleDatabaseError(text: string): boolean {
  return /the vulnerability database was built .+ ago \(max allowed age is /.test(text);
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
