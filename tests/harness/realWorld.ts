// The world the real-tool suite scans, written by this project: the packages of each target, the
// vulnerability records mkdb builds the DB from (vunnel envelopes: GitHub advisories for npm,
// Debian 12 OS records, EPSS and CISA KEV entries), and the findings the tests therefore expect.
// Expectations are stated here, next to the records, never read back from running grype.
// Advisory ids, packages and fixed versions follow the real advisories; some severities, the EPSS
// scores and the KEV entries are chosen for the tests (ordering by risk must be observable).
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Severity = 'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible' | 'Unknown';

export interface Package {
  name: string;
  version: string;
  /** dpkg source package, when it differs from the binary package's name */
  source?: string;
}

/** One advisory record for one package, and whether the target's installed version is affected. */
export interface Advisory {
  id: string;
  /** the CVE the advisory is about (GHSA records relate it; OS records are named by it) */
  cve: string;
  package: string;
  severity: Severity;
  /** GHSA range (npm) or empty for OS records, where fixed/not-fixed says it all */
  range?: string;
  /** the fixed version, or undefined for "no fix yet" */
  fixed?: string;
  affected: boolean;
}

export const NPM_PACKAGES: Package[] = [
  { name: 'lodash', version: '4.17.20' },
  { name: 'minimist', version: '1.2.5' },
  { name: 'vm2', version: '3.9.17' },
  { name: 'left-pad', version: '1.3.0' },
];

export const NPM_ADVISORIES: Advisory[] = [
  { id: 'GHSA-35jh-r3h4-6jhm', cve: 'CVE-2021-23337', package: 'lodash', severity: 'High', range: '< 4.17.21', fixed: '4.17.21', affected: true },
  { id: 'GHSA-29mw-wpgm-hmr9', cve: 'CVE-2020-28500', package: 'lodash', severity: 'Medium', range: '< 4.17.21', fixed: '4.17.21', affected: true },
  // fixed before the installed version: must not match
  { id: 'GHSA-p6mc-m468-83gw', cve: 'CVE-2020-8203', package: 'lodash', severity: 'High', range: '< 4.17.19', fixed: '4.17.19', affected: false },
  { id: 'GHSA-xvch-5gv4-984h', cve: 'CVE-2021-44906', package: 'minimist', severity: 'Critical', range: '< 1.2.6', fixed: '1.2.6', affected: true },
  { id: 'GHSA-cchq-frgv-rjh5', cve: 'CVE-2023-37466', package: 'vm2', severity: 'Critical', range: '<= 3.9.19', fixed: '3.10.0', affected: true },
  // no fix yet
  { id: 'GHSA-g644-9gfx-q4q4', cve: 'CVE-2023-37903', package: 'vm2', severity: 'Critical', range: '<= 3.9.19', affected: true },
];

export const DEBIAN_PACKAGES: Package[] = [
  { name: 'openssl', version: '3.0.11-1~deb12u1' },
  { name: 'libfreetype6', version: '2.12.1+dfsg-5', source: 'freetype' },
  { name: 'libtiff6', version: '4.5.0-6+deb12u1', source: 'tiff' },
  { name: 'bash', version: '5.2.15-2+b2' },
];

export const DEBIAN_ADVISORIES: Advisory[] = [
  { id: 'CVE-2023-5678', cve: 'CVE-2023-5678', package: 'openssl', severity: 'Medium', fixed: '3.0.11-1~deb12u2', affected: true },
  // fixed before the installed version: must not match
  { id: 'CVE-2023-2650', cve: 'CVE-2023-2650', package: 'openssl', severity: 'Medium', fixed: '3.0.9-1', affected: false },
  { id: 'CVE-2025-27363', cve: 'CVE-2025-27363', package: 'freetype', severity: 'High', fixed: '2.12.1+dfsg-5+deb12u4', affected: true },
  // no fix yet (grype drops zlib's CVE-2023-45853 by a hard-coded correction, so not that one)
  { id: 'CVE-2023-3164', cve: 'CVE-2023-3164', package: 'tiff', severity: 'Critical', affected: true },
];

