/**
 * A POP3 session over one Transport (RFC 1939, with RFC 2449 CAPA/PIPELINING/RESP-CODES,
 * RFC 2595 STLS, RFC 5034 AUTH, RFC 3206 response codes). The session owns the transport,
 * the queue of commands and the timers; what goes on the wire comes from commands/, and what
 * comes back is read by reply-parser.ts.
 *
 * Commands are sent in call order and their replies matched in that order. With PIPELINING
 * advertised (after login) several are in flight at once, within a window; otherwise each
 * waits for the reply before it. Login and STLS run alone: calls made meanwhile wait.
 *
 * Any failure that leaves the reply stream out of step (connection closed, timeout, protocol
 * error, a message over its cap mid-transfer) rejects every pending command and closes the
 * session for good; -ERR replies only fail their own command.
 */

import { concatBytes } from '../../bytes.ts';
import type { CloseReason, TlsInfo, Transport } from '../../relay/transport.ts';
import {
  type OAuthMechanism,
  parseOAuthChallenge,
  pickOAuthMechanism,
  type SaslServer,
} from '../oauth/sasl.ts';
import { printable } from './bytes.ts';
import type { Capabilities } from './capabilities.ts';
import { type Command, interpret, type TimeoutKind } from './commands/command.ts';
import { COMMANDS } from './commands/index.ts';
import { type SaslExchange, type SaslStep, saslCancel } from './commands/sasl.ts';
import { NO_UIDL } from './commands/uidl.ts';
import { errorFromReply, Pop3Error } from './errors.ts';
import { type Greeting, greeting } from './greeting.ts';
import type { ListEntry, MaildropStat, UidlEntry } from './listing.ts';
import { type Reply, ReplyParser } from './reply-parser.ts';
import { realTimers, type TimerHandle, type Timers } from './timers.ts';

/** Wait for the greeting. Servers that look up the client's name in DNS greet late. */
export const GREETING_TIMEOUT_MS = 30_000;
/** Wait for the reply to an ordinary command. */
export const COMMAND_TIMEOUT_MS = 30_000;
/**
 * Wait for the reply to USER, PASS, APOP, AUTH: servers delay failed logins on purpose
 * (Dovecot's auth_failure_delay, up to 15 s elsewhere) and may ask slow backends (LDAP).
 */
export const AUTH_TIMEOUT_MS = 60_000;
/**
 * Wait for progress of a multi-line reply (RETR, TOP, UIDL, LIST): the timer restarts with
 * every chunk received, so a large message on a slow link never times out while it moves.
 */
export const TRANSFER_IDLE_TIMEOUT_MS = 60_000;
/** Wait for QUIT's reply: removing the deleted messages can mean rewriting a large mbox. */
export const QUIT_TIMEOUT_MS = 120_000;
/** Wait for the TLS handshake after STLS. */
export const TLS_TIMEOUT_MS = 30_000;

/**
 * Most commands in flight with PIPELINING: enough to hide the round trips of a batch of
 * RETR or DELE, few enough that the replies waiting to be consumed stay bounded. It bounds
 * the bytes in flight too: 16 commands of at most 255 octets (RFC 2449 §4) are 4 KiB, far
 * below any server's receive buffer, so our commands can never fill it while the server is
 * blocked writing replies to us (the deadlock RFC 2449 §6.6 warns of).
 */
export const PIPELINE_MAX_COMMANDS = 16;

/**
 * Default cap of one message (retr, top, retrMany): the message is held whole in the service
 * worker's memory and then stored, so a runaway one must stop somewhere. Most providers
 * refuse mail over 25–50 MB; 100 MiB leaves room for their base64 overhead.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 100 * 1024 * 1024;

/** Reply timeouts in milliseconds, by kind of command. */
export type Pop3Timeouts = Record<TimeoutKind | 'tls', number>;

