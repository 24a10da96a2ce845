/**
 * `zlib.createInflateRaw()` for imapflow's COMPRESS=DEFLATE (RFC 4978) on the browser's own
 * `DecompressionStream('deflate-raw')`: native code instead of pako, which took ~5 % of the
 * worker's time in an initial sync of 10,000 messages (BENCHMARKS.md). The server flushes its
 * DEFLATE stream after every response (Z_SYNC_FLUSH), and a DecompressionStream hands out what
 * a flushed block holds as soon as it has it, so every response reaches the parser at once.
 * Compressing our own commands stays with browserify-zlib: CompressionStream cannot flush, and
 * a command held back in the compressor would never be answered.
 */
import { Buffer } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

/** A Node-style Transform stream inflating raw DEFLATE with the platform's decompressor. */
export class NativeInflateRaw extends Transform {
  private readonly writer: WritableStreamDefaultWriter<BufferSource>;
  private readonly pumped: Promise<void>;
  /** Set by end(): the server never finishes its DEFLATE stream, so the decompressor reports it truncated. */
  private ending = false;

  constructor() {
    super();
    const stream = new DecompressionStream('deflate-raw');
    this.writer = stream.writable.getWriter();
    const reader = stream.readable.getReader();
    this.pumped = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    })();
    // Corrupt input rejects the read: that is this stream's 'error', as with Node's zlib.
    this.pumped.catch((error: unknown) => {
      if (!this.ending) this.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    // The writer's promises reject alongside; the failure is reported once, above.
    this.writer.closed.catch(() => {});
  }

  override _transform(chunk: Uint8Array, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.writer.write(chunk as Uint8Array<ArrayBuffer>).then(
      () => callback(),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /**
   * The connection ended. Every flushed response was handed on already; an unfinished final
   * block (a server never sends Z_FINISH, RFC 4978 §4) is not an error, so end() is quiet.
   */
  override _flush(callback: TransformCallback): void {
    this.ending = true;
    this.writer
      .close()
      .catch(() => {})
      .then(() => this.pumped)
      .catch(() => {})
      .then(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.writer.abort(error ?? undefined).catch(() => {});
    callback(error);
  }
}

/** Whether the platform can inflate natively (every browser the extension supports can). */
export const hasNativeInflate = typeof DecompressionStream === 'function';
