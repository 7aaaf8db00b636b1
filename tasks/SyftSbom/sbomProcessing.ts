import { createHash, randomUUID } from 'node:crypto';
import fs = require('node:fs');
import { FormatSpec } from './formats';
import { writeJsonFile } from './jsonWriter';
import { addJsonProvenance, addXmlProvenance, Property, ProvenanceResult, xmlBomInfo } from './provenance';
import { ComponentCounts, countCycloneDxJson, countCycloneDxXml, countSpdxJson, countSpdxTagValue, countSyftJson, spdxJsonVersion } from './sbomInfo';
import { validateCycloneDxJson, validateCycloneDxXml, ValidationOutcome } from './validation';

/** Syft's output file is missing, empty or cut short: a Syft failure, reported with its stderr. */
export class IncompleteOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteOutputError';
  }
}

export interface ProcessOptions {
  /** Provenance to add to CycloneDX (undefined: addPipelineMetadata is off). */
  provenance?: Property[];
  validate: boolean;
  /** Count components (the first SBOM that is not text). CycloneDX is always counted: it is parsed anyway. */
  count: boolean;
  /** Keep the final bytes in memory (the SBOM uploaded to Dependency-Track). */
  keepContent: boolean;
}

export interface ProcessedSbom {
  format: FormatSpec;
  file: string;
  bytes: number;
  sha256: string;
  specVersion?: string;
  counts?: ComponentCounts;
  provenance?: ProvenanceResult;
  validation?: ValidationOutcome;
  /** The final bytes (possibly in chunks), kept only for the Dependency-Track upload. */
  content?: Buffer[];
}

