/**
 * POP3 bookkeeping per UIDL (RFC 1939 §7), which is how two promises are kept:
 *
 * - Never download a message twice: every UIDL ever stored stays in `pop3` (`knownUidls`),
 *   whatever happens to the message here afterwards.
 * - Never DELE mail we do not hold: the message row, its body and the `pop3` row are written
 *   in ONE transaction (`storeDownloaded`), so a `stored` UIDL always has its mail on disk, and
 *   `dueForServerDeletion` only offers a stored message for DELE once its full source is here.
 *
 * A session's DELEs take effect only when QUIT succeeds (RFC 1939 §6, UPDATE state), so the
 * engine marks what it is about to delete (`markDeletePending`), sends DELE and QUIT, and only
 * after QUIT's +OK calls `markRemovedFromServer`. If the session dies in between, the server
 * keeps the mail, the rows stay `dele-pending`, and the next session deletes them again.
 *
 * POP3 deletions are not queued in `pending`: this store's state is their one source of truth.
 */
import type { Pop3Settings } from '../accounts.ts';
import { type BodyInput, type Packed, packBody, toBodyRow } from './bodies-repo.ts';
import { StoreError } from './errors.ts';
import { prefixRange } from './keys.ts';
import { checkSummary, toRow } from './message-row.ts';
import {
  type BiffDatabase,
  type MessageKey,
  type MessageRow,
  type MessageSummary,
  POP3_FOLDER,
  type Pop3Row,
} from './schema.ts';
import { addAll, deleteAll, putAll, runTx } from './tx.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A message fetched by RETR (with its full source) or TOP (headers only, `body.complete` false). */
export interface Pop3Download {
  uidl: string;
  summary: Omit<MessageSummary, 'accountId' | 'folder' | 'uid'>;
  /** The body to store with it; null to keep only the summary. */
  body: Omit<BodyInput, 'accountId' | 'folder' | 'uid'> | null;
}

/** The account settings that decide server deletion, and the current time. */
export type DeletionPolicy = Pick<Pop3Settings, 'leaveCopy' | 'deleteAfterDays' | 'deleteWhenDeletedHere'> & {
  now: number;
};

/** Throws `invalid` unless `uidl` is 1–70 printable ASCII characters (RFC 1939 §7). */
export function checkUidl(uidl: string): void {
  if (typeof uidl !== 'string' || !/^[\x21-\x7e]{1,70}$/.test(uidl)) {
    throw new StoreError('invalid', `bad UIDL ${JSON.stringify(uidl)}`);
  }
}

/** Whether a UIDL should be deleted from the server now; see `dueForServerDeletion`. */
export function isDue(row: Pop3Row, fullyStored: boolean, policy: DeletionPolicy): boolean {
  const { leaveCopy, deleteAfterDays, deleteWhenDeletedHere, now } = policy;
  switch (row.state) {
    case 'dele-pending':
      return true;
    case 'deleted-locally':
      return deleteWhenDeletedHere || !leaveCopy;
    case 'stored':
      if (!fullyStored) return false;
      return !leaveCopy || (deleteAfterDays !== null && now - row.storedAt >= deleteAfterDays * DAY_MS);
    case 'removed-from-server':
      return false;
  }
}

/** Reads and writes POP3 UIDL state together with the mail it stands for. */
export class Pop3Repo {
  constructor(private readonly db: BiffDatabase) {}

  /** Every UIDL ever stored for the account, in any state: the ones never to download again. */
  async knownUidls(accountId: string): Promise<Set<string>> {
    const tx = this.db.transaction('pop3');
    const keys = await runTx(tx, () => tx.store.getAllKeys(prefixRange(accountId)));
    return new Set(keys.map((key) => key[1]));
  }

  /** The state of one UIDL; undefined when unknown. */
  async get(accountId: string, uidl: string): Promise<Pop3Row | undefined> {
    const tx = this.db.transaction('pop3');
    return runTx(tx, () => tx.store.get([accountId, uidl]));
  }

  /**
   * Stores a downloaded message: summary, body and UIDL state in ONE transaction, so either all
   * three exist or none does. Fails with `conflict` when the UIDL is already known (nothing is
   * written then). Returns the stored summary.
   */
  async storeDownloaded(accountId: string, download: Pop3Download, now = Date.now()): Promise<MessageRow> {
    const [row] = await this.storeDownloadedBatch(accountId, [download], now);
    return row!;
  }

