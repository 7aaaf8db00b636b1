// The package warnings GrypeScan should log for the findings realWorld.ts describes, worked out
// from the records (not from the task): one per package with a finding at or above the threshold
// or a known-exploited one, most urgent package first, e.g.
// `lodash 4.17.20 (npm): 1 High, 1 Medium, 1 known exploited (GHSA-29mw-wpgm-hmr9); upgrade to 4.17.21`.
import * as assert from 'assert';
import { EPSS, ExpectedFinding, KNOWN_EXPLOITED, Severity } from './realWorld';

const SEVERITY_ORDER: Severity[] = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];
const kev = (f: ExpectedFinding) => KNOWN_EXPLOITED.includes(f.cve);
/** Fix-first order of the records' findings: known exploited, severity, then EPSS (Grype's risk follows EPSS at equal severity and KEV). */
const moreUrgent = (a: ExpectedFinding, b: ExpectedFinding) =>
  Number(kev(b)) - Number(kev(a)) || SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || (EPSS[b.cve] ?? 0) - (EPSS[a.cve] ?? 0);

/** `threshold`: the lowest severity that warns (warnOnSeverity), or undefined for none. */
export function expectedPackageWarnings(findings: ExpectedFinding[], threshold: Severity | undefined): string[] {
  const byPackage = new Map<string, ExpectedFinding[]>();
  for (const f of findings) {
    const label = `${f.package} ${f.version} (${f.type})`;
    if (!byPackage.has(label)) byPackage.set(label, []);
    byPackage.get(label)!.push(f);
  }
  const reaches = (f: ExpectedFinding) => threshold !== undefined && f.severity !== 'Unknown' && SEVERITY_ORDER.indexOf(f.severity) <= SEVERITY_ORDER.indexOf(threshold);
  return [...byPackage]
    .map(([label, list]) => ({ label, findings: list.sort(moreUrgent) }))
    .filter((g) => g.findings.some((f) => kev(f) || reaches(f)))
    .sort((a, b) => moreUrgent(a.findings[0], b.findings[0]))
    .map(({ label, findings: list }) => {
      const counts = SEVERITY_ORDER.map((s) => [s, list.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`);
      const known = list.filter(kev).length;
      const fixes = [...new Set(list.flatMap((f) => (f.fixed ? [f.fixed] : [])))];
      // The records give each package one fix version; several would need the ecosystem's order here.
      assert.ok(fixes.length <= 1, `realWorld.ts gives ${label} several fix versions (${fixes.join(', ')}): state its expected upgrade here`);
      const noFix = list.filter((f) => !f.fixed).length;
      const upgrade = fixes.length ? `upgrade to ${fixes[0]}${noFix ? ` (${noFix} with no fix yet)` : ''}` : 'no fix yet';
      return `${label}: ${counts.join(', ')}${known ? `, ${known} known exploited` : ''} (${list[0].id}); ${upgrade}`;
    });
}

/** A run's package warnings (not the DB, baseline or result lines; `New package: ` ones included), in the order logged. */
export const packageWarningsOf = (warnings: string[]) => warnings.filter((w) => /^(New package: )?\S+ \S+ \((npm|deb)\): /.test(w));
