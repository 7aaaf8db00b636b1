import { constants } from 'node:buffer';
import { UserError } from '../common/errors';
import { formatBytes } from '../common/text';

const { MAX_STRING_LENGTH } = constants;

/**
 * Grype JSON report → findings. PURE: a Buffer in, plain objects out, no I/O.
 *
 * Accepts every Grype JSON schema from 0.7 to today:
 * - 0.7: `vulnerability.fixedInVersion`, `matchDetails` a single object, descriptor {name, version};
 * - 0.24–0.87: `vulnerability.fix {versions, state}`, `matchDetails[]`, `descriptor.db {built, schemaVersion}`;
 * - 0.88+: `descriptor.db.status {built, schemaVersion, …}`, `vulnerability.risk`, `epss[]` and
 *   `knownExploited[]` (CISA KEV).
 * Encodings: UTF-8 with or without BOM, UTF-16LE/BE with BOM. Log lines (stderr captured with
 * stdout) before the document and after it are skipped.
 */

/** Most severe first. */
export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** 0 = Critical … 5 = Unknown. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

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
  /** Grype's `risk` score (0.88+); 0 when the report has none. */
  risk: number;
  /** The highest EPSS probability (0–1) among `epss[]`; 0 when there is none. */
  epss: number;
  /** CVE ids of the `knownExploited[]` (CISA KEV) entries; empty when not known exploited. */
  knownExploited: string[];
  /** `relatedVulnerabilities[].id` (e.g. the CVE of a GHSA): the same vulnerability under other names. */
  relatedIds: string[];
}

/** One of Grype's `appliedIgnoreRules` on an ignored match, as its JSON spells it. */
export interface AppliedIgnoreRule {
  /** `vex` for a rule that came from a VEX statement; else the rule's vulnerability namespace, often ''. */
  namespace: string;
  vulnerability: string;
  reason: string;
  /** `fix-state`: set by --only-fixed (not-fixed, wont-fix, unknown) and --ignore-states rules. */
  fixState: string;
  /** `vex-status` / `vex-justification` (OpenVEX: not_affected, fixed; vulnerable_code_not_present, …). */
  vexStatus: string;
  vexJustification: string;
  packageName: string;
  packageVersion: string;
  packageType: string;
}

/** A match Grype left out of `matches`, with the rules that left it out. */
export interface IgnoredFinding extends Finding {
  rules: AppliedIgnoreRule[];
  /** `artifact.purl`: what a VEX statement names as product or subcomponent. */
  purl: string;
}

