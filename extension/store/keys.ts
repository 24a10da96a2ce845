/**
 * Building and checking message keys and the key ranges the repositories query with.
 *
 * Ranges rely on IndexedDB's key order (https://w3c.github.io/IndexedDB/#compare-two-keys):
 * numbers < strings < arrays, and a shorter array sorts before every longer array it prefixes.
 * So `[a, f]`..`[a, f, []]` spans every `[a, f, uid]` whether uid is a number or a string.
 */
import type { Protocol } from '../accounts.ts';
import { StoreError } from './errors.ts';
import type { MessageKey, MessageUid } from './schema.ts';

/** Sorts after every number and string, so it closes a prefix range. */
export const AFTER_ALL: never[] = [];

/** The stable string id of a message, as stored in `MessageRow.id`. */
export function messageId(accountId: string, folder: string, uid: MessageUid): string {
  return `${accountId}\u0000${folder}\u0000${uid}`;
}

/**
 * A message id (`MessageRow.id`, see `messageId`) back to its key; the account's protocol says
 * whether the uid is a number. Undefined for anything that is not the id of a message of a
 * known account: the caller says what that means to it.
 */
export function parseMessageId(
  id: string,
  protocolOf: (accountId: string) => Protocol | undefined,
): MessageKey | undefined {
  const parts = id.split('\u0000');
  const [accountId, folder, uid] = parts;
  const protocol = accountId === undefined ? undefined : protocolOf(accountId);
  if (parts.length !== 3 || !accountId || !folder || !uid || !protocol) return undefined;
  if (protocol === 'pop3') return [accountId, folder, uid];
  const n = Number(uid);
  return Number.isSafeInteger(n) && n > 0 ? [accountId, folder, n] : undefined;
}

/** A message's primary key from anything carrying its parts. */
export function keyOf(row: { accountId: string; folder: string; uid: MessageUid }): MessageKey {
  return [row.accountId, row.folder, row.uid];
}

/** POP3 messages are keyed by UIDL, a string; IMAP ones by UID, a number. */
export function isPop3Uid(uid: MessageUid): uid is string {
  return typeof uid === 'string';
}

/** Every key `[...prefix, anything]`. */
export function prefixRange(...prefix: (string | number)[]): IDBKeyRange {
  return IDBKeyRange.bound(prefix, [...prefix, AFTER_ALL]);
}

/** Orders uids as IndexedDB does: numbers before strings, strings by UTF-16 code unit. */
export function compareUid(a: MessageUid, b: MessageUid): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Throws `invalid` unless `key` is a well-formed message key. */
export function checkKey(key: MessageKey): void {
  const [accountId, folder, uid] = key;
  if (typeof accountId !== 'string' || accountId === '') throw new StoreError('invalid', 'empty account id');
  if (typeof folder !== 'string' || folder === '') throw new StoreError('invalid', 'empty folder');
  if (typeof uid === 'number') {
    // RFC 3501 §2.3.1.1: UIDs are non-zero 32-bit unsigned integers.
    if (!Number.isInteger(uid) || uid < 1 || uid > 0xffff_ffff) {
      throw new StoreError('invalid', `bad IMAP UID ${uid}`);
    }
  } else if (typeof uid !== 'string' || uid === '') {
    throw new StoreError('invalid', 'empty POP3 UIDL');
  }
}
