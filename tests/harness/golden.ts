// The golden outputs: what the real grype and syft (the pinned releases, built by
// `npm run realtools`) write for the world of realWorld.ts. They are committed under
// tests/fixtures/golden so that tests run without Go; `npm run fixtures` regenerates them.
// What the tests expect of them comes from realWorld.ts (the records), never from these files.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { goldenDir, repoRoot } from './paths';
import { DEBIAN_PACKAGES, NPM_PACKAGES, Severity, writeDebianRootfs, writeNpmProject, writeRecords } from './realWorld';

/** The build time mkdb stamps on the golden DB, so that reports and `db status` are reproducible. */
export const GOLDEN_DB_BUILT = '2026-12-01T06:00:00Z';

/** The image reference recorded in the golden docker archive. */
export const GOLDEN_IMAGE_REF = 'realtools/debian:12';

/**
 * What syft catalogues, from the targets of realWorld.ts: in the npm project, NPM_PACKAGES and
 * the lock file's own root package (realtools-app); in the image, DEBIAN_PACKAGES. CycloneDX
 * adds the file the packages were found in (package-lock.json, dpkg's status) as a `file`
 * component, and for the image the distro as an `operating-system` component.
 */
export const SYFT_DIR_PACKAGES = NPM_PACKAGES.length + 1;
export const SYFT_DIR_CYCLONEDX_COMPONENTS = SYFT_DIR_PACKAGES + 1;
export const SYFT_IMAGE_CYCLONEDX_COMPONENTS = DEBIAN_PACKAGES.length + 2;

/** The golden files, by what they hold. Targets: the npm project (dir:), the Debian 12 image (docker-archive:), an empty folder (dir:). */
export const GOLDEN = {
  grypeVersionJson: 'grype-version.json',
  grypeDbStatusJson: 'grype-db-status.json',
  grypeDirJson: 'grype-dir.json',
  grypeDirSarif: 'grype-dir.sarif',
  grypeDirTable: 'grype-dir.table.txt',
  grypeDirCycloneDx: 'grype-dir.cdx.json',
  grypeImageJson: 'grype-image.json',
  grypeImageSarif: 'grype-image.sarif',
  grypeImageTable: 'grype-image.table.txt',
  grypeImageCycloneDx: 'grype-image.cdx.json',
  grypeEmptyJson: 'grype-empty.json',
  grypeEmptySarif: 'grype-empty.sarif',
  syftVersionText: 'syft-version.txt',
  syftDirCycloneDxJson: 'syft-dir.cdx.json',
  syftDirCycloneDx15Json: 'syft-dir-1.5.cdx.json',
  syftDirCycloneDxXml: 'syft-dir.cdx.xml',
  syftDirSpdxJson: 'syft-dir.spdx.json',
  syftDirSpdxTagValue: 'syft-dir.spdx',
  syftDirSyftJson: 'syft-dir.syft.json',
  syftDirTable: 'syft-dir.txt',
  syftImageCycloneDxJson: 'syft-image.cdx.json',
} as const;

export type GoldenName = (typeof GOLDEN)[keyof typeof GOLDEN];

export function golden(name: GoldenName): string {
  return path.join(goldenDir, name);
}

/**
 * Writes `<dir>/<name>`, a Grype JSON report with `mix` findings: copies of the golden dir scan's
 * first match, each under its own id, in its own package (`lodash-high-3`; GrypeScan warns per
 * package) and with the given severity, none known exploited. For tests that need more findings
 * and packages than the golden reports hold (the agent's warning budget, the summary's cap).
 */