export interface GrypeReport {
  findings: Finding[];
  /** `ignoredMatches` (config ignore rules, VEX, and unfixed matches under --only-fixed): reported, never findings. */
  ignoredCount: number;
  /** The `ignoredMatches` themselves. */
  ignored: IgnoredFinding[];
  /** Matches this parser left out because of `onlyFixed` (Grype without --only-fixed support, or a report read back). */
  unfixed: Finding[];
  grypeVersion?: string;
  dbBuilt?: string;
  dbSchemaVersion?: string;
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

/**
 * Why a report of `sizeBytes` cannot be read, or undefined when it can. The report is read as one
 * string, and V8 caps a string at buffer.constants.MAX_STRING_LENGTH characters (about 512 MiB
 * on 64-bit): a larger file (Grype's UTF-8 JSON has at least one byte per character) fails with
 * "Cannot create a string longer than …", so it is refused up front, before reading it. PURE.
 */
export function reportSizeProblem(label: string, sizeBytes: number, maxChars = MAX_STRING_LENGTH): string | undefined {
  if (sizeBytes <= maxChars) return undefined;
  return (
    `${label} is ${formatBytes(sizeBytes)}, more than the ${formatBytes(maxChars)} a Node.js task can read as text. ` +
    `Make the scan's report smaller: scan a smaller target, exclude paths with --exclude in additionalArguments, or set onlyFixed; ` +
    `the other reports Grype wrote are published as usual.`
  );
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

/** A problem found while walking the document; turned into a UserError with the label. */
class DocumentError extends Error {
  constructor(
    message: string,
    readonly truncated: boolean,
  ) {
    super(message);
  }
}

/**
 * Walks Grype's top-level object without building it whole: each `matches[]` element is
 * `JSON.parse`d on its own, turned into a Finding and dropped, so peak memory stays close to the
 * size of the text instead of the size of the full object tree (a 50 MB report is ~200 MB as
 * objects). `descriptor`, `source` and `distro` are parsed; other members are skipped by a
 * string-aware bracket scan; `ignoredMatches` elements are parsed one by one too. Anything after the closing brace
 * (stderr captured with stdout) is ignored.
 */
class DocumentWalker {
  private i: number;
  private readonly n: number;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.i = start;
    this.n = text.length;
  }

  private truncated(): never {
    throw new DocumentError('it ends in the middle of the JSON document', true);
  }

  private unexpected(what: string): never {
    if (this.i >= this.n) this.truncated();
    const ch = JSON.stringify(this.text.charAt(this.i));
    throw new DocumentError(`expected ${what} but found ${ch} at character ${this.i}`, false);
  }

  private ws(): void {
    const t = this.text;
    let i = this.i;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  /** Index after the string starting at `from` (a `"`). */
  private stringEnd(from: number): number {
    const t = this.text;
    let j = from;
    for (;;) {
      j = t.indexOf('"', j + 1);
      if (j < 0) this.truncated();
      let k = j - 1;
      while (t.charCodeAt(k) === 92) k--;
      if ((j - 1 - k) % 2 === 0) return j + 1;
    }
  }

  /** Index after the value starting at `from` (first non-blank character). */
  private valueEnd(from: number): number {
    const t = this.text;
    const c = t.charCodeAt(from);
    if (c === 34) return this.stringEnd(from);
    if (c === 123 || c === 91) {
      let depth = 0;
      for (let j = from; j < this.n; j++) {
        const d = t.charCodeAt(j);
        if (d === 34) j = this.stringEnd(j) - 1;
        else if (d === 123 || d === 91) depth++;
        else if (d === 125 || d === 93) {
          if (--depth === 0) return j + 1;
        }
      }
      this.truncated();
    }
    // number, true, false, null
    let j = from;
    while (j < this.n) {
      const d = t.charCodeAt(j);
      if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break;
      j++;
    }
    if (j >= this.n) this.truncated();
    if (j === from) this.unexpected('a value');
    return j;
  }

  private parse(from: number, to: number): unknown {
    try {
      return JSON.parse(this.text.slice(from, to));
    } catch (err) {
      throw new DocumentError(`${(err as Error).message.replace(/ at position (\d+)/, (_m, p) => ` at character ${from + Number(p)}`)}`, false);
    }
  }

  /** Iterates an array's elements, calling `each(from, to)`; positioned after the `]`. */
  private array(each: (from: number, to: number) => void): void {
    this.i++; // [
    this.ws();
    if (this.text.charCodeAt(this.i) === 93) {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      const from = this.i;
      const to = this.valueEnd(from);
      each(from, to);
      this.i = to;
      this.ws();
      const c = this.text.charCodeAt(this.i);
      if (c === 44) this.i++;
      else if (c === 93) {
        this.i++;
        return;
      } else this.unexpected("',' or ']' in an array");
    }
  }

  /** The top-level members Grype's JSON has, with matches turned into findings. */
  walk(onMatch: (match: unknown) => void, onIgnored: (match: unknown) => void): { hasMatchesArray: boolean; members: Record<string, unknown>; ignoredCount: number } {
    const members: Record<string, unknown> = {};
    let hasMatchesArray = false;
    let ignoredCount = 0;
    this.i++; // {
    this.ws();
    if (this.text.charCodeAt(this.i) === 125) return { hasMatchesArray, members, ignoredCount };
    for (;;) {
      this.ws();
      if (this.text.charCodeAt(this.i) !== 34) this.unexpected('a member name');
      const keyEnd = this.stringEnd(this.i);
      const key = this.parse(this.i, keyEnd) as string;
      this.i = keyEnd;
      this.ws();
      if (this.text.charCodeAt(this.i) !== 58) this.unexpected("':'");
      this.i++;
      this.ws();
      const isArray = this.text.charCodeAt(this.i) === 91;
      if (key === 'matches' && isArray) {
        hasMatchesArray = true;
        this.array((from, to) => onMatch(this.parse(from, to)));
      } else if (key === 'ignoredMatches' && isArray) {
        this.array((from, to) => {
          ignoredCount++;
          onIgnored(this.parse(from, to));
        });
      } else {
        const end = this.valueEnd(this.i);
        members[key] = key === 'descriptor' || key === 'source' || key === 'distro' || key === 'matches' ? this.parse(this.i, end) : true;
        this.i = end;
      }
      this.ws();
      const c = this.text.charCodeAt(this.i);
      if (c === 44) this.i++;
      else if (c === 125) return { hasMatchesArray, members, ignoredCount };
      else this.unexpected("',' or '}' after a member");
    }
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

const finite = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function maxEpss(entries: unknown): number {
  if (!Array.isArray(entries)) return 0;
  let max = 0;
  for (const e of entries) if (isObject(e)) max = Math.max(max, finite(e.epss));
  return max;
}

function knownExploitedOf(entries: unknown): string[] {
  if (!Array.isArray(entries)) return [];
  // An entry without a cve still marks the finding as known exploited.
  return entries.filter(isObject).map((e) => str(e.cve) || 'known exploited');
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
    risk: finite(v.risk),
    epss: maxEpss(v.epss),
    knownExploited: knownExploitedOf(v.knownExploited),
    relatedIds: Array.isArray(m.relatedVulnerabilities)
      ? m.relatedVulnerabilities.map((r) => (isObject(r) ? str(r.id) : '')).filter(Boolean)
      : [],
  };
}

function ignoredFindingOf(match: unknown): IgnoredFinding {
  const m = isObject(match) ? match : {};
  const rules = Array.isArray(m.appliedIgnoreRules) ? m.appliedIgnoreRules.filter(isObject) : [];
  return {
    ...findingOf(match),
    purl: isObject(m.artifact) ? str(m.artifact.purl) : '',
    rules: rules.map((r) => {
      const p = isObject(r.package) ? r.package : {};
      return {
        namespace: str(r.namespace),
        vulnerability: str(r.vulnerability),
        reason: str(r.reason),
        fixState: str(r['fix-state']),
        vexStatus: str(r['vex-status']),
        vexJustification: str(r['vex-justification']),
        packageName: str(p.name),
        packageVersion: str(p.version),
        packageType: str(p.type),
      };
    }),
  };
}

/**
 * Parses a Grype JSON report. `onlyFixed` keeps only findings whose fix state is `fixed`.
 * Not Grype JSON, empty, truncated → UserError saying which. Pass a string (see decodeReport) to
 * let the caller drop the file's bytes before parsing.
 */
export function parseGrypeReport(data: Buffer | string, options: { onlyFixed?: boolean; label?: string } = {}): GrypeReport {
  const label = options.label ?? '';
  const text = typeof data === 'string' ? data : decodeReport(data);
  const start = documentStart(text);
  if (start < 0) {
    const trimmed = text.trim();
    if (!trimmed) throw new UserError(`${describe(label)}is empty: Grype wrote no JSON.`);
    throw new UserError(`${describe(label)}contains no JSON object, so it is not a Grype JSON report. It begins: ${preview(trimmed)}`);
  }
  const findings: Finding[] = [];
  const ignored: IgnoredFinding[] = [];
  const unfixed: Finding[] = [];
  let walked: ReturnType<DocumentWalker['walk']>;
  try {
    walked = new DocumentWalker(text, start).walk(
      (match) => {
        const finding = findingOf(match);
        // The task also passes --only-fixed (Grype's own reports agree); filtering here keeps counts exact for older Grype and reports read back.
        if (!options.onlyFixed || finding.fixState === 'fixed') findings.push(finding);
        else unfixed.push(finding);
      },
      (match) => ignored.push(ignoredFindingOf(match)),
    );
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    if (err.truncated) {
      throw new UserError(`${describe(label)}is truncated (${text.length} characters; ${err.message}): Grype probably crashed or was stopped while writing it.`);
    }
    throw new UserError(`${describe(label)}is not valid JSON (${err.message}).`);
  }
  const { members } = walked;
  const descriptor = isObject(members.descriptor) ? members.descriptor : undefined;
  const grype = walked.hasMatchesArray && (descriptor ? str(descriptor.name).toLowerCase() === 'grype' : isObject(members.source) || 'distro' in members);
  if (!grype) {
    const keys = Object.keys(members).concat(walked.hasMatchesArray ? ['matches'] : []).slice(0, 6).join(', ');
    throw new UserError(
      `${describe(label)}is JSON but not a Grype JSON report (expected "matches" and a descriptor named grype; found ${keys || 'nothing'}). ` +
        'Check that the file was written by grype -o json.',
    );
  }
  const d = descriptor ?? {};
  const db = isObject(d.db) ? d.db : {};
  const status = isObject(db.status) ? db.status : db;
  return {
    findings,
    ignoredCount: walked.ignoredCount,
    ignored,
    unfixed,
    grypeVersion: str(d.version) || undefined,
    dbBuilt: str(status.built) || undefined,
    dbSchemaVersion: str(status.schemaVersion) || undefined,
  };
}
