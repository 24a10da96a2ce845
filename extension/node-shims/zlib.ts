/**
 * `zlib` for imapflow's COMPRESS=DEFLATE: inflating on the platform's DecompressionStream
 * (inflate-raw.ts), deflating with browserify-zlib (pako), plus the `constants` object imapflow
 * reads, which browserify-zlib only exposes as top-level names.
 */
import * as bzlib from 'browserify-zlib';
import { hasNativeInflate, NativeInflateRaw } from './inflate-raw.ts';

const z = bzlib as unknown as Record<string, unknown>;
export const constants = {
  Z_NO_FLUSH: 0,
  Z_PARTIAL_FLUSH: 1,
  Z_SYNC_FLUSH: 2,
  Z_FULL_FLUSH: 3,
  Z_FINISH: 4,
  Z_DEFAULT_COMPRESSION: -1,
  Z_DEFAULT_STRATEGY: 0,
  Z_DEFAULT_WINDOWBITS: 15,
  Z_DEFAULT_MEMLEVEL: 8,
};
export const createDeflateRaw = z.createDeflateRaw;
/** imapflow passes `{ chunkSize }`, which only pako needs. */
export const createInflateRaw = hasNativeInflate ? () => new NativeInflateRaw() : z.createInflateRaw;
export default { ...z, constants, createInflateRaw };
