/**
 * `deno task icon`: draws the plugin's icon (`.claude-plugin/icon.png`, 512×512 RGBA) from code, so
 * it can be made again exactly: a rounded dark square, a teal prompt chevron and cursor, and a green
 * status dot. Shapes are distance functions sampled 4×4 per pixel with only exact arithmetic (+ − × ÷
 * and √, correctly rounded everywhere), so the pixels are the same on every machine; the PNG encoder
 * is this file's own (zlib from `node:zlib`). tests/icon_test.ts checks that the committed file is
 * this picture.
 *
 *   deno task icon            # writes .claude-plugin/icon.png
 *   deno task icon --out F    # writes F
 *
 * @module
 */
import { deflateSync } from "node:zlib";
import { join } from "node:path";

/** The icon's side in pixels (the plugin directory takes 512–2048). */
export const ICON_SIZE = 512;

/** Where the plugin's icon lives. */
export const ICON_PATH: string = join(new URL("..", import.meta.url).pathname, ".claude-plugin", "icon.png");

type Rgb = readonly [number, number, number];

const BG_TOP: Rgb = [30, 41, 59];
const BG_BOTTOM: Rgb = [15, 23, 42];
const TEAL: Rgb = [45, 212, 191];
const GREEN: Rgb = [74, 222, 128];

/** Distance from (x, y) to the segment a–b, minus `r` (a capsule). Negative inside. */
function capsule(x: number, y: number, ax: number, ay: number, bx: number, by: number, r: number): number {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  const qx = px - t * dx, qy = py - t * dy;
  return Math.sqrt(qx * qx + qy * qy) - r;
}

/** Signed distance to a rounded rectangle centred at (cx, cy) with half sizes hw, hh and corner radius r. */
function roundedRect(
  x: number,
  y: number,
  cx: number,
  cy: number,
  hw: number,
  hh: number,
  r: number,
): number {
  const qx = Math.abs(x - cx) - hw + r, qy = Math.abs(y - cy) - hh + r;
  const ox = Math.max(qx, 0), oy = Math.max(qy, 0);
  return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - r;
}

/** The icon's colour at a point of the unit square (0..1 both ways): RGBA, alpha 0 outside. */
function shade(u: number, v: number): [number, number, number, number] {
  if (roundedRect(u, v, 0.5, 0.5, 0.5, 0.5, 0.19) > 0) return [0, 0, 0, 0];
  let c: Rgb = [0, 1, 2].map((i) => BG_TOP[i] + (BG_BOTTOM[i] - BG_TOP[i]) * v) as unknown as Rgb;
  const chevron = Math.min(
    capsule(u, v, 0.25, 0.32, 0.45, 0.5, 0.045),
    capsule(u, v, 0.45, 0.5, 0.25, 0.68, 0.045),
  );
  const cursor = roundedRect(u, v, 0.64, 0.66, 0.12, 0.035, 0.03);
  if (chevron <= 0 || cursor <= 0) c = TEAL;
  const du = u - 0.76, dv = v - 0.27;
  if (Math.sqrt(du * du + dv * dv) <= 0.065) c = GREEN;
  return [c[0], c[1], c[2], 255];
}

/** The icon's pixels: `size`×`size` RGBA, each pixel the average of 4×4 samples. */
export function renderIcon(size: number = ICON_SIZE): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const n = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const [pr, pg, pb, pa] = shade((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size);
          r += pr * pa, g += pg * pa, b += pb * pa, a += pa;
        }
      }
      const i = (y * size + x) * 4;
      out[i + 3] = Math.round(a / (n * n));
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32 of PNG chunks (ISO 3309 polynomial). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes 8-bit RGBA pixels as a PNG (every row with the Sub filter, zlib level 9). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8); // depth 8, colour type 6 (RGBA), deflate, adaptive filters, no interlace
  const stride = width * 4;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    raw[row] = 1; // Sub: each byte minus the same channel of the pixel to its left
    for (let i = 0; i < stride; i++) {
      const left = i >= 4 ? rgba[y * stride + i - 4] : 0;
      raw[row + 1 + i] = (rgba[y * stride + i] - left) & 0xff;
    }
  }
  const idat = new Uint8Array(deflateSync(raw, { level: 9 }));
  const signature = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
  const parts = [signature, chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--out");
  const path = at >= 0 ? Deno.args[at + 1] : ICON_PATH;
  if (!path) {
    console.error("icon: --out needs a file name");
    Deno.exit(2);
  }
  await Deno.writeFile(path, encodePng(ICON_SIZE, ICON_SIZE, renderIcon(ICON_SIZE)));
  console.log(`icon: ${path}`);
}
