/**
 * The one browser-neutral layer the end-to-end tests are written against, so the Firefox suite
 * is the Chromium suite: the same test bodies run in both (`BIFF_BROWSER`, set per pass by
 * scripts/run-tests.mjs). A page is driven the way a person uses it — controls found by role
 * and accessible name — through the subset of Playwright's Page/Locator API declared here.
 * Chromium's driver hands out Playwright's own objects (extension.ts), Firefox's implements the
 * same subset over puppeteer-core and WebDriver BiDi (firefox.ts).
 */

/** The browsers the suite runs in. */
export type BrowserName = 'chromium' | 'firefox';
export const BROWSER_NAMES: readonly BrowserName[] = ['chromium', 'firefox'];

/** The browser of this test process: `BIFF_BROWSER`, Chromium when unset. */
export function currentBrowser(): BrowserName {
  const name = process.env.BIFF_BROWSER ?? 'chromium';
  if (!(BROWSER_NAMES as readonly string[]).includes(name))
    throw new Error(`BIFF_BROWSER=${name}: expected one of ${BROWSER_NAMES.join(', ')}`);
  return name as BrowserName;
}

export interface RoleOptions {
  name?: string;
  exact?: boolean;
  level?: number;
}

export type WaitState = 'attached' | 'detached' | 'visible' | 'hidden';

/** Elements found by role, text or CSS, re-found at every use (as Playwright's locators are). */
export interface UiLocator {
  getByRole(role: string, options?: RoleOptions): UiLocator;
  getByText(text: string, options?: { exact?: boolean }): UiLocator;
  locator(selector: string): UiLocator;
  filter(options: { hasText: string }): UiLocator;
  first(): UiLocator;
  /** The element at `index` (0 first) of those found. */
  nth(index: number): UiLocator;
  or(other: UiLocator): UiLocator;
  waitFor(options?: { state?: WaitState; timeout?: number }): Promise<void>;
  click(): Promise<void>;
  hover(): Promise<void>;
  fill(value: string): Promise<void>;
  selectOption(option: { label: string }): Promise<unknown>;
  check(): Promise<void>;
  isChecked(): Promise<boolean>;
  isVisible(): Promise<boolean>;
  /** Whether the control is enabled (not `disabled`), once it is visible. */
  isEnabled(): Promise<boolean>;
  /** The value of the input, textarea or select, once it is visible. */
  inputValue(): Promise<string>;
  count(): Promise<number>;
  textContent(): Promise<string | null>;
  allTextContents(): Promise<string[]>;
  getAttribute(name: string): Promise<string | null>;
  /** The element's box in the page's viewport (CSS pixels), null when it is not laid out. */
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
}

/** A frame inside a page (the reader's sandboxed message body): its text, waited for and hovered. */
export interface UiFrameLocator {
  getByText(
    text: string,
    options?: { exact?: boolean },
  ): Pick<UiLocator, 'waitFor' | 'hover' | 'click' | 'count'>;
}

/** A dialog (alert/confirm) the page opened. */
export interface UiDialog {
  message(): string;
  accept(): Promise<void>;
  dismiss(): Promise<void>;
}

/** One open extension page. */
export interface UiPage {
  getByRole(role: string, options?: RoleOptions): UiLocator;
  getByText(text: string, options?: { exact?: boolean }): UiLocator;
  locator(selector: string): UiLocator;
  frameLocator(selector: string): UiFrameLocator;
  /** Key presses sent to the focused element, by key name (`j`, `Enter`, `ArrowDown`, `#`). */
  readonly keyboard: { press(key: string): Promise<void> };
  /** Every frame (Playwright answers at once, Firefox's driver asks the browser: await it). */
  frames():
    | Array<{ url(): string; evaluate<R>(fn: () => R): Promise<R> }>
    | Promise<Array<{ url(): string; evaluate<R>(fn: () => R): Promise<R> }>>;
  /** Runs `fn` in the page (sent as source: it may use only its argument), or an expression given as source. */
  evaluate<R>(fn: string | (() => R | Promise<R>)): Promise<R>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  bringToFront(): Promise<void>;
  reload(): Promise<unknown>;
  close(): Promise<void>;
  on(event: 'dialog', listener: (dialog: UiDialog) => void): unknown;
  on(event: 'pageerror', listener: (error: Error) => void): unknown;
  once(event: 'dialog', listener: (dialog: UiDialog) => void): unknown;
}

/** What the browser requested since the log started. */
export interface RequestLog {
  /** Every URL requested so far, in order. */
  urls(): Promise<string[]>;
  stop(): Promise<void>;
}

export interface OpenPageOptions {
  viewport?: { width: number; height: number };
  colorScheme?: 'light' | 'dark';
}

/**
 * The extension launched in one browser, in a fresh profile. `P` is the page type the driver
 * hands out: Playwright's Page for Chromium (tests that only run there may use all of it),
 * the neutral UiPage otherwise.
 */
export interface Driver<P extends UiPage = UiPage> {
  readonly browser: BrowserName;
  /** `chrome-extension://<id>/` or `moz-extension://<uuid>/`. */
  readonly origin: string;
  /** Opens one of the extension's pages (`popup.html`, `options.html`) in a new tab and waits for its load. */
  open(path: string, options?: OpenPageOptions): Promise<P>;
  /**
   * Runs `fn` in the extension's background (Chromium's service worker, Firefox's event page),
   * starting it first if it is stopped. `fn` is sent as source: it may use only its arguments,
   * and `arg` must survive JSON.
   */
  inBackground<R, A = undefined>(fn: (scope: BackgroundScope, arg: A) => R | Promise<R>, arg?: A): Promise<R>;
  /** Stops (unloads) the background now, as the browser does when it is idle; resolves once it stopped. */
  stopBackground(): Promise<void>;
  /** Whether the background is running now (without starting it). */
  backgroundRunning(): Promise<boolean>;
  /**
   * A window the browser opened by itself at an address starting with `urlPrefix` (the
   * provider's page in identity.launchWebAuthFlow's sign-in window: in headless Chromium an
   * ordinary page of the context, in Firefox a window of its own), as a page to fill and
   * close. Null when none opened within `timeoutMs`.
   */
  browserWindow(urlPrefix: string, timeoutMs?: number): Promise<P | null>;
  /**
   * Quits the browser and starts it again on the same profile, as a person restarting it: the
   * extension stays installed (same id or UUID), storage.local and IndexedDB stay,
   * storage.session and every page are gone. This handle is closed; use the one returned.
   */
  relaunch(): Promise<Driver<P>>;
  /**
   * Runs `start` (a click on `page` that downloads a file) and waits until the browser saved
   * the file: its suggested name and where it is now.
   */
  download(page: P, start: () => Promise<void>): Promise<{ name: string; path: string }>;
  /** Takes the browser off the network (navigator.onLine false, an `offline` event) or back on. */
  setOffline(offline: boolean): Promise<void>;
  /** URLs every page of the extension requested (and their frames), from now until `stop()`. */
  recordRequests(): Promise<RequestLog>;
  /**
   * An ordinary web page (`http://…`, not the extension's) in a new tab, loaded: what any site
   * a person opens can do, e.g. try to reach the relay.
   */
  openWebPage(url: string): Promise<P>;
  close(): Promise<void>;
}

/** What `inBackground` functions see: the background's global object. */
export interface BackgroundScope {
  chrome: typeof chrome;
  biff: { ready: Promise<{ engine: { status(): { accounts: unknown[] } } }> };
  performance: Performance;
}
