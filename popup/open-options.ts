/** Opens the options page (where accounts, the relay and certificates are managed). */
import { openOptionsPage } from '../extension/platform.ts';

export function openOptions(): void {
  openOptionsPage().catch((error: unknown) => console.warn('openOptionsPage failed:', error));
}
