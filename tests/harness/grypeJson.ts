// Small Grype JSON reports written by hand, in the shape grype 0.122 prints (grype/presenter/models:
// Document, Match, IgnoredMatch with appliedIgnoreRules), for tests that need a few exact findings.

export interface MatchSpec {
  id: string;
  severity?: string;
  name: string;
  version: string;
  type?: string;
  /** ids of relatedVulnerabilities */
  related?: string[];
  fixedIn?: string[];
  /** default: fixed when fixedIn is given, else not-fixed */
  fixState?: string;
  /** listed in CISA KEV: one `knownExploited[]` entry for the id */
  knownExploited?: boolean;
  /** EPSS probability (0–1): one `epss[]` entry */
  epss?: number;
}

export interface IgnoreRuleSpec {
  namespace?: string;
  vulnerability?: string;
  reason?: string;
  'fix-state'?: string;
  'vex-status'?: string;
  'vex-justification'?: string;
  package?: { name?: string; version?: string; type?: string };
}

export function grypeMatch(m: MatchSpec): Record<string, unknown> {
  const type = m.type ?? 'npm';
  return {
    vulnerability: {
      id: m.id,
      dataSource: `https://github.com/advisories/${m.id}`,
      namespace: `github:language:${type === 'npm' ? 'javascript' : type}`,
      severity: m.severity ?? 'High',
      urls: [],
      description: `${m.id} in ${m.name}`,
      fix: { versions: m.fixedIn ?? [], state: m.fixState ?? (m.fixedIn?.length ? 'fixed' : 'not-fixed') },
      advisories: [],
      ...(m.knownExploited ? { knownExploited: [{ cve: m.id, vendorProject: m.name, product: m.name, dateAdded: '2026-01-15', requiredAction: 'Apply updates', dueDate: '2026-02-05', knownRansomwareCampaignUse: 'Unknown', urls: [], cwes: [] }] } : {}),
      ...(m.epss !== undefined ? { epss: [{ cve: m.id, epss: m.epss, percentile: 0.99, date: '2026-12-03' }] } : {}),
    },
    relatedVulnerabilities: (m.related ?? []).map((id) => ({ id, dataSource: `https://nvd.nist.gov/vuln/detail/${id}`, namespace: 'nvd:cpe', severity: m.severity ?? 'High', urls: [], description: '' })),
    matchDetails: [{ type: 'exact-direct-match', matcher: 'javascript-matcher', searchedBy: {}, found: {} }],
    artifact: { id: `${m.name}-${m.version}`, name: m.name, version: m.version, type, locations: [], language: '', licenses: [], cpes: [], purl: `pkg:${type}/${m.name}@${m.version}`, upstreams: [] },
  };
}

/** A DB build time an hour ago, as Grype writes it: fresh, so no stale-DB warning, whenever the tests run. */
export const FRESH_DB_BUILT = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A whole report: `matches`, `ignoredMatches` (each with its rules), and a grype descriptor. */
export function grypeReport(matches: MatchSpec[], ignored: { match: MatchSpec; rules: IgnoreRuleSpec[] }[] = []): string {
  return JSON.stringify(
    {
      matches: matches.map(grypeMatch),
      ignoredMatches: ignored.map((i) => ({ ...grypeMatch(i.match), appliedIgnoreRules: i.rules.map((r) => ({ namespace: '', ...r })) })),
      source: { type: 'directory', target: '/src' },
      distro: { name: '', version: '', idLike: null },
      descriptor: { name: 'grype', version: '0.122.0', db: { status: { schemaVersion: 'v6.1.4', from: 'https://grype.anchore.io/databases', built: FRESH_DB_BUILT, path: '/db', valid: true } }, timestamp: '2026-12-04T18:00:00Z' },
    },
    null,
    1,
  );
}
