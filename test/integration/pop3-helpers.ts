/**
 * The POP3 integration tests' world: the engine's Node set-up (engine-world.ts) with POP3
 * accounts (STLS on `ports.pop3`, implicit TLS on `ports.pop3s`), a maildrop filled as a
 * delivery agent would (`world.seed()`) and read as the server holds it (`world.maildrop()`).
 *
 * Also: `TapTransport`, a Transport wrapper that records the commands Biff writes and can cut
 * the connection at a chosen command (to kill a session between DELE and QUIT).
 */
import { readFileSync } from 'node:fs';
import { type Account, DEFAULT_POP3, type Pop3Settings } from '../../extension/accounts.ts';
import type {
  CloseReason,
  TlsInfo,
  TlsMode,
  Transport,
  TransportFactory,
} from '../../extension/relay/transport.ts';
import { maildropFiles, type SeedMessage, type SeedOptions, seedMaildir } from '../servers/seed.ts';
import { type ServerWorldOptions, startServers } from '../support/server-world.ts';
import { EngineWorld } from './engine-world.ts';

/** A Dovecot and a relay for one test file, with POP3 accounts. */
export class Pop3World extends EngineWorld {
  /** Starts the servers; the relay is quiet, since these tests never read its log. */
  static async start(options: ServerWorldOptions = {}): Promise<Pop3World> {
    return new Pop3World(await startServers({ quiet: true, ...options }));
  }

  /**
   * A POP3 account for `user`: implicit TLS on POP3S by default, STLS on the POP3 port with
   * `security: 'starttls'`, cleartext with 'none'; the test certificate trusted by its pin.
   */
  account(user: string, pop3: Partial<Pop3Settings> = {}, security: TlsMode = 'implicit'): Account {
    return this.accountFor(user, 'pop3', security, { pop3: { ...DEFAULT_POP3, ...pop3 } });
  }

  /** Delivers messages into `user`'s INBOX as a delivery agent would (Maildir files). */
  seed(user: string, messages: readonly SeedMessage[], options: SeedOptions = {}): void {
    seedMaildir(this.dovecot, user, messages, options);
  }

  /** What the server holds for `user` right now: the bytes of every INBOX message, by file name. */
  maildrop(user: string): Buffer[] {
    return maildropFiles(this.dovecot, user).map((path) => readFileSync(path));
  }
}

/** What a tap may do with a command about to be written. */
export type TapAction = 'send' | 'swallow';

/** A hook on the commands Biff writes: sees each one (by its first line) before it leaves. */
export type TapHook = (command: string, transport: TapTransport) => TapAction | undefined;

/**
 * A Transport around another that records each command line written (PASS and AUTH arguments
 * masked) and lets a hook swallow a command, stop delivering the server's replies (`mute`) or
 * cut the connection (`cut`), at an exact point of the conversation.
 */
export class TapTransport implements Transport {
  /** Command lines written, in order, e.g. `RETR 3`. */
  readonly commands: string[] = [];
  private muted = false;
  private allowance: number | null = null;
  private onAllowanceSpent: (() => void) | null = null;
  private closeHandler: ((reason: CloseReason) => void) | null = null;
  private cutDone = false;

  constructor(
    private readonly inner: Transport,
    private readonly hook: TapHook = () => 'send',
  ) {}

  get remote(): string {
    return this.inner.remote;
  }

  get tls(): TlsInfo | null {
    return this.inner.tls;
  }

  onData(handler: (chunk: Uint8Array) => void): void {
    this.inner.onData((chunk) => {
      if (this.muted) return;
      if (this.allowance === null) return handler(chunk);
      const part = chunk.subarray(0, this.allowance);
      this.allowance -= part.length;
      if (part.length > 0) handler(part);
      if (this.allowance === 0) {
        this.muted = true;
        const then = this.onAllowanceSpent;
        this.onAllowanceSpent = null;
        then?.();
      }
    });
  }

  /**
   * From now on, delivers only `bytes` more of what the server sends (cutting a chunk if need
   * be), then stops delivering and calls `then` once: to kill the relay at an exact byte.
   */
  deliverOnly(bytes: number, then: () => void): void {
    this.allowance = bytes;
    this.onAllowanceSpent = then;
  }

  onClose(handler: (reason: CloseReason) => void): void {
    this.closeHandler = handler;
    this.inner.onClose((reason) => {
      if (!this.cutDone) handler(reason);
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const text = Buffer.from(bytes).toString('latin1');
    const lines = text.split('\r\n').filter((line) => line !== '');
    for (const line of lines) {
      const masked = /^(PASS|AUTH PLAIN) /i.test(line) ? line.replace(/ .*/, ' ***') : line;
      this.commands.push(masked);
      if (this.hook(masked, this) === 'swallow') return;
    }
    await this.inner.write(bytes);
  }

  startTls(): Promise<TlsInfo> {
    return this.inner.startTls();
  }

  close(): void {
    this.inner.close();
  }

  /** From now on, the server's replies are not delivered (as if lost on the way). */
  mute(): void {
    this.muted = true;
  }

  /** Drops the connection now, as a network failure would: the session sees it closed. */
  cut(): void {
    if (this.cutDone) return;
    this.cutDone = true;
    this.inner.close();
    this.closeHandler?.(null);
  }

  /** Commands written with this verb. */
  count(verb: string): number {
    return this.commands.filter((c) => c.split(' ')[0]!.toUpperCase() === verb).length;
  }
}

/** A factory whose transports are TapTransports; `taps` lists them in the order opened. */
export function tapping(
  open: TransportFactory,
  hook?: TapHook,
): { open: TransportFactory; taps: TapTransport[] } {
  const taps: TapTransport[] = [];
  return {
    taps,
    open: async (target) => {
      const tap = new TapTransport(await open(target), hook);
      taps.push(tap);
      return tap;
    },
  };
}

/**
 * The bytes RETR returns for a delivered message: the same, except that a message not ending in
 * CRLF gains one, since a multi-line reply ends with CRLF "." CRLF (RFC 1939 §3) and the server
 * must finish the last line before the terminator. Byte comparisons of stored mail use this.
 */
export function asRetrieved(delivered: string | Uint8Array): Buffer {
  const bytes = Buffer.from(typeof delivered === 'string' ? Buffer.from(delivered, 'utf8') : delivered);
  return bytes.subarray(-2).toString('latin1') === '\r\n'
    ? bytes
    : Buffer.concat([bytes, Buffer.from('\r\n')]);
}