  /**
   * Stores several downloaded messages in ONE transaction: for each, its summary, body and UIDL
   * state, and for the batch all or nothing, so every message is still either wholly stored or
   * not at all. One transaction per message costs a commit each, the larger part of storing a
   * 20 KB message in Chromium (BENCHMARKS.md, pop3-download). Fails with `conflict` when any
   * UIDL is already known, or appears twice (nothing is written then). Returns the stored rows
   * in the order given.
   */
  async storeDownloadedBatch(
    accountId: string,
    downloads: readonly Pop3Download[],
    now = Date.now(),
  ): Promise<MessageRow[]> {
    // Packed one after another before the transaction opens: awaiting the compressor inside it
    // would let IndexedDB commit early, and one stream at a time keeps the worker's memory flat.
    const bodies: (Packed<NonNullable<Pop3Download['body']>> | null)[] = [];
    for (const download of downloads) bodies.push(download.body && (await packBody(download.body)));
    const records = downloads.map((download, i) => {
      checkUidl(download.uidl);
      const summary: MessageSummary = {
        ...download.summary,
        accountId,
        folder: POP3_FOLDER,
        uid: download.uidl,
      };
      checkSummary(summary);
      const packed = bodies[i];
      const body =
        packed && toBodyRow({ ...packed, accountId, folder: POP3_FOLDER, uid: download.uidl }, now);
      const row = toRow(summary, {
        deletedLocally: false,
        bodyState: body ? (body.complete ? 'full' : 'headers') : 'none',
        downloadedAt: now,
        serverState: 'on-server',
      });
      return { row, body, uidl: download.uidl };
    });
    if (records.length === 0) return [];
    const tx = this.db.transaction(['messages', 'bodies', 'pop3'], 'readwrite');
    return runTx(tx, async () => {
      putAll(
        tx.objectStore('messages'),
        records.map((r) => r.row),
      );
      putAll(
        tx.objectStore('bodies'),
        records.flatMap((r) => (r.body ? [r.body] : [])),
      );
      // `add`, not `put`: a known UIDL fails the request and so aborts the whole transaction.
      addAll(
        tx.objectStore('pop3'),
        records.map((r) => ({
          accountId,
          uidl: r.uidl,
          state: 'stored' as const,
          storedAt: now,
          firstSeenAt: now,
        })),
      );
      return records.map((r) => r.row);
    });
  }

  /**
   * The user deleted messages here: their summaries and bodies go, and their UIDLs become
   * `deleted-locally`, so they are never downloaded again. Whether they are also deleted from
   * the server is decided by `dueForServerDeletion` from the account's settings.
   */
  async deleteHere(accountId: string, uidls: readonly string[], now = Date.now()): Promise<void> {
    for (const uidl of uidls) checkUidl(uidl);
    const tx = this.db.transaction(['messages', 'bodies', 'pop3'], 'readwrite');
    await runTx(tx, async () => {
      const pop3 = tx.objectStore('pop3');
      const rows = await Promise.all(uidls.map((uidl) => pop3.get([accountId, uidl])));
      const keys = uidls.map((uidl): MessageKey => [accountId, POP3_FOLDER, uidl]);
      deleteAll(tx.objectStore('messages'), keys);
      deleteAll(tx.objectStore('bodies'), keys);
      const states: Pop3Row[] = [];
      uidls.forEach((uidl, i) => {
        const row = rows[i];
        if (!row) states.push({ accountId, uidl, state: 'deleted-locally', storedAt: now, firstSeenAt: now });
        else if (row.state === 'stored') states.push({ ...row, state: 'deleted-locally' });
      });
      putAll(pop3, states);
    });
  }

