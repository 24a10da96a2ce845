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
import {
  type BiffDatabase,
  type BodyRow,
  type FolderRow,
  type MessageKey,
  openBiffDb,
} from '../extension/store/schema.ts';

/** Performance mark set when the database is open: with `biff-first-row`, where first paint time goes. */
export const CACHE_OPEN_MARK = 'biff-cache-open';

/** Reads the popup makes. */
export interface CacheReader {
  listNewest(query: ListQuery): Promise<Page>;
  /** Unread messages of these accounts (of all, when not given). */
  countUnread(accountIds?: readonly string[]): Promise<number>;
  body(key: MessageKey): Promise<BodyRow | undefined>;
  /** Folder paths cached for an account. */
  folders(accountId: string): Promise<string[]>;
  /** The folder rows of an account (server counts as of its last sync). */
  folderRows(accountId: string): Promise<FolderRow[]>;
}

/** Opens the cache lazily and keeps one connection. */
export class Cache implements CacheReader {
  private db: Promise<BiffDatabase> | null = null;

  constructor(private readonly open: () => Promise<BiffDatabase> = () => openBiffDb()) {}

  /** Opens now, so the first query does not wait for it; rejects with the store's error. */
  ready(): Promise<BiffDatabase> {
    this.db ??= this.open().then((db) => {
      performance.mark(CACHE_OPEN_MARK);
      return db;
    });
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

  /**
   * With the accounts known, one index count each. Without, the repository walks the unread
   * index for the distinct accounts, which in Chromium steps over every entry (~0.5 s at 10,000
   * messages) and holds up other reads meanwhile.
   */
  async countUnread(accountIds?: readonly string[]): Promise<number> {
    if (accountIds === undefined) return this.run((db) => new MessagesRepo(db).countUnread());
    const counts = await Promise.all(
      accountIds.map((id) => this.run((db) => new MessagesRepo(db).countUnread(id))),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** `get`, not `open`: the popup does not write, so the LRU touch is the background's (loadBody). */
  body(key: MessageKey): Promise<BodyRow | undefined> {
    return this.run((db) => new BodiesRepo(db).get(key));
  }

  async folders(accountId: string): Promise<string[]> {
    return (await this.folderRows(accountId)).map((r) => r.path);
  }

  folderRows(accountId: string): Promise<FolderRow[]> {
    return this.run((db) => new FoldersRepo(db).listByAccount(accountId));
  }
}
