/**
 * The whole product in one test fixture: real Dovecot, the real relay (allowed to reach
 * Dovecot's high loopback ports), and Chromium with the built extension. Tests drive the
 * extension through its own contract from an extension page (as the popup and options page
 * do) and through the UI itself.
 */
import type { Page, Worker } from 'playwright';
import type { Account, Protocol } from '../../extension/accounts.ts';
import { DEFAULT_IMAP, DEFAULT_POP3 } from '../../extension/accounts.ts';
import type { AccountStatus, MessageName, Reply, Request, Response } from '../../extension/contract.ts';
import type { TlsMode } from '../../relay/protocol.ts';
import { type RunningRelay, startRelay } from '../relay/helpers.ts';
import { type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { type LaunchedExtension, type LaunchOptions, launchExtension } from './extension.ts';

export const PASSWORD = 'Tr0ub4dor&3 horse';

let counter = 0;
/** A name no other test in this process uses. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

/** What `engineStatus()` reads from the worker's console handle. */
interface EngineHandle {
  status(): { accounts: AccountStatus[] };
}

export class BrowserWorld {
  private caller: Page | null = null;

  private constructor(
    readonly dovecot: DovecotServer,
    public relay: RunningRelay,
    readonly ext: LaunchedExtension,
    private readonly users: string[],
    /** Upstream ports the relay may reach besides Dovecot's (a fault proxy in front of it). */
    private readonly relayPorts: readonly number[] = [],
  ) {}

  /**
   * Starts Dovecot with `users` accounts, the relay and Chromium, and pairs the extension
   * through the contract unless `pair` is false (a test that pairs on the options page).
   */
  static async start(
    options: { users?: number; launch?: LaunchOptions; pair?: boolean; relayPorts?: readonly number[] } = {},
  ): Promise<BrowserWorld> {
    const users = Array.from({ length: options.users ?? 6 }, () => unique('u'));
    const dovecot = await startDovecot({ users: users.map((user) => ({ user, pass: PASSWORD })) });
    const relayPorts = options.relayPorts ?? [];
    const relay = await BrowserWorld.spawnRelay(dovecot, 0, relayPorts);
    const ext = await launchExtension(options.launch);
    const world = new BrowserWorld(dovecot, relay, ext, users, relayPorts);
    if (options.pair ?? true) await world.pair();
    return world;
  }

  private static spawnRelay(
    dovecot: DovecotServer,
    port: number,
    extra: readonly number[],
    configPath?: string,
  ): Promise<RunningRelay> {
    const ports = [...Object.values(dovecot.ports), ...extra].flatMap((p) => ['--allow-port', String(p)]);
    return startRelay({ configPath, args: ['--port', String(port), ...ports] });
  }

  /** Saves the relay URL and token in the extension, as the options page would. */
  async pair(): Promise<void> {
    const { settings } = await this.call('getSettings', {});
    await this.call('saveSettings', {
      settings: { ...settings, relay: { url: this.relay.url, token: this.relay.token } },
    });
  }

  /** Stops the relay; sessions through it drop. */
  async stopRelay(): Promise<void> {
    await this.relay.stop();
  }

  /** Starts the relay again on the same port and with the same token file. */
  async restartRelay(): Promise<void> {
    this.relay = await BrowserWorld.spawnRelay(
      this.dovecot,
      this.relay.port,
      this.relayPorts,
      this.relay.configPath ?? undefined,
    );
  }

  /** A Dovecot user no other test uses. */
  newUser(): string {
    const user = this.users.shift();
    if (!user) throw new Error('BrowserWorld: no unused user left');
    return user;
  }

  /** An account for `user`, trusting Dovecot's self-signed certificate by its pin. */
  account(
    user: string,
    protocol: Protocol,
    security: TlsMode = 'implicit',
    extra: Partial<Account> = {},
  ): Account {
    const port =
      protocol === 'imap'
        ? security === 'implicit'
          ? this.dovecot.ports.imaps
          : this.dovecot.ports.imap
        : security === 'implicit'
          ? this.dovecot.ports.pop3s
          : this.dovecot.ports.pop3;
    return {
      id: unique('acct'),
      name: `${protocol.toUpperCase()} ${user}`,
      color: protocol === 'imap' ? '#2563eb' : '#16a34a',
      email: `${user}@biff.test`,
      protocol,
      host: '127.0.0.1',
      port,
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

  /** An extension page used to talk to the background. */
  private async page(): Promise<Page> {
    this.caller ??= await this.ext.openPage('options.html');
    return this.caller;
  }

  /** Sends one contract message to the background from an extension page; throws its error. */
  async call<K extends MessageName>(name: K, request: Request<K>): Promise<Response<K>> {
    const page = await this.page();
    const reply = (await page.evaluate(
      ([name, request]) => chrome.runtime.sendMessage({ biff: 1, name, request }),
      [name, request] as const,
    )) as Reply<K>;
    if (!reply.ok)
      throw Object.assign(new Error(`${name}: ${reply.code}: ${reply.message}`), { code: reply.code });
    return reply.response;
  }

  /** Every row of the `messages` store, read with the raw IndexedDB API from an extension page. */
  async storedMessages(): Promise<
    Array<{
      accountId: string;
      uid: number | string;
      subject: string;
      seen: boolean;
      deletedLocally: boolean;
      bodyState: string;
    }>
  > {
    const page = await this.page();
    return page.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open('biff');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const get = db.transaction('messages').objectStore('messages').getAll();
            get.onsuccess = () => {
              db.close();
              resolve(get.result);
            };
            get.onerror = () => reject(get.error);
          };
        }),
    );
  }

  /** Waits until the relay logged a line matching `pattern` (it logs a session when it ends). */
  async relayLogged(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.relay
        .logs()
        .split('\n')
        .find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`relay never logged ${pattern}:\n${this.relay.logs()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * The extension's service worker as it runs now. Chrome stops and restarts it at will (and
   * tests stop it on purpose), so the one seen at launch may be gone: a contract message wakes
   * a stopped worker, and the new one is waited for.
   */
  async worker(): Promise<Worker> {
    const origin = `chrome-extension://${this.ext.extensionId}/`;
    const live = () => this.ext.context.serviceWorkers().find((w) => w.url().startsWith(origin));
    const found = live();
    // Playwright notices a stopped worker only when it next talks to it: ask it something.
    if (found && (await found.evaluate(() => true).catch(() => false))) return found;
    const started = this.ext.context.waitForEvent('serviceworker', {
      predicate: (w) => w.url().startsWith(origin),
      timeout: 30_000,
    });
    await this.call('popupOpened', {}).catch(() => undefined);
    return live() ?? (await started);
  }

  /** The toolbar badge text, read in the service worker. */
  async badgeText(): Promise<string> {
    return (await this.worker()).evaluate(() => chrome.action.getBadgeText({}));
  }

  /**
   * Fires the account's check alarm now, as Chrome does when its time comes: the worker's
   * alarm listener runs the check (`check:<accountId>`, see background/index.ts).
   */
  async fireCheckAlarm(accountId: string): Promise<void> {
    await (await this.worker()).evaluate(
      (name) => chrome.alarms.create(name, { when: Date.now() }),
      `check:${accountId}`,
    );
  }

  /** Ids of the notifications Biff is showing. */
  async notificationIds(): Promise<string[]> {
    return (await this.worker()).evaluate(async () => Object.keys(await chrome.notifications.getAll()));
  }

  /** Closes every notification Biff is showing. */
  async clearNotifications(): Promise<void> {
    await (await this.worker()).evaluate(async () => {
      for (const id of Object.keys(await chrome.notifications.getAll())) await chrome.notifications.clear(id);
    });
  }

  /**
   * The engine's status of every account, read in the worker through its console handle
   * (`biff.ready`) — unlike `getStatus` it does not also open a relay connection to check it.
   */
  async engineStatus(): Promise<AccountStatus[]> {
    return (await this.worker()).evaluate(async () => {
      const handle = (globalThis as unknown as { biff: { ready: Promise<{ engine: EngineHandle }> } }).biff;
      return (await handle.ready).engine.status().accounts;
    });
  }

  /** Polls `probe` until it returns a value other than undefined, or throws `what` after `timeoutMs`. */
  async until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (err) {
        last = err;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async stop(): Promise<void> {
    await this.ext.close();
    await this.relay.stop();
    await this.dovecot.stop();
  }
}
