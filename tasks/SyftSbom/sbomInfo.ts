import { localName, xmlTags, attribute } from './xmlScan';

/** Component counts of one SBOM: total and by type (CycloneDX type, SPDX purpose, Syft package type). */
export interface ComponentCounts {
  total: number;
  /** Software packages: all but the `file` and `operating-system` components CycloneDX adds. */
  packages: number;
  byType: Record<string, number>;
}

/**
 * CycloneDX types Syft uses for what is not a package: the files it read packages from (e.g. the
 * dpkg status database) and the image's distribution. SPDX and Syft JSON list neither as a
 * package, so leaving them out gives every format of one scan the same package count.
 */
const NOT_PACKAGES = new Set(['file', 'operating-system']);

function bump(counts: ComponentCounts, type: unknown): void {
  const key = typeof type === 'string' && type.trim() ? type.trim() : 'unknown';
  counts.total++;
  if (!NOT_PACKAGES.has(key)) counts.packages++;
  counts.byType[key] = (counts.byType[key] ?? 0) + 1;
}

function empty(): ComponentCounts {
  return { total: 0, packages: 0, byType: {} };
}

/** CycloneDX JSON: `components[]`, recursively through nested `components` (not metadata/tools). Pure. */
export function countCycloneDxJson(doc: unknown): ComponentCounts {
  const counts = empty();
  // Arrays still to walk, not their elements: an SBOM has hundreds of thousands of components, and
  // spreading them into push() passes each as an argument on the stack (RangeError past ~120k).
  const pending: unknown[][] = [];
  const root = doc as { components?: unknown };
  if (Array.isArray(root?.components)) pending.push(root.components);
  for (let list = pending.pop(); list; list = pending.pop()) {
    for (const item of list) {
      const c = item as { type?: unknown; components?: unknown } | null;
      if (!c || typeof c !== 'object') continue;
      bump(counts, c.type);
      if (Array.isArray(c.components)) pending.push(c.components);
    }
  }
  return counts;
}

/** CycloneDX XML: `bom/components/component`, recursively through `component/components`. Pure. */
export function countCycloneDxXml(text: string): ComponentCounts {
  const counts = empty();
  const path: string[] = [];
  // Only elements on the path bom/components(/component/components)* count.
  const onComponentPath = () =>
    path.length >= 2 && path.slice(1).every((name, i) => (i % 2 === 0 ? name === 'components' : name === 'component'));
  for (const tag of xmlTags(text)) {
    if (tag.kind === 'end') {
      path.pop();
      continue;
    }
    const name = localName(tag.name);
    if (name === 'component' && onComponentPath()) {
      bump(counts, attribute(text.slice(tag.start, tag.end), 'type'));
    }
    if (tag.kind === 'start') path.push(name);
  }
  return counts;
}

/**
 * Syft describes the scanned folder, image or file as a package of its own, the document root
 * (`SPDXRef-DocumentRoot-…`; in SPDX 3 `SPDXRef:DocumentRoot-…`): not a component. Pure.
 */
function isDocumentRoot(id: unknown): boolean {
  return typeof id === 'string' && /^SPDXRef[-:]DocumentRoot-/.test(id);
}

/**
 * SPDX JSON: SPDX 2.x `packages[]` by `primaryPackagePurpose` (2.3), SPDX 3 `@graph` elements of
 * type `software_Package` by `software_primaryPurpose`; Syft's document root left out. Pure.
 */
export function countSpdxJson(doc: unknown): ComponentCounts {
  const counts = empty();
  const root = doc as { packages?: unknown; '@graph'?: unknown } | null;
  if (Array.isArray(root?.packages)) {
    for (const p of root.packages as { SPDXID?: unknown; primaryPackagePurpose?: unknown }[]) {
      if (!isDocumentRoot(p?.SPDXID)) bump(counts, purpose(p?.primaryPackagePurpose));
    }
  } else if (Array.isArray(root?.['@graph'])) {
    for (const e of root['@graph'] as { type?: unknown; spdxId?: unknown; software_primaryPurpose?: unknown }[]) {
      if (e?.type === 'software_Package' && !isDocumentRoot(e.spdxId)) bump(counts, purpose(e.software_primaryPurpose));
    }
  }
  return counts;
}

function purpose(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : 'package';
}

/** The SPDX version of an SPDX JSON document: `spdxVersion` (2.x) or the creation info's `specVersion` (3). Pure. */
export function spdxJsonVersion(doc: unknown): string | undefined {
  const root = doc as { spdxVersion?: unknown; '@graph'?: unknown } | null;
  if (typeof root?.spdxVersion === 'string') return root.spdxVersion;
  if (!Array.isArray(root?.['@graph'])) return undefined;
  const info = (root['@graph'] as { type?: unknown; specVersion?: unknown }[]).find((e) => e?.type === 'CreationInfo' && typeof e.specVersion === 'string');
  return info ? `SPDX-${info.specVersion as string}` : undefined;
}

/** SPDX tag-value: one package per `PackageName:` line, unless its `SPDXID:` is Syft's document root. Pure. */
export function countSpdxTagValue(text: string): ComponentCounts {
  const counts = empty();
  // A package's SPDXID comes after its PackageName; the package is counted once the id is known.
  let pending = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('PackageName:')) {
      if (pending) bump(counts, 'package');
      pending = true;
    } else if (pending && line.startsWith('SPDXID:')) {
      if (!isDocumentRoot(line.slice('SPDXID:'.length).trim())) bump(counts, 'package');
      pending = false;
    }
  }
  if (pending) bump(counts, 'package');
  return counts;
}

/** Syft JSON: `artifacts[]` by Syft package type. Pure. */
export function countSyftJson(doc: unknown): ComponentCounts {
  const counts = empty();
  const artifacts = (doc as { artifacts?: unknown })?.artifacts;
  if (Array.isArray(artifacts)) for (const a of artifacts) bump(counts, (a as { type?: string })?.type);
  return counts;
}
