import { oneLine } from '../common/text';

/** The vulnerability DB's age: for the log, the summary, the stale-DB warning and Grype's own age limit. PURE apart from `now`. */

/** "4 h" under two days, else "10 days". */
function describeDuration(ms: number): string {
  const hours = Math.max(0, Math.round(ms / 3_600_000));
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

/** "2026-08-01T06:59:36Z (3 days old)" for the log. PURE apart from `now`. */
export function describeBuilt(built: string | undefined, now = Date.now()): string {
  if (!built) return 'unknown build date';
  const time = Date.parse(built);
  if (Number.isNaN(time)) return built;
  return `${built} (${describeDuration(now - time)} old)`;
}

/** A DB built longer ago than this misses recent advisories: the scan warns. */
export const STALE_DB_HOURS = 48;

/**
 * The warning for a DB built more than 2 days before `now`, naming the build date and how to
 * refresh it; undefined for a fresh DB or an unknown date. PURE apart from `now`.
 */
export function staleDbWarning(built: string | undefined, now = Date.now()): string | undefined {
  const time = built ? Date.parse(built) : NaN;
  if (Number.isNaN(time) || now - time <= STALE_DB_HOURS * 3_600_000) return undefined;
  return oneLine(
    `The Grype vulnerability database used for this scan was built ${describeBuilt(built, now)}, more than 2 days ago, so advisories published since then are missing. ` +
      'grype db update found nothing newer: if dbUpdateUrl points to a mirror, refresh the mirror; otherwise check that the agent reaches the DB host ' +
      '(a DB that grype db update cannot replace can also be deleted from dbCacheDirectory to force a fresh download).',
    600,
  );
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