/** The default timeouts: the constants above. */
export const DEFAULT_TIMEOUTS: Readonly<Pop3Timeouts> = {
  greeting: GREETING_TIMEOUT_MS,
  command: COMMAND_TIMEOUT_MS,
  auth: AUTH_TIMEOUT_MS,
  transfer: TRANSFER_IDLE_TIMEOUT_MS,
  quit: QUIT_TIMEOUT_MS,
  tls: TLS_TIMEOUT_MS,
};

/** Options of a session; every limit is validated, not silently defaulted. */
export interface Pop3SessionOptions {
  /** Timer functions; tests pass FakeTimers. */
  timers?: Timers;
  /** Overrides of the timeouts (ms, positive). */
  timeouts?: Partial<Pop3Timeouts>;
  /** Cap of one message, when a call gives none (bytes, positive integer). */
  maxMessageBytes?: number;
}

/** How to log in. */
export interface Pop3Credentials {
  user: string;
  pass: string;
  /**
   * `auto` (default): AUTH PLAIN if CAPA lists SASL PLAIN, else USER/PASS. `user`, `plain`
   * and `apop` force one. APOP needs the greeting's timestamp.
   */
  mechanism?: 'auto' | 'user' | 'plain' | 'apop';
  /**
   * Lets USER/PASS and AUTH PLAIN send the password on a connection without TLS. Off by
   * default: the caller must choose to. (APOP never sends the password, so it needs no leave.)
   */
  allowPlaintext?: boolean;
}

/** How to log in with an OAuth access token instead of a password. */
export interface Pop3TokenCredentials {
  user: string;
  accessToken: string;
  /** `auto` (default): OAUTHBEARER if CAPA lists it, else XOAUTH2. */
  mechanism?: 'auto' | OAuthMechanism;
  /** Named in OAUTHBEARER's payload (RFC 7628 §3.1), when known. */
  server?: SaslServer;
  /** As for passwords: a bearer token is as good as one, so no sending it in clear unless chosen. */
  allowPlaintext?: boolean;
}

/** Options of a message fetch. */
export interface FetchOptions {
  /** Cap of this message (bytes, positive integer); the session's maxMessageBytes otherwise. */
  maxBytes?: number;
}

/** The POP3 state (RFC 1939 §3), with `closed` once the session can send nothing more. */
export type Pop3State = 'authorization' | 'transaction' | 'closed';

/** A command waiting to be sent or for its reply. */
interface Entry {
  readonly command: Command<unknown>;
  settle(reply: Reply): void;
  reject(error: Pop3Error): void;
}

/** Lets pipeline() take back commands it queued and that are not sent yet. */
interface Ticket {
  withdrawn: boolean;
  entry: Entry | null;
}

const MECHANISMS: ReadonlyArray<Pop3Credentials['mechanism']> = ['auto', 'user', 'plain', 'apop'];

function validPositiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function toPop3Error(err: unknown): Pop3Error {
  return err instanceof Pop3Error ? err : new Pop3Error('protocol', String(err), { cause: err });
}

/** A POP3 client session over a Transport. Create with `Pop3Session.open()`. */
export class Pop3Session {
  private readonly transport: Transport;
  private readonly timers: Timers;
  private readonly timeouts: Pop3Timeouts;
  private readonly maxMessageBytes: number;
  private readonly parser: ReplyParser;

  /** Commands not yet sent, in call order. */
  private readonly waiting: Entry[] = [];
  /** Commands sent, in the order their replies will come. */
  private readonly inFlight: Entry[] = [];
  /**
   * Command bytes transmitted in this turn of the event loop, written together in one
   * transport write at its end: in the service worker each write is a WebSocket message of its
   * own, ~0.4 ms apiece, one per RETR of a download (BENCHMARKS.md, pop3-download).
   */
  private unsent: Entry[] = [];
  private timer: TimerHandle | null = null;
  /** Set once the session is closed, with why. */
  private failure: Pop3Error | null = null;
  /** undefined: not asked yet; null: the server has no CAPA. */
  private caps: Capabilities | null | undefined = undefined;
  private authenticated = false;
  /** Login or STLS in progress: other calls wait for it. */
  private exclusiveOperation: Promise<void> | null = null;
  private idleWaiters: Array<() => void> = [];
  /** Message sizes from LIST, to refuse a RETR over its cap before sending it, and to size its buffer. */
  private readonly sizes = new Map<number, number>();
  private greetingInfo: Greeting = { text: '', apopTimestamp: null };

