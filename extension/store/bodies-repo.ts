/**
 * Cached message bodies, and their eviction.
 *
 * Running total: not kept. A counter row would have to be read and rewritten by every body
 * write in the same transaction (and could drift if a write path forgot it); instead
 * `totalBytes` walks a key-only cursor over the `by-size` index, which reads index keys and
 * never a body. Eviction runs rarely (after storing bodies), and a few thousand index keys
 * take milliseconds.
 *
 * POP3 bodies are never evicted: the mail may exist nowhere else. That is structural, not a
 * check: a POP3 body has no `evictAt`, so it is not in the `lru` index eviction walks.
 */
import { packSource } from './body-source.ts';
import { StoreError } from './errors.ts';
import { checkKey, isPop3Uid, keyOf } from './keys.ts';
import type { BiffDatabase, BodyRow, MessageKey } from './schema.ts';
import { deleteAll, putAll, runTx } from './tx.ts';

/** What callers supply: the source only (see BodyRow); the store packs it and adds size and times. */
export type BodyInput = Pick<BodyRow, 'accountId' | 'folder' | 'uid' | 'raw' | 'complete'>;

/** Something carrying a source, with that source packed for storing (`packBody`). */
export type Packed<T> = T & Pick<BodyRow, 'rawEncoding'>;

/** A body input with its source packed. */
export type PackedBodyInput = Packed<BodyInput>;

/**
 * The input with its source as the store keeps it (body-source.ts). Done before a transaction
 * opens: awaiting the compressor inside one would let IndexedDB commit it early.
 */
export async function packBody<T extends Pick<BodyRow, 'raw'>>(input: T): Promise<Packed<T>> {
  if (!input.raw) return input;
  const packed = await packSource(input.raw);
  return packed.rawEncoding ? { ...input, raw: packed.raw, rawEncoding: packed.rawEncoding } : input;
}

/**
 * Opening a message more often than this does not rewrite its body row: the LRU order only
 * needs to be roughly right, and each touch rewrites the whole row, source included.
 */
export const TOUCH_GRANULARITY_MS = 10 * 60 * 1000;

/** What eviction knows of a body without loading it; passed to `protect`. */
export interface BodyEntry {
  key: MessageKey;
  size: number;
  lastOpenedAt: number;
}

/** Options of `evictBodies`. */
export interface EvictOptions {
  /** Evict until the total of all bodies (POP3 included) is at most this many bytes. */
  budgetBytes: number;
  /** Return true to keep a body, e.g. the message open in the popup right now. */
  protect?: (entry: BodyEntry) => boolean;
}

/** What `evictBodies` did. */
export interface EvictResult {
  evicted: MessageKey[];
  freedBytes: number;
  /** Total after eviction; above the budget when POP3 and protected bodies alone exceed it. */
  totalBytes: number;
}

/**
 * Bytes a body costs against the budget: its stored source (compressed when it is), and on rows of the older shape that
 * still hold parsed parts, their attachment bytes plus 2 bytes per UTF-16 code unit of the text
 * and HTML (an upper bound of their serialised size).
 */
export function bodySize(body: Pick<BodyRow, 'raw' | 'text' | 'html' | 'attachments'>): number {
  let size = body.raw?.byteLength ?? 0;
  size += 2 * ((body.text?.length ?? 0) + (body.html?.length ?? 0));
  for (const part of body.attachments ?? []) size += part.data?.byteLength ?? 0;
  return size;
}

/** The stored row for a body, with `evictAt` only on IMAP bodies. */
export function toBodyRow(input: PackedBodyInput, now: number): BodyRow {
  checkKey(keyOf(input));
  const row: BodyRow = {
    accountId: input.accountId,
    folder: input.folder,
    uid: input.uid,
    raw: input.raw,
    complete: input.complete,
    size: bodySize(input),
    fetchedAt: now,
    lastOpenedAt: now,
  };
  if (input.rawEncoding) row.rawEncoding = input.rawEncoding;
  if (!isPop3Uid(input.uid)) row.evictAt = now;
  return row;
}

/** Reads, writes and evicts bodies. */
export class BodiesRepo {
  constructor(private readonly db: BiffDatabase) {}

  /** Stores a body and, in the same transaction, records on the summary that it is cached. */
  async put(input: BodyInput, now = Date.now()): Promise<void> {
    const row = toBodyRow(await packBody(input), now);
    const tx = this.db.transaction(['bodies', 'messages'], 'readwrite');
    await runTx(tx, async () => {
      const messages = tx.objectStore('messages');
      const summary = await messages.get(keyOf(row));
      putAll(tx.objectStore('bodies'), [row]);
      if (summary) putAll(messages, [{ ...summary, bodyState: row.complete ? 'full' : 'headers' }]);
    });
  }

  /** A body without touching its LRU time; undefined when not cached. */
  async get(key: MessageKey): Promise<BodyRow | undefined> {
    checkKey(key);
    const tx = this.db.transaction('bodies');
    return runTx(tx, () => tx.store.get(key));
  }

  /** A body the user is opening: returns it and moves it to the back of the eviction order. */
  async open(key: MessageKey, now = Date.now()): Promise<BodyRow | undefined> {
    checkKey(key);
    const tx = this.db.transaction('bodies', 'readwrite');
    return runTx(tx, async () => {
      const row = await tx.store.get(key);
      if (!row || now - row.lastOpenedAt < TOUCH_GRANULARITY_MS) return row;
      const touched: BodyRow = { ...row, lastOpenedAt: now };
      if (touched.evictAt !== undefined) touched.evictAt = now;
      await tx.store.put(touched);
      return touched;
    });
  }

  /** Bytes of all cached bodies, POP3 included. */
  async totalBytes(): Promise<number> {
    const tx = this.db.transaction('bodies');
    return runTx(tx, async () => {
      let total = 0;
      for (let c = await tx.store.index('by-size').openKeyCursor(); c; c = await c.continue()) total += c.key;
      return total;
    });
  }

  /**
   * Removes the least recently opened IMAP bodies until the total is within budget, skipping
   * protected ones, and marks their summaries `bodyState: 'none'`. Never removes a POP3 body.
   * One transaction: the total and the removals see the same state.
   */
  async evictBodies(options: EvictOptions): Promise<EvictResult> {
    const { budgetBytes, protect } = options;
    if (typeof budgetBytes !== 'number' || !(budgetBytes >= 0)) {
      throw new StoreError('invalid', 'budgetBytes must be a non-negative number');
    }
    const tx = this.db.transaction(['bodies', 'messages'], 'readwrite');
    return runTx(tx, async () => {
      const bodies = tx.objectStore('bodies');
      let total = 0;
      for (let c = await bodies.index('by-size').openKeyCursor(); c; c = await c.continue()) total += c.key;
      const evicted: MessageKey[] = [];
      let freedBytes = 0;
      const lru = bodies.index('lru');
      for (let c = await lru.openKeyCursor(); c && total > budgetBytes; c = await c.continue()) {
        const [lastOpenedAt, size] = c.key;
        const key = c.primaryKey;
        if (protect?.({ key, size, lastOpenedAt })) continue;
        deleteAll(bodies, [key]);
        evicted.push(key);
        total -= size;
        freedBytes += size;
      }
      const messages = tx.objectStore('messages');
      const summaries = await Promise.all(evicted.map((key) => messages.get(key)));
      putAll(
        messages,
        summaries.flatMap((summary) => (summary ? [{ ...summary, bodyState: 'none' as const }] : [])),
      );
      return { evicted, freedBytes, totalBytes: total };
    });
  }
}
