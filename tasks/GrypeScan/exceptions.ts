import { CORE_SCHEMA, load, YAMLException } from 'js-yaml';
import { UserError } from '../common/errors';
import { oneLine } from '../common/text';
import { vulnerabilityIds } from './baseline';
import { Finding } from './report';

/**
 * The exceptions file: decisions with a reason and an end date. PURE (text in, decisions out).
 *
 * ```yaml
 * exceptions:
 *   - vulnerability: CVE-2021-23337   # the finding's id or a related id
 *     package: lodash                 # optional: name, or name@version
 *     reason: Not reachable, template() is never called
 *     expires: 2027-03-31             # from that day (00:00 UTC) on, its findings count again
 * ```
 *
 * Grype's own ignore rules have neither a reason anyone reads nor an end, which is why this exists.
 */

export const DEFAULT_EXCEPTIONS_FILE = '.grype-exceptions.yaml';

/** An exception this close to its end (in days) gets a warning, so it is renewed or fixed in time. */
export const EXPIRY_WARNING_DAYS = 14;

const KEYS = ['vulnerability', 'package', 'reason', 'expires'] as const;

export interface VulnerabilityException {
  /** 1-based position in the file, for messages. */
  entry: number;
  vulnerability: string;
  packageName?: string;
  packageVersion?: string;
  reason: string;
  /** YYYY-MM-DD as written: the exception ends at 00:00 UTC that day. */
  expires: string;
}

/** "entry 2 (CVE-2021-23337, lodash@4.17.20)". */
export function describeException(e: VulnerabilityException): string {
  const pkg = e.packageName ? `, ${e.packageName}${e.packageVersion ? `@${e.packageVersion}` : ''}` : '';
  return oneLine(`entry ${e.entry} (${e.vulnerability}${pkg})`, 300);
}

/** `name` or `name@version`; a leading `@` belongs to the name (npm scopes: @babel/core@7.0.0). */
export function splitPackage(value: string): { name: string; version?: string } {
  const at = value.lastIndexOf('@');
  if (at <= 0) return { name: value };
  return { name: value.slice(0, at), version: value.slice(at + 1) };
}

