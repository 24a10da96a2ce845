/**
 * Message sources as the bodies store keeps them: compressed with raw DEFLATE (RFC 1951, the
 * platform's CompressionStream) when that makes them smaller, as they are otherwise.
 *
 * Why: in Chromium, IndexedDB costs its browser process ~0.1 µs of CPU per byte stored (measured
 * apart: mostly allocating and freeing memory in proportion to the bytes, not disk sync), far
 * more than it costs the worker to deflate the same bytes first. Mail is mostly text and shrinks to about a
 * third: in a 1,000-message POP3 download the browser process went from ~4.5 s to ~1.5 s of CPU
 * (BENCHMARKS.md, pop3-download), and cached mail takes a third of the disk.
 *
 * Compression is lossless and checked: `unpackSource` returns the very bytes given to
 * `packSource`. Rows stored before this (no `rawEncoding`) read as they are.
 */
import { concatBytes } from '../bytes.ts';
import { StoreError } from './errors.ts';
import type { BodyRow, SourceEncoding } from './schema.ts';

/** Below this, a source is stored as it is: the stream's fixed cost outweighs any saving. */
export const PACK_MIN_BYTES = 1024;

/** A source as stored: `raw` and, when it is compressed, how. */
export interface PackedSource {
  raw: Uint8Array;
  rawEncoding?: SourceEncoding;
}

/**
 * The source as the store keeps it: deflated when that saves at least an eighth (attachments
 * that are already compressed, JPEG or ZIP, barely shrink; storing them as they are keeps
 * opening them free).
 */
export async function packSource(raw: Uint8Array): Promise<PackedSource> {
  // Not bytes: stored as given, so the put refuses it as it would have (nothing to compress).
  if (!(raw instanceof Uint8Array) || raw.byteLength < PACK_MIN_BYTES) return { raw };
  const packed = await through(raw, new CompressionStream('deflate-raw'));
  if (packed.byteLength > raw.byteLength - (raw.byteLength >> 3)) return { raw };
  return { raw: packed, rawEncoding: 'deflate-raw' };
}

/** The source of a stored body, decompressed when it was stored compressed; null without one. */
export async function unpackSource(row: Pick<BodyRow, 'raw' | 'rawEncoding'>): Promise<Uint8Array | null> {
  if (!row.raw) return null;
  if (row.rawEncoding === undefined) return row.raw;
  if (row.rawEncoding !== 'deflate-raw') {
    // Written by a newer Biff, or damaged: 'unavailable' is the store's code for storage it cannot read.
    throw new StoreError('unavailable', `A stored body has an unknown encoding: ${String(row.rawEncoding)}`);
  }
  try {
    return await through(row.raw, new DecompressionStream('deflate-raw'));
  } catch (error) {
    throw new StoreError('unavailable', 'A stored body could not be decompressed', { cause: error });
  }
}

/** `bytes` through a byte transform, joined into one array (no copy when it gives one chunk). */
async function through(
  bytes: Uint8Array,
  transform: TransformStream<BufferSource, Uint8Array>,
): Promise<Uint8Array> {
  const writer = transform.writable.getWriter();
  const written = Promise.all([writer.write(bytes as Uint8Array<ArrayBuffer>), writer.close()]);
  const reader = transform.readable.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  const read = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      chunks.push(value);
      length += value.byteLength;
    }
  })();
  // Either side may be the one that fails (bad input fails the write, bad data the read).
  await Promise.all([written, read]);
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks, length);
}
