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
  // Written straight into the result, without an array of one view per chunk: the pass-through
  // decoder's chunks are every line of a part and a '\n' after each (130,000 chunks for a 5 MB
  // message/rfc822 part), and a view and an encoded '\n' per chunk were half the join's time.
  let total = 0;
  for (const chunk of chunks) {
    total += typeof chunk === 'string' ? asciiLength(chunk) : chunk.byteLength;
  }
  if (Number.isNaN(total)) return concatBytes(chunks.map(bytesOf)).buffer as ArrayBuffer;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    if (typeof chunk === 'string') {
      for (let i = 0; i < chunk.length; i++) out[offset++] = chunk.charCodeAt(i);
    } else {
      out.set(chunk instanceof Uint8Array ? chunk : bytesOf(chunk), offset);
      offset += chunk.byteLength;
    }
  }
  return out.buffer;
}

/** The length of a string of ASCII only (one byte each in UTF-8), else NaN. */
function asciiLength(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return Number.NaN;
  return text.length;
}

function bytesOf(chunk: string | ArrayBufferView | ArrayBuffer): Uint8Array {
  return typeof chunk === 'string'
    ? encoder.encode(chunk)
    : chunk instanceof ArrayBuffer
      ? new Uint8Array(chunk)
      : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
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