export function writeReportWithSeverities(mix: Partial<Record<Severity, number>>, dir: string, name = 'severities.grype.json'): string {
  const doc = JSON.parse(fs.readFileSync(golden(GOLDEN.grypeDirJson), 'utf8'));
  const template = doc.matches[0];
  doc.matches = Object.entries(mix).flatMap(([severity, n]) =>
    Array.from({ length: n }, (_, i) => ({
      ...template,
      vulnerability: { ...template.vulnerability, id: `GHSA-test-${severity.toLowerCase()}-${i}`, severity, knownExploited: [] },
      artifact: { ...template.artifact, name: `${template.artifact.name}-${severity.toLowerCase()}-${i}` },
    })),
  );
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

// ---------------------------------------------------------------------------------------------
// Regeneration (npm run fixtures)
// ---------------------------------------------------------------------------------------------

interface Tools {
  grype: string;
  syft: string;
  mkdb: string;
  mkimage: string;
}

function readTools(): Tools {
  const file = path.join(repoRoot, 'tests', 'realtools', 'bin', 'tools.json');
  if (!fs.existsSync(file)) throw new Error(`${file} not found: build the real tools first (npm run realtools; it needs Go 1.26+)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Tools;
}

/** Runs a tool; its stdout, or an error with its stderr. */
function run(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(tool, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    throw new Error(`${path.basename(tool)} ${args.join(' ')} failed${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}\n${r.stderr}`);
  }
  return r.stdout;
}

function writeGoldenFixtures(): void {
  const tools = readTools();
  // A fixed place, so the paths recorded in the reports do not change between regenerations.
  const work = path.join(os.tmpdir(), 'grype-syft-golden');
  fs.rmSync(work, { recursive: true, force: true });
  const dirs = {
    records: path.join(work, 'records'),
    db: path.join(work, 'db'),
    dbCache: path.join(work, 'db-cache'),
    npm: path.join(work, 'npm-project'),
    empty: path.join(work, 'empty'),
    rootfs: path.join(work, 'debian-rootfs'),
    // The tools write here first: grype records its output paths in the report.
    out: path.join(work, 'out'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  writeRecords(dirs.records);
  writeNpmProject(dirs.npm);
  writeDebianRootfs(dirs.rootfs);
  const image = path.join(work, 'debian-12.tar');
  run(tools.mkimage, ['-rootfs', dirs.rootfs, '-ref', GOLDEN_IMAGE_REF, '-docker-archive', image]);

  run(tools.mkdb, ['-built', GOLDEN_DB_BUILT, dirs.records, dirs.db]);
  const archive = fs.readdirSync(dirs.db).find((f) => f.endsWith('.tar.gz'));
  if (!archive) throw new Error(`mkdb wrote no .tar.gz into ${dirs.db}`);
  const grypeEnv = {
    GRYPE_DB_CACHE_DIR: dirs.dbCache,
    GRYPE_CHECK_FOR_APP_UPDATE: 'false',
    GRYPE_DB_AUTO_UPDATE: 'false',
    // The golden DB keeps its fixed build time, so it is older than grype's 120 h limit.
    GRYPE_DB_VALIDATE_AGE: 'false',
  };
  const syftEnv = { SYFT_CHECK_FOR_APP_UPDATE: 'false' };
  run(tools.grype, ['db', 'import', path.join(dirs.db, archive)], grypeEnv);

  const out = (name: GoldenName) => path.join(dirs.out, name);
  const write = (name: GoldenName, text: string) => fs.writeFileSync(out(name), text);

  write(GOLDEN.grypeVersionJson, run(tools.grype, ['version', '-o', 'json'], grypeEnv));
  write(GOLDEN.grypeDbStatusJson, run(tools.grype, ['db', 'status', '-o', 'json'], grypeEnv));
  const scan = (target: string, outputs: [string, GoldenName][]) =>
    run(tools.grype, [target, ...outputs.flatMap(([format, name]) => ['-o', `${format}=${out(name)}`])], grypeEnv);
  scan(`dir:${dirs.npm}`, [
    ['json', GOLDEN.grypeDirJson],
    ['sarif', GOLDEN.grypeDirSarif],
    ['table', GOLDEN.grypeDirTable],
    ['cyclonedx-json', GOLDEN.grypeDirCycloneDx],
  ]);
  scan(`docker-archive:${image}`, [
    ['json', GOLDEN.grypeImageJson],
    ['sarif', GOLDEN.grypeImageSarif],
    ['table', GOLDEN.grypeImageTable],
    ['cyclonedx-json', GOLDEN.grypeImageCycloneDx],
  ]);
  scan(`dir:${dirs.empty}`, [
    ['json', GOLDEN.grypeEmptyJson],
    ['sarif', GOLDEN.grypeEmptySarif],
  ]);

  write(GOLDEN.syftVersionText, run(tools.syft, ['version'], syftEnv));
  const sbom = (target: string, outputs: [string, GoldenName][]) =>
    run(tools.syft, ['scan', target, ...outputs.flatMap(([format, name]) => ['-o', `${format}=${out(name)}`])], syftEnv);
  sbom(`dir:${dirs.npm}`, [
    ['cyclonedx-json', GOLDEN.syftDirCycloneDxJson],
    ['cyclonedx-json@1.5', GOLDEN.syftDirCycloneDx15Json],
    ['cyclonedx-xml', GOLDEN.syftDirCycloneDxXml],
    ['spdx-json', GOLDEN.syftDirSpdxJson],
    ['spdx-tag-value', GOLDEN.syftDirSpdxTagValue],
    ['syft-json', GOLDEN.syftDirSyftJson],
    ['syft-table', GOLDEN.syftDirTable],
  ]);
  sbom(`docker-archive:${image}`, [['cyclonedx-json', GOLDEN.syftImageCycloneDxJson]]);

  const missing = Object.values(GOLDEN).filter((name) => !fs.existsSync(out(name)));
  if (missing.length) throw new Error(`the tools wrote no ${missing.join(', ')}`);
  fs.rmSync(goldenDir, { recursive: true, force: true });
  fs.mkdirSync(goldenDir, { recursive: true });
  for (const name of Object.values(GOLDEN)) fs.copyFileSync(out(name), golden(name));
  fs.rmSync(work, { recursive: true, force: true });
  console.log(`golden fixtures: ${Object.keys(GOLDEN).length} files in ${path.relative(repoRoot, goldenDir)}`);
}

if (require.main === module) {
  try {
    writeGoldenFixtures();
  } catch (e) {
    console.error(`golden fixtures: ${(e as Error).message}`);
    process.exit(1);
  }
}
