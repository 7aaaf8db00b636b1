import { attribute, localName, prefixOf, xmlEscape, xmlTags, XmlTag } from './xmlScan';

/**
 * Pipeline provenance stamped into CycloneDX SBOMs as `metadata.properties`. Names follow the
 * CycloneDX property-taxonomy convention (`<namespace>:<path>`, the `cdx:` namespace being
 * reserved for CycloneDX itself), under a namespace of their own: `azure-pipelines:`.
 */
export interface Property {
  name: string;
  value: string;
}

const PROPERTY_NAMESPACE = 'azure-pipelines';

/** The provenance properties from the agent's variables; unset ones are skipped. Pure. */
export function provenanceProperties(env: NodeJS.ProcessEnv): Property[] {
  const props: Property[] = [];
  const add = (name: string, value: string | undefined) => {
    const v = value?.trim();
    if (v) props.push({ name: `${PROPERTY_NAMESPACE}:${name}`, value: v });
  };
  add('pipeline:name', env.BUILD_DEFINITIONNAME);
  add('run:id', env.BUILD_BUILDID);
  const collection = env.SYSTEM_TEAMFOUNDATIONCOLLECTIONURI?.trim();
  const project = env.SYSTEM_TEAMPROJECT?.trim();
  const buildId = env.BUILD_BUILDID?.trim();
  if (collection && project && buildId) {
    const base = collection.endsWith('/') ? collection : `${collection}/`;
    add('run:url', `${base}${encodeURIComponent(project)}/_build/results?buildId=${encodeURIComponent(buildId)}`);
  }
  add('repository:url', env.BUILD_REPOSITORY_URI);
  add('repository:branch', env.BUILD_SOURCEBRANCH);
  add('repository:commit', env.BUILD_SOURCEVERSION);
  add('agent:os', env.AGENT_OS);
  return props;
}

export interface ProvenanceResult {
  added: number;
  /** Why nothing was added (old spec version, not CycloneDX, …), for the log. */
  skipped?: string;
}

