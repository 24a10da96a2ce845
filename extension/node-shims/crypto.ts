/**
 * `crypto.createHash`, synchronous as imapflow calls it: only for the fallback message `id` of
 * a FETCH result on servers without OBJECTID (imapflow's tools.js, formatMessageResponse).
 * Biff never reads that id, so the IMAP client asks for IDENTITY_HASH (imapflow's
 * `idHashAlgorithm` option): the id is then `path:uidValidity:uid` itself, still unique per
 * message, with no hashing. An MD5 of it for every FETCHed message, on a pure-JS MD5, was ~2.5 %
 * of the worker's time in an initial sync of 10,000 messages (BENCHMARKS.md, imap-initial).
 * MD5 stays available for anyone who asks for it: SubtleCrypto has no MD5 and is async, so the
 * POP3 client's pure MD5 serves.
 */
import { md5 } from '../mail/pop3/md5.ts';

/** The algorithm name whose "digest" is what was hashed, as a string. */
export const IDENTITY_HASH = 'biff-identity';

const encoder = new TextEncoder();

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/** The digest is the concatenated input, decoded as UTF-8 where it came as bytes. */
function identityHash() {
  let text = '';
  const hash = {
    update(data: string | Uint8Array) {
      text += typeof data === 'string' ? data : new TextDecoder().decode(data);
      return hash;
    },
    digest(_encoding?: 'hex') {
      return text;
    },
  };
  return hash;
}

function md5Hash() {
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

export function createHash(algorithm: string) {
  if (algorithm === IDENTITY_HASH) return identityHash();
  if (algorithm.toLowerCase() !== 'md5')
    throw new Error(`Hash ${algorithm} is not available in the extension`);
  return md5Hash();
}

/** What createHash offers here; Node's own list has no IDENTITY_HASH, which is how callers tell. */
export function getHashes(): string[] {
  return ['md5', IDENTITY_HASH];
}

export const randomBytes = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n));
export default { createHash, getHashes, randomBytes };
