#!/usr/bin/env node
// npm run realtools: builds the real grype and syft (the versions the tasks pin), and the test
// helpers mkdb and mkimage, from the Go module proxy into tests/realtools/bin (gitignored), and
// unpacks Debian's docker-registry beside them for the registry tests. Each binary is rebuilt only
// when its version, the go.sum of its module or the helpers' sources change.
//
// Its last lines are `grype: <path>`, `syft: <path>`, `mkdb: <path>`, `mkimage: <path>`, after
// `docker-registry: <path>` when Debian's package could be had; tools.json in the bin folder lists
// the same paths for the tests.
//
// Without Go it prints one line saying so and exits 0, so `npm test` skips only the real-tool
// suite; REAL_TOOLS=required (CI) makes that, and any build failure, an error.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const moduleDir = path.join(repoRoot, 'tests', 'realtools');
const syftModuleDir = path.join(moduleDir, 'syft');
const binDir = path.join(moduleDir, 'bin');
const required = process.env.REAL_TOOLS === 'required';
// grype 0.122.0's go.mod needs Go 1.27; the go command takes this toolchain from the module proxy.
const GOTOOLCHAIN = 'go1.27.3';

function pinnedVersions() {
  const source = fs.readFileSync(path.join(repoRoot, 'tasks', 'common', 'install', 'versions.ts'), 'utf8');
  const pin = (tool) => {
    const m = new RegExp(`${tool}: '(\\d+\\.\\d+\\.\\d+)'`).exec(source);
    if (!m) throw new Error(`no ${tool} pin in tasks/common/install/versions.ts`);
    return m[1];
  };
  return { grype: pin('grype'), syft: pin('syft') };
}

function goEnv() {
  return { ...process.env, GOTOOLCHAIN, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false' };
}

function skipOrFail(message) {
  if (required) {
    console.error(`realtools: ${message} (REAL_TOOLS=required)`);
    process.exit(1);
  }
  console.log(`realtools: skipped: ${message}; the real-tool suite will be skipped`);
  process.exit(0);
}

function hashOf(...files) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(path.relative(repoRoot, f));
    h.update('\0');
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

function goFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? goFiles(p) : e.name.endsWith('.go') ? [p] : [];
  }).sort();
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env: goEnv(), stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${path.relative(repoRoot, cwd) || '.'}${r.error ? `: ${r.error.message}` : ` (exit ${r.status})`}`);
  }
}

/** The version and commit time of a module as its go.mod resolves it. */
function moduleInfo(cwd, modulePath) {
  const r = spawnSync('go', ['list', '-m', '-json', modulePath], { cwd, env: goEnv(), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`go list -m ${modulePath} failed: ${r.stderr.trim()}`);
  const { Version, Time } = JSON.parse(r.stdout);
  return { version: Version.replace(/^v/, ''), time: Time };
}

/** Builds one binary unless bin/<name> exists with the same cache key. */
function build(name, { cwd, pkg, version, key }) {
  const out = path.join(binDir, name);
  const stamp = path.join(binDir, `.${name}.key`);
  if (fs.existsSync(out) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) {
    console.log(`realtools: ${name} is up to date`);
    return out;
  }
  const ldflags = ['-s', '-w'];
  if (version) {
    // The pin and the module must agree: a bumped pin with an old go.mod would test the wrong tool.
    const modulePath = pkg.replace(/\/cmd\/[^/]+$/, '');
    const info = moduleInfo(cwd, modulePath);
    if (info.version !== version) {
      throw new Error(`${path.relative(repoRoot, cwd)}/go.mod has ${modulePath} ${info.version}, but the tasks pin ${version}: run \`go get -tool ${pkg}@v${version}\` there`);
    }
    // Release ldflags, so `version` reports the release and not "[not provided]".
    ldflags.push(`-X main.version=${version}`, `-X main.gitDescription=v${version}`, `-X main.buildDate=${info.time}`);
  }
  console.log(`realtools: building ${name}${version ? ` ${version}` : ''} (the first build downloads modules and takes minutes)`);
  const started = Date.now();
  const tmp = `${out}.tmp-${process.pid}`;
  run('go', ['build', '-trimpath', '-ldflags', ldflags.join(' '), '-o', tmp, pkg], cwd);
  fs.renameSync(tmp, out);
  fs.writeFileSync(stamp, key);
  console.log(`realtools: built ${name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return out;
}

/** Debian's docker-registry, unpacked (never installed: its default config listens on all interfaces). */
function dockerRegistry() {
  const root = path.join(binDir, 'docker-registry');
  const exe = path.join(root, 'usr', 'bin', 'docker-registry');
  if (fs.existsSync(exe)) return exe;
  if (spawnSync('apt-get', ['--version']).status !== 0) return undefined;
  const downloads = fs.mkdtempSync(path.join(binDir, '.apt-'));
  try {
    const download = () => spawnSync('apt-get', ['download', 'docker-registry'], { cwd: downloads, encoding: 'utf8' });
    let r = download();
    if (r.status !== 0 && process.getuid?.() === 0) {
      // A new machine may have no package lists yet.
      spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
      r = download();
    }
    const deb = fs.readdirSync(downloads).find((f) => f.endsWith('.deb'));
    if (r.status !== 0 || !deb) {
      console.log(`realtools: could not download Debian's docker-registry: ${(r.stderr || '').trim().split('\n').pop()}`);
      return undefined;
    }
    const staging = `${root}.tmp-${process.pid}`;
    const x = spawnSync('dpkg-deb', ['-x', path.join(downloads, deb), staging], { encoding: 'utf8' });
    if (x.status !== 0) {
      console.log(`realtools: could not unpack ${deb}: ${x.stderr.trim()}`);
      return undefined;
    }
    fs.renameSync(staging, root);
    return exe;
  } finally {
    fs.rmSync(downloads, { recursive: true, force: true });
  }
}

