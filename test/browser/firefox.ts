/**
 * Launches Debian's Firefox ESR through puppeteer-core over WebDriver BiDi with the built
 * extension (dist/firefox) installed, in a fresh profile, and implements the neutral driver
 * (driver.ts) on it. What Firefox needs, measured (issue 13):
 * 1. `MOZ_REMOTE_ALLOW_SYSTEM_ACCESS=1` in Firefox's environment: without it BiDi may neither
 *    navigate to moz-extension:// pages nor evaluate in the chrome (browser UI) context.
 * 2. Pages are navigated with a raw `browsingContext.navigate` waiting for "complete";
 *    puppeteer's page.goto never sees an extension page's load and times out.
 * 3. The add-on's UUID (its page origin) is random per profile unless the pref
 *    `extensions.webextensions.uuids` fixes it, as here.
 * 4. The background's state (an event page that Firefox unloads when idle) is read, and the
 *    background stopped, in the chrome context through `WebExtensionPolicy`.
 * Playwright cannot drive stock Firefox (its BiDi mode fails at launch) nor install add-ons.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import puppeteer, {
  type Browser,
  type ElementHandle,
  type Frame,
  type KeyInput,
  type Page,
} from 'puppeteer-core';
import type {
  BackgroundScope,
  Driver,
  OpenPageOptions,
  RequestLog,
  RoleOptions,
  UiDialog,
  UiFrameLocator,
  UiLocator,
  UiPage,
  WaitState,
} from './driver.ts';

export const FIREFOX = '/usr/bin/firefox-esr';
export const DIST_FIREFOX = resolve(import.meta.dirname, '../../dist/firefox');
/** The manifest's browser_specific_settings.gecko.id. */
export const ADDON_ID = 'biff@biff-notifier.org';
/** Fixed through `extensions.webextensions.uuids`, so the origin is known before launch. */
export const ADDON_UUID = '0e5a1f3c-7a9b-4f8e-9d2c-3b1a6c5d4e7f';
/** Playwright's default for waits and actions; the suites were written against it. */
const DEFAULT_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How to launch; every field is optional. */
export interface FirefoxOptions {
  headless?: boolean;
  dist?: string;
  /** Extra preferences, e.g. a shorter `extensions.background.idle.timeout`. */
  prefs?: Record<string, string | number | boolean>;
  /** The profile folder instead of a fresh temporary one. The caller removes it. */
  profile?: string;
  /** Biff already ran in `profile` (`relaunch`): not a fresh install, so no options tab opens. */
  installed?: boolean;
  /**
   * Variables Firefox gets besides this process's, e.g. a HOME whose ~/.mozilla/native-messaging-hosts
   * `biff-relay install` wrote.
   */
  env?: NodeJS.ProcessEnv;
  /** Remove `profile` on close all the same (a relaunch on a temporary profile). */
  removeProfile?: boolean;
}

/**
 * Starts Firefox ESR with the extension installed; closes the options tab it opens on install.
 * The add-on is installed for good, not as a temporary add-on (BiDi's `webExtension.install`,
 * which Firefox removes at its next start): a proxy file in the profile's `extensions` folder
 * names dist/firefox, so a relaunch on the same profile finds Biff still installed, as after a
 * person's restart. Unsigned, it needs `xpinstall.signatures.required` off (honoured by ESR),
 * and the profile scope must be neither disabled nor asked about (`autoDisableScopes` 0).
 */
