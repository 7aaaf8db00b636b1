/**
 * CycloneDX XML validation by xmllint-wasm (libxml2 compiled to WebAssembly: no native code, no
 * network), against the XSD of a spec version. Not @cyclonedx/cyclonedx-library's XmlValidator:
 * its only XML engine is libxmljs2, a native addon (node-gyp, per-platform binary) that cannot ship
 * in a platform-neutral VSIX. `(schemaPath) => Promise<(data) => null | errors>`; the CycloneDX
 * XSDs import spdx.SNAPSHOT.xsd from the same folder.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { validateXML } from 'xmllint-wasm';

export interface XmlSchemaError {
  message: string;
  line?: number;
}

/** 64 KiB WebAssembly pages: up to 4 GiB for hundreds-of-MB SBOMs (libxml2 needs a few × the file). */
const MAX_MEMORY_PAGES = 65536;

export default async function xmllintValidatorFactory(schemaPath: string): Promise<(data: string | Uint8Array) => Promise<null | XmlSchemaError[]>> {
  const schema = await readFile(schemaPath);
  const schemaDir = dirname(schemaPath);
  const spdx = await readFile(join(schemaDir, 'spdx.SNAPSHOT.xsd'));
  return async function validate(data: string | Uint8Array): Promise<null | XmlSchemaError[]> {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    const result = await validateXML({
      xml: [{ fileName: 'bom.xml', contents: data }],
      schema: [{ fileName: basename(schemaPath), contents: schema }],
      preload: [{ fileName: 'spdx.SNAPSHOT.xsd', contents: spdx }],
      // Start with enough memory for the document and its tree; grow up to 4 GiB.
      initialMemoryPages: Math.min(MAX_MEMORY_PAGES, Math.max(256, Math.ceil((size * 6) / 65536))),
      maxMemoryPages: MAX_MEMORY_PAGES,
    });
    if (result.valid) return null;
    const errors = result.errors.map((e) => ({ message: e.message, line: e.loc?.lineNumber }));
    return errors.length ? errors : [{ message: result.rawOutput.trim() || 'the document is not valid' }];
  };
}