/** A real calendar date written YYYY-MM-DD → that day's 00:00 UTC in ms; undefined otherwise. */
function parseDay(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t : undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates the whole file; any problem is a UserError naming the file and the entry. */
export function parseExceptions(text: string, file: string): VulnerabilityException[] {
  const format = `Write it as 'exceptions:' followed by a list of entries with vulnerability, reason and expires (YYYY-MM-DD), and optionally package (name or name@version).`;
  let doc: unknown;
  try {
    // CORE_SCHEMA (YAML 1.2): an unquoted 2027-03-31 stays the text the user wrote, not a Date.
    doc = text.trim() ? load(text, { schema: CORE_SCHEMA, filename: file }) : undefined;
  } catch (err) {
    if (err instanceof YAMLException) {
      const where = err.mark ? ` at line ${err.mark.line + 1}, column ${err.mark.column + 1}` : '';
      throw new UserError(`Exceptions file ${file} is not valid YAML${where}: ${err.reason}. Fix the file (or clear exceptionsFile / remove it to scan without exceptions).`);
    }
    throw new UserError(`Exceptions file ${file} could not be read as YAML: ${(err as Error).message}.`);
  }
  if (!isObject(doc) || !('exceptions' in doc)) {
    throw new UserError(`Exceptions file ${file} has no 'exceptions:' list. ${format}`);
  }
  const unknownTop = Object.keys(doc).filter((k) => k !== 'exceptions');
  if (unknownTop.length) throw new UserError(`Exceptions file ${file} has unknown top-level key${unknownTop.length > 1 ? 's' : ''} ${unknownTop.map((k) => `'${oneLine(k, 80)}'`).join(', ')}. ${format}`);
  const list = doc.exceptions ?? [];
  if (!Array.isArray(list)) throw new UserError(`Exceptions file ${file}: 'exceptions' must be a list (entries starting with '- '). ${format}`);

  return list.map((raw, i) => {
    const entry = i + 1;
    const where = (e: Json | undefined) => {
      const v = e && typeof e.vulnerability === 'string' && e.vulnerability.trim() ? ` (${oneLine(e.vulnerability, 80)})` : '';
      return `Exceptions file ${file}, entry ${entry}${v}`;
    };
    if (!isObject(raw)) throw new UserError(`${where(undefined)} is not a mapping of vulnerability, package, reason and expires. ${format}`);
    const unknown = Object.keys(raw).filter((k) => !(KEYS as readonly string[]).includes(k));
    if (unknown.length) throw new UserError(`${where(raw)} has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${oneLine(k, 80)}'`).join(', ')}; the keys are ${KEYS.join(', ')}.`);
    const text = (key: (typeof KEYS)[number], required: boolean): string | undefined => {
      const value = raw[key];
      if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
        if (required) throw new UserError(`${where(raw)} has no '${key}'. Every exception needs vulnerability, reason and expires.`);
        return undefined;
      }
      if (typeof value !== 'string') throw new UserError(`${where(raw)}: '${key}' must be text, not ${Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : `${typeof value} ${String(value)}`}.`);
      return value.trim();
    };
    const vulnerability = text('vulnerability', true) as string;
    const reason = text('reason', true) as string;
    const expires = text('expires', true) as string;
    if (parseDay(expires) === undefined) throw new UserError(`${where(raw)}: expires '${oneLine(expires, 40)}' is not a date. Write the day it ends as YYYY-MM-DD, e.g. 2027-03-31.`);
    const pkg = text('package', false);
    const split = pkg === undefined ? undefined : splitPackage(pkg);
    if (split && (!split.name || split.version === '')) throw new UserError(`${where(raw)}: package '${oneLine(pkg ?? '', 80)}' must be a name or name@version.`);
    return { entry, vulnerability, packageName: split?.name, packageVersion: split?.version, reason, expires };
  });
}

/** Whole UTC days from `now`'s day to the expiry day: 1 the day before, 0 or less once expired. */
export function daysLeft(e: VulnerabilityException, now: Date): number {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.round(((parseDay(e.expires) as number) - today) / 86_400_000);
}

/** Does the exception cover the finding? By id or related id (any case), and package name (and version) if given. */
export function exceptionCovers(e: VulnerabilityException, f: Finding): boolean {
  if (!vulnerabilityIds(f).includes(e.vulnerability.toUpperCase())) return false;
  if (e.packageName !== undefined && e.packageName !== f.packageName) return false;
  return e.packageVersion === undefined || e.packageVersion === f.packageVersion;
}

export interface ExceptedFinding {
  finding: Finding;
  exception: VulnerabilityException;
}

export interface ExceptionOutcome {
  /** Findings no unexpired exception covers: these are counted. */
  counted: Finding[];
  /** Findings an unexpired exception covers: left out of the counts. */
  excepted: ExceptedFinding[];
  /** Warnings: exceptions that expire within EXPIRY_WARNING_DAYS, and expired ones (whose findings count again). */
  warnings: string[];
}

/** Applies the exceptions to the findings, with dates compared in UTC. */
export function applyExceptions(findings: readonly Finding[], exceptions: readonly VulnerabilityException[], now: Date): ExceptionOutcome {
  const active = exceptions.filter((e) => daysLeft(e, now) > 0);
  const counted: Finding[] = [];
  const excepted: ExceptedFinding[] = [];
  for (const finding of findings) {
    const exception = active.find((e) => exceptionCovers(e, finding));
    if (exception) excepted.push({ finding, exception });
    else counted.push(finding);
  }
  const warnings: string[] = [];
  for (const e of exceptions) {
    const left = daysLeft(e, now);
    const covers = findings.filter((f) => exceptionCovers(e, f)).length;
    const what = covers ? `${covers} ${covers === 1 ? 'finding' : 'findings'}` : 'no finding of this scan';
    if (left <= 0) {
      warnings.push(oneLine(`Exception ${describeException(e)} expired on ${e.expires}, so its findings count again (${what}). Reason it was given: ${e.reason}. Fix the finding, or renew the exception with a new expires date.`, 600));
    } else if (left <= EXPIRY_WARNING_DAYS) {
      warnings.push(oneLine(`Exception ${describeException(e)} expires on ${e.expires} (${left} ${left === 1 ? 'day' : 'days'} left); it covers ${what}. Reason: ${e.reason}. Renew it or fix the finding before then.`, 600));
    }
  }
  return { counted, excepted, warnings };
}
