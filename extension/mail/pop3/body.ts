/**
 * Downloading the whole of a message that a sync fetched headers-first (TOP n 0, because it
 * was larger than the account's threshold), when it is opened. Message numbers only hold
 * within one session (RFC 1939 §7), so a new session finds the message by its unique-id, checks
 * its LIST size against the cap before a byte of it is sent, and RETRs it. The body is stored
 * with the summary's `bodyState` set to `full` in one transaction (BodiesRepo.put), which also
 * makes the message eligible for deletion from the server under the account's settings.
 */

import { BodiesRepo } from '../../store/bodies-repo.ts';
import { MessagesRepo } from '../../store/messages-repo.ts';
import { Pop3Repo } from '../../store/pop3-repo.ts';
import { type BodyRow, type MessageKey, POP3_FOLDER } from '../../store/schema.ts';
import { withAccountLock } from '../account-lock.ts';
import { EngineError } from '../engine-error.ts';
import type { SyncContext } from '../sync-context.ts';
import { openPop3Session, withoutSecret } from './connect.ts';
import type { Pop3SessionOptions } from './session.ts';
import { messageCap } from './sync.ts';

/** Options of `fetchPop3Body`. */
export interface Pop3BodyOptions {
  /** Refuse messages larger than this with `too_large`; default POP3_MAX_MESSAGE_BYTES. */
  maxBytes?: number;
  /** Timeouts of the POP3 session. */
  session?: Pop3SessionOptions;
}

/**
 * Makes the full source of the message with unique-id `uidl` available in the bodies store and
 * returns the stored body. Fails with EngineError `not_found` when the message is not listed
 * here or no longer on the server (it is then marked removed), and Pop3Error `too_large` when
 * it exceeds the cap (nothing is downloaded).
 */
export async function fetchPop3Body(
  ctx: SyncContext,
  uidl: string,
  options: Pop3BodyOptions = {},
): Promise<BodyRow> {
  const cap = messageCap(options.maxBytes);
  const accountId = ctx.account.id;
  const key: MessageKey = [accountId, POP3_FOLDER, uidl];
  const messages = new MessagesRepo(ctx.db);
  const bodies = new BodiesRepo(ctx.db);
  const pop3 = new Pop3Repo(ctx.db);
  return withAccountLock(accountId, () =>
    withoutSecret(ctx.account, ctx.password, async () => {
      // The body lives nowhere but the row it belongs to: no row, nothing to fetch it for.
      if (!(await messages.get(key))) throw new EngineError('not_found', 'This message is not stored here');
      const cached = await bodies.get(key);
      if (cached?.complete) return cached;
      if ((await pop3.get(accountId, uidl))?.state === 'removed-from-server') {
        throw new EngineError('not_found', 'This message is no longer on the server');
      }
      const session = await openPop3Session(
        ctx.open,
        ctx.account,
        ctx.password,
        options.session ? { session: options.session } : {},
      );
      let raw: Uint8Array;
      try {
        const entry = (await session.uidl()).find((e) => e.uid === uidl);
        if (!entry) {
          await pop3.markRemovedFromServer(accountId, [uidl]);
          throw new EngineError('not_found', 'This message is no longer on the server');
        }
        // LIST n first, so an oversized message is refused before RETR is sent.
        await session.list(entry.n);
        raw = await session.retr(entry.n, { maxBytes: cap });
        // Nothing was marked deleted, so QUIT commits nothing; its failure changes nothing.
        await session.quit().catch(() => {});
      } finally {
        session.close();
      }
      // The source only, parsed by the reader (BodyRow).
      await bodies.put({ accountId, folder: POP3_FOLDER, uid: uidl, raw, complete: true }, ctx.now());
      // Deleted here while it downloaded (deletes do not wait for this lock): the body just
      // written belongs to no message, and POP3 bodies are never evicted, so take it back.
      if (!(await messages.get(key))) {
        await messages.remove([key]);
        throw new EngineError('not_found', 'This message was deleted while it was downloaded');
      }
      return (await bodies.get(key))!;
    }),
  );
}
