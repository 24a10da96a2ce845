/**
 * The whole product in one test fixture: the servers of test/support/server-world.ts (real
 * Dovecot, the real relay allowed to reach its high loopback ports) and Chromium with the built
 * extension. Tests drive the extension through its own contract from an extension page (as the
 * popup and options page do) and through the UI itself.
 */
import type { Page, Worker } from 'playwright';
import type { AccountStatus, MessageName, Reply, Request, Response } from '../../extension/contract.ts';
import { type Servers, ServerWorld, startServers } from '../support/server-world.ts';
import { type LaunchedExtension, type LaunchOptions, launchExtension } from './extension.ts';

/** What `engineStatus()` reads from the worker's console handle. */
interface EngineHandle {
  status(): { accounts: AccountStatus[] };
}

export class BrowserWorld extends ServerWorld {
  private caller: Page | null = null;

  /**
   * Starts Dovecot with `users` accounts, the relay and Chromium, and pairs the extension
   * through the contract unless `pair` is false (a test that pairs on the options page).
   */
  static async start(
    options: {
      users?: number;
      launch?: LaunchOptions;
      pair?: boolean;
      /** Upstream ports the relay may reach besides Dovecot's (a fault proxy in front of it). */
      extraPorts?: readonly number[];
    } = {},
  ): Promise<BrowserWorld> {
    const servers = await startServers({ users: options.users ?? 6, extraPorts: options.extraPorts });
    const world = new BrowserWorld(servers, await launchExtension(options.launch));
    if (options.pair ?? true) await world.pair();
    return world;
  }

  private constructor(
    servers: Servers,
    /** Replaced by `restartBrowser`. */
    public ext: LaunchedExtension,
  ) {
    super(servers);
  }

  /** Saves the relay URL and token in the extension, as the options page would. */
  async pair(): Promise<void> {
    const { settings } = await this.call('getSettings', {});
    await this.call('saveSettings', { settings: { ...settings, relay: this.endpoint } });
  }

  /**
   * Quits Chromium and starts it again on the same profile (LaunchedExtension.relaunch): what
   * Biff keeps on disk stays, what it held for the browser session does not.
   */
  async restartBrowser(): Promise<void> {
    this.caller = null;
    this.ext = await this.ext.relaunch();
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

  /**
   * Stops the extension's service worker as Chrome does when it is idle, and waits until Chrome
   * reports it stopped. (Playwright may list the stopped worker for a good while longer, so
   * after this only extension pages, never `worker()`, talk to the extension until one of them
   * woke a new worker.)
   */
  async stopWorker(): Promise<void> {
    const page = await this.ext.context.newPage();
    try {
      const cdp = await this.ext.context.newCDPSession(page);
      const origin = `chrome-extension://${this.ext.extensionId}/`;
      let state = '';
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        for (const v of versions) if (v.scriptURL.startsWith(origin)) state = v.runningStatus;
      });
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await this.until('the worker to stop', async () => (state === 'stopped' ? true : undefined));
      await cdp.detach();
    } finally {
      await page.close();
    }
  }

  /** The toolbar badge text, read in the service worker. */
  async badgeText(): Promise<string> {
    return (await this.worker()).evaluate(() => chrome.action.getBadgeText({}));
  }

  /** The toolbar button's tooltip, read in the service worker. */
  async badgeTitle(): Promise<string> {
    return (await this.worker()).evaluate(() => chrome.action.getTitle({}));
  }

  /** Everything in the extension's storage.local, as JSON (to check what is readable at rest). */
  async storedSettingsJson(): Promise<string> {
    return (await this.worker()).evaluate(async () => JSON.stringify(await chrome.storage.local.get(null)));
  }

  /** Everything in the extension's storage.session (kept in memory for the browser session), as JSON. */
  async sessionJson(): Promise<string> {
    return (await this.worker()).evaluate(async () => JSON.stringify(await chrome.storage.session.get(null)));
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
    ).catch((err: Error) => {
      throw new Error(`${err.message} (it shows "${last}")`);
    });
  }

  override async stop(): Promise<void> {
    await this.ext.close();
    await super.stop();
  }
}
