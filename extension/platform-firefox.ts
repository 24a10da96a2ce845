/**
 * What `webextension-polyfill` resolves to in the Firefox build (scripts/build.ts): Firefox's
 * own `browser` namespace, which is promise-based already. The polyfill would hand back the
 * same object after a check at start-up; this leaves its 10 KB of wrappers out.
 */
import type { Browser } from 'webextension-polyfill';

const native = (globalThis as unknown as { browser: Browser }).browser;
export default native;