  private constructor(transport: Transport, options: Pop3SessionOptions) {
    this.transport = transport;
    this.timers = options.timers ?? realTimers;
    this.timeouts = { ...DEFAULT_TIMEOUTS };
    for (const [kind, ms] of Object.entries(options.timeouts ?? {})) {
      if (!(kind in DEFAULT_TIMEOUTS)) throw new RangeError(`unknown timeout ${kind}`);
      if (ms !== undefined) {
        this.timeouts[kind as keyof Pop3Timeouts] = validPositiveInteger(ms, `timeouts.${kind}`);
      }
    }
    this.maxMessageBytes = validPositiveInteger(
      options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      'maxMessageBytes',
    );
    this.parser = new ReplyParser((reply) => this.handleReply(reply));
  }

  /**
   * Starts a session on a freshly opened transport, which it then owns: reads the greeting.
   * Rejects, and closes the transport, on an -ERR greeting, a timeout, a reply that isn't
   * POP3, or invalid options (RangeError).
   */
  static async open(transport: Transport, options: Pop3SessionOptions = {}): Promise<Pop3Session> {
    let session: Pop3Session;
    try {
      session = new Pop3Session(transport, options);
    } catch (err) {
      transport.close();
      throw err;
    }
    // The parser must expect the greeting before the transport hands over bytes: it delivers
    // those that came early as soon as onData is set.
    const greetingRead = session.enqueue(greeting());
    transport.onClose((reason) => session.handleClose(reason));
    transport.onData((chunk) => session.handleData(chunk));
    try {
      session.greetingInfo = await greetingRead;
    } catch (err) {
      session.fail(toPop3Error(err));
      throw err;
    }
    return session;
  }

  /** The greeting's text and APOP timestamp. */
  get greeting(): Readonly<Greeting> {
    return this.greetingInfo;
  }

  /** The server's capabilities from the last CAPA; null before one, or if it has no CAPA. */
  get capabilities(): Capabilities | null {
    return this.caps ?? null;
  }

  /** TLS state of the connection, null while in clear. */
  get tls(): TlsInfo | null {
    return this.transport.tls;
  }

  /** Whether the connection is encrypted (implicit TLS or after STLS). */
  get secure(): boolean {
    return this.transport.tls !== null;
  }

  /** Where the session is: before login, after it, or closed for good. */
  get state(): Pop3State {
    if (this.failure) return 'closed';
    return this.authenticated ? 'transaction' : 'authorization';
  }

  /** Asks CAPA again and returns the capabilities, or null when the server has no CAPA. */
  capa(): Promise<Capabilities | null> {
    return this.alone(() => this.refreshCapabilities());
  }