/** EPSS scores (probability, 0–1) by CVE. */
export const EPSS: Record<string, number> = {
  'CVE-2021-23337': 0.0123,
  'CVE-2020-28500': 0.0041,
  'CVE-2021-44906': 0.0296,
  'CVE-2023-37466': 0.5812,
  'CVE-2023-37903': 0.0088,
  'CVE-2023-5678': 0.0062,
  'CVE-2025-27363': 0.7712,
  'CVE-2023-3164': 0.0187,
};

/** CISA KEV entries: a Medium npm finding and the freetype one, so KEV-first ordering is visible. */
export const KNOWN_EXPLOITED = ['CVE-2020-28500', 'CVE-2025-27363'];

// ---------------------------------------------------------------------------------------------
// Expected findings
// ---------------------------------------------------------------------------------------------

export interface ExpectedFinding {
  id: string;
  cve: string;
  package: string;
  version: string;
  type: 'npm' | 'deb';
  severity: Severity;
  fixed?: string;
}

function expectedFor(packages: Package[], advisories: Advisory[], type: 'npm' | 'deb'): ExpectedFinding[] {
  const out: ExpectedFinding[] = [];
  for (const a of advisories.filter((x) => x.affected)) {
    for (const p of packages.filter((x) => x.name === a.package || x.source === a.package)) {
      out.push({ id: a.id, cve: a.cve, package: p.name, version: p.version, type, severity: a.severity, fixed: a.fixed });
    }
  }
  return out;
}

export const EXPECTED_NPM = expectedFor(NPM_PACKAGES, NPM_ADVISORIES, 'npm');
export const EXPECTED_DEBIAN = expectedFor(DEBIAN_PACKAGES, DEBIAN_ADVISORIES, 'deb');

export interface ExpectedCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  negligible: number;
  unknown: number;
  total: number;
  fixable: number;
  knownExploited: number;
  maxSeverity: Severity | 'None';
}

const ORDER: Severity[] = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];

export function countsOf(findings: ExpectedFinding[]): ExpectedCounts {
  const n = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return {
    critical: n('Critical'),
    high: n('High'),
    medium: n('Medium'),
    low: n('Low'),
    negligible: n('Negligible'),
    unknown: n('Unknown'),
    total: findings.length,
    fixable: findings.filter((f) => f.fixed !== undefined).length,
    knownExploited: findings.filter((f) => KNOWN_EXPLOITED.includes(f.cve)).length,
    maxSeverity: ORDER.find((s) => n(s) > 0) ?? 'None',
  };
}

// ---------------------------------------------------------------------------------------------
// Writing the records (mkdb's input) and the targets
// ---------------------------------------------------------------------------------------------

const SCHEMA = 'https://raw.githubusercontent.com/anchore/vunnel/main/schema/vulnerability';
const SCHEMAS = {
  github: `${SCHEMA}/github-security-advisory/schema-1.0.1.json`,
  os: `${SCHEMA}/os/schema-1.1.0.json`,
  epss: `${SCHEMA}/epss/schema-1.0.0.json`,
  kev: `${SCHEMA}/known-exploited/schema-1.0.0.json`,
};

function writeEnvelope(dir: string, file: string, schema: string, identifier: string, item: unknown): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, file), JSON.stringify({ schema, identifier, item }, null, 2));
}

