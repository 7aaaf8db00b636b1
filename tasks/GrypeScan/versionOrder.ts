import pep440 = require('@renovatebot/pep440');
import semver = require('semver');

/**
 * Version order per ecosystem, for "upgrade to" targets. PURE.
 *
 * A comparator returns <0, 0 or >0, or undefined when either version cannot be read in that
 * ecosystem's scheme (the caller then lists the fix versions as Grype gave them).
 * - semver (npm, Go modules, Cargo, …) and PEP 440 (Python): maintained npm libraries;
 * - Debian/dpkg, RPM, Alpine/apk and Maven: the ecosystem's published algorithm, implemented here
 *   and tested against that ecosystem's own test vectors (tests/unit/grypeVersionOrder.test.ts).
 */

export type VersionComparator = (a: string, b: string) => number | undefined;

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

/** Digit strings compared as numbers of any length (no overflow). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// semver 2.0.0 (npm, Go modules, Cargo, …). Go writes `v1.2.3` and the standard library `go1.20`;
// Go also leaves out trailing zeros (`1.20` is 1.20.0).

function semverOf(version: string): semver.SemVer | null {
  let v = version.trim().replace(/^(?:go|v)(?=\d)/, '');
  if (/^\d+(?:\.\d+)?(?=$|[-+])/.test(v)) {
    const core = /^\d+(?:\.\d+)?/.exec(v)![0];
    v = (core.includes('.') ? `${core}.0` : `${core}.0.0`) + v.slice(core.length);
  }
  return semver.parse(v, { loose: true });
}

export const compareSemver: VersionComparator = (a, b) => {
  const x = semverOf(a);
  const y = semverOf(b);
  return x && y ? semver.compare(x, y) : undefined;
};

// ---------------------------------------------------------------------------------------------
// PEP 440 (Python packages).

export const comparePep440: VersionComparator = (a, b) => {
  if (!pep440.valid(a) || !pep440.valid(b)) return undefined;
  return sign(pep440.compare(a, b));
};

// ---------------------------------------------------------------------------------------------
// Debian: deb-version(7), Debian Policy 5.6.12; the algorithm is dpkg's verrevcmp.

/** dpkg's weight of one character: `~` before the end, the end before letters, letters before other marks. */
function dpkgOrder(c: string): number {
  if (c === '') return 0;
  if (c >= '0' && c <= '9') return 0;
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9' && c !== '';

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // The non-digit prefix, character by character.
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = dpkgOrder(a.charAt(i));
      const bc = dpkgOrder(b.charAt(j));
      if (ac !== bc) return sign(ac - bc);
      i++;
      j++;
    }
    // The digit run, as a number.
    let from = i;
    while (isDigit(a.charAt(i))) i++;
    const x = a.slice(from, i);
    from = j;
    while (isDigit(b.charAt(j))) j++;
    const y = b.slice(from, j);
    const c = compareDigits(x, y);
    if (c) return c;
  }
  return 0;
}

/**
 * `[epoch:]version[-revision]`, the shape Debian and RPM versions share (revision: Debian's
 * revision, RPM's release; after the last hyphen). A missing epoch is 0; a non-numeric epoch or a
 * blank is unreadable.
 */
interface EpochVersion {
  epoch: string;
  version: string;
  revision: string;
}

function epochVersionOf(text: string): EpochVersion | undefined {
  const v = text.trim();
  if (!v || /\s/.test(v)) return undefined;
  const colon = v.indexOf(':');
  const epoch = colon >= 0 ? v.slice(0, colon) : '0';
  if (!/^\d+$/.test(epoch)) return undefined;
  const rest = colon >= 0 ? v.slice(colon + 1) : v;
  const hyphen = rest.lastIndexOf('-');
  return { epoch, version: hyphen >= 0 ? rest.slice(0, hyphen) : rest, revision: hyphen >= 0 ? rest.slice(hyphen + 1) : '' };
}

/** Epoch as a number, then version, then revision, each with `compare`. */
function compareEpochVersions(a: string, b: string, compare: (x: string, y: string) => number): number | undefined {
  const x = epochVersionOf(a);
  const y = epochVersionOf(b);
  if (!x || !y) return undefined;
  return compareDigits(x.epoch, y.epoch) || compare(x.version, y.version) || compare(x.revision, y.revision);
}

export const compareDebian: VersionComparator = (a, b) => compareEpochVersions(a, b, verrevcmp);

// ---------------------------------------------------------------------------------------------
// RPM: rpmvercmp (rpm's lib/rpmvercmp.c) on version and release, after the epoch.

