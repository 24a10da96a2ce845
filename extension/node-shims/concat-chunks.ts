/**
 * What postal-mime's decoders do with `blobToArrayBuffer(new Blob(chunks))`, without a Blob:
 * the chunks (byte arrays, and strings taken as UTF-8, as Blob takes them) joined into one
 * ArrayBuffer. In Chromium every Blob is registered with the browser process and read back
 * through it, which cost ~15 ms of CPU per message in a POP3 download (BENCHMARKS.md); the
 * service-worker bundle patches postal-mime to call this instead (scripts/postal-mime-patch.ts).
 */
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
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out.buffer;
}