export async function launchFirefox(options: FirefoxOptions = {}): Promise<FirefoxDriver> {
  const dist = options.dist ?? DIST_FIREFOX;
  if (!existsSync(join(dist, 'manifest.json'))) {
    throw new Error(`${dist} is missing: run \`npm run build\` first`);
  }
  const profile = options.profile ?? mkdtempSync(join(tmpdir(), 'biff-firefox-'));
  mkdirSync(join(profile, 'extensions'), { recursive: true });
  writeFileSync(join(profile, 'extensions', ADDON_ID), resolve(dist));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: options.headless ?? true,
    userDataDir: profile,
    env: { ...process.env, ...options.env, MOZ_REMOTE_ALLOW_SYSTEM_ACCESS: '1' },
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [ADDON_ID]: ADDON_UUID }),
      'xpinstall.signatures.required': false,
      'extensions.autoDisableScopes': 0,
      'extensions.enabledScopes': 15,
      // Notifications go to the (absent) desktop's daemon otherwise; Firefox's own alert
      // service keeps them inside the browser, where notifications.getAll() lists them.
      'alerts.useSystemBackend': false,
      // Downloads are saved without asking, into the profile (removed with it).
      'browser.download.folderList': 2,
      'browser.download.dir': join(profile, 'downloads'),
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      ...options.prefs,
    },
  });
  const owned = !options.profile || options.removeProfile === true;
  const removeProfile = () => {
    if (owned) rmSync(profile, { recursive: true, force: true });
  };
  try {
    const driver = new FirefoxDriver(browser, {
      relaunch: async () => {
        await browser.close();
        // A temporary profile stays the handles' to remove, however often relaunched.
        return launchFirefox({ ...options, profile, installed: true, removeProfile: owned });
      },
      close: removeProfile,
    });
    if (!options.installed) await driver.closeInstallTab();
    else await driver.waitForAddon();
    return driver;
  } catch (err) {
    await browser.close();
    removeProfile();
    throw err;
  }
}

interface BidiContext {
  context: string;
  url: string;
  children?: BidiContext[];
}

export class FirefoxDriver implements Driver<UiPage> {
  readonly browser = 'firefox' as const;
  readonly origin = `moz-extension://${ADDON_UUID}/`;
  private caller: FirefoxPage | null = null;
  private logs = 0;

  constructor(
    readonly puppeteer: Browser,
    /** Relaunching on the same profile, and what follows closing (the temporary profile's removal). */
    private readonly lifecycle: { relaunch(): Promise<FirefoxDriver>; close(): void },
  ) {}

  relaunch(): Promise<FirefoxDriver> {
    return this.lifecycle.relaunch();
  }

  /** Waits until Firefox has started the add-on (its policy is active), after a relaunch. */
  async waitForAddon(): Promise<void> {
    const deadline = Date.now() + 20_000;
    const probe = `WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)})?.active === true`;
    while (!(await this.privileged<boolean>(probe).catch(() => false))) {
      if (Date.now() > deadline) throw new Error('Biff is not installed after the relaunch');
      await sleep(POLL_MS);
    }
  }

  /** Evaluates `expression` (awaited) in one browsing context; JSON-like results only. */
  async evaluateIn<T>(context: string, expression: string): Promise<T> {
    const reply = await this.bidi<{
      type: string;
      result?: RemoteValue;
      exceptionDetails?: { text: string };
    }>('script.evaluate', { expression, target: { context }, awaitPromise: true, resultOwnership: 'none' });
    if (reply.type !== 'success') throw new Error(`evaluation failed: ${reply.exceptionDetails?.text}`);
    return fromRemote(reply.result) as T;
  }

  /** Sends one raw WebDriver BiDi command. */
  async bidi<T>(method: string, params: object): Promise<T> {
    const connection = (this.puppeteer as unknown as { connection: unknown }).connection as {
      send(method: string, params: object): Promise<{ result: T }>;
    };
    return (await connection.send(method, params)).result;
  }

  /** Evaluates `expression` (awaited) with chrome privileges, in the browser window's context. */
  async privileged<T>(expression: string): Promise<T> {
    const tree = await this.bidi<{ contexts: BidiContext[] }>('browsingContext.getTree', {
      'moz:scope': 'chrome',
      maxDepth: 0,
    });
    const context = tree.contexts[0]?.context;
    if (!context) throw new Error('Firefox has no chrome context');
    return this.evaluateIn<T>(context, expression);
  }

  /** The background's state as Firefox keeps it: "running", "stopped", "starting", … */
  backgroundState(): Promise<string> {
    return this.privileged(
      `WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).extension.backgroundState`,
    );
  }

  async backgroundRunning(): Promise<boolean> {
    return (await this.backgroundState()) === 'running';
  }

  async stopBackground(): Promise<void> {
    await this.privileged(
      `WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).extension.terminateBackground()`,
    );
    const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
    while ((await this.backgroundState()) !== 'stopped') {
      if (Date.now() > deadline) throw new Error('the background did not stop');
      await sleep(POLL_MS);
    }
  }