function main() {
  const probe = spawnSync('go', ['version'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
  if (probe.error || probe.status !== 0) skipOrFail('Go 1.26 or newer is needed to build the real grype and syft, and `go` was not found');
  const local = /go(\d+)\.(\d+)/.exec(probe.stdout);
  if (!local || Number(local[1]) < 1 || (Number(local[1]) === 1 && Number(local[2]) < 26)) {
    skipOrFail(`Go 1.26 or newer is needed to build the real grype and syft, and this is ${probe.stdout.trim()}`);
  }

  const pins = pinnedVersions();
  fs.mkdirSync(binDir, { recursive: true });
  const goSum = path.join(moduleDir, 'go.sum');
  const syftGoSum = path.join(syftModuleDir, 'go.sum');
  const helperSources = goFiles(path.join(moduleDir, 'cmd'));
  const paths = {};
  try {
    paths.grype = build('grype', { cwd: moduleDir, pkg: 'github.com/anchore/grype/cmd/grype', version: pins.grype, key: `${pins.grype} ${hashOf(goSum)}` });
    // syft from its own module graph (tests/realtools/syft), not the one grype pins.
    paths.syft = build('syft', { cwd: syftModuleDir, pkg: 'github.com/anchore/syft/cmd/syft', version: pins.syft, key: `${pins.syft} ${hashOf(syftGoSum)}` });
    const helperKey = hashOf(goSum, ...helperSources);
    paths.mkdb = build('mkdb', { cwd: moduleDir, pkg: './cmd/mkdb', key: helperKey });
    paths.mkimage = build('mkimage', { cwd: moduleDir, pkg: './cmd/mkimage', key: helperKey });
  } catch (e) {
    console.error(`realtools: ${e.message}`);
    process.exit(1);
  }
  const registry = dockerRegistry();
  if (!registry && required) {
    console.error("realtools: Debian's docker-registry package is needed for the registry tests (REAL_TOOLS=required)");
    process.exit(1);
  }
  fs.writeFileSync(path.join(binDir, 'tools.json'), JSON.stringify({ ...paths, ...(registry ? { dockerRegistry: registry } : {}) }, null, 2));
  if (registry) console.log(`docker-registry: ${registry}`);
  for (const [name, p] of Object.entries(paths)) console.log(`${name}: ${p}`);
}

main();
