/**
 * A list preview from the first bytes of a message's text part (see body-structure.ts for which
 * part, part-decode.ts for the decoding). imapflow 2.10 has no FETCH PREVIEW (RFC 8970), so the
 * preview is made here from a partial BODY.PEEK fetch, by the same `summarize` (quotes,
 * signature and invisible padding dropped) that previews a fully parsed message.
 */
import { summarize } from '../mime/summarize.ts';
import type { ParsedMessage } from '../mime/types.ts';
import type { TextPart } from './body-structure.ts';
import { decodePartPrefix } from './part-decode.ts';

/**
 * Octets fetched per text part. A preview is ~200 characters: 2 KiB of plain text covers that
 * even in base64 with quoted lines to skip. HTML newsletters often carry several KiB of <style>
 * and hidden markup before the first visible word, so HTML gets more.
 */
export const PREVIEW_FETCH_BYTES = { 'text/plain': 2048, 'text/html': 8192 } as const;

/** The one-line preview of plain text. */
export function previewFromText(text: string, html: string | null = null): string {
  const parsed: ParsedMessage = {
    headers: { from: null, to: [], cc: [], replyTo: [], date: null, subject: '', messageId: null },
    text,
    html,
    attachments: [],
    recoveredFrom: null,
  };
  return summarize(parsed).preview;
}

/** The preview for the fetched first bytes of `part`. */
export function previewFromPart(part: TextPart, bytes: Uint8Array): string {
  const text = decodePartPrefix(bytes, part.encoding, part.charset);
  return part.type === 'text/html' ? previewFromText('', text) : previewFromText(text);
}