  /**
   * Switches to TLS (RFC 2595 §4): STLS, then the transport's handshake, then CAPA again since
   * what was learnt in clear can't be trusted. `tls_required` if CAPA lacks STLS (nothing is
   * sent); `stls_failed` on -ERR (still usable, in clear) or a failed handshake (closed).
   */
  stls(): Promise<TlsInfo> {
    return this.alone(async () => {
      if (this.secure) throw new TypeError('the connection is already secure');
      if (this.authenticated) throw new TypeError('STLS is only allowed before login (RFC 2595 §4)');
      const caps = await this.knownCapabilities();
      if (caps && !caps.stls) throw new Pop3Error('tls_required', 'server does not offer STLS');
      await this.enqueue(COMMANDS.stls());
      // Bytes that came after the +OK, before TLS, were refused by the parser as data nobody
      // asked for (a STARTTLS injection, CVE-2011-0411): then the session is closed by now.
      if (this.failure) throw this.failure;
      let info: TlsInfo;
      try {
        info = await this.withTimeout(this.transport.startTls(), this.timeouts.tls, 'TLS handshake');
      } catch (err) {
        const error =
          err instanceof Pop3Error
            ? err
            : new Pop3Error(
                'stls_failed',
                `TLS handshake after STLS failed: ${err instanceof Error ? err.message : String(err)}`,
                { command: 'STLS', cause: err },
              );
        this.fail(error);
        throw error;
      }
      this.caps = undefined;
      await this.refreshCapabilities();
      return info;
    });
  }

  /**
   * Logs in (RFC 1939 §7, RFC 5034), then asks CAPA again if the server has it, since
   * capabilities may change after login (RFC 2449 §5). Failures: `tls_required` (password
   * would go in clear; nothing sent), `auth_failed`, `in_use`, `login_delay`, `temporary`,
   * `permanent`, `unsupported` (APOP without a timestamp). The session stays usable after an
   * -ERR, for another attempt.
   */
  login(credentials: Pop3Credentials): Promise<void> {
    const mechanism = credentials.mechanism ?? 'auto';
    if (!MECHANISMS.includes(mechanism)) throw new TypeError(`unknown login mechanism ${String(mechanism)}`);
    return this.alone(async () => {
      if (this.authenticated) throw new TypeError('already logged in');
      if (mechanism === 'apop') {
        const timestamp = this.greetingInfo.apopTimestamp;
        if (!timestamp)
          throw new Pop3Error('unsupported', 'server unsupported: no APOP timestamp in greeting');
        await this.enqueue(COMMANDS.apop(credentials.user, credentials.pass, timestamp));
      } else {
        if (!this.secure && credentials.allowPlaintext !== true) {
          throw new Pop3Error('tls_required', 'refusing to send the password on a connection without TLS');
        }
        const caps = mechanism === 'auto' ? await this.knownCapabilities() : null;
        if (mechanism === 'plain' || (mechanism === 'auto' && caps?.sasl.includes('PLAIN'))) {
          await this.saslPlain(COMMANDS.authPlain(credentials.user, credentials.pass));
        } else {
          await this.enqueue(COMMANDS.user(credentials.user));
          await this.enqueue(COMMANDS.pass(credentials.pass));
        }
      }
      this.authenticated = true;
      if (this.caps !== null) await this.refreshCapabilities();
    });
  }

  /**
   * Logs in with an OAuth access token (AUTH OAUTHBEARER or XOAUTH2, RFC 7628 over RFC 5034),
   * then asks CAPA again like login(). A refused token is `auth_failed`, its message naming the
   * status of the server's error challenge (`invalid_token`, `401`, …); the challenge is
   * answered at once, so the -ERR comes without waiting for a timeout. `unsupported` when CAPA
   * lists neither mechanism; `tls_required` as for passwords. The session stays usable after a
   * refusal, for another attempt with a fresh token.
   */
  loginWithToken(credentials: Pop3TokenCredentials): Promise<void> {
    return this.alone(async () => {
      if (this.authenticated) throw new TypeError('already logged in');
      if (!this.secure && credentials.allowPlaintext !== true) {
        throw new Pop3Error('tls_required', 'refusing to send the access token on a connection without TLS');
      }
      let mechanism = credentials.mechanism ?? 'auto';
      if (mechanism === 'auto') {
        const caps = await this.knownCapabilities();
        // A server without CAPA may still know XOAUTH2 (the older, more widespread one): its -ERR says.
        const picked = caps ? pickOAuthMechanism(caps.sasl) : 'XOAUTH2';
        if (!picked) throw new Pop3Error('unsupported', 'server unsupported: no SASL XOAUTH2 or OAUTHBEARER');
        mechanism = picked;
      }
      await this.saslOAuth(
        mechanism,
        COMMANDS.authOAuth(mechanism, credentials.user, credentials.accessToken, credentials.server),
      );
      this.authenticated = true;
      if (this.caps !== null) await this.refreshCapabilities();
    });
  }

