/**
 * All UI text comes from `_locales/<lang>/messages.json` through `browser.i18n`. The build
 * merges the per-context string files (`popup/messages.en.json`, `options/messages.en.json`,
 * `extension/ui/messages.en.json`) into `_locales/en/messages.json`, refusing duplicate keys.
 */
import { message } from '../platform.ts';

/** The localised string for `key`, with `$1`… placeholders filled from `substitutions`. */
export function t(key: string, ...substitutions: Array<string | number>): string {
  const text = message(key, substitutions.map(String));
  // A missing key is a bug worth seeing in the UI rather than an empty label.
  return text || `⟦${key}⟧`;
}
