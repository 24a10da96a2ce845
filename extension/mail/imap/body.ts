/**
 * Downloading a whole message when it is opened: RFC822.SIZE is checked against the cap before
 * a byte of the body is fetched, the source is read with BODY.PEEK[] on an EXAMINEd folder (so
 * opening never sets \Seen by itself; "open marks read" is a queued action of the engine),
 * and stored as it is (the reader parses it); the summary's bodyState becomes `full`.
 */

import type { BodyRow, MessageKey } from '../../store/schema.ts';
import { withAccountLock } from '../account-lock.ts';
import { redactSecret } from '../redact.ts';
import type { SyncContext } from '../sync-context.ts';
import { ImapError } from './errors.ts';
import { ImapSession } from './session.ts';

/**
 * Largest message downloaded when opened. Mainstream providers refuse mail much above 25 MB,
 * and parsing holds about three times the message in memory at once.
 */
export const DEFAULT_BODY_CAP_BYTES = 25 * 1024 * 1024;

/** Options of `fetchImapBody`. */
export interface BodyOptions {
  /** Refuse messages larger than this with `too_large`; default DEFAULT_BODY_CAP_BYTES. */
  maxBytes?: number;
}

function capOf(options: BodyOptions): number {
  const cap = options.maxBytes ?? DEFAULT_BODY_CAP_BYTES;
  if (!Number.isSafeInteger(cap) || cap < 1) throw new RangeError('maxBytes must be a positive integer');
  return cap;
}

/**
 * Downloads and stores the body of `uid` in `folder` over an open session (e.g. the push
 * connection, to save a login when the user opens a message); returns the stored row.
 * `readOnly` EXAMINEs the folder: right for a connection of its own, wrong for the push
 * connection, whose folder must stay SELECTed for queued actions. BODY.PEEK keeps \Seen alone
 * either way.
 */
export async function fetchBodyOnSession(
  session: ImapSession,
  folder: string,
  uid: number,
  options: BodyOptions & { readOnly?: boolean } = {},
): Promise<BodyRow> {
  const cap = capOf(options);
  const accountId = session.accountId;
  const key: MessageKey = [accountId, folder, uid];
  const row = await session.folders.get(accountId, folder);
  if (!row || row.uidValidity === null) {
    throw new ImapError('folder_not_synced', `${folder} has not been synchronised yet`);
  }
  const { client } = session;
  const lock = await client.getMailboxLock(folder, options.readOnly ? { readOnly: true } : {});
  let source: Uint8Array;
  try {
    const mailbox = client.mailbox;
    if (!mailbox || Number(mailbox.uidValidity) !== row.uidValidity) {
      throw new ImapError('uidvalidity_changed', `${folder} changed UIDVALIDITY; sync it first`);
    }
    const meta = await client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
    if (!meta || meta.uid !== uid) {
      await session.messages.remove([key]);
      throw new ImapError('message_gone', `Message ${uid} is no longer in ${folder}`);
    }
    checkSize(meta.size ?? 0, cap);
    const full = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
    if (full === false || !full.source) {
      await session.messages.remove([key]);
      throw new ImapError('message_gone', `Message ${uid} is no longer in ${folder}`);
    }
    // The server's RFC822.SIZE may have been wrong.
    checkSize(full.source.byteLength, cap);
    // A copy: imapflow's Buffer may be a view into a larger pooled buffer.
    source = new Uint8Array(full.source);
  } finally {
    lock.release();
  }
  // The source only, parsed by the reader (BodyRow).
  await session.bodies.put({ accountId, folder, uid, raw: source, complete: true }, session.ctx.now());
  const stored = await session.bodies.get(key);
  if (!stored) throw new ImapError('message_gone', `Message ${uid} vanished while it was stored`);
  return stored;
}

function checkSize(size: number, cap: number): void {
  if (size > cap) {
    throw new ImapError('too_large', `The message is ${size} bytes, the limit is ${cap}`, {
      size,
      limit: cap,
    });
  }
}

/** Downloads and stores the body of `uid` in `folder` over a connection of its own. */
export function fetchImapBody(
  ctx: SyncContext,
  folder: string,
  uid: number,
  options: BodyOptions = {},
): Promise<BodyRow> {
  capOf(options);
  return withAccountLock(ctx.account.id, async () => {
    const session = await ImapSession.open(ctx);
    try {
      return await fetchBodyOnSession(session, folder, uid, { ...options, readOnly: true });
    } catch (error) {
      throw redactSecret(error, ctx.password, ctx.account.username);
    } finally {
      await session.close();
    }
  });
}