  /**
   * UIDLs to DELE in this session:
   * - `dele-pending`: always (a previous session's DELE did not commit);
   * - `deleted-locally`: when "remove from the server when I delete it here" is on, or no copy is left on the server;
   * - `stored`, only when its full source is stored here: when no copy is left on the server,
   *   or it was stored `deleteAfterDays` days ago or more.
   */
  async dueForServerDeletion(accountId: string, policy: DeletionPolicy): Promise<string[]> {
    const { deleteAfterDays } = policy;
    if (deleteAfterDays !== null && !(Number.isInteger(deleteAfterDays) && deleteAfterDays >= 0)) {
      throw new StoreError('invalid', 'deleteAfterDays must be a non-negative integer or null');
    }
    const tx = this.db.transaction(['pop3', 'messages']);
    return runTx(tx, async () => {
      const [rows, summaries] = await Promise.all([
        tx.objectStore('pop3').getAll(prefixRange(accountId)),
        tx.objectStore('messages').getAll(prefixRange(accountId, POP3_FOLDER)),
      ]);
      const full = new Set(summaries.filter((s) => s.bodyState === 'full').map((s) => s.uid));
      return rows.filter((row) => isDue(row, full.has(row.uidl), policy)).map((row) => row.uidl);
    });
  }

  /**
   * Records that DELE is about to be sent for these UIDLs. Refuses (`invalid`, nothing written)
   * a stored message whose full source is not here.
   */
  async markDeletePending(accountId: string, uidls: readonly string[]): Promise<void> {
    for (const uidl of uidls) checkUidl(uidl);
    // This commit is the last step before DELE: 'strict' waits until it is on disk, and the
    // browser's log-structured store writes in order, so the messages committed before it are
    // on disk too. A power cut after QUIT then cannot take mail the server already deleted.
    // https://w3c.github.io/IndexedDB/#dom-idbtransactiondurability-strict
    const tx = this.db.transaction(['pop3', 'messages'], 'readwrite', { durability: 'strict' });
    await runTx(tx, async () => {
      const pop3 = tx.objectStore('pop3');
      const messages = tx.objectStore('messages');
      const [rows, summaries] = await Promise.all([
        Promise.all(uidls.map((uidl) => pop3.get([accountId, uidl]))),
        Promise.all(uidls.map((uidl) => messages.get([accountId, POP3_FOLDER, uidl]))),
      ]);
      // Check everything before the first write, so a refusal leaves no write in flight.
      uidls.forEach((uidl, i) => {
        if (rows[i]?.state === 'stored' && summaries[i]?.bodyState !== 'full') {
          throw new StoreError(
            'invalid',
            `${uidl} is not fully stored here; it must not be deleted from the server`,
          );
        }
      });
      putAll(
        pop3,
        rows.flatMap((row) =>
          row?.state === 'stored' || row?.state === 'deleted-locally'
            ? [{ ...row, state: 'dele-pending' as const }]
            : [],
        ),
      );
    });
  }

  /** The server no longer has these UIDLs (QUIT committed our DELEs, or another client removed them). */
  async markRemovedFromServer(accountId: string, uidls: Iterable<string>): Promise<void> {
    const list = [...uidls];
    for (const uidl of list) checkUidl(uidl);
    const tx = this.db.transaction(['pop3', 'messages'], 'readwrite');
    await runTx(tx, async () => {
      const pop3 = tx.objectStore('pop3');
      const messages = tx.objectStore('messages');
      const [rows, summaries] = await Promise.all([
        Promise.all(list.map((uidl) => pop3.get([accountId, uidl]))),
        Promise.all(list.map((uidl) => messages.get([accountId, POP3_FOLDER, uidl]))),
      ]);
      putAll(
        pop3,
        rows.flatMap((row) =>
          row && row.state !== 'removed-from-server'
            ? [{ ...row, state: 'removed-from-server' as const }]
            : [],
        ),
      );
      putAll(
        messages,
        summaries.flatMap((summary) =>
          summary && summary.serverState !== 'removed'
            ? [{ ...summary, serverState: 'removed' as const }]
            : [],
        ),
      );
    });
  }

  /**
   * Compares our UIDLs with a UIDL listing of the maildrop and marks the ones the server no
   * longer lists as removed. Returns them.
   */
  async reconcileServerList(accountId: string, serverUidls: Iterable<string>): Promise<string[]> {
    const onServer = new Set(serverUidls);
    const tx = this.db.transaction('pop3');
    const rows = await runTx(tx, () => tx.store.getAll(prefixRange(accountId)));
    const gone = rows
      .filter((r) => r.state !== 'removed-from-server' && !onServer.has(r.uidl))
      .map((r) => r.uidl);
    if (gone.length > 0) await this.markRemovedFromServer(accountId, gone);
    return gone;
  }
}
