/**
 * `crypto.createHash('md5')`, synchronous as imapflow calls it (message ids on servers without
 * OBJECTID). SubtleCrypto has no MD5 and is async, so the POP3 client's pure MD5 serves both.
 */
import { md5 } from '../mail/pop3/md5.ts';

const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

export function createHash(algorithm: string) {
  if (algorithm.toLowerCase() !== 'md5')
    throw new Error(`Hash ${algorithm} is not available in the extension`);
  const parts: Uint8Array[] = [];
  const hash = {
    update(data: string | Uint8Array) {
      parts.push(typeof data === 'string' ? encoder.encode(data) : data);
      return hash;
    },
    digest(encoding?: 'hex') {
      let length = 0;
      for (const p of parts) length += p.length;
      const all = new Uint8Array(length);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      const digest = md5(all);
      return encoding === 'hex' ? toHex(digest) : digest;
    },
  };
  return hash;
}

export const randomBytes = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
export default { createHash, randomBytes };