/** "1.5" → [1, 5]; anything else → undefined. */
function parseSpecVersion(version: unknown): [number, number] | undefined {
  const match = typeof version === 'string' ? /^(\d+)\.(\d+)$/.exec(version.trim()) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function supportsMetadataProperties(version: [number, number] | undefined): boolean {
  return !!version && (version[0] > 1 || (version[0] === 1 && version[1] >= 3));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Appends the properties to a parsed CycloneDX JSON document, in place: to `metadata.properties`,
 * creating `metadata` / `properties` (at the end of their parent, existing key order kept) only if
 * missing. Nothing is removed or reordered. Pure apart from mutating `doc`.
 */
export function addJsonProvenance(doc: unknown, props: Property[]): ProvenanceResult {
  if (!props.length) return { added: 0, skipped: 'no pipeline variables are set' };
  if (!isPlainObject(doc) || doc.bomFormat !== 'CycloneDX') return { added: 0, skipped: 'the document is not a CycloneDX JSON BOM' };
  const version = parseSpecVersion(doc.specVersion);
  if (!supportsMetadataProperties(version)) {
    return { added: 0, skipped: `CycloneDX ${String(doc.specVersion)} has no metadata.properties (added in 1.3)` };
  }
  if (doc.metadata === undefined) doc.metadata = {};
  const metadata = doc.metadata;
  if (!isPlainObject(metadata)) return { added: 0, skipped: 'metadata is not an object' };
  if (metadata.properties === undefined) metadata.properties = [];
  const properties = metadata.properties;
  if (!Array.isArray(properties)) return { added: 0, skipped: 'metadata.properties is not an array' };
  for (const p of props) properties.push({ name: p.name, value: p.value });
  return { added: props.length };
}

export interface XmlProvenanceResult extends ProvenanceResult {
  text: string;
}

const CDX_NAMESPACE = /^http:\/\/cyclonedx\.org\/schema\/bom\/(\d+\.\d+)$/;

export interface XmlBomInfo {
  root?: XmlTag;
  prefix: string;
  version?: string;
}

/** The root element and the CycloneDX spec version of an XML BOM, from its namespace. Pure. */
export function xmlBomInfo(text: string): XmlBomInfo {
  for (const tag of xmlTags(text)) {
    if (tag.kind === 'end') break;
    const prefix = prefixOf(tag.name);
    const rootText = text.slice(tag.start, tag.end);
    const ns = attribute(rootText, prefix ? `xmlns:${prefix}` : 'xmlns');
    const match = ns ? CDX_NAMESPACE.exec(ns.trim()) : null;
    if (localName(tag.name) !== 'bom' || !match) return { root: tag, prefix };
    return { root: tag, prefix, version: match[1] };
  }
  return { prefix: '' };
}

/** Whitespace indenting the line that `pos` starts on, or undefined when `pos` is not at a line start. */
function lineIndent(text: string, pos: number): string | undefined {
  let i = pos;
  while (i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  if (i === 0 || text[i - 1] !== '\n') return undefined;
  return text.slice(i, pos);
}

/**
 * Inserts `<properties><property name="…">…</property></properties>` into the BOM's `metadata`, at
 * the position the schema requires (after licenses, before distributionConstraints and
 * other-namespace extensions), or appends to an existing `metadata/properties`. Creates
 * `metadata` (the first child of `bom`) if missing. Text-level splice: every other byte of the
 * document is kept as it was. `bomInfo` is xmlBomInfo(text), passed in when the caller has it. Pure.
 */
export function addXmlProvenance(text: string, props: Property[], bomInfo?: XmlBomInfo): XmlProvenanceResult {
  if (!props.length) return { text, added: 0, skipped: 'no pipeline variables are set' };
  const info = bomInfo ?? xmlBomInfo(text);
  if (!info.root || !info.version) return { text, added: 0, skipped: 'the document is not a CycloneDX XML BOM' };
  if (!supportsMetadataProperties(parseSpecVersion(info.version))) {
    return { text, added: 0, skipped: `CycloneDX ${info.version} has no metadata/properties (added in 1.3)` };
  }
  const root = info.root;
  if (root.kind === 'empty') return { text, added: 0, skipped: 'the bom element is empty' };
  const p = info.prefix ? `${info.prefix}:` : '';
  const propertyXml = props.map((prop) => `<${p}property name="${xmlEscape(prop.name)}">${xmlEscape(prop.value)}</${p}property>`);
  const splice = (at: number, remove: number, insert: string): XmlProvenanceResult => ({
    text: text.slice(0, at) + insert + text.slice(at + remove),
    added: props.length,
  });

  // Indentation unit = indentation of the root's first child (pretty-printed output), else compact.
  let depth = 0;
  let unit: string | undefined;
  let metadata: XmlTag | undefined;
  let properties: XmlTag | undefined;
  for (const tag of xmlTags(text, root.end)) {
    if (tag.kind === 'end') {
      if (depth === 0) {
        // </bom> reached without metadata: create it as the first child.
        break;
      }
      depth--;
      if (metadata && depth === 0) {
        // </metadata>: no properties child and nothing that must come after it.
        const closeIndent = lineIndent(text, tag.start);
        if (closeIndent === undefined || unit === undefined) {
          return splice(tag.start, 0, `<${p}properties>${propertyXml.join('')}</${p}properties>`);
        }
        const inner = closeIndent + unit;
        return splice(
          tag.start,
          0,
          `${unit}<${p}properties>${propertyXml.map((x) => `\n${inner}${unit}${x}`).join('')}\n${inner}</${p}properties>\n${closeIndent}`,
        );
      }
      if (properties && depth === 1) {
        // </properties> of metadata: append our property elements.
        const closeIndent = lineIndent(text, tag.start);
        if (closeIndent === undefined || unit === undefined) return splice(tag.start, 0, propertyXml.join(''));
        return splice(tag.start, 0, propertyXml.map((x) => `${unit}${x}\n${closeIndent}`).join(''));
      }
      continue;
    }
    if (depth === 0) {
      unit = lineIndent(text, tag.start);
      const isMetadata = localName(tag.name) === 'metadata' && prefixOf(tag.name) === info.prefix;
      if (!isMetadata) break; // metadata is the first child of bom when present.
      if (tag.kind === 'empty') {
        return splice(tag.start, tag.end - tag.start, `<${tag.name}><${p}properties>${propertyXml.join('')}</${p}properties></${tag.name}>`);
      }
      metadata = tag;
      depth = 1;
      continue;
    }
    if (depth === 1) {
      const local = localName(tag.name);
      const sameNs = prefixOf(tag.name) === info.prefix;
      if (sameNs && local === 'properties') {
        if (tag.kind === 'empty') {
          return splice(tag.start, tag.end - tag.start, `<${tag.name}>${propertyXml.join('')}</${tag.name}>`);
        }
        properties = tag;
      } else if (!sameNs || local === 'distributionConstraints') {
        // Must come after properties: insert a new properties element before it.
        const indent = lineIndent(text, tag.start);
        if (indent === undefined || unit === undefined) {
          return splice(tag.start, 0, `<${p}properties>${propertyXml.join('')}</${p}properties>`);
        }
        return splice(tag.start, 0, `<${p}properties>${propertyXml.map((x) => `\n${indent}${unit}${x}`).join('')}\n${indent}</${p}properties>\n${indent}`);
      }
    }
    if (tag.kind === 'start') depth++;
  }
  // No metadata: create it right after the <bom> start tag.
  const inner = unit ?? '';
  const nl = unit === undefined ? '' : '\n';
  return splice(
    root.end,
    0,
    `${nl}${inner}<${p}metadata>${nl}${inner}${inner}<${p}properties>` +
      propertyXml.map((x) => `${nl}${inner}${inner}${inner}${x}`).join('') +
      `${nl}${inner}${inner}</${p}properties>${nl}${inner}</${p}metadata>`,
  );
}
