/**
 * data: URLs for a message's inline parts, so that `cid:` references in its HTML can show them.
 * data: rather than blob: because the reader frame is an opaque origin: it cannot load blob: URLs
 * the extension created, and its CSP allows images from data: only.
 */

/** The part fields this needs; the store's AttachmentPart has them. */
export interface InlinePart {
  contentId: string | null;
  mimeType: string;
  data: Uint8Array | null;
}

/**
 * Largest inline image turned into a data: URL. Each one is copied, base64-encoded (4/3 the
 * size), into the frame's srcdoc string; past this an image is left out rather than making the
 * reader slow to open.
 */
export const MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024;

function base64(bytes: Uint8Array): string {
  let binary = '';
  // in chunks: String.fromCharCode(...bytes) overflows the stack on large arrays
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Content-ID (without brackets) → data: URL, for every image part with a Content-ID. */
export function inlineImageUrls(parts: Iterable<InlinePart>): Map<string, string> {
  const urls = new Map<string, string>();
  for (const part of parts) {
    if (!part.contentId || !part.data || part.data.byteLength > MAX_INLINE_IMAGE_BYTES) continue;
    const type = part.mimeType.toLowerCase();
    // the sanitiser accepts only image types for data: URLs; a mislabelled part is not shown
    if (!/^image\/[a-z0-9.+-]+$/.test(type)) continue;
    urls.set(part.contentId.replace(/^<|>$/g, ''), `data:${type};base64,${base64(part.data)}`);
  }
  return urls;
}
