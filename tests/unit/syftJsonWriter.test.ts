import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeJsonFile } from '../../tasks/SyftSbom/jsonWriter';

describe('syft JSON writer: streamed output is byte-identical to JSON.stringify', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'syft-jsonw-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const values: unknown[] = [
    { bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { properties: [] }, components: [], x: {}, n: null, b: false, f: 1.5e-7 },
    { components: [{ name: 'a\nb "q" ✓ \u2028', components: [{ name: 'deep', props: [1, [2, { three: 3 }]] }] }, { type: 'file' }], deps: [['x'], []] },
    [1, 'two', { three: [3] }, [], {}],
    'just a string',
    42,
  ];
  it('writes its temp file exclusively under an unpredictable name: a link planted at the old `<file>.<pid>.tmp` is not written through', () => {
    const file = path.join(dir, 'planted.json');
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'keep');
    fs.symlinkSync(victim, `${file}.${process.pid}.tmp`);
    writeJsonFile(file, { a: 1 }, '  ', '\n');
    assert.strictEqual(fs.readFileSync(victim, 'utf8'), 'keep');
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '{\n  "a": 1\n}\n');
    assert.ok(!fs.lstatSync(file).isSymbolicLink());
  });

  for (const [i, value] of values.entries()) {
    for (const indent of [undefined, '  ', ' ', '\t', '    ']) {
      it(`value ${i}, indent ${JSON.stringify(indent)}`, () => {
        const file = path.join(dir, `v${i}.json`);
        const expected = JSON.stringify(value, null, indent) + '\n';
        const written = writeJsonFile(file, value, indent, '\n', true);
        assert.strictEqual(fs.readFileSync(file, 'utf8'), expected);
        assert.strictEqual(written.bytes, Buffer.byteLength(expected));
        assert.strictEqual(written.sha256, createHash('sha256').update(expected).digest('hex'));
        assert.strictEqual(Buffer.concat(written.chunks!).toString('utf8'), expected);
      });
    }
  }

  it('flushes large documents in chunks with the same bytes', () => {
    const big = { components: Array.from({ length: 20_000 }, (_, i) => ({ 'bom-ref': `c${i}`, name: `pkg-${i}-é`, properties: [{ name: 'p', value: 'x'.repeat(50) }] })) };
    const file = path.join(dir, 'big.json');
    for (const indent of [undefined, '  ', '\t']) {
      const doc = { bomFormat: 'CycloneDX', ...big, dependencies: big.components.slice(0, 300).map((c) => ({ ref: c['bom-ref'], dependsOn: [] })), empty: [] };
      const written = writeJsonFile(file, doc, indent, '', true);
      assert.ok(written.chunks!.length > 1);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), JSON.stringify(doc, null, indent));
    }
  });
});
