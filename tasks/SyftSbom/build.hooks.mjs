// Build hooks for SyftSbom, loaded by scripts/build.mjs (plugins → esbuild; writeAssets → after bundling).
//
// @cyclonedx/cyclonedx-library validates with schema files it finds relative to its own module
// (`<lib>/res/schema`) and optional peers (ajv…, libxmljs2) it loads with require() in try/catch.
// In the packaged task there is no node_modules: the bundle is tasks/SyftSbom/index.js and each
// task folder is downloaded on its own. So:
//   1. resources.node.js: schema root → `<task>/assets/cyclonedx/schema` (written by writeAssets);
//   2. the ajv backend: also accepts an already-parsed document, so the task parses an SBOM once,
//      and checks `uniqueItems` in linear time (./uniqueItems.ts; Ajv's is O(n²) on objects);
//   3. the XML backend: libxmljs2 (native addon) → ./xmlValidatorBackend.ts (xmllint-wasm);
//   4. xmllint-wasm: its worker script and .wasm → `<task>/assets/xmllint/`.
// Each rewrite checks that its anchor text exists, so a library upgrade that moves it fails the
// build instead of shipping a validator that silently cannot find its schemas.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const libRoot = dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json'));
const xmllintRoot = dirname(require.resolve('xmllint-wasm/package.json'));

function rewrite(source, file, from, to) {
  if (!source.includes(from)) throw new Error(`SyftSbom build: '${from}' not found in ${file}; update tasks/SyftSbom/build.hooks.mjs for this library version.`);
  return source.split(from).join(to);
}

/** What each rewrite changes, for the extension SBOM (collected by scripts/build.mjs). */
export const appliedPatches = [];

const rewrites = [
  {
    filter: /cyclonedx-library[\\/]dist\.node[\\/]resources\.node\.js$/,
    change: 'schema root moved to the task folder (assets/cyclonedx)',
    apply: (s, f) => rewrite(s, f, "(0, node_path_1.resolve)(__dirname, '..', 'res')", "(0, node_path_1.resolve)(__dirname, 'assets', 'cyclonedx')"),
  },
  {
    filter: /cyclonedx-library[\\/]dist\.node[\\/]_optPlug\.node[\\/]__jsonValidators[\\/]ajv\.js$/,
    change: 'the JSON validator also takes a parsed document, and checks uniqueItems in linear time',
    apply: (s, f) =>
      rewrite(
        rewrite(s, f, 'validator(JSON.parse(data))', "validator(typeof data === 'string' ? JSON.parse(data) : data)"),
        f,
        "ajv.addFormat('iri-reference', true);",
        `ajv.addFormat('iri-reference', true); require(${JSON.stringify(join(here, 'uniqueItems.ts'))}).installUniqueItems(ajv);`,
      ),
  },
  {
    filter: /cyclonedx-library[\\/]dist\.node[\\/]_optPlug\.node[\\/]xmlValidator\.js$/,
    change: 'XML validation by xmllint-wasm instead of libxmljs2 (a native addon)',
    apply: (s, f) =>
      rewrite(s, f, "['libxmljs2', () => require('./__xmlValidators/libxmljs2').default]", `['xmllint-wasm', () => require(${JSON.stringify(join(here, 'xmlValidatorBackend.ts'))}).default]`),
  },
  {
    filter: /xmllint-wasm[\\/]index-node\.js$/,
    change: 'worker script loaded from the task folder (assets/xmllint)',
    apply: (s, f) => rewrite(s, f, "'./xmllint-node.js'", "'./assets/xmllint/xmllint-node.js'"),
  },
];

export const plugins = [
  {
    name: 'syftsbom-runtime-assets',
    setup(build) {
      for (const { filter, change, apply } of rewrites) {
        build.onLoad({ filter }, (args) => {
          const contents = apply(readFileSync(args.path, 'utf8'), args.path);
          appliedPatches.push({ path: args.path, change });
          return { contents, loader: args.path.endsWith('.ts') ? 'ts' : 'js' };
        });
      }
    },
  },
];

/** JSON schemas the library's JsonValidator loads (1.4+ strict = the normal file; strict 1.2/1.3 unused). */
const JSON_SCHEMAS = [
  'bom-1.2.SNAPSHOT.schema.json',
  'bom-1.3.SNAPSHOT.schema.json',
  'bom-1.4.SNAPSHOT.schema.json',
  'bom-1.5.SNAPSHOT.schema.json',
  'bom-1.6.SNAPSHOT.schema.json',
  'bom-1.7.SNAPSHOT.schema.json',
  'spdx.SNAPSHOT.schema.json',
  'jsf-0.82.SNAPSHOT.schema.json',
  'cryptography-defs.SNAPSHOT.schema.json',
];
const XML_SCHEMAS = ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7'].map((v) => `bom-${v}.SNAPSHOT.xsd`).concat('spdx.SNAPSHOT.xsd');

/**
 * XSD without documentation: drops comments and `xs:annotation` (documentation/appinfo only, no
 * effect on validation) and whitespace between tags. Keeps every declaration as it is.
 */
function minifyXsd(text) {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<xs:annotation\b[^>]*\/>/g, '')
    .replace(/<xs:annotation\b[\s\S]*?<\/xs:annotation>/g, '')
    .replace(/>\s+</g, '><')
    .trim();
}

/** Writes exactly the runtime files the bundled validators need into `<outDir>/assets`. */
export function writeAssets(outDir) {
  const schemaOut = join(outDir, 'assets', 'cyclonedx', 'schema');
  mkdirSync(schemaOut, { recursive: true });
  const schemaIn = join(libRoot, 'res', 'schema');
  for (const f of JSON_SCHEMAS) writeFileSync(join(schemaOut, f), JSON.stringify(JSON.parse(readFileSync(join(schemaIn, f), 'utf8'))));
  for (const f of XML_SCHEMAS) writeFileSync(join(schemaOut, f), minifyXsd(readFileSync(join(schemaIn, f), 'utf8')));
  copyFileSync(join(libRoot, 'LICENSE'), join(outDir, 'assets', 'cyclonedx', 'LICENSE'));
  copyFileSync(join(libRoot, 'NOTICE'), join(outDir, 'assets', 'cyclonedx', 'NOTICE'));
  const xmllintOut = join(outDir, 'assets', 'xmllint');
  mkdirSync(xmllintOut, { recursive: true });
  for (const f of ['xmllint-node.js', 'xmllint.wasm', 'COPYING']) copyFileSync(join(xmllintRoot, f), join(xmllintOut, f));
}