const isAlpha = (c: string): boolean => (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
const isAlnum = (c: string): boolean => isAlpha(c) || isDigit(c);

function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    if (i >= a.length && j >= b.length) return 0;
    // `~` sorts before everything, even the end: 1.0~rc1 < 1.0.
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // `^` sorts after the end but before anything else: 1.0 < 1.0^git1 < 1.0.1.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const run = numeric ? isDigit : isAlpha;
    let ei = i;
    while (ei < a.length && run(a[ei])) ei++;
    let ej = j;
    while (ej < b.length && run(b[ej])) ej++;
    const x = a.slice(i, ei);
    const y = b.slice(j, ej);
    // A number is newer than letters.
    if (!y) return numeric ? 1 : -1;
    const c = numeric ? compareDigits(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (c) return c;
    i = ei;
    j = ej;
  }
  return i >= a.length ? -1 : 1;
}

export const compareRpm: VersionComparator = (a, b) => compareEpochVersions(a, b, rpmvercmp);

// ---------------------------------------------------------------------------------------------
// Alpine apk: apk-tools' version format `1.2.3[a][_suffix[N]]…[-rN]` and its token order.

/** Token kinds in apk's order: when two versions first differ in kind, the later kind is the older version. */
const enum ApkToken {
  DotNumber,
  Number,
  Letter,
  Suffix,
  SuffixNumber,
  Revision,
  End,
}

/** Pre-release suffixes sort below none, post-release ones above. */
const APK_SUFFIXES: Record<string, bigint> = { alpha: -4n, beta: -3n, pre: -2n, rc: -1n, cvs: 1n, svn: 2n, git: 3n, hg: 4n, p: 5n };

function apkTokens(version: string): [ApkToken, bigint][] | undefined {
  const v = version.trim();
  const first = /^\d+/.exec(v);
  if (!first) return undefined;
  const tokens: [ApkToken, bigint][] = [[ApkToken.Number, BigInt(first[0])]];
  let i = first[0].length;
  let m: RegExpExecArray | null;
  const at = (re: RegExp) => {
    re.lastIndex = i;
    const match = re.exec(v);
    if (match) i += match[0].length;
    return match;
  };
  // Numbers after the first; a leading zero run is its own token (valued by its length), so 1.05 < 1.1 as in apk.
  while ((m = at(/\.(0*)(\d*)/y)) && m[0].length > 1) {
    if (m[1]) tokens.push([ApkToken.DotNumber, -BigInt(m[1].length)]);
    if (m[2]) tokens.push([m[1] ? ApkToken.Number : ApkToken.DotNumber, BigInt(m[2])]);
  }
  if (m) return undefined; // a lone '.'
  if ((m = at(/[a-z]/y))) tokens.push([ApkToken.Letter, BigInt(m[0].charCodeAt(0))]);
  while ((m = at(/_([a-z]+)(\d*)/y))) {
    const suffix = APK_SUFFIXES[m[1]];
    if (suffix === undefined) return undefined;
    tokens.push([ApkToken.Suffix, suffix]);
    if (m[2]) tokens.push([ApkToken.SuffixNumber, BigInt(m[2])]);
  }
  if ((m = at(/-r(\d+)/y))) tokens.push([ApkToken.Revision, BigInt(m[1])]);
  if (i !== v.length) return undefined;
  tokens.push([ApkToken.End, 0n]);
  return tokens;
}

export const compareApk: VersionComparator = (a, b) => {
  const x = apkTokens(a);
  const y = apkTokens(b);
  if (!x || !y) return undefined;
  for (let k = 0; ; k++) {
    const [xt, xv] = x[k];
    const [yt, yv] = y[k];
    if (xt !== yt) {
      // A pre-release suffix where the other has something else is older; otherwise the later kind is older.
      if (xt === ApkToken.Suffix && xv < 0n) return -1;
      if (yt === ApkToken.Suffix && yv < 0n) return 1;
      return xt > yt ? -1 : 1;
    }
    if (xv !== yv) return xv < yv ? -1 : 1;
    if (xt === ApkToken.End) return 0;
  }
};

// ---------------------------------------------------------------------------------------------
// Maven: the Version Order Specification (maven.apache.org/pom.html), as ComparableVersion.

type MavenItem = { kind: 'int'; value: string } | { kind: 'string'; value: string } | { kind: 'list'; items: MavenItem[] };

const MAVEN_QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const MAVEN_ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const MAVEN_RELEASE = String(MAVEN_QUALIFIERS.indexOf(''));

