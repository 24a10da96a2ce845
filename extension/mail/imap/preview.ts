/**
 * A list preview from the first bytes of a message's text part (see body-structure.ts for which
 * part, part-decode.ts for the decoding). imapflow 2.10 has no FETCH PREVIEW (RFC 8970), so the
 * preview is made here from a partial BODY.PEEK fetch. Pure.
 */

import { PREVIEW_MAX_CHARS } from '../../store/message-row.ts';
import { htmlToText } from '../mime/html-to-text.ts';
import type { TextPart } from './body-structure.ts';
import { decodePartPrefix } from './part-decode.ts';

/**
 * Octets fetched per text part. A preview is ~200 characters: 2 KiB of plain text covers that
 * even in base64 with quoted lines to skip. HTML newsletters often carry several KiB of <style>
 * and hidden markup before the first visible word, so HTML gets more.
 */
export const PREVIEW_FETCH_BYTES = { 'text/plain': 2048, 'text/html': 8192 } as const;

/** A signature delimiter line (RFC 3676 §4.3 "-- "), or a quoted-reply header that ends the new text. */
const SIGNATURE = /^-- ?$/;
const REPLY_HEADER = /^(On .{1,200} wrote:|-{2,} ?Original Message ?-{2,}|_{5,})$/i;

/** One-line preview of plain text: quoted lines and signature dropped, whitespace collapsed, cut to PREVIEW_MAX_CHARS. */
export function previewFromText(text: string): string {
  const kept: string[] = [];
  for (const rawLine of text.split(/\r\n|\r|\n/)) {
    const line = rawLine.trim();
    if (SIGNATURE.test(rawLine.trimEnd()) || REPLY_HEADER.test(line)) break;
    if (line.startsWith('>')) continue;
    kept.push(line);
  }
  const oneLine = kept.join(' ').replace(/\s+/g, ' ').trim();
  return oneLine.length > PREVIEW_MAX_CHARS ? oneLine.slice(0, PREVIEW_MAX_CHARS) : oneLine;
}

/** The preview for the fetched first bytes of `part`. */
export function previewFromPart(part: TextPart, bytes: Uint8Array): string {
  const text = decodePartPrefix(bytes, part.encoding, part.charset);
  return previewFromText(part.type === 'text/html' ? htmlToText(text) : text);
}
