/**
 * Launches Debian's Chromium through Playwright with the built extension (dist/chrome) loaded,
 * headless, in a fresh profile. Playwright adds --disable-extensions unless both
 * --disable-extensions-except and --load-extension name the folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page, type Worker } from 'playwright';
import type { BackgroundScope, Driver, OpenPageOptions } from './driver.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const DIST_CHROME = resolve(import.meta.dirname, '../../dist/chrome');
/** Fixed by the manifest `key`. */
export const EXTENSION_ID = 'dbonihppoidfekehkoeogfoehelllkbp';

/** Flags that keep Chromium off the (closed) network and quiet in a container. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

/** Chromium's driver (driver.ts): its pages are Playwright's own. */
export interface LaunchedExtension extends Driver<Page> {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  /** The fresh profile folder (Chromium writes DevToolsActivePort there with --remote-debugging-port). */
  profile: string;
  /** Opens an extension page such as `popup.html`. */
  openPage(path: string): Promise<Page>;
  /** Driver.relaunch; the unpacked extension is loaded again from the same folder. */
  relaunch(): Promise<LaunchedExtension>;
  /**
   * The extension's service worker as it runs now. Chrome stops and restarts it at will (and
   * tests stop it on purpose), so the one seen at launch may be gone: `wake` (a contract
   * message) starts a stopped worker, and the new one is waited for.
   */
  liveWorker(wake: () => Promise<unknown>): Promise<Worker>;
  close(): Promise<void>;
}

/** How to launch; every field is optional. */
export interface LaunchOptions {
  headless?: boolean;
  /** The unpacked extension to load; default dist/chrome (the benchmark builds its own copy). */
  dist?: string;
  /** Extra Chromium flags, e.g. `--remote-debugging-port=0` for a raw CDP connection. */
  args?: readonly string[];
  /**
   * The profile folder (--user-data-dir) instead of a fresh temporary one, e.g. one whose
   * NativeMessagingHosts folder `biff-relay install` wrote. The caller removes it.
   */
  profile?: string;
  /** Biff already ran in `profile` (`relaunch`): not a fresh install, so no options tab opens. */
  installed?: boolean;
  /** Remove `profile` on close all the same (a relaunch on a temporary profile). */
  removeProfile?: boolean;
}

/** Starts Chromium with the extension and waits for its service worker. */
export async function launchExtension(options: LaunchOptions = {}): Promise<LaunchedExtension> {
  const dist = options.dist ?? DIST_CHROME;
  if (!existsSync(join(dist, 'manifest.json'))) {
    throw new Error(`${dist} is missing: run \`npm run build\` first`);
  }
  const profile = options.profile ?? mkdtempSync(join(tmpdir(), 'biff-chromium-'));
  const owned = !options.profile || options.removeProfile === true;
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: options.headless ?? true,
    args: [
      ...FLAGS,
      ...(options.args ?? []),
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const extensionId = new URL(worker.url()).host;
  // Only a fresh install opens the options page by itself.
  if (!options.installed) await closeInstallTab(context, extensionId);
  const origin = `chrome-extension://${extensionId}/`;
  const live = () => context.serviceWorkers().find((w) => w.url().startsWith(origin));
  let caller: Page | null = null;
  const ext: LaunchedExtension = {
    browser: 'chromium',
    origin,
    context,
    worker,
    extensionId,
    profile,
    async openPage(path: string) {
      const page = await context.newPage();
      await page.goto(`${origin}${path}`);
      return page;
    },
    async openWebPage(url: string) {
      const page = await context.newPage();
      await page.goto(url);
      return page;
    },
    async relaunch() {
      await context.close();
      // A temporary profile stays the handles' to remove, however often relaunched (the second
      // relaunch left it behind before).
      return launchExtension({ ...options, profile, installed: true, removeProfile: owned });
    },
    async open(path: string, options: OpenPageOptions = {}) {
      const page = await context.newPage();
      if (options.viewport) await page.setViewportSize(options.viewport);
      await page.emulateMedia({ colorScheme: options.colorScheme ?? 'light' });
      await page.goto(`${origin}${path}`);
      return page;
    },
    async liveWorker(wake) {
      const found = live();
      // Playwright notices a stopped worker only when it next talks to it: ask it something.
      if (found && (await found.evaluate(() => true).catch(() => false))) return found;
      const started = context.waitForEvent('serviceworker', {
        predicate: (w) => w.url().startsWith(origin),
        timeout: 30_000,
      });
      await wake().catch(() => undefined);
      return live() ?? (await started);
    },
    async inBackground<R, A>(fn: (scope: BackgroundScope, arg: A) => R | Promise<R>, arg?: A): Promise<R> {
      const wake = async () => {
        caller ??= await ext.openPage('options.html');
        await caller.evaluate(() =>
          chrome.runtime.sendMessage({ biff: 1, name: 'popupOpened', request: {} }),
        );
      };
      const w = await ext.liveWorker(wake);
      return w.evaluate(`(${fn.toString()})(globalThis, ${JSON.stringify(arg ?? null)})`) as Promise<R>;
    },
    async stopBackground() {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      const running: string[] = [];
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        for (const v of versions) if (v.scriptURL.endsWith('/background.js')) running.push(v.runningStatus);
      });
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      const deadline = Date.now() + 30_000;
      while (running.at(-1) !== 'stopped') {
        if (Date.now() > deadline) throw new Error('the service worker did not stop');
        await new Promise((r) => setTimeout(r, 100));
      }
      await cdp.detach();
      await page.close();
    },
    async backgroundRunning() {
      const found = live();
      return found !== undefined && (await found.evaluate(() => true).catch(() => false));
    },
    async browserWindow(urlPrefix: string, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = context.pages().find((p) => p.url().startsWith(urlPrefix));
        if (found) return found;
        if (Date.now() > deadline) return null;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async download(page, start) {
      const [download] = await Promise.all([page.waitForEvent('download'), start()]);
      const path = await download.path();
      return { name: download.suggestedFilename(), path };
    },
    async setOffline(offline: boolean) {
      await context.setOffline(offline);
    },
    async recordRequests() {
      const urls: string[] = [];
      const onRequest = (r: { url(): string }) => urls.push(r.url());
      context.on('request', onRequest);
      return {
        urls: async () => [...urls],
        stop: async () => {
          context.off('request', onRequest);
        },
      };
    },
    async close() {
      await context.close();
      if (owned) rmSync(profile, { recursive: true, force: true });
    },
  };
  return ext;
}

/**
 * A fresh profile is a fresh install, and with no accounts yet the worker opens the options page
 * by itself (background/index.ts). Waits for that tab and closes it, so a test's own navigation
 * to options.html never races it (Chrome would navigate the test's tab again: "navigation
 * interrupted by another navigation", seen in CI). It not opening is an error.
 */
async function closeInstallTab(context: BrowserContext, extensionId: string): Promise<void> {
  const url = `chrome-extension://${extensionId}/options.html`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const tab = context.pages().find((p) => p.url().startsWith(url));
    if (tab) {
      await tab.close();
      return;
    }
    if (Date.now() > deadline) throw new Error('the options page did not open on install');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
