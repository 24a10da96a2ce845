/**
 * The STARTTLS gate: sits between the plain upstream socket and the TLS engine and drops every
 * byte the server sends before its first TLS record. A server (or a man in the middle) may
 * send plaintext after its STARTTLS answer; those bytes must neither reach the client nor
 * break the handshake (relay/PROTOCOL.md, "STARTTLS"). Dropping them is safe: TLS
 * authenticates the whole handshake, so nothing dropped or kept here can forge anything.
 */
import { Duplex } from 'node:stream';

/** Content types that can open a server's TLS flight: handshake (ServerHello) or alert. */
const RECORD_TYPES = new Set([0x16, 0x15]);
const EMPTY = Buffer.alloc(0);

/** True when `data[i..i+2]` is a TLS record header start: type, then version 3.0–3.4. */
function isRecordStart(data: Uint8Array, i: number): boolean {
  return RECORD_TYPES.has(data[i]!) && data[i + 1] === 0x03 && data[i + 2]! <= 0x04;
}

/**
 * Finds where the TLS records start in a byte stream fed in chunks. Pure: bytes in, bytes out.
 * Keeps at most two bytes between chunks (a header split across them).
 */
export class RecordStartFinder {
  private carry: Buffer = EMPTY;
  /** True once the first record header was seen; from then on bytes pass unchanged. */
  found = false;
  /** Bytes dropped so far. */
  dropped = 0;

  /** Feeds a chunk; returns what to pass on to the TLS engine (empty until a record starts). */
  push(chunk: Buffer): Buffer {
    if (this.found) return chunk;
    const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    for (let i = 0; i + 2 < data.length; i++) {
      if (isRecordStart(data, i)) {
        this.found = true;
        this.dropped += i;
        this.carry = EMPTY;
        return data.subarray(i);
      }
    }
    const keep = Math.min(2, data.length);
    this.dropped += data.length - keep;
    this.carry = Buffer.from(data.subarray(data.length - keep));
    return EMPTY;
  }
}

/**
 * A Duplex over the plain socket for `tls.connect({socket})`: writes go straight through (with
 * the socket's backpressure), reads pass through RecordStartFinder.
 */
export class StartTlsGate extends Duplex {
  readonly finder = new RecordStartFinder();

  constructor(private readonly raw: Duplex) {
    super({ allowHalfOpen: false });
    raw.on('data', (chunk: Buffer) => {
      const out = this.finder.push(chunk);
      if (out.length > 0 && !this.push(out)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    raw.on('error', (error) => this.destroy(error));
    raw.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.raw.write(chunk)) done();
    else this.raw.once('drain', () => done());
  }

  override _final(done: (error?: Error | null) => void): void {
    this.raw.end();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.raw.destroy();
    done(error);
  }
}
