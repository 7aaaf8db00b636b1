// Re-encodes a screenshot PNG with a palette of at most 256 colours: Chromium writes 24-bit PNGs
// of ~700 colours (antialiased text), three bytes a pixel; the pictures ship inside the VSIX, whose
// size has a budget. The palette keeps the most frequent colours and the ones most unlike them;
// every other colour becomes the nearest kept one (mostly antialiasing shades), so text stays sharp.
import * as zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** RGB pixels (3 bytes each) of an 8-bit, non-interlaced RGB or RGBA PNG (alpha dropped). */
export function decodeRgb(png) {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat = [];
  for (let p = 8; p < png.length; ) {
    const length = png.readUInt32BE(p);
    const type = png.toString('latin1', p + 4, p + 8);
    const data = png.subarray(p + 8, p + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colourType, , , interlace] = data.subarray(8, 13);
      channels = colourType === 2 ? 3 : colourType === 6 ? 4 : 0;
      if (depth !== 8 || !channels || interlace) throw new Error(`unsupported PNG (bit depth ${depth}, colour type ${colourType}, interlace ${interlace})`);
    } else if (type === 'IDAT') idat.push(data);
    p += 12 + length;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rgb = Buffer.alloc(width * height * 3);
  let previous = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const current = Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? current[x - channels] : 0;
      const b = previous[x];
      const c = x >= channels ? previous[x - channels] : 0;
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
      if (predictor === undefined) throw new Error(`bad PNG filter ${filter}`);
      current[x] = (line[x] + predictor) & 0xff;
    }
    for (let x = 0; x < width; x++) current.copy(rgb, (y * width + x) * 3, x * channels, x * channels + 3);
    previous = current;
  }
  return { width, height, rgb };
}

/** Squared distance of two 0xRRGGBB colours, weighted for the eye (green most, red least). */
function distance(x, y) {
  const dr = (x >> 16) - (y >> 16);
  const dg = ((x >> 8) & 0xff) - ((y >> 8) & 0xff);
  const db = (x & 0xff) - (y & 0xff);
  return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG re-encoded with a palette of at most 256 colours (8-bit indexed, zlib level 9). */
export function toPalettePng(png) {
  const { width, height, rgb } = decodeRgb(png);
  const frequency = new Map();
  for (let i = 0; i < rgb.length; i += 3) {
    const colour = rgb.readUIntBE(i, 3);
    frequency.set(colour, (frequency.get(colour) ?? 0) + 1);
  }
  // Half the palette: the most frequent colours. The other half, one at a time: the colour that
  // loses most (pixels × distance to its nearest kept colour), so a small red icon keeps its red.
  const colours = [...frequency.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  const kept = colours.slice(0, 128).map(([c]) => c);
  const nearest = new Map(colours.map(([c]) => [c, Math.min(...kept.map((k) => distance(c, k)))]));
  while (kept.length < Math.min(256, colours.length)) {
    let pick = -1;
    let loss = -1;
    for (const [c, n] of colours) {
      const l = n * nearest.get(c);
      if (l > loss) [pick, loss] = [c, l];
    }
    if (loss <= 0) break;
    kept.push(pick);
    for (const [c] of colours) nearest.set(c, Math.min(nearest.get(c), distance(c, pick)));
  }
  const index = new Map();
  for (const colour of frequency.keys()) {
    let best = 0;
    for (let k = 1; k < kept.length; k++) if (distance(colour, kept[k]) < distance(colour, kept[best])) best = k;
    index.set(colour, best);
  }
  const palette = Buffer.alloc(kept.length * 3);
  kept.forEach((c, k) => palette.writeUIntBE(c, k * 3, 3));
  // Filter type 0 on every row: indices are not smooth, so prediction only costs.
  const raw = Buffer.alloc(height * (width + 1));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = index.get(rgb.readUIntBE((y * width + x) * 3, 3));
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // indexed colour
  return Buffer.concat([SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('PLTE', palette), pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}
