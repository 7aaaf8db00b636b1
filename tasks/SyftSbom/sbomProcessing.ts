import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { FormatSpec } from './formats';
import { addJsonProvenance, addXmlProvenance, Property, ProvenanceResult, xmlBomInfo } from './provenance';
import { ComponentCounts, countCycloneDxJson, countCycloneDxXml, countSpdxJson, countSpdxTagValue, countSyftJson } from './sbomInfo';
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
  /** Count components (the primary SBOM). CycloneDX is always counted: it is parsed anyway. */
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
  content?: Buffer;
}

/** The indentation of pretty-printed JSON (`{\n  "a"` → '  '), or undefined for compact JSON. Pure. */
export function jsonIndent(text: string): string | undefined {
  const match = /^\uFEFF?\s*[{[][ \t]*\r?\n([ \t]+)\S/.exec(text.slice(0, 200));
  return match ? match[1] : undefined;
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

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

function readOutputText(format: FormatSpec, file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new IncompleteOutputError(`Syft did not write its ${format.name} output ${file}.`);
  }
  if (!text.length) throw new IncompleteOutputError(`Syft's ${format.name} output ${file} is empty.`);
  return text;
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
    // Memory: the text, the parsed document and (when provenance is added) the new text; the
    // original text is released before the document is serialised again.
    let text: string | undefined = readOutputText(format, file);
    const doc = parseJson(format, file, text) as { specVersion?: unknown };
    result.specVersion = typeof doc?.specVersion === 'string' ? doc.specVersion : undefined;
    result.counts = countCycloneDxJson(doc);
    let finalText = text;
    if (options.provenance) {
      result.provenance = addJsonProvenance(doc, options.provenance);
      if (result.provenance.added) {
        const indent = jsonIndent(text);
        const newline = /\r?\n\s*$/.test(text.slice(-4)) ? '\n' : '';
        text = undefined;
        finalText = JSON.stringify(doc, null, indent) + newline;
        fs.writeFileSync(file, finalText, 'utf8');
      }
    }
    text = undefined;
    if (options.validate) result.validation = await validateCycloneDxJson(doc, () => finalText);
    return finish(result, finalText, options);
  }

  const original = readOutput(format, file);
  result.bytes = original.length;
  result.sha256 = sha256(original);
  if (format.kind === 'cyclonedx-xml') {
    let text = original.toString('utf8');
    const info = xmlBomInfo(text);
    result.specVersion = info.version;
    const rootName = info.root?.name ?? 'bom';
    if (!new RegExp(`</${rootName.replace(/[.]/g, '\\.')}\\s*>\\s*$`).test(text.slice(-200))) {
      throw new IncompleteOutputError(`Syft's ${format.name} output ${file} does not end with </${rootName}>; Syft probably stopped while writing it.`);
    }
    if (options.provenance) {
      const added = addXmlProvenance(text, options.provenance);
      result.provenance = { added: added.added, skipped: added.skipped };
      if (added.added) {
        text = added.text;
        fs.writeFileSync(file, text, 'utf8');
      }
    }
    result.counts = countCycloneDxXml(text);
    if (options.validate) result.validation = await validateCycloneDxXml(text, info.version);
    return result.provenance?.added ? finish(result, text, options) : finishBytes(result, original, options);
  }
  if (format.kind === 'spdx-json' || format.kind === 'syft-json') {
    if (options.count) {
      const doc = parseJson(format, file, original.toString('utf8'));
      result.counts = format.kind === 'spdx-json' ? countSpdxJson(doc) : countSyftJson(doc);
      const spdx = (doc as { spdxVersion?: unknown }).spdxVersion;
      if (typeof spdx === 'string') result.specVersion = spdx;
    } else if (!endsLikeJson(original)) {
      throw new IncompleteOutputError(`Syft's ${format.name} output ${file} is not complete JSON; Syft probably stopped while writing it.`);
    }
  } else if (format.kind === 'spdx-tag-value' && options.count) {
    result.counts = countSpdxTagValue(original.toString('utf8'));
  }

  return result;
}

function finish(result: ProcessedSbom, finalText: string, options: ProcessOptions): ProcessedSbom {
  result.bytes = Buffer.byteLength(finalText, 'utf8');
  result.sha256 = createHash('sha256').update(finalText, 'utf8').digest('hex');
  if (options.keepContent) result.content = Buffer.from(finalText, 'utf8');
  return result;
}

function finishBytes(result: ProcessedSbom, data: Buffer, options: ProcessOptions): ProcessedSbom {
  if (options.keepContent) result.content = data;
  return result;
}
