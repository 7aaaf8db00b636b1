import { UserError } from '../common/errors';

/**
 * Grype JSON report → findings. PURE: a Buffer in, plain objects out, no I/O.
 *
 * Accepts every Grype JSON schema from 0.7 to today:
 * - 0.7: `vulnerability.fixedInVersion`, `matchDetails` a single object, descriptor {name, version};
 * - 0.24–0.87: `vulnerability.fix {versions, state}`, `matchDetails[]`, `descriptor.db {built, schemaVersion}`;
 * - 0.88+: `descriptor.db.status {built, schemaVersion, …}`, epss/kev/risk fields (ignored here).
 * Encodings: UTF-8 with or without BOM, UTF-16LE/BE with BOM. Log lines (stderr captured with
 * stdout) before the document and after it are skipped.
 */

/** Most severe first. */
export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** Vulnerability id, e.g. CVE-2024-1234 or GHSA-…. */
  id: string;
  severity: Severity;
  packageName: string;
  packageVersion: string;
  packageType: string;
  /** `fixed`, `not-fixed`, `wont-fix`, `unknown` or '' as Grype reports it (0.7: derived from fixedInVersion). */
  fixState: string;
  fixedVersions: string[];
  description: string;
}

export interface GrypeReport {
  findings: Finding[];
  /** `ignoredMatches` (config ignore rules, VEX): reported, never findings. */
  ignoredCount: number;
  grypeVersion?: string;
  dbBuilt?: string;
  dbSchemaVersion?: string;
  /** What Grype says it scanned, e.g. `image:nginx:1.27` or `directory:.`. */
  source?: string;
}

const SEVERITY_BY_LOWER: Record<string, Severity> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  negligible: 'Negligible',
  unknown: 'Unknown',
};

/** Case-insensitive; anything that is not one of Grype's six words is Unknown. */
export function normaliseSeverity(value: unknown): Severity {
  if (typeof value !== 'string') return 'Unknown';
  return SEVERITY_BY_LOWER[value.trim().toLowerCase()] ?? 'Unknown';
}

/** Decodes by BOM: UTF-16LE, UTF-16BE, UTF-8 (BOM dropped); no BOM = UTF-8. */
export function decodeReport(data: Buffer): string {
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe) return data.toString('utf16le', 2);
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff) {
    const swapped = Buffer.from(data.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return data.toString('utf8', 3);
  return data.toString('utf8');
}

/** Index where the JSON object starts: at the beginning, or the first line that starts with `{`. */
function documentStart(text: string): number {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) <= 32 || text.charCodeAt(i) === 0xfeff)) i++;
  if (text[i] === '{') return i;
  // Stderr captured in front (e.g. `[0000]  WARN …` — note `[` would also start valid JSON):
  // Grype's document is always an object, so look for a line that opens one.
  const re = /\r?\n[ \t]*\{/g;
  const match = re.exec(text);
  return match ? match.index + match[0].length - 1 : -1;
}

function describe(label: string): string {
  return label ? `${label} ` : 'The report ';
}

/** Parses the text as one JSON object; trailing log lines after the closing brace are tolerated. */
function parseDocument(text: string, label: string): unknown {
  const start = documentStart(text);
  if (start < 0) {
    const trimmed = text.trim();
    if (!trimmed) throw new UserError(`${describe(label)}is empty: Grype wrote no JSON.`);
    throw new UserError(`${describe(label)}contains no JSON object, so it is not a Grype JSON report. It begins: ${preview(trimmed)}`);
  }
  const body = start === 0 ? text : text.slice(start);
  try {
    return JSON.parse(body);
  } catch (first) {
    // A log line after the document (Grype's "discovered vulnerabilities at or above …" when
    // stderr is captured too). Cut after the last `}` and try once more.
    const end = body.lastIndexOf('}');
    const looksTruncated = end < 0 || /\S/.test(body.slice(end + 1)) === false;
    if (end > 0 && !looksTruncated) {
      try {
        return JSON.parse(body.slice(0, end + 1));
      } catch {
        // fall through to the error about the original parse
      }
    }
    const reason = (first as Error).message;
    if (/end of (JSON )?input|Unterminated|Expected .* after|Unexpected end/i.test(reason) || looksTruncated) {
      throw new UserError(
        `${describe(label)}is truncated or malformed (${text.length} characters; ${reason}): Grype probably crashed or was stopped while writing it.`,
      );
    }
    throw new UserError(`${describe(label)}is not valid JSON (${reason}).`);
  }
}

