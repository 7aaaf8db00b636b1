// CycloneDX 1.6 SBOM of what the extension ships: exactly the npm packages esbuild bundled into the
// tasks (read from the build's metafiles in dist/meta/), with names, versions, hashes and licenses
// from package-lock.json, and the dependency edges among them.
//
// Used by scripts/package.mjs; also runnable alone (after `npm run build`):
//   node scripts/extension-sbom.mjs <out.cdx.json> [publisher] [id] [version]
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nameBasedUuid, sourceDate } from './reproducible.mjs';

const require = createRequire(import.meta.url);
const CDX = require('@cyclonedx/cyclonedx-library');
const { Models, Enums, Spec, Serialize, Validation, SPDX } = CDX;

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** npm purl: scope is the namespace, `@` percent-encoded (purl spec). */
function npmPurl(name, version) {
  const enc = (s) => encodeURIComponent(s);
  if (name.startsWith('@')) {
    const [scope, pkg] = name.split('/');
    return `pkg:npm/${enc(scope)}/${enc(pkg)}@${enc(version)}`;
  }
  return `pkg:npm/${enc(name)}@${enc(version)}`;
}

/** The package name of a lockfile key such as `node_modules/a/node_modules/@s/b`. */
function nameOfKey(key) {
  const i = key.lastIndexOf('node_modules/');
  return key.slice(i + 'node_modules/'.length);
}

/** Node's resolution of `dep` required from the package at lockfile key `from`. */
function resolveKey(packages, from, dep) {
  let base = from;
  for (;;) {
    const candidate = (base ? `${base}/` : '') + `node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/**
 * Runtime packages from a package-lock.json (lockfileVersion 2/3): walk from the root's
 * `dependencies` through each package's `dependencies`, `optionalDependencies` and non-optional
 * `peerDependencies` (npm installs those), following `link` entries.
 * Returns [{ key, name, version, license, integrity, resolved, deps: key[] }] and the root's direct keys.
 */
function runtimePackages(lock) {
  const packages = lock.packages;
  if (!packages || !packages['']) throw new Error('package-lock.json has no "packages" section (lockfileVersion >= 2 needed)');
  const root = packages[''];
  const seen = new Map();
  const direct = [];
  const queue = [];
  const enqueue = (fromKey, dep, optional) => {
    let key = resolveKey(packages, fromKey, dep);
    if (!key) {
      if (optional) return undefined;
      throw new Error(`package-lock.json: cannot resolve "${dep}" required by "${fromKey || 'the root package'}"; run npm install`);
    }
    if (packages[key].link) key = packages[key].resolved; // workspace / file: link
    if (!seen.has(key)) {
      seen.set(key, null);
      queue.push(key);
    }
    return key;
  };
  const edges = (entry) => {
    const out = [];
    for (const d of Object.keys(entry.dependencies ?? {})) out.push([d, false]);
    for (const d of Object.keys(entry.optionalDependencies ?? {})) out.push([d, true]);
    for (const d of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[d]?.optional) out.push([d, false]);
    }
    return out;
  };
  for (const d of Object.keys(root.dependencies ?? {})) direct.push(enqueue('', d, false));
  for (const d of Object.keys(root.optionalDependencies ?? {})) {
    const k = enqueue('', d, true);
    if (k) direct.push(k);
  }
  while (queue.length) {
    const key = queue.shift();
    const entry = packages[key];
    const deps = [];
    for (const [d, optional] of edges(entry)) {
      const k = enqueue(key, d, optional);
      if (k && k !== key) deps.push(k);
    }
    seen.set(key, {
      key,
      name: entry.name ?? nameOfKey(key),
      version: entry.version,
      license: entry.license,
      integrity: entry.integrity,
      resolved: entry.resolved,
      deps,
    });
  }
  return { packages: [...seen.values()], direct };
}

/**
 * Lockfile keys (`node_modules/a`, `node_modules/a/node_modules/@s/b`) of the packages whose files
 * esbuild put into a bundle, from the metafiles the build wrote to dist/meta/.
 */
function bundledPackageKeys(metaDir) {
  if (!existsSync(metaDir)) throw new Error(`${metaDir} is missing; run \`npm run build\` first`);
  const keys = new Set();
  for (const file of readdirSync(metaDir).filter((f) => f.endsWith('.json'))) {
    const { inputs } = JSON.parse(readFileSync(join(metaDir, file), 'utf8'));
    for (const input of Object.keys(inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replace(/\\/g, '/'));
      if (m) keys.add(m[1]);
    }
  }
  return keys;
}

