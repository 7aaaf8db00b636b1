import { oneLine } from '../common/text';

/** The vulnerability DB's age, for the log, the summary and the stale-DB warning. PURE apart from `now`. */

/** "2026-08-01T06:59:36Z (3 days old)" for the log. PURE apart from `now`. */
export function describeBuilt(built: string | undefined, now = Date.now()): string {
  if (!built) return 'unknown build date';
  const time = Date.parse(built);
  if (Number.isNaN(time)) return built;
  const hours = Math.max(0, Math.round((now - time) / 3_600_000));
  return `${built} (${hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`} old)`;
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
