import { Finding, SEVERITIES, Severity, severityRank } from './report';
import { versionComparator } from './versionOrder';

/**
 * "Fix first": the one order of findings used everywhere (log, warnings, summary), and the
 * findings grouped by package with the upgrade that fixes them. PURE: parsed findings in,
 * ranked package groups out, so other features (e.g. a baseline marking new packages) can build
 * on the same groups.
 *
 * Order: known exploited (CISA KEV) first, then severity, then Grype's `risk`, then the highest
 * EPSS, then the id. Reports from before those fields carry none of them, so they sort by
 * severity, then id.
 */

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Urgency alone: known exploited, severity, risk, EPSS, id. */
function compareUrgency(a: Finding, b: Finding): number {
  return (
    Number(b.knownExploited.length > 0) - Number(a.knownExploited.length > 0) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    b.risk - a.risk ||
    b.epss - a.epss ||
    byText(a.id, b.id)
  );
}

/** The most urgent finding first. Package name and version last, for a stable order. */
export function compareFindings(a: Finding, b: Finding): number {
  return compareUrgency(a, b) || byText(a.packageName, b.packageName) || byText(a.packageVersion, b.packageVersion) || byText(a.packageType, b.packageType);
}

export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/**
 * The upgrade that fixes a package's fixable findings:
 * - `target`: the lowest version that fixes all of them, in the ecosystem's version order;
 * - `unordered`: the order is not known here (ecosystem or a version it cannot read), so the fix
 *   versions as Grype listed them;
 * - `none`: no finding has a fix yet.
 */
export type Upgrade = { kind: 'target'; version: string } | { kind: 'unordered'; versions: string[] } | { kind: 'none' };

const hasFix = (f: Finding): boolean => f.fixState === 'fixed' && f.fixedVersions.length > 0;

/**
 * A finding listing several fix lines (Go's `1.19.8 / 1.20.3` for go1.20) is fixed by the lowest
 * listed version above the installed one; the package needs the highest of those.
 */
export function upgradeFor(installed: string, packageType: string, findings: readonly Finding[]): Upgrade {
  const fixable = findings.filter(hasFix);
  if (!fixable.length) return { kind: 'none' };
  const unordered = (): Upgrade => ({ kind: 'unordered', versions: [...new Set(fixable.flatMap((f) => f.fixedVersions))] });
  const compare = versionComparator(packageType);
  if (!compare || compare(installed, installed) === undefined) return unordered();
  // Findings of one package often share a fix list: each distinct list is read once.
  const lowestByList = new Map<string, string | null>();
  const lowestAbove = (versions: string[]): string | null => {
    let lowest: string | undefined;
    for (const v of versions) {
      const aboveInstalled = compare(v, installed);
      if (aboveInstalled === undefined) return null;
      if (aboveInstalled <= 0) continue;
      const c = lowest === undefined ? -1 : compare(v, lowest);
      if (c === undefined) return null;
      if (c < 0) lowest = v;
    }
    // No listed fix is above the installed version: the report does not agree with the order.
    return lowest ?? null;
  };
  let target: string | undefined;
  for (const f of fixable) {
    const key = f.fixedVersions.join('\u0000');
    let lowest = lowestByList.get(key);
    if (lowest === undefined) {
      lowest = lowestAbove(f.fixedVersions);
      lowestByList.set(key, lowest);
    }
    if (lowest === null) return unordered();
    if (lowest === target) continue;
    const c = target === undefined ? 1 : compare(lowest, target);
    if (c === undefined) return unordered();
    if (c > 0) target = lowest;
  }
  return { kind: 'target', version: target! };
}

/** A package (name, version and type) and its findings. */
export interface PackageGroup {
  name: string;
  version: string;
  type: string;
  /** Most urgent first; `findings[0]` is the package's top finding. */
  findings: Finding[];
  counts: Record<Severity, number>;
  /** Findings that are known exploited. */
  knownExploited: number;
  /** The highest EPSS probability (0–1) among its findings. */
  maxEpss: number;
  /** Findings without a fix ("no fix yet"). */
  noFix: number;
  upgrade: Upgrade;
}

/** Groups by package; groups ordered by their top finding, then by how many findings they have. */
export function groupByPackage(findings: readonly Finding[]): PackageGroup[] {
  const byKey = new Map<string, Finding[]>();
  for (const f of rankFindings(findings)) {
    const key = `${f.packageName}\u0000${f.packageVersion}\u0000${f.packageType}`;
    const list = byKey.get(key);
    if (list) list.push(f);
    else byKey.set(key, [f]);
  }
  const groups: PackageGroup[] = [];
  for (const list of byKey.values()) {
    const counts = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0 };
    let knownExploited = 0;
    let maxEpss = 0;
    let noFix = 0;
    for (const f of list) {
      counts[f.severity]++;
      if (f.knownExploited.length) knownExploited++;
      maxEpss = Math.max(maxEpss, f.epss);
      if (!hasFix(f)) noFix++;
    }
    const { packageName: name, packageVersion: version, packageType: type } = list[0];
    groups.push({ name, version, type, findings: list, counts, knownExploited, maxEpss, noFix, upgrade: upgradeFor(version, type, list) });
  }
  return groups.sort(
    (a, b) => compareUrgency(a.findings[0], b.findings[0]) || b.findings.length - a.findings.length || byText(a.name, b.name) || byText(a.version, b.version) || byText(a.type, b.type),
  );
}

/** `log4j-core 2.14.1 (java-archive)`: raw text, to be neutralised or escaped by the caller. */
export function packageLabel(group: Pick<PackageGroup, 'name' | 'version' | 'type'>): string {
  return `${group.name || 'unnamed package'}${group.version ? ` ${group.version}` : ''}${group.type ? ` (${group.type})` : ''}`;
}

/** `lodash (npm)`: a package's name and type, as every summary table shows it. Raw text. */
export function packageCell(name: string, type: string): string {
  return type ? `${name} (${type})` : name;
}

/** `14 Critical, 3 High`: the severities the package has, most severe first. */
export function severityCounts(counts: Record<Severity, number>): string {
  return SEVERITIES.filter((s) => counts[s] > 0)
    .map((s) => `${counts[s]} ${s}`)
    .join(', ');
}

/** `upgrade to 3.11.4`, `fixed in 1.2 / 1.3` (order unknown), `no fix yet`; plus how many have no fix yet. Raw text. */
export function upgradeText(group: Pick<PackageGroup, 'upgrade' | 'noFix' | 'findings'>): string {
  const { upgrade, noFix } = group;
  if (upgrade.kind === 'none') return 'no fix yet';
  const rest = noFix ? ` (${noFix} with no fix yet)` : '';
  return upgrade.kind === 'target' ? `upgrade to ${upgrade.version}${rest}` : `fixed in ${upgrade.versions.join(' / ')}${rest}`;
}
