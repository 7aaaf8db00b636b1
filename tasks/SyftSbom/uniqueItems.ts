/**
 * A linear-time `uniqueItems` for the bundled CycloneDX JSON validator, with Ajv's exact semantics.
 *
 * Ajv checks `uniqueItems` on arrays of objects by comparing every pair with deep equality:
 * O(n²). CycloneDX puts `uniqueItems` on `components`, `dependencies`, `services`, … so a 100 MB
 * SBOM (50,000+ components) spends minutes there. This keyword gives the same answer in about
 * O(n): items are bucketed by a cheap fingerprint (type, sorted top-level keys and top-level scalar
 * values — equal items always share it), and only items in the same bucket are compared with the
 * same deep equality Ajv uses. The build (build.hooks.mjs) installs it into the library's Ajv
 * instance in place of the built-in keyword; nothing else about the schema changes.
 */
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

/** Indices [i, j] (j < i) of the first duplicate pair Ajv would report, or undefined. */
export function findDuplicate(items: readonly unknown[]): [number, number] | undefined {
  const buckets = new Map<string, number[]>();
  let found: [number, number] | undefined;
  for (let i = 0; i < items.length; i++) {
    const key = fingerprint(items[i]);
    const bucket = buckets.get(key);
    if (!bucket) {
      buckets.set(key, [i]);
      continue;
    }
    // Ajv reports the highest i that has a duplicate, with the highest j < i equal to it.
    for (let k = bucket.length - 1; k >= 0; k--) {
      if (equal(items[i], items[bucket[k]])) {
        found = [i, bucket[k]];
        break;
      }
    }
    bucket.push(i);
  }
  return found;
}

interface AjvLike {
  removeKeyword(keyword: string): unknown;
  addKeyword(definition: Record<string, unknown>): unknown;
}

/** Replaces Ajv's built-in `uniqueItems` with the linear-time one (same errors shape). */
export function installUniqueItems(ajv: AjvLike): void {
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
