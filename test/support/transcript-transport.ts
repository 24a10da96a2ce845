/**
 * A scripted in-memory Transport for protocol tests (STYLE.md convention 10: byte
 * transcripts). The script is the conversation in order: what the client must send, byte for
 * byte, and what the server answers, how it is chunked, when TLS starts and when the
 * connection closes. Server steps play as soon as the steps before them are done, one
 * microtask later, as a network would; a client write that the script does not expect at
 * that point (wrong bytes, or sent before the server spoke) is a violation: the transport
 * records it, closes with `relay_protocol`, and `assertDone()` throws it.
 *
 * Not protocol-specific: IMAP tests can use it too. Test-only; no Node imports.
 */
import {
  type CloseReason,
  type TlsInfo,
  type Transport,
  TransportError,
} from '../../extension/relay/transport.ts';

/** One step of a conversation. */
export type TranscriptStep =
  /** The client must send exactly these bytes (across one or more writes). */
  | { client: string | Uint8Array }
  /**
   * The server sends these bytes: in one chunk, or split into chunks of the given sizes
   * (the last size repeats; `'bytes'` means one byte per chunk).
   */
  | { server: string | Uint8Array; chunks?: readonly number[] | 'bytes' }
  /** The client must call startTls(), which then resolves with this info or rejects with this error. */
  | { startTls: TlsInfo | TransportError }
  /** The server (or relay) closes the connection with this reason. */
  | { close: CloseReason }
  /** The script waits here until the test calls `release(name)`. */
  | { hold: string };

/** TLS details for scripts. */
export const TEST_TLS: TlsInfo = {
  authorized: true,
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_128_GCM_SHA256',
  fingerprint256:
    'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
  subject: 'CN=pop.example.test',
  issuer: 'CN=Example Test CA',
  validTo: 'Jan  1 00:00:00 2030 GMT',
};

/** A client step of one command line (CRLF added). */
export function c(line: string): TranscriptStep {
  return { client: `${line}\r\n` };
}

/** A server step of one or more lines (CRLF after each), in one chunk. */
export function s(...lines: string[]): TranscriptStep {
  return { server: lines.map((line) => `${line}\r\n`).join('') };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function bytesOf(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

function show(bytes: Uint8Array): string {
  return JSON.stringify(decoder.decode(bytes));
}

function describe(step: TranscriptStep | undefined): string {
  if (!step) return 'the end of the script';
  if ('client' in step) return `client bytes ${show(bytesOf(step.client))}`;
  if ('server' in step) return `the server to send ${show(bytesOf(step.server))}`;
  if ('startTls' in step) return 'a startTls() call';
  if ('close' in step) return 'the server to close';
  return `hold "${step.hold}"`;
}

function split(step: { server: string | Uint8Array; chunks?: readonly number[] | 'bytes' }): Uint8Array[] {
  const bytes = bytesOf(step.server);
  if (!step.chunks) return [bytes.slice()];
  const sizes = step.chunks === 'bytes' ? [1] : step.chunks;
  const out: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[Math.min(i, sizes.length - 1)] ?? 1);
    out.push(bytes.slice(at, at + size));
    at += size;
  }
  return out;
}

/** Options of a TranscriptTransport. */
export interface TranscriptOptions {
  /** TLS state at the start: TEST_TLS for implicit TLS; null (default) for a clear connection. */
  tls?: TlsInfo | null;
  remote?: string;
}

/** A Transport that plays a script and checks what the client sends against it. */
export class TranscriptTransport implements Transport {
  readonly remote: string;
  tls: TlsInfo | null;
  /** Whether the client called close(). */
  closedByClient = false;
  /** How many times the client called startTls(). */
  startTlsCalls = 0;

  private readonly script: readonly TranscriptStep[];
  private step = 0;
  /** Bytes of the current client step already matched. */
  private offset = 0;
  private readonly written: Uint8Array[] = [];
  private violation: Error | null = null;
  private closed = false;
  private closeReason: CloseReason = null;
  private closeDelivered = false;
  private dataHandler: ((chunk: Uint8Array) => void) | null = null;
  private closeHandler: ((reason: CloseReason) => void) | null = null;
  private early: Uint8Array[] = [];
  private readonly released = new Set<string>();
  private playing = false;
  private playWanted = false;

  constructor(script: readonly TranscriptStep[], options: TranscriptOptions = {}) {
    this.script = script;
    this.tls = options.tls ?? null;
    this.remote = options.remote ?? '192.0.2.1:110';
    this.play();
  }