/** The runtime packages restricted to those bundled; a bundled package outside the runtime set is an error. */
function shippedPackages(lock, bundledKeys) {
  const { packages, direct } = runtimePackages(lock);
  const runtimeKeys = new Set(packages.map((p) => p.key));
  const stray = [...bundledKeys].filter((k) => !runtimeKeys.has(k));
  if (stray.length) {
    throw new Error(`bundled but not a runtime dependency in package.json/package-lock.json: ${stray.join(', ')} (move it to "dependencies")`);
  }
  const shipped = packages.filter((p) => bundledKeys.has(p.key)).map((p) => ({ ...p, deps: p.deps.filter((d) => bundledKeys.has(d)) }));
  return { packages: shipped, direct: direct.filter((d) => bundledKeys.has(d)) };
}

/** `sha512-<base64>` (possibly several, space-separated) → [[algorithm, hex]]. */
function hashesOf(integrity) {
  const algos = { sha512: Enums.HashAlgorithm['SHA-512'], sha384: Enums.HashAlgorithm['SHA-384'], sha256: Enums.HashAlgorithm['SHA-256'], sha1: Enums.HashAlgorithm['SHA-1'] };
  const out = [];
  for (const part of (integrity ?? '').split(/\s+/).filter(Boolean)) {
    const m = /^(sha\d+)-([A-Za-z0-9+/=]+)/.exec(part);
    if (m && algos[m[1]]) out.push([algos[m[1]], Buffer.from(m[2], 'base64').toString('hex')]);
  }
  return out;
}

/** A lockfile `license` string → a CycloneDX license (SPDX id, SPDX expression, or named). */
function licenseOf(value) {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const v = value.trim();
  const id = SPDX.fixupSpdxId(v);
  if (id) return new Models.SpdxLicense(id);
  if (/\s(OR|AND|WITH)\s/.test(v)) return new Models.LicenseExpression(v);
  return new Models.NamedLicense(v);
}

function splitName(name) {
  if (name.startsWith('@')) {
    const i = name.indexOf('/');
    return { group: name.slice(0, i), name: name.slice(i + 1) };
  }
  return { group: undefined, name };
}

/** Package files changed at bundle time, as scripts/build.mjs recorded them: [{ package, file, change }]. */
function readPatches(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : [];
}

/**
 * Declares the bundle-time changes of a package as `pedigree.patches` (type unofficial) on its
 * component: its hashes are those of the published package, which the bundle no longer matches
 * byte for byte. (The library's models have no pedigree, so this edits the serialised JSON.)
 */
function withPatches(json, patches) {
  if (!patches.length) return json;
  const doc = JSON.parse(json);
  for (const component of doc.components ?? []) {
    const name = component.group ? `${component.group}/${component.name}` : component.name;
    const own = patches.filter((p) => p.package === name);
    if (!own.length) continue;
    component.pedigree = {
      patches: own.map((p) => ({ type: 'unofficial', diff: { text: { content: `${p.file}: ${p.change}` } } })),
      notes: 'Changed when bundled into the task by scripts/build.mjs; the hashes are those of the published package.',
    };
  }
  const unknown = patches.filter((p) => !(doc.components ?? []).some((c) => (c.group ? `${c.group}/${c.name}` : c.name) === p.package));
  if (unknown.length) throw new Error(`patched packages missing from the SBOM: ${unknown.map((p) => p.package).join(', ')}`);
  return JSON.stringify(doc, null, 2);
}

/**
 * Builds, serialises (CycloneDX 1.6 JSON) and validates the SBOM. Throws when the result does not
 * validate. Returns { json, components }.
 */
