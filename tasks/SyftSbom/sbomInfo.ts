import { localName, xmlTags, attribute } from './xmlScan';

/** Component counts of one SBOM: total and by type (CycloneDX type, SPDX purpose, Syft package type). */
export interface ComponentCounts {
  total: number;
  byType: Record<string, number>;
}

function bump(counts: ComponentCounts, type: unknown): void {
  const key = typeof type === 'string' && type.trim() ? type.trim() : 'unknown';
  counts.total++;
  counts.byType[key] = (counts.byType[key] ?? 0) + 1;
}

function empty(): ComponentCounts {
  return { total: 0, byType: {} };
}

/** CycloneDX JSON: `components[]`, recursively through nested `components` (not metadata/tools). Pure. */
export function countCycloneDxJson(doc: unknown): ComponentCounts {
  const counts = empty();
  const stack: unknown[] = [];
  const root = doc as { components?: unknown };
  if (Array.isArray(root?.components)) stack.push(...root.components);
  while (stack.length) {
    const c = stack.pop() as { type?: unknown; components?: unknown } | null;
    if (!c || typeof c !== 'object') continue;
    bump(counts, c.type);
    if (Array.isArray(c.components)) stack.push(...c.components);
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

/** SPDX JSON: `packages[]` by `primaryPackagePurpose` (SPDX 2.3) or `package`. Pure. */
export function countSpdxJson(doc: unknown): ComponentCounts {
  const counts = empty();
  const packages = (doc as { packages?: unknown })?.packages;
  if (Array.isArray(packages)) {
    for (const p of packages) bump(counts, (p as { primaryPackagePurpose?: string })?.primaryPackagePurpose?.toLowerCase() ?? 'package');
  }
  return counts;
}

/** SPDX tag-value: one `PackageName:` line per package. Pure. */
export function countSpdxTagValue(text: string): ComponentCounts {
  const counts = empty();
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('PackageName:')) bump(counts, 'package');
  }
  return counts;
}

/** Syft JSON: `artifacts[]` by Syft package type. Pure. */
export function countSyftJson(doc: unknown): ComponentCounts {
  const counts = empty();
  const artifacts = (doc as { artifacts?: unknown })?.artifacts;
  if (Array.isArray(artifacts)) for (const a of artifacts) bump(counts, (a as { type?: string })?.type);
  return counts;
}
