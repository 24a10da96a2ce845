/** Folder sync state: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and STATUS counts per account folder. */
import { StoreError } from './errors.ts';
import { prefixRange } from './keys.ts';
import type { BiffDatabase, FolderRow } from './schema.ts';
import { runTx } from './tx.ts';

/** Throws `invalid` unless every field of a folder row is of a storable shape. */
export function checkFolder(row: FolderRow): void {
  const fail = (what: string): never => {
    throw new StoreError('invalid', `folder ${row.path} of ${row.accountId}: ${what}`);
  };
  if (typeof row.accountId !== 'string' || row.accountId === '') fail('empty account id');
  if (typeof row.path !== 'string' || row.path === '') fail('empty path');
  const counter = (value: number | null, nullable: boolean) =>
    (nullable && value === null) || (typeof value === 'number' && Number.isInteger(value) && value >= 0);
  if (!counter(row.uidValidity, true)) fail('uidValidity must be a non-negative integer or null');
  if (!counter(row.uidNext, true)) fail('uidNext must be a non-negative integer or null');
  if (!counter(row.messages, false)) fail('messages must be a non-negative integer');
  if (!counter(row.unseen, false)) fail('unseen must be a non-negative integer');
  if (
    row.highestModseq !== null &&
    (typeof row.highestModseq !== 'string' || !/^\d{1,20}$/.test(row.highestModseq))
  ) {
    fail('highestModseq must be a decimal string or null');
  }
  if (row.lastSync !== null && !Number.isFinite(row.lastSync)) fail('lastSync must be ms or null');
}

/** Reads and writes folder state. */
export class FoldersRepo {
  constructor(private readonly db: BiffDatabase) {}

  /** One folder's state; undefined before its first sync. */
  async get(accountId: string, path: string): Promise<FolderRow | undefined> {
    const tx = this.db.transaction('folders');
    return runTx(tx, () => tx.store.get([accountId, path]));
  }

  /** Inserts or replaces a folder's state. */
  async put(row: FolderRow): Promise<void> {
    checkFolder(row);
    const tx = this.db.transaction('folders', 'readwrite');
    await runTx(tx, async () => {
      await tx.store.put(row);
    });
  }

  /** Every folder of an account, by path. */
  async listByAccount(accountId: string): Promise<FolderRow[]> {
    const tx = this.db.transaction('folders');
    return runTx(tx, () => tx.store.getAll(prefixRange(accountId)));
  }
}