  /** STAT: messages not marked deleted, and their total size. */
  stat(): Promise<MaildropStat> {
    return this.send(COMMANDS.stat());
  }

  /**
   * UIDL: unique-ids of all messages (or of message `n`), in the server's order.
   * `unsupported` ("server unsupported: no UIDL") when CAPA lacks UIDL (nothing is sent) or
   * the server answers -ERR to UIDL without argument.
   */
  async uidl(n?: number): Promise<UidlEntry[]> {
    if (this.caps && !this.caps.uidl) throw new Pop3Error('unsupported', NO_UIDL, { command: 'UIDL' });
    return this.send(COMMANDS.uidl(n));
  }

  /** LIST: sizes of all messages (or of message `n`). Remembered to check retr caps and size retr buffers. */
  async list(n?: number): Promise<ListEntry[]> {
    const entries = await this.send(COMMANDS.list(n));
    for (const entry of entries) this.sizes.set(entry.n, entry.size);
    return entries;
  }

  /**
   * RETR: message `n` as sent (dot-unstuffed, CRLF line ends). Over the cap: `too_large`,
   * before sending when LIST gave its size (session usable), else mid-transfer (session closed).
   */
  async retr(n: number, options: FetchOptions = {}): Promise<Uint8Array> {
    const maxBytes = this.capOf(options);
    this.checkKnownSize(n, maxBytes);
    return this.send(COMMANDS.retr(n, maxBytes, this.sizes.get(n)));
  }

  /** TOP: the header and the first `lines` lines of message `n`'s body; capped like retr. */
  async top(n: number, lines: number, options: FetchOptions = {}): Promise<Uint8Array> {
    const maxBytes = this.capOf(options);
    if (this.caps && !this.caps.top)
      throw new Pop3Error('unsupported', 'server unsupported: no TOP', { command: 'TOP' });
    return this.send(COMMANDS.top(n, lines, maxBytes));
  }

  /**
   * RETR of several messages, pipelined when the server allows; `onMessage` gets each in the
   * order of `ns` and is awaited before the next (the window bounds how many wait meanwhile).
   * All known sizes are checked against the cap before anything is sent. Rejects with the
   * first failure; replies to RETRs already sent are still read, so the session stays in step.
   */
  async retrMany(
    ns: readonly number[],
    onMessage: (n: number, message: Uint8Array) => void | Promise<void>,
    options: FetchOptions = {},
  ): Promise<void> {
    const maxBytes = this.capOf(options);
    for (const n of ns) this.checkKnownSize(n, maxBytes);
    let index = 0;
    for await (const message of this.pipeline(ns.map((n) => COMMANDS.retr(n, maxBytes, this.sizes.get(n))))) {
      await onMessage(ns[index++]!, message);
    }
  }

  /** DELE: marks message `n` deleted; it is removed only if quit() then resolves. */
  dele(n: number): Promise<void> {
    return this.send(COMMANDS.dele(n));
  }

  /** DELE of several messages, pipelined when the server allows. */
  async deleMany(ns: readonly number[]): Promise<void> {
    for await (const _ of this.pipeline(ns.map((n) => COMMANDS.dele(n)))) {
      // Each DELE's +OK is all there is.
    }
  }

  /** RSET: unmarks every message marked deleted. */
  rset(): Promise<void> {
    return this.send(COMMANDS.rset());
  }

  /** NOOP: checks the connection and keeps it alive. */
  noop(): Promise<void> {
    return this.send(COMMANDS.noop());
  }

