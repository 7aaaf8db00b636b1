// scripts/png-palette.mjs: the screenshots' palette re-encoding (they ship in the VSIX).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as zlib from 'node:zlib';
import { repoRoot } from '../harness/paths';

interface PngPalette {
  decodeRgb(png: Buffer): { width: number; height: number; rgb: Buffer };
  toPalettePng(png: Buffer): Buffer;
  pngChunk(type: string, data: Buffer): Buffer;
}
// An ES module; TypeScript's CommonJS output would turn import() into require().
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<PngPalette>;

/** A 24-bit RGB PNG as Chromium writes one, rows filtered with Sub (1) to exercise the decoder. */
function rgbPng({ pngChunk: chunk }: PngPalette, width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
  const raw = Buffer.alloc(height * (width * 3 + 1));
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 1;
    let left = [0, 0, 0];
    for (let x = 0; x < width; x++) {
      const p = pixel(x, y);
      for (let c = 0; c < 3; c++) raw[row + 1 + x * 3 + c] = (p[c] - left[c]) & 0xff;
      left = p;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('png-palette (screenshots re-encoded for the VSIX)', () => {
  let png: PngPalette;
  before(async () => {
    png = await importEsm(pathToFileURL(path.join(repoRoot, 'scripts', 'png-palette.mjs')).href);
  });

  it('keeps an image of at most 256 colours exactly, as an indexed PNG', () => {
    const source = rgbPng(png, 40, 30, (x, y) => [(x % 8) * 30, (y % 8) * 30, ((x + y) % 4) * 60]); // 256 colours
    const out = png.toPalettePng(source);
    assert.equal(out[25], 3, 'colour type 3 (indexed)');
    // decodeRgb reads RGB only: the indexed output is read back through its palette
    const palette = paletteOf(out);
    const indices = zlib.inflateSync(idatOf(out));
    const back = Buffer.alloc(40 * 30 * 3);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 40; x++) palette.copy(back, (y * 40 + x) * 3, indices[y * 41 + 1 + x] * 3, indices[y * 41 + 1 + x] * 3 + 3);
    assert.ok(back.equals(png.decodeRgb(source).rgb), 'a ≤256-colour image must come back unchanged');
  });

  it('keeps a rare colour unlike the rest (a small red icon on grey text)', () => {
    // 300 greys plus 4 red pixels: the reds are the rarest colour, yet must keep a red entry.
    const source = rgbPng(png, 320, 4, (x, y) => (x < 2 && y < 2 ? [220, 30, 30] : [x % 300, x % 300, x % 300]));
    const palette = paletteOf(png.toPalettePng(source));
    assert.ok(palette.length / 3 <= 256);
    let red = false;
    for (let i = 0; i < palette.length; i += 3) if (palette[i] > 180 && palette[i + 1] < 80 && palette[i + 2] < 80) red = true;
    assert.ok(red, 'the red was merged into a grey');
  });

  it('refuses what is not a PNG', () => {
    assert.throws(() => png.toPalettePng(Buffer.from('GIF89a')), /not a PNG/);
  });
});

function chunkData(file: Buffer, wanted: string): Buffer {
  for (let p = 8; p < file.length; ) {
    const length = file.readUInt32BE(p);
    if (file.toString('latin1', p + 4, p + 8) === wanted) return file.subarray(p + 8, p + 8 + length);
    p += 12 + length;
  }
  throw new Error(`no ${wanted} chunk`);
}
const paletteOf = (file: Buffer) => chunkData(file, 'PLTE');
const idatOf = (file: Buffer) => chunkData(file, 'IDAT');
