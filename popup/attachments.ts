/** Which parts of a message the reader lists as attachments. */
import type { AttachmentPart } from '../extension/store/schema.ts';

/**
 * Parts shown as attachments: those marked so, and named parts no HTML refers to by Content-ID
 * (inline images referenced by `cid:` are part of the body).
 */
export function listedAttachments(parts: readonly AttachmentPart[]): AttachmentPart[] {
  return parts.filter(
    (p) =>
      p.disposition === 'attachment' || (p.filename !== null && p.filename !== '' && p.contentId === null),
  );
}