/** Writes the four providers' records (github, debian, epss, kev) under `dir` for mkdb. */
export function writeRecords(dir: string): void {
  for (const a of NPM_ADVISORIES) {
    writeEnvelope(path.join(dir, 'github'), `${a.id}.json`, SCHEMAS.github, `github:npm/${a.id.toLowerCase()}`, {
      Advisory: {
        Classification: 'GENERAL',
        Severity: a.severity,
        CVE: [a.cve],
        FixedIn: [{ name: a.package, identifier: a.fixed ?? '', ecosystem: 'npm', namespace: 'github:npm', range: a.range }],
        Metadata: { CVE: [a.cve] },
        Summary: `${a.package} advisory ${a.id}`,
        url: `https://github.com/advisories/${a.id}`,
        ghsaId: a.id,
        published: '2021-02-15T00:00:00Z',
        updated: '2024-01-01T00:00:00Z',
        withdrawn: null,
        namespace: 'github:npm',
      },
      Vulnerability: {},
    });
  }
  for (const a of DEBIAN_ADVISORIES) {
    writeEnvelope(path.join(dir, 'debian'), `${a.id}.json`, SCHEMAS.os, `debian:12/${a.id.toLowerCase()}`, {
      Vulnerability: {
        CVSS: [],
        Description: `${a.package} vulnerability ${a.id}`,
        FixedIn: [
          {
            Name: a.package,
            NamespaceName: 'debian:12',
            VendorAdvisory: { AdvisorySummary: [], NoAdvisory: false },
            Version: a.fixed ?? '',
            VersionFormat: 'dpkg',
          },
        ],
        Link: `https://security-tracker.debian.org/tracker/${a.id}`,
        Metadata: {},
        Name: a.id,
        NamespaceName: 'debian:12',
        Severity: a.severity,
      },
    });
  }
  for (const [cve, epss] of Object.entries(EPSS)) {
    writeEnvelope(path.join(dir, 'epss'), `${cve}.json`, SCHEMAS.epss, `epss/${cve.toLowerCase()}`, { cve, epss, percentile: Math.min(0.999, 0.5 + epss / 2), date: '2026-11-30' });
  }
  for (const cve of KNOWN_EXPLOITED) {
    writeEnvelope(path.join(dir, 'kev'), `${cve}.json`, SCHEMAS.kev, `kev/${cve.toLowerCase()}`, {
      cveID: cve,
      vendorProject: 'Test records',
      product: cve,
      vulnerabilityName: `${cve} (test record)`,
      dateAdded: '2025-05-06',
      shortDescription: 'A KEV entry written for the real-tool tests.',
      requiredAction: 'Apply updates per vendor instructions.',
      dueDate: '2025-05-27',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
      cwes: [],
    });
  }
}

/** A project folder with a package-lock.json (v3) holding NPM_PACKAGES as production dependencies. */
export function writeNpmProject(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const deps = Object.fromEntries(NPM_PACKAGES.map((p) => [p.name, p.version]));
  const packages: Record<string, unknown> = { '': { name: 'realtools-app', version: '1.0.0', dependencies: deps } };
  for (const p of NPM_PACKAGES) {
    packages[`node_modules/${p.name}`] = { version: p.version, resolved: `https://registry.npmjs.org/${p.name}/-/${p.name}-${p.version}.tgz` };
  }
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'realtools-app', version: '1.0.0', dependencies: deps }, null, 2));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ name: 'realtools-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

/** A Debian 12 root filesystem: os-release and a dpkg status database with DEBIAN_PACKAGES. */
export function writeDebianRootfs(dir: string): void {
  fs.mkdirSync(path.join(dir, 'etc'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'var', 'lib', 'dpkg'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'etc', 'os-release'),
    [
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"',
      'NAME="Debian GNU/Linux"',
      'VERSION_ID="12"',
      'VERSION="12 (bookworm)"',
      'VERSION_CODENAME=bookworm',
      'ID=debian',
      '',
    ].join('\n'),
  );
  const stanzas = DEBIAN_PACKAGES.map((p) =>
    [
      `Package: ${p.name}`,
      'Status: install ok installed',
      'Priority: optional',
      'Section: libs',
      'Installed-Size: 100',
      'Maintainer: Test Maintainers <tests@example.invalid>',
      'Architecture: amd64',
      ...(p.source ? [`Source: ${p.source}`] : []),
      `Version: ${p.version}`,
      `Description: ${p.name} (test package)`,
    ].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'var', 'lib', 'dpkg', 'status'), stanzas.join('\n\n') + '\n');
}
