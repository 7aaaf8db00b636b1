// Packs dist/extension/ (laid out by scripts/build.mjs) into out/<publisher>.<id>-<version>.vsix
// with tfx-cli, and writes the extension's own SBOM next to it: out/<publisher>.<id>-<version>.cdx.json.
//
//   PUBLISHER=<id>            publish under another publisher without editing vss-extension.json
//   EXTENSION_VERSION=1.2.3   override the extension version (task.json versions are not touched)
//
// Overrides go through a generated file passed with --overrides-file (never --rev-version, which
// rewrites the source manifest).
//
// Reproducible: the VSIX tfx writes is normalised (scripts/reproducible.mjs) so that entry times,
// entry order and [Content_Types].xml come from the commit, not the clock; the SBOM's timestamp is
// the commit time and its serialNumber a name-based UUID of its content.
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeExtensionSbom } from './extension-sbom.mjs';
import { normaliseVsix, sourceDate } from './reproducible.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist', 'extension');
const outDir = join(root, 'out');

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(1);
}

const manifestFile = join(dist, 'vss-extension.json');
if (!existsSync(manifestFile)) fail(`${manifestFile} is missing; run \`npm run build\` first (or \`npm run package\`).`);
const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));

const overrides = {};
const publisher = process.env.PUBLISHER?.trim() || manifest.publisher;
if (process.env.PUBLISHER?.trim()) {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9-]+$/.test(publisher)) {
    fail(`PUBLISHER="${publisher}" is not a valid Marketplace publisher id (letters, digits and '-', starting with a letter or digit).`);
  }
  overrides.publisher = publisher;
}
const version = process.env.EXTENSION_VERSION?.trim() || manifest.version;
if (process.env.EXTENSION_VERSION?.trim()) {
  if (!/^\d+\.\d+\.\d+$/.test(version)) fail(`EXTENSION_VERSION="${version}" must be MAJOR.MINOR.PATCH, e.g. 1.0.1.`);
  overrides.version = version;
}
const id = manifest.id;

mkdirSync(outDir, { recursive: true });
const base = `${publisher}.${id}-${version}`;
const vsix = join(outDir, `${base}.vsix`);
const sbom = join(outDir, `${base}.cdx.json`);
rmSync(vsix, { force: true });
rmSync(sbom, { force: true });

const args = ['extension', 'create', '--root', dist, '--manifest-globs', 'vss-extension.json', '--output-path', vsix, '--no-prompt'];
let overridesFile;
if (Object.keys(overrides).length) {
  overridesFile = join(outDir, '.overrides.json');
  writeFileSync(overridesFile, JSON.stringify(overrides, null, 2) + '\n');
  args.push('--overrides-file', overridesFile);
}

let builtAt;
try {
  builtAt = sourceDate(root);
} catch (e) {
  fail(e.message);
}

// tfx's own script, run by this Node: not node_modules/.bin/tfx(.cmd), since Node >= 20.12.2 refuses
// to execFile a .cmd without a shell (EINVAL, CVE-2024-27980), and the POSIX shim needs node on PATH.
const tfxPackage = join(root, 'node_modules', 'tfx-cli', 'package.json');
if (!existsSync(tfxPackage)) fail(`${tfxPackage} not found; run \`npm ci\`.`);
const tfx = join(dirname(tfxPackage), JSON.parse(readFileSync(tfxPackage, 'utf8')).bin.tfx);
console.log(`> tfx ${args.join(' ')}`);
try {
  execFileSync(process.execPath, [tfx, ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, TFX_TRACE: process.env.TFX_TRACE ?? '' } });
} catch (e) {
  fail(`tfx extension create failed (${e.status != null ? `exit code ${e.status}` : e.signal ?? e.message}); see its output above.`);
} finally {
  if (overridesFile) rmSync(overridesFile, { force: true });
}
if (!existsSync(vsix)) fail(`tfx reported success but ${vsix} was not written.`);
try {
  normaliseVsix(vsix, builtAt);
} catch (e) {
  rmSync(vsix, { force: true });
  fail(`making ${vsix} reproducible: ${e.message}`);
}
console.log(`VSIX ${vsix} ${statSync(vsix).size} bytes`);

try {
  const r = await writeExtensionSbom(sbom, { root, publisher, id, version, name: manifest.name, description: manifest.description, timestamp: builtAt });
  console.log(`SBOM ${r.file} ${r.bytes} bytes (${r.components} runtime packages, CycloneDX 1.6, validated)`);
} catch (e) {
  rmSync(sbom, { force: true });
  fail(`extension SBOM: ${e.message}`);
}
