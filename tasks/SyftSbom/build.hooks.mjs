// Build hooks for SyftSbom, loaded by scripts/build.mjs: writeAssets(outDir) after bundling.
//
// No third-party code is rewritten: the task validates with Ajv and xmllint-wasm directly
// (validation.ts), not through @cyclonedx/cyclonedx-library's validators, whose schema root is
// fixed relative to the library's own files and whose only XML engine is a native addon. What the
// validators need at run time is laid out here, next to the bundle (and next to the tsc output, so
// the L0 and unit tests use the same files):
//   - assets/cyclonedx/schema: the library's CycloneDX JSON schemas and XSDs (validation.ts
//     SCHEMA_DIRECTORY), with the library's LICENSE and NOTICE;
//   - xmllint-node.js and xmllint.wasm beside index.js: xmllint-wasm starts its worker from
//     `__dirname/xmllint-node.js`, which in the bundle is the task folder; its licence in
//     assets/xmllint/COPYING.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const libRoot = dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json'));
const xmllintRoot = dirname(require.resolve('xmllint-wasm/package.json'));

/** JSON schemas validation.ts loads (1.4+ strict = the normal file; strict 1.2/1.3 unused). */
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

/** Writes exactly the runtime files the validators need into `outDir`. */
export function writeAssets(outDir) {
  const schemaOut = join(outDir, 'assets', 'cyclonedx', 'schema');
  mkdirSync(schemaOut, { recursive: true });
  const schemaIn = join(libRoot, 'res', 'schema');
  for (const f of JSON_SCHEMAS) writeFileSync(join(schemaOut, f), JSON.stringify(JSON.parse(readFileSync(join(schemaIn, f), 'utf8'))));
  for (const f of XML_SCHEMAS) writeFileSync(join(schemaOut, f), minifyXsd(readFileSync(join(schemaIn, f), 'utf8')));
  copyFileSync(join(libRoot, 'LICENSE'), join(outDir, 'assets', 'cyclonedx', 'LICENSE'));
  copyFileSync(join(libRoot, 'NOTICE'), join(outDir, 'assets', 'cyclonedx', 'NOTICE'));
  for (const f of ['xmllint-node.js', 'xmllint.wasm']) copyFileSync(join(xmllintRoot, f), join(outDir, f));
  mkdirSync(join(outDir, 'assets', 'xmllint'), { recursive: true });
  copyFileSync(join(xmllintRoot, 'COPYING'), join(outDir, 'assets', 'xmllint', 'COPYING'));
}
