/**
 * The whole product in one test fixture: real Dovecot, the real relay (allowed to reach
 * Dovecot's high loopback ports), and the browser of this pass (`BIFF_BROWSER`: Chromium or
 * Firefox ESR, driver.ts) with the built extension. Tests drive the
 * extension through its own contract from an extension page (as the popup and options page
 * do) and through the UI itself.
 */
import type { Worker } from 'playwright';
import type { Account, Protocol } from '../../extension/accounts.ts';
import { DEFAULT_IMAP, DEFAULT_POP3 } from '../../extension/accounts.ts';
import type { AccountStatus, MessageName, Reply, Request, Response } from '../../extension/contract.ts';
import type { TlsMode } from '../../relay/protocol.ts';
import { type RunningRelay, startRelay } from '../relay/helpers.ts';
import { type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { type BrowserName, currentBrowser, type Driver, type UiPage } from './driver.ts';
import { type LaunchedExtension, type LaunchOptions, launchExtension } from './extension.ts';
import { type FirefoxOptions, launchFirefox } from './firefox.ts';

export const PASSWORD = 'Tr0ub4dor&3 horse';

let counter = 0;
/** A name no other test in this process uses. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 6)}`;
}

export class BrowserWorld {
  private caller: UiPage | null = null;

  private constructor(
    readonly dovecot: DovecotServer,
    public relay: RunningRelay,
    readonly driver: Driver,
    private readonly users: string[],
  ) {}

  /** The browser this world runs. */
  get browser(): BrowserName {
    return this.driver.browser;
  }

  /** Chromium's driver, with all of Playwright: for the tests that only run in Chromium. */
  get ext(): LaunchedExtension {
    if (this.driver.browser !== 'chromium') throw new Error('BrowserWorld.ext is Chromium only');
    return this.driver as LaunchedExtension;
  }

  /**
   * Starts Dovecot with `users` accounts, the relay and the browser (`browser`, or this pass's
   * `BIFF_BROWSER`), and pairs the extension through the contract unless `pair` is false (a
   * test that pairs on the options page).
   */
  static async start(
    options: {
      users?: number;
      browser?: BrowserName;
      launch?: LaunchOptions;
      firefox?: FirefoxOptions;
      pair?: boolean;
    } = {},
  ): Promise<BrowserWorld> {
    const users = Array.from({ length: options.users ?? 6 }, () => unique('u'));
    const dovecot = await startDovecot({ users: users.map((user) => ({ user, pass: PASSWORD })) });
    const relay = await BrowserWorld.spawnRelay(dovecot, 0);
    const driver =
      (options.browser ?? currentBrowser()) === 'firefox'
        ? await launchFirefox(options.firefox)
        : await launchExtension(options.launch);
    const world = new BrowserWorld(dovecot, relay, driver, users);
    if (options.pair ?? true) await world.pair();
    return world;
  }

  private static spawnRelay(dovecot: DovecotServer, port: number): Promise<RunningRelay> {
    const ports = Object.values(dovecot.ports).flatMap((p) => ['--allow-port', String(p)]);
    return startRelay({ args: ['--port', String(port), ...ports] });
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
    const ports = Object.values(this.dovecot.ports).flatMap((p) => ['--allow-port', String(p)]);
    this.relay = await startRelay({
      configPath: this.relay.configPath ?? undefined,
      args: ['--port', String(this.relay.port), ...ports],
    });
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
  private async page(): Promise<UiPage> {
    this.caller ??= await this.driver.open('options.html');
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

  /** Chromium's service worker as it runs now (a contract message wakes a stopped one). */
  worker(): Promise<Worker> {
    return this.ext.liveWorker(() => this.call('popupOpened', {}));
  }

  /** The toolbar badge text, read in the background. */
  badgeText(): Promise<string> {
    return this.driver.inBackground((s) => s.chrome.action.getBadgeText({}));
  }

  /** The toolbar button's tooltip, read in the background. */
  badgeTitle(): Promise<string> {
    return this.driver.inBackground((s) => s.chrome.action.getTitle({}));
  }

  /**
   * Fires the account's check alarm now, as the browser does when its time comes: the
   * background's alarm listener runs the check (`check:<accountId>`, see background/index.ts).
   */
  async fireCheckAlarm(accountId: string): Promise<void> {
    await this.driver.inBackground(
      (s, name) => s.chrome.alarms.create(name, { when: Date.now() }),
      `check:${accountId}`,
    );
  }

  /** Ids of the notifications Biff is showing. */
  notificationIds(): Promise<string[]> {
    return this.driver.inBackground(async (s) => Object.keys(await s.chrome.notifications.getAll()));
  }

  /** Closes every notification Biff is showing. */
  async clearNotifications(): Promise<void> {
    await this.driver.inBackground(async (s) => {
      for (const id of Object.keys(await s.chrome.notifications.getAll()))
        await s.chrome.notifications.clear(id);
    });
  }

  /**
   * The engine's status of every account, read in the background through its console handle
   * (`biff.ready`) — unlike `getStatus` it does not also open a relay connection to check it.
   */
  async engineStatus(): Promise<AccountStatus[]> {
    return (await this.driver.inBackground(
      async (s) => (await s.biff.ready).engine.status().accounts,
    )) as AccountStatus[];
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
    await this.driver.close();
    await this.relay.stop();
    await this.dovecot.stop();
  }
}
