/**
 * Turning imapflow FETCH results into the store's MessageSummary and server flags. Pure.
 */
import type { FetchMessageObject, MessageAddressObject } from 'imapflow';
import type { ServerFlags } from '../../store/messages-repo.ts';
import type { Address, MessageSummary } from '../../store/schema.ts';
import { hasAttachments } from './body-structure.ts';

/** The FETCH items every summary needs (RFC 3501 §6.4.5). */
export const SUMMARY_QUERY = {
  uid: true,
  flags: true,
  envelope: true,
  internalDate: true,
  size: true,
  bodyStructure: true,
} as const;

function address(a: MessageAddressObject): Address {
  return { name: a.name ?? '', address: a.address ?? '' };
}

function toMillis(value: Date | string | undefined): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** Server flags of an IMAP message, whose UID is always a number. */
export type ImapFlags = ServerFlags & {
  uid: number;
  /** \Deleted: marked for removal by some client; Biff treats it as gone. */
  deleted: boolean;
};

/** \Seen, \Flagged and \Answered from a FETCH FLAGS set (RFC 3501 §2.3.2). */
export function flagsOf(msg: Pick<FetchMessageObject, 'uid' | 'flags'>): ImapFlags {
  const flags = msg.flags ?? new Set<string>();
  return {
    uid: msg.uid,
    seen: flags.has('\\Seen'),
    flagged: flags.has('\\Flagged'),
    answered: flags.has('\\Answered'),
    deleted: flags.has('\\Deleted'),
  };
}

/**
 * A summary from a FETCH of SUMMARY_QUERY. The date is INTERNALDATE (when the server received
 * the message, which is what a mail list sorts by), falling back to the Date header, then 0 so
 * the row is still listed (a NaN date would drop it from every index).
 */
export function toSummary(
  accountId: string,
  folder: string,
  msg: FetchMessageObject,
  preview: string,
): MessageSummary {
  const env = msg.envelope ?? {};
  const { seen, flagged, answered } = flagsOf(msg);
  return {
    accountId,
    folder,
    uid: msg.uid,
    date: toMillis(msg.internalDate) ?? toMillis(env.date) ?? 0,
    from: env.from?.[0] ? address(env.from[0]) : null,
    to: (env.to ?? []).map(address),
    cc: (env.cc ?? []).map(address),
    subject: env.subject ?? '',
    preview,
    size: msg.size ?? 0,
    seen,
    flagged,
    answered,
    hasAttachments: msg.bodyStructure ? hasAttachments(msg.bodyStructure) : false,
    messageId: env.messageId ?? null,
  };
}
