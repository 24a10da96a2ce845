/**
 * The document shown in the reader's sandboxed iframe: the sanitised mail behind its own
 * Content-Security-Policy. The sanitiser is the first wall; this is the second, so that even a
 * sanitiser miss can neither run script nor load anything the user did not allow.
 */

/**
 * The iframe's sandbox: no `allow-scripts` (nothing runs), no `allow-same-origin` (the frame is
 * an opaque origin: no extension APIs, storage or cookies), no forms, no top navigation. Links
 * may open new tabs, and those tabs escape the sandbox so that web pages work normally there.
 */
export const READER_FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

/**
 * The frame's CSP. Images from data: (inline parts, which the sanitiser turns into data: URLs)
 * and, once the user allows it, from http(s); inline styles; data: fonts; nothing else — no
 * script, no frames, no media, no stylesheets or fonts from the network, no form posts.
 * blob: is not listed: extension-origin blob: URLs do not load in the opaque-origin frame.
 */
export function readerFrameCsp(allowRemoteImages: boolean): string {
  const img = allowRemoteImages ? 'img-src data: https: http:' : 'img-src data:';
  return `default-src 'none'; ${img}; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'`;
}

/**
 * Base look of a mail: on white like in every mail client (mail HTML assumes it), readable
 * line length for text-only HTML, images and wide tables kept inside the frame.
 */
const BASE_CSS =
  'html{background:#fff;color:#111;color-scheme:light}' +
  'body{margin:12px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;overflow-wrap:anywhere}' +
  'img{max-width:100%;height:auto}' +
  'pre{white-space:pre-wrap}' +
  'blockquote{margin:0 0 0 .8em;padding-left:.8em;border-left:2px solid #ccc;color:#555}';

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * Attribute names the frame's document must not contain while remote images are blocked:
 * - `srcset` (and so `imagesrcset`): in Firefox (ESR 153) `<img srcset>` and
 *   `<picture><source srcset>` candidates were requested despite the frame's meta CSP (most
 *   likely by the speculative preloader; the image itself is then refused and logged, but the
 *   request has left: a read receipt). Chromium holds them (test/e2e/reader-safety.test.ts).
 * - `srcdoc`: a nested srcdoc document decodes character references in that attribute, so it
 *   could spell `srcset` where this pass cannot see it.
 */
const PRELOAD_HAZARDS = /src(?=set|doc)/gi;

/**
 * The frame's own wall against those preloads, independent of the sanitiser and of its
 * configuration: it works on the markup string, whatever it is. An attribute's name is never
 * spelt with character references, so an attribute named `srcset`, `imagesrcset` or `srcdoc`
 * (in any case) needs those letters verbatim in the markup; a zero-width non-joiner after every
 * "src" followed by "set" or "doc" leaves no such name anywhere. Text that says "srcset" looks the
 * same; an attribute value that contains it (a link's URL, say) changes, which is rare and harmless.
 * `<img src>` still shows data: images; `<picture>` falls back to its `<img>`.
 */
export function withoutPreloadHazards(html: string): string {
  return html.replace(PRELOAD_HAZARDS, (src) => `${src}\u200C`);
}

/**
 * The full srcdoc for already-sanitised HTML. The CSP comes first, before any mail content;
 * while remote images are blocked, srcset (see withoutPreloadHazards) is gone as well.
 */
export function frameDocument(sanitizedHtml: string, allowRemoteImages: boolean): string {
  const body = allowRemoteImages ? sanitizedHtml : withoutPreloadHazards(sanitizedHtml);
  return (
    '<!doctype html><html><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(readerFrameCsp(allowRemoteImages))}">` +
    // Remote images, when allowed, must not tell the sender which page (the extension) asked.
    '<meta name="referrer" content="no-referrer">' +
    `<style>${BASE_CSS}</style></head><body>${body}</body></html>`
  );
}
