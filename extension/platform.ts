/**
 * The only module that touches `browser.*` or imports webextension-polyfill (STYLE.md
 * convention 5). Everything else receives what it needs from here as small typed functions,
 * so engine code also runs in Node tests. Build-time browser differences are declared here.
 *
 * `webextension-polyfill` is Chrome's `browser.*`: the Firefox build resolves it to Firefox's
 * own promise-based `browser` instead (scripts/build.ts, extension/platform-firefox.ts), so
 * Firefox runs none of the polyfill's wrappers.
 */
import browser, { type Notifications } from 'webextension-polyfill';

declare const __BROWSER__: 'chrome' | 'firefox';
/** False only in bench/idle-cost.ts's baseline build (`--no-keep-alive`). */
declare const __KEEP_ALIVE__: boolean;

/** Which browser this build is for (esbuild `define`). */
export const BROWSER: 'chrome' | 'firefox' = typeof __BROWSER__ === 'string' ? __BROWSER__ : 'chrome';
/** Chrome shows buttons on notifications; Firefox does not support them. */
export const HAS_NOTIFICATION_BUTTONS = BROWSER === 'chrome';

/**
 * Firefox unloads its MV3 event page when idle even with a WebSocket open; the background
 * keeps it loaded while push is open (background/keep-alive.ts). Chrome counts the relay
 * socket's traffic as activity (Chrome 116+), so it needs nothing.
 */
export const NEEDS_KEEP_ALIVE =
  BROWSER === 'firefox' && (typeof __KEEP_ALIVE__ === 'boolean' ? __KEEP_ALIVE__ : true);

/** A call that counts as extension activity for Firefox's idle timer (it reaches the parent process). */
export const touchBackground = (): Promise<unknown> => browser.runtime.getPlatformInfo();

/** `browser.storage.local` as the small key-value interface the store takes. */
export const localArea = {
  get: (keys: string[] | string | null) =>
    browser.storage.local.get(keys) as Promise<Record<string, unknown>>,
  set: (items: Record<string, unknown>) => browser.storage.local.set(items),
  remove: (keys: string[] | string) => browser.storage.local.remove(keys),
};

/**
 * `browser.storage.session` the same way: kept in memory only, emptied when the browser closes
 * (Chrome 102+, Firefox 115+), where an unlocked primary password's key outlives a stopped worker.
 */
export const sessionArea = {
  get: (keys: string[]) => browser.storage.session.get(keys) as Promise<Record<string, unknown>>,
  set: (items: Record<string, unknown>) => browser.storage.session.set(items),
  remove: (keys: string[]) => browser.storage.session.remove(keys),
};

/** This extension's id and page origin, for checking message senders. */
export function extensionSelf(): { id: string; origin: string } {
  return { id: browser.runtime.id, origin: browser.runtime.getURL('') };
}

/** URL of one of the extension's own files. */
export const extensionUrl = (path: string): string => browser.runtime.getURL(path);

/** Sends to every open extension page; no page listening is not an error. */
export function broadcast(message: unknown): void {
  browser.runtime.sendMessage(message).catch(() => {});
}

/** Sends one message to the background (from a page) and resolves with its answer. */
export const sendToBackground = (message: unknown): Promise<unknown> => browser.runtime.sendMessage(message);

/** Listens to runtime messages (a page hearing the background's events); returns how to stop. */
export function listenToRuntime(listener: (message: unknown) => void): () => void {
  browser.runtime.onMessage.addListener(listener);
  return () => browser.runtime.onMessage.removeListener(listener);
}

/** Serves runtime messages with `listener` (returning undefined leaves a message to others). */
export function onRuntimeMessage(
  listener: (message: unknown, sender: { id?: string; url?: string }) => Promise<unknown> | undefined,
): void {
  browser.runtime.onMessage.addListener((message: unknown, sender: { id?: string; url?: string }) =>
    listener(message, sender),
  );
}

export function setBadge(view: { text: string; color: string; title: string }): void {
  void browser.action.setBadgeText({ text: view.text });
  void browser.action.setBadgeBackgroundColor({ color: view.color });
  void browser.action.setTitle({ title: view.title });
}

