/**
 * The whole product in one test fixture: the servers of test/support/server-world.ts (real
 * Dovecot, the real relay allowed to reach its high loopback ports) and the browser of this pass
 * (`BIFF_BROWSER`: Chromium or Firefox ESR, through the neutral driver of driver.ts) with the
 * built extension. Tests drive the extension through its own contract from an extension page (as the
 * popup and options page do) and through the UI itself.
 */
import type { Worker } from 'playwright';
import type { AccountStatus, MessageName, Reply, Request, Response } from '../../extension/contract.ts';
import type { DovecotOptions } from '../servers/dovecot.ts';
import { type Servers, ServerWorld, startServers } from '../support/server-world.ts';
import { type BrowserName, currentBrowser, type Driver, type UiPage } from './driver.ts';
import { type LaunchedExtension, type LaunchOptions, launchExtension } from './extension.ts';
import { type FirefoxOptions, launchFirefox } from './firefox.ts';

export class BrowserWorld extends ServerWorld {
  private caller: UiPage | null = null;

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
      /** More Dovecot options (an OAuth issuer whose tokens it accepts). */
      dovecot?: Omit<DovecotOptions, 'users'>;
      /** Upstream ports the relay may reach besides Dovecot's (a fault proxy in front of it). */
      extraPorts?: readonly number[];
    } = {},
  ): Promise<BrowserWorld> {
    const servers = await startServers({
      ...options.dovecot,
      users: options.users ?? 6,
      extraPorts: options.extraPorts,
    });
    const driver =
      (options.browser ?? currentBrowser()) === 'firefox'
        ? await launchFirefox(options.firefox)
        : await launchExtension(options.launch);
    const world = new BrowserWorld(servers, driver);
    if (options.pair ?? true) await world.pair();
    return world;
  }

  private constructor(
    servers: Servers,
    /** Replaced by `restartBrowser`. */
    public driver: Driver,
  ) {
    super(servers);
  }

  /** The browser this world runs. */
  get browser(): BrowserName {
    return this.driver.browser;
  }

  /** Chromium's driver, with all of Playwright: for the tests that only run in Chromium. */
  get ext(): LaunchedExtension {
    if (this.driver.browser !== 'chromium') throw new Error('BrowserWorld.ext is Chromium only');
    return this.driver as LaunchedExtension;
  }

  /** Saves the relay URL and token in the extension, as the options page would. */
  async pair(): Promise<void> {
    const { settings } = await this.call('getSettings', {});
    await this.call('saveSettings', { settings: { ...settings, relay: this.endpoint } });
  }

  /**
   * Quits the browser and starts it again on the same profile (Driver.relaunch): what Biff
   * keeps on disk stays, what it held for the browser session does not.
   */
  async restartBrowser(): Promise<void> {
    this.caller = null;
    this.driver = await this.driver.relaunch();
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
      folder: string;
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

  /**
   * Stops the extension's background as the browser does when it is idle (Chromium's service
   * worker, Firefox's event page), and waits until the browser reports it stopped. (Playwright
   * may list a stopped worker for a good while longer, so after this only extension pages, never
   * `worker()`, talk to the extension until one of them woke a new worker.)
   */
  stopWorker(): Promise<void> {
    return this.driver.stopBackground();
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
   * Everything in the extension's storage.local, as JSON (to check what is readable at rest).
   */
  async storedSettingsJson(): Promise<string> {
    return this.driver.inBackground(async (s) => JSON.stringify(await s.chrome.storage.local.get(null)));
  }

  /** Everything in the extension's storage.session (kept in memory for the browser session), as JSON. */
  async sessionJson(): Promise<string> {
    return this.driver.inBackground(async (s) => JSON.stringify(await s.chrome.storage.session.get(null)));
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

  /** Polls until the toolbar badge shows `text`; the error says what it showed instead. */
  async badgeShows(text: string, timeoutMs = 60_000): Promise<void> {
    let last = '';
    await this.until(
      `the badge to show "${text}"`,
      async () => {
        last = await this.badgeText();
        return last === text ? true : undefined;
      },
      timeoutMs,
    ).catch(async (err: Error) => {
      // Which account's count differs says where to look.
      const counts = await this.engineStatus()
        .then((all) => all.map((s) => `${s.accountId} ${s.unread}`).join(', '))
        .catch(() => 'unknown');
      throw new Error(`${err.message} (it shows "${last}"; unread per account: ${counts})`);
    });
  }

  override async stop(): Promise<void> {
    await this.driver.close();
    await super.stop();
  }
}