  /** Console messages Firefox logged (errors and warnings from the extension among them). */
  consoleMessages(): Promise<string[]> {
    return this.privileged(
      'Services.console.getMessageArray().map((m) => m instanceof Ci.nsIScriptError ? m.errorMessage : m.message)',
    );
  }

  /** Console messages with the URL of the document that logged them (nsIScriptError's sourceName). */
  consoleEntries(): Promise<Array<{ text: string; url: string }>> {
    return this.privileged(
      'Services.console.getMessageArray().map((m) => m instanceof Ci.nsIScriptError ? { text: m.errorMessage, url: m.sourceName } : { text: m.message, url: "" })',
    );
  }

  /** Empties Firefox's console, so what is logged next is told apart. */
  async clearConsole(): Promise<void> {
    await this.privileged('Services.console.reset()');
  }

  /**
   * Clicks the notification Firefox shows (its own alert window, `alerts.useSystemBackend`
   * being off); false when none is showing.
   */
  clickNotification(): Promise<boolean> {
    return this.privileged(`(() => {
      for (const w of Services.wm.getEnumerator('alert:alert')) { w.onAlertClick(); return true; }
      return false;
    })()`);
  }

  /** The URLs of the toolbar button's popup panels open now. */
  popupPanels(): Promise<string[]> {
    return this.privileged(`[...Services.wm.getMostRecentWindow('navigator:browser').document
      .querySelectorAll('browser[webextension-view-type=popup]')].map((b) => b.currentURI.spec)`);
  }

  /** Sets a preference while Firefox runs. */
  setPref(name: string, value: number | boolean): Promise<void> {
    const kind = typeof value === 'number' ? 'Int' : 'Bool';
    return this.privileged(`Services.prefs.set${kind}Pref(${JSON.stringify(name)}, ${value})`);
  }

