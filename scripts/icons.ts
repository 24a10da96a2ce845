/**
 * Draws Biff's toolbar icon (an envelope with a notification dot) at any size and encodes it as
 * PNG, so the build needs no image tools and the icons stay sharp at 16, 32, 48 and 128 px.
 */
import { deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];
const ENVELOPE: Rgba = [37, 99, 235, 255];
const FLAP: Rgba = [255, 255, 255, 255];
const DOT: Rgba = [239, 68, 68, 255];
const SUPERSAMPLE = 4;

function inEnvelope(x: number, y: number): Rgba | null {
  // coordinates in 0..1; envelope body with rounded corners, a white flap "V", red dot top-right
  const dx = x - 0.78;
  const dy = y - 0.24;
  if (dx * dx + dy * dy < 0.19 * 0.19) return DOT;
  const left = 0.06;
  const right = 0.94;
  const top = 0.24;
  const bottom = 0.84;
  const r = 0.08;
  if (x < left || x > right || y < top || y > bottom) return null;
  const cx = Math.min(Math.max(x, left + r), right - r);
  const cy = Math.min(Math.max(y, top + r), bottom - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return null;
  // the flap: two lines from the top corners to the centre, drawn as a band
  const mid = 0.5;
  const apexY = 0.58;
  const lineY = top + ((apexY - top) * (x < mid ? x - left : right - x)) / (mid - left);
  const band = 0.055;
  if (Math.abs(y - lineY) < band) return FLAP;
  return ENVELOPE;
}

/** RGBA pixels of the icon at `size` px. */
export function drawIcon(size: number): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let coverage = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const c = inEnvelope(
            (px + (sx + 0.5) / SUPERSAMPLE) / size,
            (py + (sy + 0.5) / SUPERSAMPLE) / size,
          );
          if (!c) continue;
          const a = c[3] / 255;
          r += c[0] * a;
          g += c[1] * a;
          b += c[2] * a;
          coverage += a;
        }
      }
      const n = SUPERSAMPLE * SUPERSAMPLE;
      const alpha = coverage / n;
      const i = (py * size + px) * 4;
      if (coverage > 0) {
        out[i] = Math.round(r / coverage);
        out[i + 1] = Math.round(g / coverage);
        out[i + 2] = Math.round(b / coverage);
      }
      out[i + 3] = Math.round(alpha * 255);
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes RGBA pixels as a PNG file. */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ]);
}

/** The sizes the manifest names. */
export const ICON_SIZES = [16, 32, 48, 128] as const;