  /**
   * QUIT, then closes the transport. Resolving is the server's word that the messages marked
   * deleted are gone (RFC 1939 §6); a rejection (`rejected`, `closed`, `timeout`) means they
   * may not be, and the next session will see them again.
   */
  async quit(): Promise<void> {
    try {
      await this.send(COMMANDS.quit());
    } finally {
      this.fail(new Pop3Error('closed', 'session ended with QUIT'));
    }
  }

  /**
   * Closes the connection without QUIT: pending commands reject with `closed`, and messages
   * marked deleted stay on the server (RFC 1939 §6). Idempotent.
   */
  close(): void {
    this.fail(new Pop3Error('closed', 'session closed by the client'));
  }

  /**
   * Sends commands, pipelined when the server allows, and yields their results in order.
   * At most PIPELINE_MAX_COMMANDS are queued ahead of the consumer, so a slow consumer holds
   * up sending rather than piling up replies. On a failure, or when the consumer stops early,
   * the commands not sent yet are withdrawn; replies to those already sent are still read, so
   * the session stays in step. The commands are sent as given: checks that session methods
   * make first (UIDL/TOP support, known sizes) are the caller's.
   */
  async *pipeline<T>(commands: Iterable<Command<T>>): AsyncGenerator<T, void, undefined> {
    const source = commands[Symbol.iterator]();
    const ahead: Array<{ result: Promise<T>; ticket: Ticket }> = [];
    const fill = (): void => {
      // Refilled by halves, so the commands go out several to a write (see `unsent`) while
      // the other half keeps the server busy.
      if (ahead.length > PIPELINE_MAX_COMMANDS / 2) return;
      while (ahead.length < PIPELINE_MAX_COMMANDS) {
        const next = source.next();
        if (next.done) return;
        const ticket: Ticket = { withdrawn: false, entry: null };
        const result = this.send(next.value, ticket);
        // Handled here so an abandoned or failed batch leaves no unhandled rejection;
        // the error still reaches the consumer through the await below.
        result.catch(() => {});
        ahead.push({ result, ticket });
      }
    };
    try {
      fill();
      for (let item = ahead.shift(); item; item = ahead.shift()) {
        const value = await item.result;
        fill();
        yield value;
      }
    } finally {
      for (const { ticket } of ahead) this.withdraw(ticket);
    }
  }

  // ---- Command queue ------------------------------------------------------------------

  /** Queues a command after any login/STLS in progress. */
  private async send<T>(command: Command<T>, ticket?: Ticket): Promise<T> {
    while (this.exclusiveOperation) await this.exclusiveOperation;
    if (ticket?.withdrawn) throw new Pop3Error('closed', `${command.verb} withdrawn before it was sent`);
    return this.enqueue(command, ticket);
  }

  /** Takes a queued command back if it has not been sent; it rejects with `closed`. */
  private withdraw(ticket: Ticket): void {
    ticket.withdrawn = true;
    const entry = ticket.entry;
    const index = entry ? this.waiting.indexOf(entry) : -1;
    if (!entry || index < 0) return;
    this.waiting.splice(index, 1);
    entry.reject(new Pop3Error('closed', `${entry.command.verb} withdrawn before it was sent`));
    this.notifyIdle();
  }

  /**
   * Runs a multi-step operation (login, STLS, CAPA) with nothing else on the wire: it starts
   * once what was queued before it is done, and what is queued meanwhile waits for it.
   */
  private async alone<T>(operation: () => Promise<T>): Promise<T> {
    while (this.exclusiveOperation) await this.exclusiveOperation;
    let release = (): void => {};
    this.exclusiveOperation = new Promise((resolve) => {
      release = resolve;
    });
    try {
      await this.whenIdle();
      this.throwIfClosed();
      return await operation();
    } finally {
      this.exclusiveOperation = null;
      release();
    }
  }