  async closeInstallTab(): Promise<void> {
    const url = `${this.origin}options.html`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const tree = await this.bidi<{ contexts: BidiContext[] }>('browsingContext.getTree', { maxDepth: 0 });
      const tab = tree.contexts.find((c) => c.url.startsWith(url));
      if (tab) {
        await this.bidi('browsingContext.close', { context: tab.context });
        return;
      }
      if (Date.now() > deadline) throw new Error('the options page did not open on install');
      await sleep(25);
    }
  }

  async open(path: string, options: OpenPageOptions = {}): Promise<FirefoxPage> {
    // 0 dark, 1 light: what `prefers-color-scheme` answers in content, extension pages included.
    await this.setPref(
      'layout.css.prefers-color-scheme.content-override',
      options.colorScheme === 'dark' ? 0 : 1,
    );
    const ui = new FirefoxPage(this, await this.newTab(options), `${this.origin}${path}`);
    await ui.load();
    return ui;
  }

  /** An ordinary web page: puppeteer's own navigation, which sees a web page's load. */
  async openWebPage(url: string): Promise<FirefoxPage> {
    const page = await this.newTab();
    await page.goto(url);
    return new FirefoxPage(this, page, url);
  }

  /** A blank tab whose requests the recorders see. */
  async newTab(options: OpenPageOptions = {}): Promise<Page> {
    const page = await this.puppeteer.newPage();
    if (options.viewport) await page.setViewport(options.viewport);
    return page;
  }

  /** The extension page background calls go through (opened once). */
  private async callerPage(): Promise<FirefoxPage> {
    this.caller ??= await this.open('options.html');
    return this.caller;
  }

  async inBackground<R, A>(fn: (scope: BackgroundScope, arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    const caller = await this.callerPage();
    // getBackgroundPage() loads an unloaded event page first (MDN, runtime.getBackgroundPage).
    return caller.page.evaluate(
      `(async () => (${fn.toString()})(await browser.runtime.getBackgroundPage(), ${JSON.stringify(arg ?? null)}))()`,
    ) as Promise<R>;
  }

  /** Driver.download, through Firefox's own list of downloads (chrome context). */
  async download(_page: UiPage, start: () => Promise<void>): Promise<{ name: string; path: string }> {
    const list = `(async () => {
      const { Downloads } = ChromeUtils.importESModule('resource://gre/modules/Downloads.sys.mjs');
      const all = await (await Downloads.getList(Downloads.ALL)).getAll();
      return all.map((d) => ({ path: d.target.path, succeeded: d.succeeded, error: d.error ? String(d.error) : null }));
    })()`;
    type Entry = { path: string; succeeded: boolean; error: string | null };
    const before = new Set((await this.privileged<Entry[]>(list)).map((d) => d.path));
    await start();
    const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
    for (;;) {
      const fresh = (await this.privileged<Entry[]>(list)).find((d) => !before.has(d.path));
      if (fresh?.error) throw new Error(`the download failed: ${fresh.error}`);
      if (fresh?.succeeded) return { name: fresh.path.split('/').at(-1) ?? '', path: fresh.path };
      if (Date.now() > deadline) throw new Error('no download finished');
      await sleep(POLL_MS);
    }
  }

  /**
   * Firefox's offline mode, as File > Work Offline sets it: pages see navigator.onLine false and
   * an `offline` event. The network link service is told to stop managing the state first, so
   * it does not switch it back.
   */
  async setOffline(offline: boolean): Promise<void> {
    await this.privileged(`(() => {
      Services.io.manageOfflineStatus = false;
      Services.io.offline = ${offline};
    })()`);
  }

  /**
   * launchWebAuthFlow's sign-in window is a browser window of its own (ext-identity.js opens
   * it with Services.ww.openWindow), not a tab of ours: its tab is found among every page
   * puppeteer knows over BiDi, by its address.
   */
  async browserWindow(urlPrefix: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<FirefoxPage | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.puppeteer.pages()).find((p) => p.url().startsWith(urlPrefix));
      if (found) return new FirefoxPage(this, found, found.url());
      if (Date.now() > deadline) return null;
      await sleep(POLL_MS);
    }
  }

  /**
   * Every HTTP(S) request Firefox opens, from any page or frame, seen by an observer of
   * `http-on-modify-request` in the chrome context: BiDi's network events leave out what
   * extension pages request. moz-extension:// loads are no HTTP and are not listed; neither
   * are the browser's own requests (no browsing context: remote settings and the like) nor
   * WebSocket upgrades (the relay's; Playwright's request event lists none either).
   */
  async recordRequests(): Promise<RequestLog> {
    const key = `biffRequests${++this.logs}`;
    await this.privileged(`(() => {
      const urls = [];
      const observer = {
        observe: (subject) => {
          const channel = subject.QueryInterface(Ci.nsIChannel);
          const info = channel.loadInfo;
          if (!info || info.browsingContextID === 0) return;
          if (info.externalContentPolicyType === Ci.nsIContentPolicy.TYPE_WEBSOCKET) return;
          urls.push(channel.URI.spec);
        },
      };
      Services.obs.addObserver(observer, 'http-on-modify-request');
      globalThis[${JSON.stringify(key)}] = { urls, observer };
    })()`);
    return {
      urls: () => this.privileged<string[]>(`globalThis[${JSON.stringify(key)}].urls`),
      stop: () =>
        this.privileged(`(() => {
          const log = globalThis[${JSON.stringify(key)}];
          Services.obs.removeObserver(log.observer, 'http-on-modify-request');
          delete globalThis[${JSON.stringify(key)}];
        })()`),
    };
  }

  async close(): Promise<void> {
    await this.puppeteer.close();
    this.lifecycle.close();
  }
}

/** A BiDi serialized value (script.RemoteValue), as far as tests need it. */
interface RemoteValue {
  type: string;
  value?: unknown;
}

function fromRemote(v: RemoteValue | undefined): unknown {
  if (!v) return undefined;
  switch (v.type) {
    case 'undefined':
      return undefined;
    case 'null':
      return null;
    case 'string':
    case 'number':
    case 'boolean':
      return v.value;
    case 'array':
      return (v.value as RemoteValue[]).map(fromRemote);
    case 'object':
      return Object.fromEntries((v.value as [string, RemoteValue][]).map(([k, x]) => [k, fromRemote(x)]));
    default:
      throw new Error(`cannot read a ${v.type} from the browser`);
  }
}

/**
 * Text inside a child frame (the reader's sandboxed message body, where scripts do not run and
 * puppeteer has no handle): found by evaluating in that frame's browsing context.
 */
