/**
 * Byte helpers every part of the extension shares (the POP3 client, the store, the node shims).
 * Uint8Array only, so they run in a service worker as in Node.
 */

/** Joins byte arrays into one, in a single copy. */
export function concatBytes(parts: readonly Uint8Array[], totalLength?: number): Uint8Array {
  const total = totalLength ?? parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