async function buildExtensionSbom({ root = repoRoot, publisher, id, version, name, description, timestamp } = {}) {
  const pkgJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const manifest = JSON.parse(readFileSync(join(root, 'vss-extension.json'), 'utf8'));
  publisher ??= manifest.publisher;
  id ??= manifest.id;
  version ??= manifest.version;

  const { packages, direct } = shippedPackages(lock, bundledPackageKeys(join(root, 'dist', 'meta')));

  const bom = new Models.Bom();
  // The commit's time, not the clock's, so that two builds of one commit give the same bytes.
  bom.metadata.timestamp = timestamp ?? sourceDate(root);
  bom.metadata.lifecycles.add(Enums.LifecyclePhase.Build);
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Library, 'cyclonedx-library', {
      group: '@cyclonedx',
      version: require('@cyclonedx/cyclonedx-library/package.json').version,
      purl: npmPurl('@cyclonedx/cyclonedx-library', require('@cyclonedx/cyclonedx-library/package.json').version),
    }),
  );
  const extension = new Models.Component(Enums.ComponentType.Application, name ?? id, {
    bomRef: `${publisher}.${id}@${version}`,
    group: publisher,
    version,
    description: description ?? manifest.description,
  });
  const extLicense = licenseOf(pkgJson.license);
  if (extLicense) extension.licenses.add(extLicense);
  extension.properties.add(new Models.Property('azure-devops:extension:id', `${publisher}.${id}`));
  bom.metadata.component = extension;

  // One component per name@version (the same version nested twice is one component).
  const byKey = new Map();
  const byCoord = new Map();
  for (const p of packages) {
    if (!p.version) throw new Error(`package-lock.json: "${p.key}" has no version`);
    const coord = `${p.name}@${p.version}`;
    let c = byCoord.get(coord);
    if (!c) {
      const { group, name: short } = splitName(p.name);
      const purl = npmPurl(p.name, p.version);
      c = new Models.Component(Enums.ComponentType.Library, short, { bomRef: purl, group, version: p.version, purl });
      const lic = licenseOf(p.license);
      if (lic) c.licenses.add(lic);
      for (const [alg, hex] of hashesOf(p.integrity)) c.hashes.set(alg, hex);
      if (p.resolved && /^https?:\/\//.test(p.resolved)) {
        c.externalReferences.add(new Models.ExternalReference(p.resolved, Enums.ExternalReferenceType.Distribution));
      }
      byCoord.set(coord, c);
      bom.components.add(c);
    }
    byKey.set(p.key, c);
  }
  for (const p of packages) {
    const c = byKey.get(p.key);
    for (const d of p.deps) {
      const dc = byKey.get(d);
      if (dc && dc !== c) c.dependencies.add(dc.bomRef);
    }
  }
  for (const d of direct) extension.dependencies.add(byKey.get(d).bomRef);

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
  const patches = readPatches(join(root, 'dist', 'bundle-patches.json'));
  // serialNumber: a name-based UUID of everything else in the SBOM (same content, same serial).
  const unnumbered = withPatches(serializer.serialize(bom, { sortLists: true, space: 2 }), patches);
  bom.serialNumber = `urn:uuid:${nameBasedUuid(`urn:sha256:${createHash('sha256').update(unnumbered).digest('hex')}`)}`;
  const json = withPatches(serializer.serialize(bom, { sortLists: true, space: 2 }), patches);
  const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
  const error = await validator.validate(json);
  if (error !== null) {
    throw new Error(`the extension SBOM is not valid CycloneDX 1.6: ${JSON.stringify(error, null, 2)}`);
  }
  return { json, components: byCoord.size };
}

export async function writeExtensionSbom(outFile, opts = {}) {
  const { json, components } = await buildExtensionSbom(opts);
  writeFileSync(outFile, json + '\n');
  return { file: outFile, components, bytes: Buffer.byteLength(json) + 1 };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [out, publisher, id, version] = process.argv.slice(2);
  if (!out) {
    console.error('usage: node scripts/extension-sbom.mjs <out.cdx.json> [publisher] [id] [version]');
    process.exit(2);
  }
  try {
    const r = await writeExtensionSbom(resolve(out), { publisher, id, version });
    console.log(`SBOM ${r.file}: ${r.components} components, ${r.bytes} bytes`);
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exit(1);
  }
}
