/**
 * What the reader shows of a cached body. The store keeps a message's source only (schema.ts
 * BodyRow), so it is parsed here, when the message is opened: a few milliseconds for mail of
 * ordinary size, against parsing and storing every part of every message at download time.
 */
import { unpackSource } from '../../store/body-source.ts';
import type { AttachmentPart, BodyRow } from '../../store/schema.ts';
import { parseMessage } from './parse.ts';
import { TimeSlice } from './time-slice.ts';
import type { MessageAttachment } from './types.ts';

/** A body ready to show: its text, its HTML (unsanitised: sanitise it when showing it), its parts. */
export interface ReadableBody {
  /** Whether the whole message is here; false for a POP3 message fetched headers-first. */
  complete: boolean;
  text: string | null;
  html: string | null;
  /** Attachments and inline parts, decoded bytes included. */
  attachments: AttachmentPart[];
  /**
   * The Date header (ms since the epoch) when the source was parsed here; null without one, or
   * when only a header block or older parsed parts are stored. The list's date of an IMAP message
   * is when the server received it; the reader shows when it was sent once it knows.
   */
  sent: number | null;
}

/** Parsed parts as the reader and the attachment list take them. */
export function toAttachmentParts(attachments: readonly MessageAttachment[]): AttachmentPart[] {
  return attachments.map((a) => ({
    filename: a.filename,
    mimeType: a.mimeType,
    size: a.size,
    contentId: a.contentId,
    disposition: a.disposition,
    data: a.content,
  }));
}

/**
 * The readable parts of a cached body: parsed from its source, or, on a row of the older shape
 * that holds them, those. A header block alone (POP3 TOP) has no body to show yet.
 */
export async function readableBody(
  row: Pick<BodyRow, 'raw' | 'rawEncoding' | 'complete' | 'text' | 'html' | 'attachments'>,
  slice: TimeSlice = new TimeSlice(),
): Promise<ReadableBody> {
  if (row.text !== undefined || row.html !== undefined || row.attachments !== undefined) {
    return {
      complete: row.complete,
      text: row.text ?? null,
      html: row.html ?? null,
      attachments: row.attachments ?? [],
      sent: null,
    };
  }
  const source = row.complete ? await unpackSource(row) : null;
  if (!source) return { complete: row.complete, text: null, html: null, attachments: [], sent: null };
  // The cap was applied when the message was downloaded; the parser need not refuse it again.
  // In slices (time-slice.ts): the page stays responsive while a large message is parsed.
  const parsed = await parseMessage(source, { maxBytes: source.byteLength, slice });
  return {
    complete: true,
    text: parsed.text,
    html: parsed.html,
    attachments: toAttachmentParts(parsed.attachments),
    sent: parsed.headers.date,
  };
}
