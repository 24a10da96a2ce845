/** browser.storage.local for Node tests: a Map, values cloned as storage clones them. */
import type { KeyValueArea } from '../../extension/store/settings.ts';

/** A fresh, empty storage area. */
export function memoryArea(): KeyValueArea {
  const map = new Map<string, unknown>();
  return {
    async get(keys) {
      const out: Record<string, unknown> = {};
      for (const key of keys) if (map.has(key)) out[key] = structuredClone(map.get(key));
      return out;
    },
    async set(items) {
      for (const [key, value] of Object.entries(items)) map.set(key, structuredClone(value));
    },
    async remove(keys) {
      for (const key of keys) map.delete(key);
    },
  };
}
