/**
 * Helpers for the store's Node tests: a fresh fake-indexeddb database per test and row
 * builders. Not imported by extension code.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import type { Pop3Download } from '../../extension/store/pop3-repo.ts';
import { type BiffDatabase, type MessageSummary, openBiffDb } from '../../extension/store/schema.ts';

let counter = 0;

/** A new, empty database in its own factory, so tests never share state. */
export function freshDb(): Promise<BiffDatabase> {
  counter += 1;
  return openBiffDb(`biff-test-${counter}`, new IDBFactory());
}

/** A summary with plausible defaults; pass what the test is about. */
export function summary(fields: Partial<MessageSummary> & Pick<MessageSummary, 'uid'>): MessageSummary {
  return {
    accountId: 'acct-a',
    folder: 'INBOX',
    date: Date.UTC(2024, 0, 1),
    from: { name: 'Ann', address: 'ann@example.org' },
    to: [{ name: '', address: 'me@example.org' }],
    cc: [],
    subject: `message ${fields.uid}`,
    preview: 'hello',
    size: 1000,
    seen: false,
    flagged: false,
    answered: false,
    hasAttachments: false,
    messageId: `<${fields.uid}@example.org>`,
    ...fields,
  };
}

/** Bytes of an ASCII string. */
export function bytes(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

/** A POP3 download of `uidl` with a full body of `size` bytes, or headers only when `complete` is false. */
export function pop3Download(
  uidl: string,
  options: { size?: number; complete?: boolean; raw?: Uint8Array; date?: number; seen?: boolean } = {},
): Pop3Download {
  const {
    accountId: _a,
    folder: _f,
    uid: _u,
    ...rest
  } = summary({
    uid: uidl,
    date: options.date ?? Date.UTC(2024, 0, 1),
    seen: options.seen ?? false,
  });
  const raw = options.raw ?? new Uint8Array(options.size ?? 100);
  return {
    uidl,
    summary: rest,
    body: { raw, complete: options.complete ?? true },
  };
}
