/**
 * What postal-mime's decoders do with `blobToArrayBuffer(new Blob(chunks))`, without a Blob:
 * the chunks (byte arrays, and strings taken as UTF-8, as Blob takes them) joined into one
 * ArrayBuffer. In Chromium every Blob is registered with the browser process and read back
 * through it, which cost ~15 ms of CPU per message in a POP3 download (BENCHMARKS.md); the
 * service-worker bundle patches postal-mime to call this instead (scripts/postal-mime-patch.ts).
 */
import { concatBytes } from '../bytes.ts';

const encoder = new TextEncoder();

export async function concatChunks(
  chunks: ReadonlyArray<string | ArrayBufferView | ArrayBuffer>,
): Promise<ArrayBuffer> {
  const parts = chunks.map((chunk) =>
    typeof chunk === 'string'
      ? encoder.encode(chunk)
      : chunk instanceof ArrayBuffer
        ? new Uint8Array(chunk)
        : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
  );
  return concatBytes(parts).buffer as ArrayBuffer;
}

/**
 * `concatChunks` for decoders whose chunks are their own fresh buffers (base64's decoded
 * ArrayBuffers, quoted-printable's slices): a single chunk that spans its whole buffer is that
 * buffer, with no copy. Most parts decode to one chunk, and in the service worker allocating
 * and copying an ArrayBuffer costs far more than its size suggests. Never for the pass-through
 * decoder, whose chunks are views of the message being parsed.
 */
export async function joinOwnedChunks(
  chunks: ReadonlyArray<string | ArrayBufferView | ArrayBuffer>,
): Promise<ArrayBuffer> {
  if (chunks.length === 1) {
    const only = chunks[0]!;
    if (only instanceof ArrayBuffer) return only;
    if (
      only instanceof Uint8Array &&
      only.buffer instanceof ArrayBuffer &&
      only.byteOffset === 0 &&
      only.byteLength === only.buffer.byteLength
    )
      return only.buffer;
  }
  return concatChunks(chunks);
}
