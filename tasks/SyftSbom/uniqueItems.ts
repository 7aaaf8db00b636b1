/**
 * A linear-time `uniqueItems` for the bundled CycloneDX JSON validator, with Ajv's exact semantics.
 *
 * Ajv checks `uniqueItems` on arrays of objects by comparing every pair with deep equality:
 * O(n²). CycloneDX puts `uniqueItems` on `components`, `dependencies`, `services`, … so a 100 MB
 * SBOM (50,000+ components) spends minutes there. This keyword gives the same answer in about
 * O(n): items are bucketed by a cheap fingerprint (type, sorted top-level keys and top-level scalar
 * values — equal items always share it; hashed to a number), and only items in the same bucket are compared with the
 * same deep equality Ajv uses. validation.ts installs it into its Ajv instance in place of the
 * built-in keyword; nothing else about the schema changes.
 */
import type Ajv from 'ajv';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const equal: (a: unknown, b: unknown) => boolean = require('fast-deep-equal');

/** Same for deep-equal values (keys in any order); usually different for different items. */
export function fingerprint(item: unknown): string {
  if (item === null || typeof item !== 'object') return `${typeof item}:${String(item)}`;
  if (Array.isArray(item)) return `array:${item.length}:${item.map((v) => (v === null || typeof v !== 'object' ? `${typeof v}:${String(v)}` : typeof v)).join('\u0000')}`;
  const keys = Object.keys(item).sort();
  let text = 'object';
  for (const key of keys) {
    const v = (item as Record<string, unknown>)[key];
    text += `\u0000${key}=${v === null || typeof v !== 'object' ? `${typeof v}:${String(v)}` : Array.isArray(v) ? `array:${v.length}` : 'object'}`;
  }
  return text;
}

/** FNV-1a (32 bits) of a fingerprint: buckets are keyed by a number, not by the string. */
function fingerprintHash(item: unknown): number {
  const text = fingerprint(item);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * Indices [i, j] (j < i) of the first duplicate pair Ajv would report, or undefined. Memory: a
 * number per item (the fingerprint strings are dropped as they are hashed: keeping them would
 * cost about as much as the SBOM's text); a bucket becomes a list only when hashes collide.
 */
export function findDuplicate(items: readonly unknown[]): [number, number] | undefined {
  const buckets = new Map<number, number | number[]>();
  let found: [number, number] | undefined;
  for (let i = 0; i < items.length; i++) {
    const key = fingerprintHash(items[i]);
    const bucket = buckets.get(key);
    if (bucket === undefined) {
      buckets.set(key, i);
      continue;
    }
    const earlier = typeof bucket === 'number' ? [bucket] : bucket;
    // Ajv reports the highest i that has a duplicate, with the highest j < i equal to it.
    for (let k = earlier.length - 1; k >= 0; k--) {
      if (equal(items[i], items[earlier[k]])) {
        found = [i, earlier[k]];
        break;
      }
    }
    earlier.push(i);
    if (typeof bucket === 'number') buckets.set(key, earlier);
  }
  return found;
}

/** Replaces Ajv's built-in `uniqueItems` with the linear-time one (same errors shape). */
export function installUniqueItems(ajv: Ajv): void {
  ajv.removeKeyword('uniqueItems');
  function validate(this: unknown, schema: boolean, data: unknown): boolean {
    const self = validate as unknown as { errors?: unknown[] };
    if (!schema || !Array.isArray(data) || data.length < 2) return true;
    const duplicate = findDuplicate(data);
    if (!duplicate) return true;
    const [i, j] = duplicate;
    self.errors = [{ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, params: { i, j } }];
    return false;
  }
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate });
}