  /** Queues a command now and returns its result. */
  private enqueue<T>(command: Command<T>, ticket?: Ticket): Promise<T> {
    if (this.failure) return Promise.reject(this.closedError());
    return new Promise<T>((resolve, reject) => {
      const entry: Entry = {
        command,
        settle: (reply) => {
          try {
            resolve(interpret(command, reply));
          } catch (err) {
            reject(toPop3Error(err));
          }
        },
        reject,
      };
      if (ticket) ticket.entry = entry;
      this.waiting.push(entry);
      this.pump();
    });
  }

  /** Whether commands may be in flight together: PIPELINING advertised, after login. */
  private get pipelining(): boolean {
    return this.authenticated && this.caps?.pipelining === true;
  }

  /** Sends what the window allows. */
  private pump(): void {
    while (!this.failure) {
      const next = this.waiting[0];
      if (!next) return;
      if (this.inFlight.length > 0) {
        if (!this.pipelining || next.command.exclusive || this.inFlight[0]!.command.exclusive) return;
        if (this.inFlight.length >= PIPELINE_MAX_COMMANDS) return;
      }
      this.waiting.shift();
      this.transmit(next);
    }
  }

  private transmit(entry: Entry): void {
    // The parser must know what to expect before any byte of the reply can arrive.
    this.parser.expect(entry.command.expect);
    this.inFlight.push(entry);
    if (this.inFlight.length === 1) this.armTimer();
    if (entry.command.bytes.length === 0) return;
    this.unsent.push(entry);
    if (this.unsent.length === 1) queueMicrotask(() => this.writeUnsent());
  }

  /** Writes the commands transmitted since the last write, in their order, as one write. */
  private writeUnsent(): void {
    const entries = this.unsent;
    this.unsent = [];
    if (this.failure || entries.length === 0) return;
    const bytes =
      entries.length === 1 ? entries[0]!.command.bytes : concatBytes(entries.map((e) => e.command.bytes));
    this.transport.write(bytes).catch((err: unknown) => {
      const verb = entries[0]!.command.verb;
      this.fail(
        new Pop3Error('closed', `sending ${verb} failed: ${String(err)}`, { command: verb, cause: err }),
      );
    });
  }

  private handleData(chunk: Uint8Array): void {
    if (this.failure) return;
    try {
      this.parser.push(chunk);
    } catch (err) {
      this.fail(toPop3Error(err));
      return;
    }
    // Any progress restarts the wait for the command at the head.
    this.armTimer();
  }

  private handleReply(reply: Reply): void {
    const entry = this.inFlight.shift();
    if (!entry || this.failure) return;
    entry.settle(reply);
    this.armTimer();
    this.pump();
    this.notifyIdle();
  }

  private handleClose(reason: CloseReason): void {
    if (this.failure) return;
    const pending = this.inFlight[0] ?? this.waiting[0];
    const what = pending
      ? `connection closed while waiting for the ${pending.command.verb} reply`
      : 'connection closed';
    this.fail(
      new Pop3Error('closed', reason ? `${what}: ${reason.message}` : what, {
        ...(pending ? { command: pending.command.verb } : {}),
        ...(reason ? { cause: reason } : {}),
      }),
    );
  }

  /**
   * Closes the session for good: the command being answered gets `error`, every other pending
   * one `closed` (caused by it), and the transport is closed. Idempotent.
   */
  private fail(error: Pop3Error): void {
    if (this.failure) return;
    this.failure = error;
    this.clearTimer();
    const pending = [...this.inFlight, ...this.waiting];
    this.inFlight.length = 0;
    this.waiting.length = 0;
    pending.forEach((entry, index) => {
      if (index === 0 || error.code === 'closed') {
        entry.reject(error);
      } else {
        entry.reject(
          new Pop3Error('closed', `${entry.command.verb} not completed: ${error.message}`, {
            command: entry.command.verb,
            cause: error,
          }),
        );
      }
    });
    this.transport.close();
    this.notifyIdle();
  }

