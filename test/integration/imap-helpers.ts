/**
 * Shared setup for the IMAP integration tests: a real Dovecot, the real relay (as a child
 * process, reached with `ws`), fake-indexeddb for the store, and "another client" (imapflow
 * straight to Dovecot) to change the mailbox behind Biff's back. One Dovecot and one relay per
 * test file; one Dovecot user and one database per test, so tests do not see each other's mail.
 */
import 'fake-indexeddb/auto';
import type { ImapFlow } from 'imapflow';
import WebSocket from 'ws';
import { type Account, DEFAULT_IMAP, DEFAULT_POP3, type ImapSettings } from '../../extension/accounts.ts';
import type { SyncContext } from '../../extension/mail/sync-context.ts';
import { relayTransportFactory, type WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import type { TransportFactory } from '../../extension/relay/transport.ts';
import { type BiffDatabase, openBiffDb } from '../../extension/store/schema.ts';
import { type RunningRelay, startRelay } from '../relay/helpers.ts';
import { type DovecotOptions, type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { imapClient } from '../servers/imap-client.ts';
import { type MessageOptions, makeMailbox } from '../servers/messages.ts';

export const PASSWORD = 'correct horse battery staple';
const RELAY_TOKEN = 'imap-integration-test-token-0123456789';

let counter = 0;
/** A name no other test in this process uses. */
export function unique(prefix: string): string {
  return `${prefix}${process.pid}x${++counter}`;
}

/** A Dovecot and a relay for one test file. */
export class ImapWorld {
  private relayProc: RunningRelay;
  private readonly dbs: BiffDatabase[] = [];
  private readonly clients: ImapFlow[] = [];

  private constructor(
    readonly dovecot: DovecotServer,
    relay: RunningRelay,
  ) {
    this.relayProc = relay;
  }

  /**
   * Starts Dovecot with `users` accounts made up front: Dovecot re-reads its passwd-file at most
   * once a second, so a user added during a test can fail to log in for up to a second.
   */
  static async start(options: Omit<DovecotOptions, 'users'> & { users?: number } = {}): Promise<ImapWorld> {
    const names = Array.from({ length: options.users ?? 12 }, () => unique('u'));
    const dovecot = await startDovecot({
      ...options,
      users: names.map((user) => ({ user, pass: PASSWORD })),
    });
    const relay = await ImapWorld.spawnRelay(dovecot, 0);
    const world = new ImapWorld(dovecot, relay);
    world.pool.push(...names);
    return world;
  }

  private readonly pool: string[] = [];

  private static spawnRelay(dovecot: DovecotServer, port: number): Promise<RunningRelay> {
    return startRelay({
      token: RELAY_TOKEN,
      args: [
        '--port',
        String(port),
        ...[dovecot.ports.imap, dovecot.ports.imaps].flatMap((p) => ['--allow-port', String(p)]),
      ],
    });
  }

  get relay(): RunningRelay {
    return this.relayProc;
  }

  /** Opens connections through the relay, as the extension does, with `ws` as the WebSocket. */
  get open(): TransportFactory {
    return relayTransportFactory(
      { url: this.relayProc.url, token: RELAY_TOKEN },
      { WebSocket: WebSocket as unknown as WebSocketConstructor },
    );
  }

  /** Stops the relay (SIGTERM): every session through it drops. */
  async stopRelay(): Promise<void> {
    await this.relayProc.stop();
  }

  /** Starts a relay again on the same port (after stopRelay). */
  async restartRelay(): Promise<void> {
    this.relayProc = await ImapWorld.spawnRelay(this.dovecot, this.relayProc.port);
  }

  /** A Dovecot user with PASSWORD not used by any other test; its mailbox starts empty. */
  newUser(): string {
    const user = this.pool.shift();
    if (user === undefined) throw new Error('ImapWorld: no unused user left; start() with more users');
    return user;
  }

  /** An IMAP account for `user` over implicit TLS, trusting the test certificate by its pin. */
  account(user: string, imap: Partial<ImapSettings> = {}): Account {
    return {
      id: unique('acct-'),
      name: 'Test',
      color: '#3366cc',
      email: `${user}@biff.test`,
      protocol: 'imap',
      host: this.dovecot.host,
      port: this.dovecot.ports.imaps,
      security: 'implicit',
      username: user,
      pin: this.dovecot.fingerprint256,
      enabled: true,
      checkIntervalMinutes: 5,
      notify: true,
      imap: { ...DEFAULT_IMAP, ...imap },
      pop3: { ...DEFAULT_POP3 },
    };
  }

  /** A fresh database of its own. */
  async db(): Promise<BiffDatabase> {
    const db = await openBiffDb(unique('biff-test-'));
    this.dbs.push(db);
    return db;
  }

  /** A sync context for `account` on `db`. */
  ctx(db: BiffDatabase, account: Account, extra: Partial<SyncContext> = {}): SyncContext {
    return { db, account, password: PASSWORD, open: this.open, now: () => Date.now(), ...extra };
  }

  /** "Another client": imapflow straight to Dovecot, closed at stop(). */
  async other(user: string): Promise<ImapFlow> {
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

/** Appends `n` generated messages (small ones by default) to `folder` through `client`. */
export async function appendMessages(
  client: ImapFlow,
  folder: string,
  n: number,
  opts: MessageOptions & { seen?: boolean } = {},
): Promise<ReturnType<typeof makeMailbox>> {
  const messages = makeMailbox(n, { size: 'small', ...opts });
  for (const m of messages) await client.append(folder, m.raw, opts.seen ? ['\\Seen'] : [], m.date);
  return messages;
}

/**
 * `n` minimal messages (distinct subject and Message-ID each), for tests that need many
 * messages but not realistic ones: they seed in a fraction of makeMailbox's time.
 */
export function bareMessages(n: number, prefix = 'Bare'): string[] {
  return Array.from(
    { length: n },
    (_, i) =>
      `From: Sender ${i} <s${i}@example.com>\r\nTo: tester@biff.test\r\nSubject: ${prefix} message ${i}\r\n` +
      `Date: Mon, 8 Jan 2024 08:00:00 +0000\r\nMessage-ID: <${prefix.toLowerCase()}${i}@example.com>\r\n\r\n` +
      `${prefix} message number ${i}.\r\n`,
  );
}

/** Resolves once `check` returns true, polling; rejects after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
