/**
 * The servers every test world stands on: a real Dovecot (IMAP and POP3 on the same maildirs)
 * with its users made up front, and the real relay as a child process allowed to reach all of
 * Dovecot's ports. One Dovecot and one relay per test file; one Dovecot user per test, so tests
 * never see each other's mail.
 *
 * On top: the engine in Node (test/integration/engine-world.ts, with the IMAP and POP3 specifics
 * in imap-helpers.ts and pop3-helpers.ts) and the extension in a browser (test/browser/world.ts).
 */
import type { ImapFlow } from 'imapflow';
import { type Account, DEFAULT_IMAP, DEFAULT_POP3, type Protocol } from '../../extension/accounts.ts';
import type { RelayEndpoint, TlsMode } from '../../extension/relay/transport.ts';
import { type RunningRelay, startRelay } from '../relay/helpers.ts';
import { type DovecotOptions, type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { imapClient } from '../servers/imap-client.ts';

/** Every Dovecot user's password in the test worlds. */
export const PASSWORD = 'Tr0ub4dor&3 horse';

let counter = 0;
/** A name no other test in this process uses. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/** How to start the servers of a world. */
export interface ServerWorldOptions extends Omit<DovecotOptions, 'users'> {
  /**
   * Dovecot users made up front (default 12): Dovecot re-reads its passwd-file at most once a
   * second, so a user added during a test can fail to log in for up to a second.
   */
  users?: number;
  /** More upstream ports the relay must allow (fake servers of a test file). */
  extraPorts?: readonly number[];
  /** Starts the relay with `--quiet` (no per-session log lines), for tests that never read its log. */
  quiet?: boolean;
}

/** A started Dovecot and relay, handed to a world's constructor. */
export interface Servers {
  dovecot: DovecotServer;
  relay: RunningRelay;
  users: string[];
  /** The relay's flags other than its port, to start it again alike. */
  relayArgs: string[];
}

/** Starts Dovecot with fresh users and a relay (token in a file of its own) that may reach it. */
export async function startServers(options: ServerWorldOptions = {}): Promise<Servers> {
  const { users: count = 12, extraPorts = [], quiet = false, ...dovecotOptions } = options;
  const users = Array.from({ length: count }, () => unique('u'));
  const dovecot = await startDovecot({
    ...dovecotOptions,
    users: users.map((user) => ({ user, pass: PASSWORD })),
  });
  const relayArgs = [
    ...(quiet ? ['--quiet'] : []),
    ...[...Object.values(dovecot.ports), ...extraPorts].flatMap((p) => ['--allow-port', String(p)]),
  ];
  const relay = await startRelay({ args: ['--port', '0', ...relayArgs] });
  return { dovecot, relay, users, relayArgs };
}

/** Dovecot and the relay of one test file, and what a test does with them directly. */
export class ServerWorld {
  readonly dovecot: DovecotServer;
  private relayProc: RunningRelay;
  private readonly relayArgs: readonly string[];
  private readonly pool: string[];
  private readonly clients: ImapFlow[] = [];

  protected constructor(servers: Servers) {
    this.dovecot = servers.dovecot;
    this.relayProc = servers.relay;
    this.relayArgs = servers.relayArgs;
    this.pool = [...servers.users];
  }

  get relay(): RunningRelay {
    return this.relayProc;
  }

  /** The relay as the extension is paired with it (URL and token). */
  get endpoint(): RelayEndpoint {
    return { url: this.relayProc.url, token: this.relayProc.token };
  }

  /** Stops the relay (SIGTERM by default; SIGKILL for "no goodbye"): every session through it drops. */
  async stopRelay(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await this.relayProc.stop(signal);
  }

  /**
   * Starts the relay again on the same port and with the same token file (after stopRelay);
   * does nothing while it runs.
   */
  async restartRelay(): Promise<void> {
    const { proc, port, configPath } = this.relayProc;
    if (proc.exitCode === null && proc.signalCode === null) return;
    this.relayProc = await startRelay({
      configPath: configPath ?? undefined,
      args: ['--port', String(port), ...this.relayArgs],
    });
  }

  /** A Dovecot user with PASSWORD that no other test uses; its mailbox starts empty. */
  newUser(): string {
    const user = this.pool.shift();
    if (user === undefined)
      throw new Error(`${this.constructor.name}: no unused user left; start more users`);
    return user;
  }

  /**
   * An account for `user`: implicit TLS by default (IMAPS, POP3S), STARTTLS/STLS or cleartext on
   * the plain port otherwise; Dovecot's self-signed certificate trusted by its pin.
   */
  accountFor(
    user: string,
    protocol: Protocol,
    security: TlsMode = 'implicit',
    extra: Partial<Account> = {},
  ): Account {
    const { imap, imaps, pop3, pop3s } = this.dovecot.ports;
    const implicit = security === 'implicit';
    return {
      id: unique('acct'),
      name: `${protocol.toUpperCase()} ${user}`,
      color: protocol === 'imap' ? '#2563eb' : '#16a34a',
      email: `${user}@biff.test`,
      protocol,
      host: this.dovecot.host,
      port: protocol === 'imap' ? (implicit ? imaps : imap) : implicit ? pop3s : pop3,
      security,
      username: user,
      pin: this.dovecot.fingerprint256,
      enabled: true,
      checkIntervalMinutes: 5,
      notify: true,
      imap: { ...DEFAULT_IMAP },
      pop3: { ...DEFAULT_POP3 },
      ...extra,
    };
  }

  /** "Another client": imapflow straight to Dovecot's IMAPS (not through the relay), closed at stop(). */
  async other(user: string): Promise<ImapFlow> {
    const client = await imapClient(this.dovecot, user, PASSWORD);
    client.on('error', () => {});
    this.clients.push(client);
    return client;
  }

  async stop(): Promise<void> {
    for (const client of this.clients) await client.logout().catch(() => client.close());
    await this.relayProc.stop();
    await this.dovecot.stop();
  }
}
