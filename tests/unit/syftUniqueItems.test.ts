import * as assert from 'assert';
import * as fs from 'fs';
import { findDuplicate, fingerprint } from '../../tasks/SyftSbom/uniqueItems';
import { validateCycloneDxJson } from '../../tasks/SyftSbom/validation';
import { GOLDEN, golden } from '../harness/golden';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const equal: (a: unknown, b: unknown) => boolean = require('fast-deep-equal');

/** Ajv's own algorithm (uniqueItems.js loopN2): the reference the fast one must agree with. */
function ajvReference(items: unknown[]): [number, number] | undefined {
  for (let i = items.length; i--; ) for (let j = i; j--; ) if (equal(items[i], items[j])) return [i, j];
  return undefined;
}

describe('syft uniqueItems: linear-time, same answers as Ajv (pure)', () => {
  it('equal items (keys in any order) share a fingerprint', () => {
    assert.strictEqual(fingerprint({ a: 1, b: { c: [1, 2] } }), fingerprint({ b: { c: [1, 2] }, a: 1 }));
    assert.notStrictEqual(fingerprint({ a: 1 }), fingerprint({ a: '1' }));
    assert.strictEqual(fingerprint([1, 'x', null]), fingerprint([1, 'x', null]));
  });

  it('agrees with Ajv\'s O(n²) check on generated arrays, duplicates or not', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const make = (): unknown => {
      const kind = rnd(5);
      if (kind === 0) return rnd(4);
      if (kind === 1) return `s${rnd(4)}`;
      if (kind === 2) return [rnd(3), { k: rnd(2) }];
      const o: Record<string, unknown> = {};
      for (const key of ['name', 'type', 'nested'].sort(() => rnd(3) - 1)) if (rnd(3)) o[key] = key === 'nested' ? { v: [rnd(2)] } : rnd(3);
      return o;
    };
    let withDuplicates = 0;
    for (let round = 0; round < 300; round++) {
      const items = Array.from({ length: rnd(12) }, make);
      const expected = ajvReference(items);
      if (expected) withDuplicates++;
      assert.deepStrictEqual(findDuplicate(items), expected, JSON.stringify(items));
    }
    assert.ok(withDuplicates > 50 && withDuplicates < 300);
  });

  it('the validator reports duplicate components (deep-equal, keys reordered) and stays fast on big arrays', async function () {
    this.timeout(60_000);
    const doc = JSON.parse(fs.readFileSync(golden(GOLDEN.syftDirCycloneDxJson), 'utf8'));
    const reordered = Object.fromEntries(Object.entries(doc.components[3]).reverse());
    const dup = { ...doc, components: [...doc.components, reordered] };
    const result = await validateCycloneDxJson(dup);
    assert.ok(!result.valid);
    assert.ok(result.errors.join('\n').includes(`/components: must NOT have duplicate items (items ## 3 and ${doc.components.length} are identical)`), result.errors.join('\n'));

    const big = { ...doc, components: Array.from({ length: 40_000 }, (_, i) => ({ ...doc.components[i % doc.components.length], 'bom-ref': `c${i}` })) };
    const started = Date.now();
    const ok = await validateCycloneDxJson(big);
    assert.ok(ok.valid, ok.errors.join('\n'));
    assert.ok(Date.now() - started < 20_000, `40,000 components validated in ${Date.now() - started} ms`);
  });
});
