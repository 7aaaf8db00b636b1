// Generates the extension and task icons (128×128 RGBA PNGs) with nothing but node:zlib.
// Run: node scripts/make-icons.mjs   — writes images/extension-icon.png, tasks/<Task>/icon.png.
// The PNGs are committed; run this again only to change the artwork.
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const SIZE = 128;
const SS = 4; // supersampling per axis (anti-aliasing)

// ---- PNG encoder -------------------------------------------------------------------------
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- tiny vector rasteriser: layers of (inside(x,y) → bool, colour) -----------------------
const hex = (h, a = 1) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16), a];
function render(layers) {
  const out = Buffer.alloc(SIZE * SIZE * 4);
  for (let py = 0; py < SIZE; py++) {
    for (let px = 0; px < SIZE; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = px + (sx + 0.5) / SS, y = py + (sy + 0.5) / SS;
          // composite layers bottom → top (premultiplied "over")
          let cr = 0, cg = 0, cb = 0, ca = 0;
          for (const [inside, col] of layers) {
            if (!inside(x, y)) continue;
            const al = col[3];
            cr = col[0] * al + cr * (1 - al);
            cg = col[1] * al + cg * (1 - al);
            cb = col[2] * al + cb * (1 - al);
            ca = al + ca * (1 - al);
          }
          r += cr; g += cg; b += cb; a += ca;
        }
      }
      const n = SS * SS, i = (py * SIZE + px) * 4;
      const A = a / n;
      out[i] = A ? Math.round(r / n / A) : 0;
      out[i + 1] = A ? Math.round(g / n / A) : 0;
      out[i + 2] = A ? Math.round(b / n / A) : 0;
      out[i + 3] = Math.round(A * 255);
    }
  }
  return out;
}

// shapes
const roundRect = (x0, y0, x1, y1, rad) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + rad), x1 - rad), cy = Math.min(Math.max(y, y0 + rad), y1 - rad);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
};
const circle = (cx, cy, rad) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
const ring = (cx, cy, r0, r1) => (x, y) => { const d = (x - cx) ** 2 + (y - cy) ** 2; return d <= r1 * r1 && d >= r0 * r0; };
/** thick line segment (capsule) */
const segment = (x0, y0, x1, y1, w) => (x, y) => {
  const dx = x1 - x0, dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  return (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 <= (w / 2) ** 2;
};
/** Shield: flat top with rounded shoulders, sides curving into a point at the bottom. */
const shield = (cx, top, halfW, height, inset = 0) => (x, y) => {
  const t = top + inset, h = height - inset * 2, w = halfW - inset;
  if (y < t || y > t + h) return false;
  const v = (y - t) / h; // 0 at top, 1 at tip
  // upper 45 %: full width (slight shoulder dip), then a smooth taper to the tip
  const half = v < 0.45 ? w : w * Math.cos(((v - 0.45) / 0.55) * (Math.PI / 2)) ** 0.8;
  const dip = v < 0.08 ? 0.06 * w * (1 - v / 0.08) * Math.abs((x - cx) / w) ** 4 : 0;
  return Math.abs(x - cx) <= half && y >= t + dip;
};
const and = (...f) => (x, y) => f.every((g) => g(x, y));
const not = (f) => (x, y) => !f(x, y);
const or = (...f) => (x, y) => f.some((g) => g(x, y));

const full = roundRect(0, 0, SIZE, SIZE, 22);

/** Magnifier: lens ring + handle. */
function magnifier(cx, cy, r, thick, handleLen, col, glass) {
  const layers = [];
  if (glass) layers.push([circle(cx, cy, r - thick / 2), glass]);
  layers.push([ring(cx, cy, r - thick / 2, r + thick / 2), col]);
  const d = Math.SQRT1_2;
  layers.push([segment(cx + (r + thick / 2 - 1) * d, cy + (r + thick / 2 - 1) * d, cx + (r + handleLen) * d, cy + (r + handleLen) * d, thick * 1.35), col]);
  return layers;
}

/** Stacked boxes (three isometric-ish cubes as rounded rects with a lid stripe) + list lines. */
function box(x0, y0, w, h, body, lid, tape) {
  return [
    [roundRect(x0, y0, x0 + w, y0 + h, 5), body],
    [roundRect(x0, y0, x0 + w, y0 + h * 0.3, 5), lid],
    [and(roundRect(x0 + w * 0.42, y0, x0 + w * 0.58, y0 + h * 0.55, 1.5)), tape],
  ];
}

// ---- the three icons ----------------------------------------------------------------------
const WHITE = hex('#ffffff');

function grypeIcon() {
  const bg = hex('#1f3b73'); // deep blue
  return render([
    [full, bg],
    [shield(64, 14, 44, 102), hex('#e8513a')], // red-orange shield
    [shield(64, 14, 44, 102, 7), hex('#f2775f')],
    ...magnifier(58, 56, 19, 7, 20, WHITE, hex('#ffffff', 0.25)),
  ]);
}

function syftIcon() {
  const bg = hex('#0f5c57'); // dark teal
  const body = hex('#f2b33d'), lid = hex('#d9942a'), tape = hex('#fbe3b0');
  return render([
    [full, bg],
    ...box(18, 68, 42, 40, body, lid, tape),
    ...box(68, 68, 42, 40, body, lid, tape),
    ...box(43, 24, 42, 40, body, lid, tape),
    // list marks on the right of the top box: an SBOM "inventory"
    [segment(92, 30, 112, 30, 5), WHITE],
    [segment(92, 42, 112, 42, 5), WHITE],
    [segment(92, 54, 106, 54, 5), WHITE],
    [segment(16, 30, 34, 30, 5), hex('#ffffff', 0.55)],
    [segment(16, 42, 34, 42, 5), hex('#ffffff', 0.55)],
  ]);
}

function extensionIcon() {
  const bg = hex('#22305e');
  const body = hex('#f2b33d'), lid = hex('#d9942a'), tape = hex('#fbe3b0');
  return render([
    [full, bg],
    // boxes (Syft) behind, shield + magnifier (Grype) in front
    ...box(62, 70, 46, 42, body, lid, tape),
    ...box(74, 24, 40, 38, body, lid, tape),
    [shield(46, 16, 34, 96), hex('#e8513a')],
    [shield(46, 16, 34, 96, 6), hex('#f2775f')],
    ...magnifier(42, 52, 14, 6, 15, WHITE, hex('#ffffff', 0.25)),
  ]);
}

const outputs = {
  'images/extension-icon.png': extensionIcon(),
  'tasks/GrypeScan/icon.png': grypeIcon(),
  'tasks/SyftSbom/icon.png': syftIcon(),
};
for (const [rel, rgba] of Object.entries(outputs)) {
  const file = join(root, rel);
  mkdirSync(dirname(file), { recursive: true });
  const png = encodePng(SIZE, SIZE, rgba);
  writeFileSync(file, png);
  console.log(`${rel}: ${png.length} bytes`);
}