export const alarms = {
  /** One-shot alarm at `when` (ms since epoch), replacing one of the same name. */
  at: (name: string, when: number) => browser.alarms.create(name, { when }),
  /** Repeating alarm every `periodMinutes`, first after one period, replacing one of the same name. */
  every: (name: string, periodMinutes: number) =>
    browser.alarms.create(name, { delayInMinutes: periodMinutes, periodInMinutes: periodMinutes }),
  clear: (name: string) => browser.alarms.clear(name),
  all: () => browser.alarms.getAll(),
  onAlarm: (listener: (name: string) => void) =>
    browser.alarms.onAlarm.addListener((alarm) => listener(alarm.name)),
};

export interface NotificationSpec {
  title: string;
  message: string;
  buttons?: string[];
}

export const notifications = {
  create: (id: string, spec: NotificationSpec) =>
    browser.notifications.create(id, {
      type: 'basic',
      iconUrl: browser.runtime.getURL('icons/128.png'),
      title: spec.title,
      message: spec.message,
      ...(HAS_NOTIFICATION_BUTTONS && spec.buttons
        ? { buttons: spec.buttons.map((title) => ({ title })) }
        : {}),
    } as Notifications.CreateNotificationOptions),
  clear: (id: string) => browser.notifications.clear(id),
  onClicked: (listener: (id: string) => void) => browser.notifications.onClicked.addListener(listener),
  onButtonClicked: (listener: (id: string, button: number) => void) => {
    // Firefox has the event but not the buttons: adding a listener only logs "attempting to
    // use listener notifications.onButtonClicked, which is unimplemented" at every start. So
    // it is decided at build time, not by whether the property exists. There a click on the
    // notification itself opens the message (notifier.clicked).
    if (!HAS_NOTIFICATION_BUTTONS) return;
    browser.notifications.onButtonClicked.addListener(listener);
  },
};

/**
 * The browser's OAuth sign-in window (identity.launchWebAuthFlow): opens `url` and resolves
 * with the URL the provider finally redirected to (at oauthRedirectUri()), or rejects when the
 * user closed the window or the page never got there.
 */
export async function launchWebAuthFlow(url: string): Promise<string> {
  const redirect = await browser.identity.launchWebAuthFlow({ url, interactive: true });
  if (typeof redirect !== 'string') throw new Error('the sign-in window returned no address');
  return redirect;
}

/**
 * The extension's OAuth redirect URI: `https://<extension-id>.chromiumapp.org/` in Chrome (the
 * ID fixed by the manifest key), `https://<hash>.extensions.allizom.org/` in Firefox.
 */
export const oauthRedirectUri = (): string => browser.identity.getRedirectURL();

/** Opens the popup on `path` (e.g. a message), or a popup window where `openPopup` is refused. */
export async function openPopupAt(path: string): Promise<void> {
  try {
    await browser.action.setPopup({ popup: path });
    await browser.action.openPopup();
  } catch {
    await browser.windows.create({
      url: browser.runtime.getURL(path),
      type: 'popup',
      width: 420,
      height: 600,
    });
  } finally {
    await browser.action.setPopup({ popup: 'popup.html' });
  }
}

export const openOptionsPage = (): Promise<void> => browser.runtime.openOptionsPage();

export const onInstalled = (listener: (reason: string) => void) =>
  browser.runtime.onInstalled.addListener((details) => listener(details.reason));

/**
 * The browser started with Biff installed. Listening is what matters: Firefox starts an event
 * page at its own start only when it has a runtime.onStartup listener (otherwise not until some
 * other event, and its alarms are not kept across a restart, so none comes).
 */
export const onStartup = (listener: () => void) => browser.runtime.onStartup.addListener(listener);

/** Asks the browser for a translated UI string. */
export const message = (key: string, substitutions?: string[]): string =>
  browser.i18n.getMessage(key, substitutions);

/**
 * Asks for the optional `nativeMessaging` permission (manifest.json `optional_permissions`).
 * Call it first thing in a click handler: Firefox refuses a request that is not directly inside
 * the user's gesture, and Chrome wants the gesture too. Resolves true when granted (at once,
 * without a prompt, when it already was).
 */
export const requestNativeMessaging = (): Promise<boolean> =>
  browser.permissions.request({ permissions: ['nativeMessaging'] });

/** Sends one message to a native messaging host and resolves with its one reply. */
export const sendNativeMessage = (host: string, message: unknown): Promise<unknown> =>
  browser.runtime.sendNativeMessage(host, message);
