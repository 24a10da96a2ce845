/**
 * A message's identity across UIDs: what tells "mail Biff already knew" from new mail when a
 * UID says nothing, i.e. after a UIDVALIDITY change renumbered a folder (RFC 3501 §2.3.1.1) or
 * when another client moved a message to another watched folder (a new UID there).
 *
 * The Message-ID header (RFC 5322 §3.6.4) when the message has one. Without it (some
 * automated mail), the INTERNALDATE, sender address, subject and RFC822.SIZE together: all four
 * survive a MOVE/COPY (RFC 3501 §6.4.7 keeps the internal date) and an APPEND that passes the
 * date along, and two different messages rarely share all four. It is a plain string, not a
 * hash: it is only compared, never shown or sent, and a hash would only hide collisions.
 */
import type { MessageSummary } from '../../store/schema.ts';

/** The fields an identity is made of. */
export type IdentityFields = Pick<MessageSummary, 'messageId' | 'date' | 'from' | 'subject' | 'size'>;

/** The identity of a message (see the file comment). */
export function identityOf(m: IdentityFields): string {
  const id = m.messageId?.trim();
  if (id) return `id:${id}`;
  return `no-id:${m.date}\u0000${(m.from?.address ?? '').toLowerCase()}\u0000${m.subject}\u0000${m.size}`;
}