  /** Everything the client wrote, decoded as UTF-8. */
  get sent(): string {
    const total = this.written.reduce((sum, part) => sum + part.length, 0);
    const all = new Uint8Array(total);
    let at = 0;
    for (const part of this.written) {
      all.set(part, at);
      at += part.length;
    }
    return decoder.decode(all);
  }

  /** Steps played so far. */
  get position(): number {
    return this.step;
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.dataHandler = handler;
    const early = this.early;
    this.early = [];
    for (const chunk of early) handler(chunk);
  }

  onClose(handler: (reason: CloseReason) => void): void {
    this.closeHandler = handler;
    if (this.closed && !this.closeDelivered) this.deliverClose();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new TransportError('relay_closed', 'transport is closed'));
    this.written.push(bytes.slice());
    let at = 0;
    while (at < bytes.length) {
      const step = this.script[this.step];
      if (!step || !('client' in step) || this.violation) {
        return this.violate(
          `client sent ${show(bytes.subarray(at))} but the script expected ${describe(step)}`,
        );
      }
      const expected = bytesOf(step.client);
      const n = Math.min(expected.length - this.offset, bytes.length - at);
      for (let k = 0; k < n; k++) {
        if (bytes[at + k] !== expected[this.offset + k]) {
          return this.violate(
            `client sent ${show(bytes.subarray(at))} where the script expected ${show(expected.subarray(this.offset))}`,
          );
        }
      }
      at += n;
      this.offset += n;
      if (this.offset === expected.length) {
        this.step++;
        this.offset = 0;
      }
    }
    this.play();
    return Promise.resolve();
  }

  startTls(): Promise<TlsInfo> {
    this.startTlsCalls++;
    if (this.closed) return Promise.reject(new TransportError('relay_closed', 'transport is closed'));
    const step = this.script[this.step];
    if (!step || !('startTls' in step) || this.offset !== 0) {
      return this.violate(`client called startTls() but the script expected ${describe(step)}`);
    }
    this.step++;
    this.play();
    if (step.startTls instanceof TransportError) return Promise.reject(step.startTls);
    this.tls = step.startTls;
    return Promise.resolve(step.startTls);
  }

  close(): void {
    this.closedByClient = true;
    this.shut(null);
  }

  /** Lets a `{ hold: name }` step pass. */
  release(name: string): void {
    this.released.add(name);
    this.play();
  }

  /** Waits until everything scheduled has run (a few turns of the event loop). */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setTimeout(resolve, 0));
  }

  /** Throws the first violation, or if the script was not played to the end. */
  assertDone(): void {
    if (this.violation) throw this.violation;
    if (this.step < this.script.length) {
      throw new Error(
        `script not finished: stopped at step ${this.step + 1} of ${this.script.length}, ` +
          `waiting for ${describe(this.script[this.step])}` +
          (this.offset > 0 ? ` (${this.offset} bytes of it received)` : ''),
      );
    }
  }

  private violate(message: string): Promise<never> {
    const error = new Error(message);
    this.violation ??= error;
    this.shut(new TransportError('relay_protocol', `transcript violation: ${message}`));
    return Promise.reject(new TransportError('relay_protocol', `transcript violation: ${message}`));
  }

  private shut(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    // Asynchronously, as a socket would report it.
    queueMicrotask(() => this.deliverClose());
  }

  private deliverClose(): void {
    if (this.closeDelivered || !this.closeHandler) return;
    this.closeDelivered = true;
    this.closeHandler(this.closeReason);
  }

  private deliver(chunk: Uint8Array): void {
    if (this.dataHandler) this.dataHandler(chunk);
    else this.early.push(chunk);
  }

  /** Plays server-side steps from the current one until the script waits for the client. */
  private play(): void {
    this.playWanted = true;
    if (this.playing) return;
    this.playing = true;
    queueMicrotask(() => void this.drive());
  }

  private async drive(): Promise<void> {
    try {
      // A write while a run is under way asks for another run, so no step is left unplayed.
      while (this.playWanted) {
        this.playWanted = false;
        await this.run();
      }
    } finally {
      this.playing = false;
    }
  }

  private async run(): Promise<void> {
    while (!this.closed && !this.violation) {
      const step = this.script[this.step];
      if (!step || 'client' in step || 'startTls' in step) return;
      if ('hold' in step) {
        if (!this.released.has(step.hold)) return;
        this.step++;
      } else if ('close' in step) {
        this.step++;
        this.shut(step.close);
      } else {
        this.step++;
        for (const chunk of split(step)) {
          if (this.closed) return;
          this.deliver(chunk);
          await Promise.resolve();
        }
      }
    }
  }
}
