/**
 * A digest-only mode for postal-mime, for the summary of a message being downloaded (its
 * preview and whether it has attachments): parts that cannot be text of the message (images,
 * PDFs, archives…) are read past instead of decoded. Decoding them (base64 line by line, then a
 * fresh buffer per part) is work the summary never uses: it looks only at their headers (type,
 * disposition, Content-ID), which are still parsed. The service-worker bundle wires this into postal-mime's MimeNode
 * (scripts/postal-mime-patch.ts); the mode is asked for per parse with the `DIGEST_ONLY`
 * option, so the reader's parse decodes everything as before. Without the patch (Node, tests)
 * the option is ignored and every part is decoded.
 */

/** postal-mime option (read by the patched MimeNode): leave non-text parts undecoded. */
export const DIGEST_ONLY = 'biffDigestOnly';

/** The fields of postal-mime's MimeNode this looks at, once the part's headers are parsed. */
interface PartHeaders {
  postalMime: { options: Record<string, unknown> };
  contentType: { parsed: { value: string }; multipart: string | false };
}

/**
 * Whether a part's content can be left undecoded: only in digest mode, and only for a leaf
 * that is neither text (a body, or a calendar postal-mime reads as text) nor a message
 * (message/rfc822 may be parsed inline, and its text become part of the body). Their content
 * is then empty; everything else about them (type, name, disposition, Content-ID) is kept.
 */
export function skipsContent(node: PartHeaders): boolean {
  if (node.postalMime.options[DIGEST_ONLY] !== true || node.contentType.multipart) return false;
  const type = node.contentType.parsed.value;
  return !(type.startsWith('text/') || type.startsWith('message/') || type === 'application/ics');
}

/** A content decoder that drops the part's lines: its content is an empty ArrayBuffer. */
export class DiscardingDecoder {
  update(_line: Uint8Array): void {}

  finalize(): Promise<ArrayBuffer> {
    return Promise.resolve(new ArrayBuffer(0));
  }
}
