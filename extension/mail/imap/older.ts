/**
 * Loading older messages on demand (the popup scrolled past the cached window): the next
 * `count` messages below the lowest cached UID, so the cache stays one contiguous range.
 */

import { withAccountLock } from '../account-lock.ts';
import { MAX_OLDER_BATCH, type OlderResult } from '../driver.ts';
import { redactSecret } from '../redact.ts';
import type { SyncContext } from '../sync-context.ts';
import { ImapError } from './errors.ts';
import { fetchAndStoreSummaries } from './fetch-summaries.ts';
import { ImapSession } from './session.ts';
import { lowestStoredUid } from './store-helpers.ts';

/** Extends `folder`'s cache downward by up to `count` messages, over an open session. */
export async function loadOlderOnSession(
  session: ImapSession,
  folder: string,
  count: number,
): Promise<OlderResult> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  const wanted = Math.min(count, MAX_OLDER_BATCH);
  const accountId = session.accountId;
  const row = await session.folders.get(accountId, folder);
  if (!row || row.uidValidity === null || row.uidNext === null) {
    throw new ImapError('folder_not_synced', `${folder} has not been synchronised yet`);
  }
  const lock = await session.client.getMailboxLock(folder);
  try {
    const mailbox = session.client.mailbox;
    if (!mailbox || Number(mailbox.uidValidity) !== row.uidValidity) {
      throw new ImapError('uidvalidity_changed', `${folder} changed UIDVALIDITY; sync it first`);
    }
    const floor = (await lowestStoredUid(session.ctx.db, accountId, folder)) ?? row.uidNext;
    if (floor <= 1) return { loaded: 0, more: false };
    const found = session.orThrow(
      await session.client.search({ uid: `1:${floor - 1}`, deleted: false }, { uid: true }),
      'SEARCH',
    );
    const below = found.filter((uid) => uid < floor).sort((a, b) => b - a);
    const batch = below.slice(0, wanted);
    const stored = await fetchAndStoreSummaries(session, folder, batch);
    return { loaded: stored.length, more: below.length > batch.length };
  } finally {
    lock.release();
  }
}

/** Extends `folder`'s cache downward by up to `count` messages, over a connection of its own. */
export function loadOlderImap(ctx: SyncContext, folder: string, count: number): Promise<OlderResult> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError('count must be a positive integer');
  return withAccountLock(ctx.account.id, async () => {
    const session = await ImapSession.open(ctx);
    try {
      return await loadOlderOnSession(session, folder, count);
    } catch (error) {
      throw redactSecret(error, ctx.password, ctx.account.username);
    } finally {
      await session.close();
    }
  });
}