/** The indentation of pretty-printed JSON (`{\n  "a"` → '  '), or undefined for compact JSON. Pure. */
export function jsonIndent(text: string): string | undefined {
  const match = /^\uFEFF?\s*[{[][ \t]*\r?\n([ \t]+)\S/.exec(text.slice(0, 200));
  return match ? match[1] : undefined;
}

/** The output file's bytes, read once; missing or empty means Syft did not finish. */
function readOutput(format: FormatSpec, file: string): Buffer {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    throw new IncompleteOutputError(`Syft did not write its ${format.name} output ${file}.`);
  }
  if (data.length === 0) throw new IncompleteOutputError(`Syft's ${format.name} output ${file} is empty.`);
  return data;
}

/**
 * The output's text, and its size and hash in `result` (and its bytes, if kept). Unless the bytes
 * are kept, they are never held whole: the hash is computed in small pieces and the text decoded
 * by readFileSync(…, 'utf8') natively, so a 100 MB SBOM is not in memory twice (bytes and text)
 * until the garbage collector gets round to the bytes.
 */
function readOutputText(format: FormatSpec, file: string, result: ProcessedSbom, options: ProcessOptions): string {
  if (options.keepContent) {
    const data = readOutput(format, file);
    finishBytes(result, data, options);
    return data.toString('utf8');
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
    Object.assign(result, hashFile(file));
  } catch {
    throw new IncompleteOutputError(`Syft did not write its ${format.name} output ${file}.`);
  }
  if (result.bytes === 0) throw new IncompleteOutputError(`Syft's ${format.name} output ${file} is empty.`);
  return text;
}

/** Size and SHA-256 of a file, read in pieces of one reused buffer. */
function hashFile(file: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const piece = Buffer.allocUnsafe(1 << 20);
  const fd = fs.openSync(file, 'r');
  let bytes = 0;
  try {
    for (let n = fs.readSync(fd, piece); n > 0; n = fs.readSync(fd, piece)) {
      hash.update(piece.subarray(0, n));
      bytes += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

function parseJson(format: FormatSpec, file: string, text: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw new IncompleteOutputError(`Syft's ${format.name} output ${file} is not complete JSON (${(err as Error).message}); Syft probably stopped while writing it.`);
  }
}

/** Cheap completeness check for a JSON file we do not parse: it must end with '}' or ']'. */
function endsLikeJson(data: Buffer): boolean {
  for (let i = data.length - 1; i >= 0; i--) {
    const c = data[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    return c === 0x7d || c === 0x5d;
  }
  return false;
}

/**
 * Reads one SBOM once and, for CycloneDX, adds provenance, validates the final document and
 * rewrites the file only if something was added (so an SBOM without additions stays byte-for-byte
 * Syft's). SPDX and Syft formats are never modified.
 */
export async function processSbom(format: FormatSpec, file: string, options: ProcessOptions): Promise<ProcessedSbom> {
  const result: ProcessedSbom = { format, file, bytes: 0, sha256: '' };

  if (format.kind === 'cyclonedx-json') {
    // Memory (SBOMs can be 100 MB+): the bytes on disk give the size and hash (the result unless
    // provenance is added) without being held, unless kept as the content. The text goes before
    // the document is validated and serialised; the document once it is serialised.
    let text: string | undefined = readOutputText(format, file, result, options);
    let doc: unknown = parseJson(format, file, text);
    const specVersion = (doc as { specVersion?: unknown })?.specVersion;
    result.specVersion = typeof specVersion === 'string' ? specVersion : undefined;
    result.counts = countCycloneDxJson(doc);
    if (options.provenance) result.provenance = addJsonProvenance(doc, options.provenance);
    if (!result.provenance?.added) {
      // Nothing added: the file stays byte-for-byte as Syft wrote it.
      text = undefined;
      if (options.validate) result.validation = await validateCycloneDxJson(doc);
      return result;
    }
    const indent = jsonIndent(text);
    const newline = /\r?\n\s*$/.test(text.slice(-4)) ? '\n' : '';
    text = undefined;
    result.content = undefined;
    // The document as it will be written (provenance added) is what gets validated.
    if (options.validate) result.validation = await validateCycloneDxJson(doc);
    const written = writeJsonFile(file, doc, indent, newline, options.keepContent);
    doc = undefined;
    result.bytes = written.bytes;
    result.sha256 = written.sha256;
    result.content = written.chunks;
    return result;
  }

  const original = readOutput(format, file);
  if (format.kind === 'cyclonedx-xml') {
    let text = original.toString('utf8');
    let final = original;
    const info = xmlBomInfo(text);
    result.specVersion = info.version;
    const rootName = info.root?.name ?? 'bom';
    if (!new RegExp(`</${rootName.replace(/[.]/g, '\\.')}\\s*>\\s*$`).test(text.slice(-200))) {
      throw new IncompleteOutputError(`Syft's ${format.name} output ${file} does not end with </${rootName}>; Syft probably stopped while writing it.`);
    }
    if (options.provenance) {
      const added = addXmlProvenance(text, options.provenance, info);
      result.provenance = { added: added.added, skipped: added.skipped };
      if (added.added) {
        text = added.text;
        // Encoded once: these bytes are written, hashed and kept.
        final = Buffer.from(text, 'utf8');
        // Replaced only once whole: a failed write must not destroy Syft's output.
        const temp = `${file}.${randomUUID()}.tmp`;
        fs.writeFileSync(temp, final, { flag: 'wx' });
        fs.renameSync(temp, file);
      }
    }
    result.counts = countCycloneDxXml(text);
    if (options.validate) result.validation = await validateCycloneDxXml(text, info.version);
    return finishBytes(result, final, options);
  }
  if (format.kind === 'spdx-json' || format.kind === 'syft-json') {
    if (options.count) {
      const doc = parseJson(format, file, original.toString('utf8'));
      if (format.kind === 'spdx-json') {
        result.counts = countSpdxJson(doc);
        result.specVersion = spdxJsonVersion(doc);
      } else {
        result.counts = countSyftJson(doc);
      }
    } else if (!endsLikeJson(original)) {
      throw new IncompleteOutputError(`Syft's ${format.name} output ${file} is not complete JSON; Syft probably stopped while writing it.`);
    }
  } else if (format.kind === 'spdx-tag-value' && options.count) {
    result.counts = countSpdxTagValue(original.toString('utf8'));
  }
  return finishBytes(result, original, { ...options, keepContent: false });
}

/** Size and SHA-256 of the bytes on disk; the bytes themselves kept if asked for. */
function finishBytes(result: ProcessedSbom, data: Buffer, options: ProcessOptions): ProcessedSbom {
  result.bytes = data.length;
  result.sha256 = createHash('sha256').update(data).digest('hex');
  if (options.keepContent) result.content = [data];
  return result;
}
