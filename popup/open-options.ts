/** Opens the options page (where accounts, the relay and certificates are managed). */
import { browser } from '../extension/platform.ts';

export function openOptions(): void {
  browser.runtime.openOptionsPage().catch((error: unknown) => console.warn('openOptionsPage failed:', error));
}