class FrameTextLocator implements Pick<UiLocator, 'waitFor' | 'hover' | 'click' | 'count'> {
  constructor(
    private readonly page: FirefoxPage,
    private readonly frame: string,
    private readonly text: string,
    private readonly exact: boolean,
  ) {}

  /** Where the smallest element holding the text is, in the frame's viewport; null when none. */
  private async find(): Promise<{ visible: boolean; x: number; y: number } | null> {
    const context = await this.page.childContext(this.frame);
    if (!context) return null;
    // Source text, not a function's toString(): tsx wraps named inner functions in a helper
    // (`__name`) that does not exist in the browser.
    const probe = `((text, exact) => {
      const norm = (s) => (s ?? '').replace(/\\s+/g, ' ').trim();
      const holds = (el) => exact ? norm(el.textContent) === text
        : norm(el.textContent).toLowerCase().includes(text.toLowerCase());
      let best = null;
      for (const el of document.querySelectorAll('body, body *')) if (holds(el)) best = el;
      if (!best) return null;
      const r = best.getBoundingClientRect();
      return { visible: best.checkVisibility() && r.width > 0, x: r.x + r.width / 2, y: r.y + r.height / 2 };
    })(${JSON.stringify(this.text)}, ${JSON.stringify(this.exact)})`;
    return this.page.driverRef.evaluateIn(context, probe);
  }