function mavenQualifier(value: string, followedByDigit: boolean): MavenItem {
  let q = value;
  if (followedByDigit && q.length === 1) q = q === 'a' ? 'alpha' : q === 'b' ? 'beta' : q === 'm' ? 'milestone' : q;
  return { kind: 'string', value: MAVEN_ALIASES[q] ?? q };
}

/** Known qualifiers by rank, then any other qualifier after them in lexical order. */
function comparableQualifier(q: string): string {
  const index = MAVEN_QUALIFIERS.indexOf(q);
  return index >= 0 ? String(index) : `${MAVEN_QUALIFIERS.length}-${q}`;
}

function mavenIsNull(item: MavenItem): boolean {
  if (item.kind === 'int') return /^0*$/.test(item.value);
  if (item.kind === 'string') return comparableQualifier(item.value) === MAVEN_RELEASE;
  return item.items.length === 0;
}

/** Trailing null items (0, '', empty lists) are dropped, looking past nested lists. */
function mavenNormalise(list: MavenItem[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i];
    if (mavenIsNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

function mavenParse(version: string): MavenItem {
  const v = version.trim().toLowerCase();
  const root: MavenItem[] = [];
  let list = root;
  const stack: MavenItem[][] = [root];
  const sublist = () => {
    const next: MavenItem[] = [];
    list.push({ kind: 'list', items: next });
    list = next;
    stack.push(next);
  };
  const item = (digit: boolean, text: string): MavenItem => (digit ? { kind: 'int', value: text.replace(/^0+(?=.)/, '') } : mavenQualifier(text, false));
  let digit = false;
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: '0' } : item(digit, v.slice(start, i)));
      start = i + 1;
      if (c === '-') sublist();
    } else if (c >= '0' && c <= '9') {
      if (!digit && i > start) {
        list.push(mavenQualifier(v.slice(start, i), true));
        start = i;
        sublist();
      }
      digit = true;
    } else {
      if (digit && i > start) {
        list.push(item(true, v.slice(start, i)));
        start = i;
        sublist();
      }
      digit = false;
    }
  }
  if (v.length > start) {
    // 1.0.0.X1 < 1.0.0-X2: a trailing qualifier after '.' is treated as after '-'.
    if (!digit && list.length) sublist();
    list.push(item(digit, v.slice(start)));
  }
  while (stack.length) mavenNormalise(stack.pop()!);
  return { kind: 'list', items: root };
}

/** ComparableVersion's item order; `b` undefined stands for the padding of a shorter version. */
function mavenCompare(a: MavenItem, b: MavenItem | undefined): number {
  if (a.kind === 'int') {
    if (!b) return mavenIsNull(a) ? 0 : 1;
    return b.kind === 'int' ? compareDigits(a.value, b.value) : 1;
  }
  if (a.kind === 'string') {
    const qa = comparableQualifier(a.value);
    if (!b) return qa < MAVEN_RELEASE ? -1 : qa > MAVEN_RELEASE ? 1 : 0;
    if (b.kind !== 'string') return -1;
    const qb = comparableQualifier(b.value);
    return qa < qb ? -1 : qa > qb ? 1 : 0;
  }
  if (!b) return a.items.length ? mavenCompare(a.items[0], undefined) : 0;
  if (b.kind === 'int') return -1;
  if (b.kind === 'string') return 1;
  for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
    const l = a.items[i];
    const r = b.items[i];
    const c = l ? mavenCompare(l, r) : r ? -mavenCompare(r, undefined) : 0;
    if (c) return c;
  }
  return 0;
}

export const compareMaven: VersionComparator = (a, b) => {
  if (!a.trim() || !b.trim()) return undefined;
  return sign(mavenCompare(mavenParse(a), mavenParse(b)));
};

// ---------------------------------------------------------------------------------------------

/** Grype's artifact types by the version scheme their ecosystem uses. */
const COMPARATOR_BY_TYPE: Record<string, VersionComparator> = {
  npm: compareSemver,
  'go-module': compareSemver,
  'rust-crate': compareSemver,
  'github-action': compareSemver,
  'dart-pub': compareSemver,
  hex: compareSemver,
  swift: compareSemver,
  binary: compareSemver,
  deb: compareDebian,
  rpm: compareRpm,
  apk: compareApk,
  python: comparePep440,
  'java-archive': compareMaven,
  'jenkins-plugin': compareMaven,
};

/** The version order of a Grype artifact type, or undefined where it is not known here. */
export function versionComparator(packageType: string): VersionComparator | undefined {
  return COMPARATOR_BY_TYPE[packageType.toLowerCase()];
}
