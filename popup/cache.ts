/**
 * The popup's read-only view of the mail cache (IndexedDB, extension/store). It never writes:
 * every change goes through the background with `send()`, which then says `messages-changed`.
 *
 * The connection closes itself when the background upgrades the schema (schema.ts); the next
 * read then fails with `unavailable`, and this reopens once and retries.
 */
import { BodiesRepo } from '../extension/store/bodies-repo.ts';
import { toStoreError } from '../extension/store/errors.ts';
import { FoldersRepo } from '../extension/store/folders-repo.ts';
import { type ListQuery, MessagesRepo, type Page } from '../extension/store/messages-repo.ts';
import { type BiffDatabase, type BodyRow, type MessageKey, openBiffDb } from '../extension/store/schema.ts';

/** Reads the popup makes. */
export interface CacheReader {
  listNewest(query: ListQuery): Promise<Page>;
  countUnread(): Promise<number>;
  body(key: MessageKey): Promise<BodyRow | undefined>;
  /** Folder paths cached for an account. */
  folders(accountId: string): Promise<string[]>;
}

/** Opens the cache lazily and keeps one connection. */
export class Cache implements CacheReader {
  private db: Promise<BiffDatabase> | null = null;

  constructor(private readonly open: () => Promise<BiffDatabase> = () => openBiffDb()) {}

  /** Opens now, so the first query does not wait for it; rejects with the store's error. */
  ready(): Promise<BiffDatabase> {
    this.db ??= this.open();
    const db = this.db;
    db.catch(() => {
      // Let the next call try again rather than keep a failed open forever.
      if (this.db === db) this.db = null;
    });
    return db;
  }

  private async run<T>(read: (db: BiffDatabase) => Promise<T>): Promise<T> {
    try {
      return await read(await this.ready());
    } catch (error) {
      if (toStoreError(error).code !== 'unavailable') throw toStoreError(error);
      // Closed under us (a schema upgrade elsewhere): one fresh connection, one retry.
      this.db = null;
      return read(await this.ready());
    }
  }

  listNewest(query: ListQuery): Promise<Page> {
    return this.run((db) => new MessagesRepo(db).listNewest(query));
  }

  countUnread(): Promise<number> {
    return this.run((db) => new MessagesRepo(db).countUnread());
  }

  /** `get`, not `open`: the popup does not write, so the LRU touch is the background's (loadBody). */
  body(key: MessageKey): Promise<BodyRow | undefined> {
    return this.run((db) => new BodiesRepo(db).get(key));
  }

  async folders(accountId: string): Promise<string[]> {
    const rows = await this.run((db) => new FoldersRepo(db).listByAccount(accountId));
    return rows.map((r) => r.path);
  }
}