function preview(text: string): string {
  const first = text.slice(0, 80).replace(/[\r\n\t]+/g, ' ');
  return `'${first}${text.length > 80 ? '…' : ''}'`;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when the object looks like Grype's JSON document (not SARIF, CycloneDX, Syft, …). */
function isGrypeDocument(doc: unknown): doc is Json & { matches: unknown[] } {
  if (!isObject(doc) || !Array.isArray(doc.matches)) return false;
  const descriptor = doc.descriptor;
  if (isObject(descriptor)) return str(descriptor.name).toLowerCase() === 'grype';
  // No descriptor: only accept when the other top-level keys Grype always writes are there.
  return isObject(doc.source) || 'distro' in doc;
}

function findingOf(match: unknown): Finding {
  const m = isObject(match) ? match : {};
  const v = isObject(m.vulnerability) ? m.vulnerability : {};
  const a = isObject(m.artifact) ? m.artifact : {};
  let fixState: string;
  let fixedVersions: string[];
  if (isObject(v.fix)) {
    fixState = str(v.fix.state).toLowerCase();
    fixedVersions = Array.isArray(v.fix.versions) ? v.fix.versions.map(str).filter(Boolean) : [];
  } else {
    // Grype 0.7: a single `fixedInVersion` string.
    const fixed = str(v.fixedInVersion);
    fixedVersions = fixed ? [fixed] : [];
    fixState = fixed ? 'fixed' : 'unknown';
  }
  return {
    id: str(v.id),
    severity: normaliseSeverity(v.severity),
    packageName: str(a.name),
    packageVersion: str(a.version),
    packageType: str(a.type),
    fixState,
    fixedVersions,
    description: str(v.description),
  };
}

/**
 * Parses a Grype JSON report. `onlyFixed` keeps only findings whose fix state is `fixed`.
 * Not Grype JSON, empty, truncated → UserError saying which.
 */
export function parseGrypeReport(data: Buffer | string, options: { onlyFixed?: boolean; label?: string } = {}): GrypeReport {
  const label = options.label ?? '';
  const text = typeof data === 'string' ? data : decodeReport(data);
  const doc = parseDocument(text, label);
  if (!isGrypeDocument(doc)) {
    const keys = isObject(doc) ? Object.keys(doc).slice(0, 6).join(', ') : Array.isArray(doc) ? 'an array' : typeof doc;
    throw new UserError(
      `${describe(label)}is JSON but not a Grype JSON report (expected "matches" and a descriptor named grype; found ${keys || 'nothing'}). ` +
        'Check that the file was written by grype -o json.',
    );
  }
  const findings: Finding[] = [];
  for (const match of doc.matches) {
    const finding = findingOf(match);
    if (options.onlyFixed && finding.fixState !== 'fixed') continue;
    findings.push(finding);
  }
  const descriptor = isObject(doc.descriptor) ? doc.descriptor : {};
  const db = isObject(descriptor.db) ? descriptor.db : {};
  const status = isObject(db.status) ? db.status : db;
  const source = isObject(doc.source) ? doc.source : {};
  const sourceTarget = source.target;
  const targetText = typeof sourceTarget === 'string' ? sourceTarget : isObject(sourceTarget) ? str(sourceTarget.userInput) : '';
  return {
    findings,
    ignoredCount: Array.isArray(doc.ignoredMatches) ? doc.ignoredMatches.length : 0,
    grypeVersion: str(descriptor.version) || undefined,
    dbBuilt: str(status.built) || undefined,
    dbSchemaVersion: str(status.schemaVersion) || undefined,
    source: source.type || targetText ? `${str(source.type)}:${targetText}` : undefined,
  };
}