  private closedError(): Pop3Error {
    const failure = this.failure!;
    return new Pop3Error('closed', `session is closed: ${failure.message}`, { cause: failure });
  }

  private throwIfClosed(): void {
    if (this.failure) throw this.closedError();
  }

  private whenIdle(): Promise<void> {
    if (this.failure || (this.inFlight.length === 0 && this.waiting.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (!this.failure && (this.inFlight.length > 0 || this.waiting.length > 0)) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- Timers -------------------------------------------------------------------------

  /** (Re)starts the reply timer for the command at the head, or stops it when none. */
  private armTimer(): void {
    this.clearTimer();
    const head = this.inFlight[0];
    if (!head || this.failure) return;
    const ms = this.timeouts[head.command.timeout];
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.fail(
        new Pop3Error('timeout', `no reply to ${head.command.verb} within ${ms} ms`, {
          command: head.command.verb,
        }),
      );
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const handle = this.timers.setTimeout(() => {
        reject(new Pop3Error('timeout', `${what} did not finish within ${ms} ms`));
      }, ms);
      promise.then(
        (value) => {
          this.timers.clearTimeout(handle);
          resolve(value);
        },
        (err: unknown) => {
          this.timers.clearTimeout(handle);
          reject(err);
        },
      );
    });
  }

  // ---- Helpers ------------------------------------------------------------------------

  private async refreshCapabilities(): Promise<Capabilities | null> {
    this.caps = await this.enqueue(COMMANDS.capa());
    return this.caps;
  }

  /** The capabilities, asking CAPA first if it was never asked. */
  private async knownCapabilities(): Promise<Capabilities | null> {
    return this.caps === undefined ? this.refreshCapabilities() : this.caps;
  }

  private async saslPlain(exchange: SaslExchange): Promise<void> {
    let step: SaslStep = await this.enqueue(exchange.start);
    if (!step.done && exchange.response) step = await this.enqueue(exchange.response);
    if (!step.done) {
      // PLAIN has nothing more to say: cancel (RFC 5034 §4) so the session stays in step.
      await this.enqueue(saslCancel());
      throw new Pop3Error('protocol', 'unexpected SASL challenge during AUTH PLAIN', {
        command: 'AUTH PLAIN',
      });
    }
  }

  private async saslOAuth(mechanism: OAuthMechanism, exchange: SaslExchange): Promise<void> {
    const verb = `AUTH ${mechanism}`;
    let step: SaslStep = await this.enqueue(exchange.start);
    if (!step.done && exchange.response) step = await this.enqueue(exchange.response);
    if (step.done) return;
    // The error challenge (RFC 7628 §3.2.2): answer it, then the server says -ERR.
    const status = parseOAuthChallenge(step.challenge).status;
    const reply = await this.enqueue(COMMANDS.oauthAbort(mechanism));
    if (reply.ok) {
      // Logged in after saying the token was bad: nothing to trust, so start over.
      const error = new Pop3Error('protocol', `${verb}: +OK after an error challenge`, { command: verb });
      this.fail(error);
      throw error;
    }
    const failure = errorFromReply({ verb, failure: 'auth_failed' }, reply);
    throw new Pop3Error(
      failure.code,
      status ? `${failure.message} (token refused: ${printable(status)})` : failure.message,
      { command: verb, serverText: reply.text, ...(reply.code ? { respCode: reply.code } : {}) },
    );
  }

  private capOf(options: FetchOptions): number {
    return options.maxBytes === undefined
      ? this.maxMessageBytes
      : validPositiveInteger(options.maxBytes, 'maxBytes');
  }

  private checkKnownSize(n: number, maxBytes: number): void {
    const size = this.sizes.get(n);
    if (size !== undefined && size > maxBytes) {
      throw new Pop3Error('too_large', `message ${n} is ${size} bytes, over the ${maxBytes}-byte limit`, {
        command: 'RETR',
      });
    }
  }
}
