/**
 * The only module that touches `browser.*` or imports webextension-polyfill (STYLE.md
 * convention 5). Everything else receives what it needs from here, so engine code also runs in
 * Node tests. Build-time browser differences are declared here as flags.
 */
import browser from 'webextension-polyfill';

declare const __BROWSER__: 'chrome' | 'firefox';

/** Which browser this build is for (esbuild `define`). */
export const BROWSER: 'chrome' | 'firefox' = typeof __BROWSER__ === 'string' ? __BROWSER__ : 'chrome';
/** Chrome shows buttons on notifications; Firefox ignores them. */
export const HAS_NOTIFICATION_BUTTONS = BROWSER === 'chrome';

export type { Runtime } from 'webextension-polyfill';
export { browser };

/** `browser.storage.local` as the small key-value interface the store takes. */
export const localArea = {
  get: (keys: string[] | string | null) =>
    browser.storage.local.get(keys) as Promise<Record<string, unknown>>,
  set: (items: Record<string, unknown>) => browser.storage.local.set(items),
  remove: (keys: string[] | string) => browser.storage.local.remove(keys),
};
