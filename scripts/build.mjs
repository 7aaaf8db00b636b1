// Bundles each task into one file and lays out dist/extension/ for tfx.
// tsc has already type-checked everything (npm run build); esbuild only bundles.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist', 'extension');
// esbuild metafiles: what each bundle is made of (the extension SBOM lists exactly these packages). Not shipped.
const meta = join(root, 'dist', 'meta');

// Optional peers of @cyclonedx/cyclonedx-library that the tasks never load.
const external = ['xmlbuilder2', 'libxmljs2', 'packageurl-js', 'spdx-expression-parse'];
// `require('punycode')` (ajv-formats-draft2019) means the npm package its authors depend on, not
// Node's deprecated built-in, which prints DEP0040 on stderr under Node 21+ (the Node24 handler).
const alias = { punycode: 'punycode/' };

// Package files changed at bundle time, declared in the extension SBOM as pedigree patches
// (scripts/extension-sbom.mjs): `${package}/${file}` → { package, file, change }.
const patches = new Map();
function recordPatch(path, change) {
  const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/](.+)$/.exec(path);
  if (!m) throw new Error(`build: patched file ${path} is not in a package`);
  const [pkg, file] = [m[1], m[2]].map((x) => x.split(/[\\/]/).join('/'));
  patches.set(`${pkg}/${file}`, { package: pkg, file, change });
}

// tunnel (typed-rest-client's proxy agent) builds Proxy-Authorization with `new Buffer(…)`, which
// prints DEP0005 once the bundle no longer lives under node_modules: use Buffer.from instead.
const tunnelBufferPatch = {
  name: 'tunnel-buffer-from',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]tunnel[\\/]lib[\\/]tunnel\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const from = 'new Buffer(connectOptions.proxyAuth)';
      // A tunnel upgrade that moves this fails the build instead of shipping the warning again.
      if (!source.includes(from)) throw new Error(`build: '${from}' not found in ${args.path}; update the tunnel patch in scripts/build.mjs.`);
      const patched = source.split(from).join('Buffer.from(connectOptions.proxyAuth)');
      if (/\bnew Buffer\(/.test(patched)) throw new Error(`build: ${args.path} has another 'new Buffer(' call; update the tunnel patch in scripts/build.mjs.`);
      recordPatch(args.path, 'new Buffer(proxyAuth) → Buffer.from(proxyAuth) (no DEP0005 warning in the log)');
      return { contents: patched, loader: 'js' };
    });
  },
};

/** A task is a folder under tasks/ with a task.json. */
function taskNames() {
  return readdirSync(join(root, 'tasks')).filter((d) => existsSync(join(root, 'tasks', d, 'task.json')));
}

for (const d of [dist, meta]) {
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d, { recursive: true });
}
rmSync(join(root, 'dist', 'bundle-patches.json'), { force: true });

for (const task of taskNames()) {
  const src = join(root, 'tasks', task);
  const out = join(dist, 'tasks', task);
  // Optional per-task hooks (tasks/<Task>/build.hooks.mjs): `writeAssets(outDir)`, the runtime files beside the bundle.
  const hooksFile = join(src, 'build.hooks.mjs');
  const hooks = existsSync(hooksFile) ? await import(pathToFileURL(hooksFile).href) : {};
  const result = await build({
    entryPoints: [join(src, 'index.ts')],
    outfile: join(out, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    external,
    alias,
    logLevel: 'warning',
    plugins: [tunnelBufferPatch],
    metafile: true,
  });
  writeFileSync(join(meta, `${task}.json`), JSON.stringify(result.metafile));
  for (const f of ['task.json', 'icon.png']) cpSync(join(src, f), join(out, f));
  // Task-specific runtime assets (e.g. schemas) live in tasks/<Task>/assets/ and ship as they are.
  if (existsSync(join(src, 'assets'))) cpSync(join(src, 'assets'), join(out, 'assets'), { recursive: true });
  if (hooks.writeAssets) {
    await hooks.writeAssets(out);
    // The same files beside the tsc output, which the L0 and unit tests run.
    await hooks.writeAssets(join(root, 'build', 'tasks', task));
  }
}

for (const f of ['vss-extension.json', 'overview.md', 'LICENSE']) {
  if (existsSync(join(root, f))) cpSync(join(root, f), join(dist, f));
}
cpSync(join(root, 'images'), join(dist, 'images'), { recursive: true });
writeFileSync(join(root, 'dist', 'bundle-patches.json'), JSON.stringify([...patches.keys()].sort().map((k) => patches.get(k)), null, 2));
