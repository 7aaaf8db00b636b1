import { UserError } from '../common/errors';

/** The document family of a Syft output format: decides provenance, validation and counting. */
export type SbomKind = 'cyclonedx-json' | 'cyclonedx-xml' | 'spdx-json' | 'spdx-tag-value' | 'syft-json' | 'text';

export interface FormatSpec {
  /** Syft's canonical format name, e.g. `cyclonedx-json`. */
  name: string;
  /** Requested schema version (`cyclonedx-json@1.5` → `1.5`), or undefined for Syft's default. */
  version?: string;
  kind: SbomKind;
  /** File-name suffix, e.g. `.cdx.json`. */
  extension: string;
}

interface KnownFormat {
  kind: SbomKind;
  extension: string;
  /** Versions Syft accepts after `@`; none means the format takes no version. */
  versions?: RegExp;
  versionHelp?: string;
}

const KNOWN: Record<string, KnownFormat> = {
  'cyclonedx-json': { kind: 'cyclonedx-json', extension: '.cdx.json', versions: /^1\.[2-7]$/, versionHelp: '1.2 to 1.7' },
  'cyclonedx-xml': { kind: 'cyclonedx-xml', extension: '.cdx.xml', versions: /^1\.[2-7]$/, versionHelp: '1.2 to 1.7' },
  'spdx-json': { kind: 'spdx-json', extension: '.spdx.json', versions: /^(2\.[23]|3\.0)$/, versionHelp: '2.2, 2.3 or 3.0' },
  'spdx-tag-value': { kind: 'spdx-tag-value', extension: '.spdx', versions: /^2\.[123]$/, versionHelp: '2.1, 2.2 or 2.3' },
  'syft-json': { kind: 'syft-json', extension: '.syft.json' },
  'syft-table': { kind: 'text', extension: '.txt' },
  'syft-text': { kind: 'text', extension: '.syft.txt' },
  'github-json': { kind: 'text', extension: '.github.json' },
  purls: { kind: 'text', extension: '.purls.txt' },
};

/** Syft's aliases for the formats above (`syft -o json` is syft-json, and so on). */
const ALIASES: Record<string, string> = {
  cyclonedx: 'cyclonedx-xml',
  cyclone: 'cyclonedx-xml',
  spdx: 'spdx-tag-value',
  'spdx-tv': 'spdx-tag-value',
  json: 'syft-json',
  table: 'syft-table',
  text: 'syft-text',
  github: 'github-json',
  purl: 'purls',
};

const SUPPORTED_FORMATS = Object.keys(KNOWN);

/**
 * Parses `outputFormats` (comma/newline separated, `fmt@version` allowed) into canonical formats,
 * in the order given; the first is the primary SBOM. Pure.
 */
export function parseFormats(raw: string | undefined): FormatSpec[] {
  const items = (raw ?? 'cyclonedx-json')
    .split(/[\r\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) {
    throw new UserError(`Input outputFormats is empty. Name one or more Syft formats, e.g. cyclonedx-json or cyclonedx-json@1.5,spdx-json (supported: ${SUPPORTED_FORMATS.join(', ')}).`);
  }
  const formats: FormatSpec[] = [];
  for (const item of items) {
    const at = item.indexOf('@');
    const given = (at < 0 ? item : item.slice(0, at)).toLowerCase();
    const version = at < 0 ? undefined : item.slice(at + 1).trim();
    const name = KNOWN[given] ? given : ALIASES[given];
    if (!name) {
      throw new UserError(`outputFormats: '${item}' is not a Syft format this task supports. Use one of ${SUPPORTED_FORMATS.join(', ')}, optionally with @version (e.g. cyclonedx-json@1.5).`);
    }
    const known = KNOWN[name];
    if (version !== undefined) {
      if (!known.versions) {
        throw new UserError(`outputFormats: '${item}': ${name} takes no @version. Write just '${name}'.`);
      }
      if (!known.versions.test(version)) {
        throw new UserError(`outputFormats: '${item}' has an unsupported version '${version}'. ${name} accepts ${known.versionHelp} (e.g. ${name}@${known.versionHelp?.split(/[ ,]/)[0]}), or no @version for Syft's default.`);
      }
    }
    if (formats.some((f) => f.name === name && f.version === version)) {
      throw new UserError(`outputFormats names ${formatArgument({ name, version, kind: known.kind, extension: '' })} more than once ('${items.join(',')}'). List each format (and @version) once.`);
    }
    formats.push({ name, version, kind: known.kind, extension: known.extension });
  }
  // One format at several versions (cyclonedx-json,cyclonedx-json@1.5): the versioned files carry
  // their version in the name, so every file is distinct. A format named once keeps its plain name.
  for (const f of formats) {
    if (f.version && formats.filter((g) => g.name === f.name).length > 1) f.extension = f.extension.replace(/(\.[a-z]+)$/, `-${f.version}$1`);
  }
  return formats;
}

/** `cyclonedx-json@1.5` or `cyclonedx-json`: the format as Syft's `-o` takes it. */
export function formatArgument(format: FormatSpec): string {
  return format.version ? `${format.name}@${format.version}` : format.name;
}

export function isCycloneDx(format: FormatSpec): boolean {
  return format.kind === 'cyclonedx-json' || format.kind === 'cyclonedx-xml';
}
