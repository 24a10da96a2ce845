/**
 * Shared setup for the POP3 integration tests (and the lead's browser tests): a real Dovecot
 * with POP3 (STLS on `ports.pop3`, implicit TLS on `ports.pop3s`), the real relay as a child
 * process allowing those ports (and Dovecot's IMAP ports, for cross-protocol checks), reached
 * with `ws`; fake-indexeddb for the store. One Dovecot and one relay per test file; one Dovecot
 * user and one database per test, so tests never see each other's mail.
 *
 * For a browser test: `Pop3World.start()`, then `world.account(world.newUser(), {}, 'starttls')`
 * (POP3 with STLS on Dovecot's cleartext port, the test certificate pinned) and
 * `world.endpoint` (the relay URL and token to pair the extension with); `world.seed()` fills
 * the maildrop and `world.maildrop()` shows what the server holds.
 *
 * Also: `TapTransport`, a Transport wrapper that records the commands Biff writes and can cut
 * the connection at a chosen command (to kill a session between DELE and QUIT), and a maildrop
 * reader that looks at the server's Maildir directly.
 */
import 'fake-indexeddb/auto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import WebSocket from 'ws';
import { type Account, DEFAULT_IMAP, DEFAULT_POP3, type Pop3Settings } from '../../extension/accounts.ts';
import type { SyncContext } from '../../extension/mail/sync-context.ts';
import { relayTransportFactory, type WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import type {
  CloseReason,
  RelayEndpoint,
  TlsInfo,
  TlsMode,
  Transport,
  TransportFactory,
} from '../../extension/relay/transport.ts';
import { type BiffDatabase, openBiffDb } from '../../extension/store/schema.ts';
import { type RunningRelay, startRelay } from '../relay/helpers.ts';
import { type DovecotOptions, type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { imapClient } from '../servers/imap-client.ts';
import { type SeedMessage, type SeedOptions, seedMaildir } from '../servers/seed.ts';

export const PASSWORD = 'pop3 correct horse battery staple';
/** The relay's pairing token in these tests. */
export const RELAY_TOKEN = 'pop3-integration-test-token-0123456789';

let counter = 0;
/** A name no other test in this process uses. */
export function unique(prefix: string): string {
  return `${prefix}${process.pid}x${++counter}`;
}

/** How to start a Pop3World. */
export interface Pop3WorldOptions extends Omit<DovecotOptions, 'users'> {
  /** Dovecot users made up front (default 12): a user added later may not log in for a second. */
  users?: number;
  /** More upstream ports the relay must allow (fake servers of a test file). */
  extraPorts?: readonly number[];
}

/** A Dovecot and a relay for one test file. */
export class Pop3World {
  private relayProc: RunningRelay;
  private readonly dbs: BiffDatabase[] = [];
  private readonly clients: ImapFlow[] = [];
  private readonly pool: string[] = [];

  private constructor(
    readonly dovecot: DovecotServer,
    relay: RunningRelay,
    private readonly relayPorts: readonly number[],
  ) {
    this.relayProc = relay;
  }

  /** Starts Dovecot with `users` fresh accounts and a relay that may reach it. */
  static async start(options: Pop3WorldOptions = {}): Promise<Pop3World> {
    const { users = 12, extraPorts = [], ...dovecotOptions } = options;
    const names = Array.from({ length: users }, () => unique('p'));
    const dovecot = await startDovecot({
      ...dovecotOptions,
      users: names.map((user) => ({ user, pass: PASSWORD })),
    });
    const { pop3, pop3s, imap, imaps } = dovecot.ports;
    const relayPorts = [pop3, pop3s, imap, imaps, ...extraPorts];
    const relay = await Pop3World.spawnRelay(relayPorts, 0);
    const world = new Pop3World(dovecot, relay, relayPorts);
    world.pool.push(...names);
    return world;
  }

  private static spawnRelay(ports: readonly number[], port: number): Promise<RunningRelay> {
    return startRelay({
      token: RELAY_TOKEN,
      args: ['--port', String(port), '--quiet', ...ports.flatMap((p) => ['--allow-port', String(p)])],
    });
  }

  get relay(): RunningRelay {
    return this.relayProc;
  }

  /** The relay as the extension is paired with it (URL and token), e.g. for a browser test. */
  get endpoint(): RelayEndpoint {
    return { url: this.relayProc.url, token: RELAY_TOKEN };
  }

  /** Opens connections through the relay, as the extension does, with `ws` as the WebSocket. */
  get open(): TransportFactory {
    return relayTransportFactory(this.endpoint, { WebSocket: WebSocket as unknown as WebSocketConstructor });
  }

  /** Stops the relay (SIGTERM by default; SIGKILL for "no goodbye"): every session drops. */
  async stopRelay(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.relayProc.stop(signal);
  }

  /** Starts the relay again on the same port (after stopRelay); does nothing while it runs. */
  async restartRelay(): Promise<void> {
    const proc = this.relayProc.proc;
    if (proc.exitCode === null && proc.signalCode === null) return;
    this.relayProc = await Pop3World.spawnRelay(this.relayPorts, this.relayProc.port);
  }

  /** A Dovecot user with PASSWORD that no other test uses; its maildrop starts empty. */
  newUser(): string {
    const user = this.pool.shift();
    if (user === undefined) throw new Error('Pop3World: no unused user left; start() with more users');
    return user;
  }

  /**
   * A POP3 account for `user`: implicit TLS on POP3S by default, STLS on the POP3 port with
   * `security: 'starttls'`, cleartext with 'none'; the test certificate trusted by its pin.
   */
  account(user: string, pop3: Partial<Pop3Settings> = {}, security: TlsMode = 'implicit'): Account {
    return {
      id: unique('acct-'),
      name: 'Test POP3',
      color: '#cc6633',
      email: `${user}@biff.test`,
      protocol: 'pop3',
      host: this.dovecot.host,
      port: security === 'implicit' ? this.dovecot.ports.pop3s : this.dovecot.ports.pop3,
      security,
      username: user,
      pin: this.dovecot.fingerprint256,
      enabled: true,
      checkIntervalMinutes: 5,
      notify: true,
      imap: { ...DEFAULT_IMAP },
      pop3: { ...DEFAULT_POP3, ...pop3 },
    };
  }

  /** A fresh database of its own (closed at stop()). */
  async db(): Promise<BiffDatabase> {
    const db = await openBiffDb(unique('biff-pop3-test-'));
    this.dbs.push(db);
    return db;
  }

  /** A sync context for `account` on `db`. */
  ctx(db: BiffDatabase, account: Account, extra: Partial<SyncContext> = {}): SyncContext {
    return { db, account, password: PASSWORD, open: this.open, now: () => Date.now(), ...extra };
  }

  /** Delivers messages into `user`'s INBOX as a delivery agent would (Maildir files). */
  seed(user: string, messages: readonly SeedMessage[], options: SeedOptions = {}): void {
    seedMaildir(this.dovecot, user, messages, options);
  }

  /** What the server holds for `user` right now: the bytes of every INBOX message, by file name. */
  maildrop(user: string): Buffer[] {
    return maildropFiles(this.dovecot, user).map((path) => readFileSync(path));
  }

  /** "Another client": imapflow straight to Dovecot's IMAPS, closed at stop(). */
  async imap(user: string): Promise<ImapFlow> {
    const client = await imapClient(this.dovecot, user, PASSWORD);
    client.on('error', () => {});
    this.clients.push(client);
    return client;
  }

  async stop(): Promise<void> {
    for (const client of this.clients) await client.logout().catch(() => client.close());
    for (const db of this.dbs) db.close();
    await this.relayProc.stop();
    await this.dovecot.stop();
  }
}

/** Paths of the message files in `user`'s INBOX (new/ and cur/), sorted by name (arrival order). */
export function maildropFiles(dovecot: Pick<DovecotServer, 'maildir'>, user: string): string[] {
  const root = dovecot.maildir(user);
  const files: string[] = [];
  for (const sub of ['new', 'cur']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(root, sub));
    } catch {
      // No Maildir yet: nothing delivered.
    }
    files.push(...names.map((name) => join(root, sub, name)));
  }
  return files.sort((a, b) => a.split('/').pop()!.localeCompare(b.split('/').pop()!));
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
 * `n` small distinct messages (own subject, Message-ID and body each) for tests that need many
 * messages but not realistic ones; `prefix` keeps batches of one test apart.
 */
export function bareMessages(n: number, prefix = 'Bare', from = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return (
      `From: Sender ${i} <s${i}@example.com>\r\nTo: tester@biff.test\r\nSubject: ${prefix} message ${i}\r\n` +
      `Date: Mon, 8 Jan 2024 08:${String(i % 60).padStart(2, '0')}:00 +0000\r\n` +
      `Message-ID: <${prefix.toLowerCase()}${i}@example.com>\r\n\r\n${prefix} message number ${i}.\r\n`
    );
  });
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