  async waitFor(options: { state?: WaitState; timeout?: number } = {}): Promise<void> {
    const state = options.state ?? 'visible';
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = await this.find().catch(() => null);
      const done =
        state === 'attached'
          ? found !== null
          : state === 'detached'
            ? found === null
            : state === 'visible'
              ? found?.visible === true
              : found?.visible !== true;
      if (done) return;
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${timeout} ms waiting for "${this.text}" in ${this.frame} to be ${state}`,
        );
      await sleep(POLL_MS);
    }
  }

  async count(): Promise<number> {
    return (await this.find()) ? 1 : 0;
  }

  /** Moves the mouse over the text: the frame's own offset in the page plus the text's in the frame. */
  async hover(): Promise<void> {
    await this.waitFor();
    const found = await this.find();
    const box = await (await this.page.page.$(this.frame))?.boundingBox();
    if (!found || !box) throw new Error(`"${this.text}" is not in ${this.frame}`);
    await this.page.page.mouse.move(box.x + found.x, box.y + found.y);
  }

  /** Clicks the text where `hover` puts the mouse. */
  async click(): Promise<void> {
    await this.hover();
    await this.page.page.mouse.down();
    await this.page.page.mouse.up();
  }
}

/** One step of a locator: how to get from each element found so far to the next ones. */
type Step =
  | { kind: 'role'; role: string; options: RoleOptions }
  | { kind: 'text'; text: string; exact: boolean }
  | { kind: 'css'; selector: string }
  | { kind: 'hasText'; text: string }
  | { kind: 'first' }
  | { kind: 'nth'; index: number }
  | { kind: 'or'; other: FirefoxLocator };

type Scope = Frame | ElementHandle<Node>;

/** `[name="…"]` inside puppeteer's ARIA selector: quotes and backslashes escaped. */
const ariaValue = (s: string) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

class FirefoxLocator implements UiLocator {
  constructor(
    private readonly page: FirefoxPage,
    private readonly steps: readonly Step[],
  ) {}

  private with(step: Step): FirefoxLocator {
    return new FirefoxLocator(this.page, [...this.steps, step]);
  }

  getByRole(role: string, options: RoleOptions = {}): UiLocator {
    // Names match exactly (puppeteer's ARIA selector): stricter than Playwright's default
    // substring match, never looser.
    return this.with({ kind: 'role', role, options });
  }
  getByText(text: string, options: { exact?: boolean } = {}): UiLocator {
    return this.with({ kind: 'text', text, exact: options.exact ?? false });
  }
  locator(selector: string): UiLocator {
    return this.with({ kind: 'css', selector });
  }
  filter(options: { hasText: string }): UiLocator {
    return this.with({ kind: 'hasText', text: options.hasText });
  }
  first(): UiLocator {
    return this.with({ kind: 'first' });
  }
  nth(index: number): UiLocator {
    return this.with({ kind: 'nth', index });
  }
  or(other: UiLocator): UiLocator {
    return this.with({ kind: 'or', other: other as FirefoxLocator });
  }

  /** Every element the chain finds now, in document order per scope. */
  async resolve(): Promise<ElementHandle<Element>[]> {
    let scopes: Scope[] = [this.page.page.mainFrame()];
    for (const step of this.steps) {
      const next: Scope[] = [];
      if (step.kind === 'first') {
        scopes = scopes.slice(0, 1);
        continue;
      }
      if (step.kind === 'nth') {
        scopes = scopes.slice(step.index, step.index + 1);
        continue;
      }
      if (step.kind === 'or') {
        const others = await step.other.resolve();
        scopes = [...scopes, ...others];
        continue;
      }
      for (const scope of scopes) {
        if (step.kind === 'role') {
          const name = step.options.name !== undefined ? `[name=${ariaValue(step.options.name)}]` : '';
          let found = await scope.$$(`::-p-aria([role=${ariaValue(step.role)}]${name})`);
          if (step.options.level !== undefined) {
            const level = step.options.level;
            const keep = await Promise.all(
              found.map((h) =>
                h.evaluate(
                  (el, level) =>
                    el.tagName === `H${level}` || el.getAttribute('aria-level') === String(level),
                  level,
                ),
              ),
            );
            found = found.filter((_, i) => keep[i]);
          }
          next.push(...found);
          // Firefox's accessibility tree calls a password field a "password text", not the
          // "textbox" ARIA (and Playwright) call it: those are found by their label here.
          if (step.role === 'textbox' && step.options.name !== undefined) {
            for (const h of await scope.$$('input[type=password]')) {
              const label = await h.evaluate((el) => {
                const input = el as HTMLInputElement;
                const by = input.getAttribute('aria-labelledby');
                const text = by
                  ? by
                      .split(/\s+/)
                      .map((id) => document.getElementById(id)?.textContent ?? '')
                      .join(' ')
                  : (input.getAttribute('aria-label') ?? input.labels?.[0]?.textContent ?? '');
                return text.replace(/\s+/g, ' ').trim();
              });
              if (label === step.options.name) next.push(h);
            }
          }
        } else if (step.kind === 'text') {
          const found = await scope.$$(`::-p-text(${step.text.replace(/[()\\]/g, (c) => `\\${c}`)})`);
          for (const h of found) {
            const ok = await h.evaluate(
              (el, text, exact) => {
                const norm = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
                return exact ? norm === text : norm.toLowerCase().includes(text.toLowerCase());
              },
              step.text,
              step.exact,
            );
            if (ok) next.push(h);
          }
        } else if (step.kind === 'css') {
          next.push(...(await scope.$$(step.selector)));
        } else if (step.kind === 'hasText') {
          if (!('evaluate' in scope) || scope instanceof Object === false) continue;
          const ok = await (scope as ElementHandle<Node>).evaluate(
            (el, text) =>
              (el.textContent ?? '').replace(/\s+/g, ' ').toLowerCase().includes(text.toLowerCase()),
            step.text,
          );
          if (ok) next.push(scope);
        }
      }
      scopes = next;
    }
    return scopes.filter((s): s is ElementHandle<Element> => !isFrame(s));
  }

  /** The first element found, once it is visible (an action's auto-wait). */
  private async actionable(timeout = DEFAULT_TIMEOUT_MS): Promise<ElementHandle<Element>> {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const h of await this.resolve()) if (await h.isVisible()) return h;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeout} ms waiting for ${this.describe()}`);
      await sleep(POLL_MS);
    }
  }

  private describe(): string {
    return this.steps
      .map((s) =>
        s.kind === 'role'
          ? `role=${s.role}${s.options.name ? `[name="${s.options.name}"]` : ''}`
          : s.kind === 'text'
            ? `text="${s.text}"`
            : s.kind === 'css'
              ? s.selector
              : s.kind === 'hasText'
                ? `:has-text("${s.text}")`
                : s.kind === 'nth'
                  ? `nth=${s.index}`
                  : s.kind,
      )
      .join(' >> ');
  }

  async waitFor(options: { state?: WaitState; timeout?: number } = {}): Promise<void> {
    const state = options.state ?? 'visible';
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = await this.resolve().catch(() => []);
      let visible = false;
      for (const h of found) if (await h.isVisible().catch(() => false)) visible = true;
      const done =
        state === 'attached'
          ? found.length > 0
          : state === 'detached'
            ? found.length === 0
            : state === 'visible'
              ? visible
              : !visible;
      if (done) return;
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeout} ms waiting for ${this.describe()} to be ${state}`);
      await sleep(POLL_MS);
    }
  }

  /**
   * Clicks the element's centre once nothing else is on top of it there, as Playwright does
   * (its hit-target check): a list that re-renders between finding a row and clicking (the
   * popup painting from its cache, then again with the background's answer) must not have
   * the click land on whatever row moved under the pointer.
   */
  async click(): Promise<void> {
    const deadline = Date.now() + DEFAULT_TIMEOUT_MS;
    for (;;) {
      const h = await this.actionable();
      await h.scrollIntoView();
      const box = await h.boundingBox();
      if (box) {
        const x = box.x + box.width / 2;
        const y = box.y + box.height / 2;
        const onTop = await h.evaluate(
          (el, x, y) => {
            const hit = document.elementFromPoint(x, y);
            return hit !== null && (hit === el || el.contains(hit));
          },
          x,
          y,
        );
        if (onTop) {
          await this.page.page.mouse.click(x, y);
          return;
        }
      }
      if (Date.now() > deadline) throw new Error(`${this.describe()} stayed covered or moving; not clicked`);
      await sleep(POLL_MS);
    }
  }
  async hover(): Promise<void> {
    await (await this.actionable()).hover();
  }
  async fill(value: string): Promise<void> {
    const h = await this.actionable();
    // As Playwright's fill: the value replaced at once, announced with input and change.
    await h.evaluate((el, value) => {
      const input = el as HTMLInputElement;
      input.focus();
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }
  async selectOption(option: { label: string }): Promise<unknown> {
    const h = await this.actionable();
    const ok = await h.evaluate((el, label) => {
      const select = el as HTMLSelectElement;
      const match = [...select.options].find((o) => o.label === label || o.textContent?.trim() === label);
      if (!match) return false;
      select.value = match.value;
      select.dispatchEvent(new Event('input', { bubbles: true }));
      select.dispatchEvent(new Event('change', { bubbles: true }));
      return true;
    }, option.label);
    if (!ok) throw new Error(`${this.describe()} has no option "${option.label}"`);
    return [option.label];
  }
  async check(): Promise<void> {
    if (!(await this.isChecked())) await this.click();
    if (!(await this.isChecked())) throw new Error(`${this.describe()} did not become checked`);
  }
  async isChecked(): Promise<boolean> {
    return (await this.actionable()).evaluate(
      (el) => (el as HTMLInputElement).checked === true || el.getAttribute('aria-checked') === 'true',
    );
  }
  async isVisible(): Promise<boolean> {
    for (const h of await this.resolve()) if (await h.isVisible()) return true;
    return false;
  }
  async isEnabled(): Promise<boolean> {
    return (await this.actionable()).evaluate((el) => !(el as HTMLButtonElement).disabled);
  }
  async inputValue(): Promise<string> {
    return (await this.actionable()).evaluate((el) => (el as HTMLInputElement).value);
  }
  async count(): Promise<number> {
    return (await this.resolve()).length;
  }
  async textContent(): Promise<string | null> {
    const h = (await this.resolve())[0];
    if (!h) throw new Error(`no element for ${this.describe()}`);
    return h.evaluate((el) => el.textContent);
  }
  async allTextContents(): Promise<string[]> {
    return Promise.all((await this.resolve()).map((h) => h.evaluate((el) => el.textContent ?? '')));
  }
  async getAttribute(name: string): Promise<string | null> {
    return (await this.actionable()).evaluate((el, name) => el.getAttribute(name), name);
  }
  async boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null> {
    return (await this.actionable()).boundingBox();
  }
}

function isFrame(scope: Scope): scope is Frame {
  return typeof (scope as Frame).childFrames === 'function';
}

export class FirefoxPage implements UiPage {
  private readonly root: FirefoxLocator;

  constructor(
    private readonly driver: FirefoxDriver,
    public page: Page,
    private readonly url: string,
  ) {
    this.root = new FirefoxLocator(this, []);
  }

  get driverRef(): FirefoxDriver {
    return this.driver;
  }

  get keyboard(): { press(key: string): Promise<void> } {
    return { press: async (key) => this.page.keyboard.press(key as KeyInput) };
  }

  getByRole(role: string, options?: RoleOptions): UiLocator {
    return this.root.getByRole(role, options);
  }
  getByText(text: string, options?: { exact?: boolean }): UiLocator {
    return this.root.getByText(text, options);
  }
  locator(selector: string): UiLocator {
    return this.root.locator(selector);
  }
  frameLocator(selector: string): UiFrameLocator {
    return {
      getByText: (text: string, options: { exact?: boolean } = {}) =>
        new FrameTextLocator(this, selector, text, options.exact ?? false),
    };
  }
  /**
   * Every frame of the page, found through BiDi's tree of browsing contexts: puppeteer does not
   * follow a raw navigation's frames (the reader's sandboxed body among them).
   */
  async frames(): Promise<Array<{ url(): string; evaluate<R>(fn: () => R): Promise<R> }>> {
    const tree = await this.driver.bidi<{ contexts: BidiContext[] }>('browsingContext.getTree', {
      root: this.contextId,
    });
    const out: BidiContext[] = [];
    const walk = (c: BidiContext) => {
      out.push(c);
      for (const child of c.children ?? []) walk(child);
    };
    for (const c of tree.contexts) walk(c);
    return out.map((c) => ({
      url: () => c.url,
      evaluate: <R>(fn: () => R) => this.driver.evaluateIn<R>(c.context, `(${fn.toString()})()`),
    }));
  }

  /** The BiDi browsing context of this tab. */
  get contextId(): string {
    return (this.page.mainFrame() as unknown as { _id: string })._id;
  }

  /** The browsing context of the frame `selector` finds (by its position among the page's frames). */
  async childContext(selector: string): Promise<string | null> {
    const index = await this.page.evaluate((selector) => {
      const target = document.querySelector(selector);
      return [...document.querySelectorAll('iframe, frame')].indexOf(target as Element);
    }, selector);
    if (index < 0) return null;
    const tree = await this.driver.bidi<{ contexts: BidiContext[] }>('browsingContext.getTree', {
      root: this.contextId,
      maxDepth: 1,
    });
    return tree.contexts[0]?.children?.[index]?.context ?? null;
  }
  evaluate<R, A>(fn: (arg?: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.page.evaluate(fn as (arg: unknown) => Promise<R>, arg) as Promise<R>;
  }
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown> {
    return this.page.screenshot({
      path: options.path as `${string}.png`,
      fullPage: options.fullPage ?? false,
    });
  }
  async waitForTimeout(ms: number): Promise<void> {
    await sleep(ms);
  }
  async bringToFront(): Promise<void> {
    await this.page.bringToFront();
  }
  /** Loads the page's URL with a raw BiDi navigation (see the file's comment, 2). */
  async load(): Promise<void> {
    await this.driver.bidi('browsingContext.navigate', {
      context: this.contextId,
      url: this.url,
      wait: 'complete',
    });
  }

  /**
   * Reloads in a fresh tab: puppeteer keeps the old document's handles after a navigation it
   * did not make itself ("no such handle"), so the tab is replaced rather than navigated.
   */
  async reload(): Promise<void> {
    const old = this.page;
    const viewport = old.viewport();
    this.page = await this.driver.newTab(viewport ? { viewport } : {});
    for (const [event, listener] of this.listeners) this.page.on(event, listener);
    await this.load();
    await old.close();
  }
  close(): Promise<void> {
    return this.page.close();
  }
  /** Listeners kept for the tab that `reload` puts in this one's place. */
  private readonly listeners: Array<['dialog' | 'pageerror', (x: unknown) => void]> = [];
  on(event: 'dialog' | 'pageerror', listener: ((d: UiDialog) => void) | ((e: Error) => void)): this {
    this.listeners.push([event, listener as (x: unknown) => void]);
    this.page.on(event, listener as (x: unknown) => void);
    return this;
  }
  once(event: 'dialog', listener: (dialog: UiDialog) => void): this {
    this.page.once(event, listener as (x: unknown) => void);
    return this;
  }
}
