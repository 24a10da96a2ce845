/**
 * URL policy for mail HTML and CSS: which links are kept, which images may load, and how `cid:`
 * references become the inline parts' data: URLs. Pure string work, shared by the HTML and CSS
 * sanitisers.
 */

/**
 * Image types allowed as data: URLs. SVG is safe here: as an image it runs no script and loads
 * nothing (https://www.w3.org/TR/SVG2/conform.html#secure-static-mode).
 */
const DATA_IMAGE =
  /^data:image\/(?:png|gif|jpeg|jpg|pjpeg|webp|avif|bmp|x-icon|vnd\.microsoft\.icon|svg\+xml)[;,]/i;

/** Fonts as data: URLs, the only fonts the reader frame's CSP lets load. */
const DATA_FONT =
  /^data:(?:font\/[a-z0-9.+-]+|application\/(?:font-woff2?|x-font-[a-z]+|vnd\.ms-fontobject|octet-stream))[;,]/i;

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * The clean-up the URL parser does before anything else (https://url.spec.whatwg.org/#concept-basic-url-parser):
 * leading and trailing C0 controls and spaces go, and so does every tab and newline inside. A
 * scheme check on anything less would miss `java\tscript:` and ` javascript:`.
 */
export function cleanUrl(raw: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: C0 controls are exactly what the URL parser strips
  return raw.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
}

/** The lower-case scheme of a cleaned URL, '' for a relative one (including `//host`). */
export function schemeOf(url: string): string {
  return SCHEME.exec(url)?.[1]?.toLowerCase() ?? '';
}

/**
 * Characters a URL parser would percent-encode anyway, encoded here so that an emitted URL never
 * carries quotes, angle brackets, backslashes or whitespace into markup or CSS.
 */
function tidy(url: string): string {
  return url.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are encoded like the rest
    /[\u0000-\u0020"'<>\\`\u007f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`,
  );
}

/**
 * A data: image as emitted. In base64 whitespace means nothing and goes; in an image written
 * out as text (an SVG, `data:image/svg+xml,<svg xmlns=…>`) its spaces are part of the markup,
 * so they are percent-encoded like quotes and brackets, which the data: URL decodes back.
 */
function dataImage(url: string): string {
  const comma = url.indexOf(',');
  const base64 = /;base64$/i.test(url.slice(0, comma));
  return tidy(base64 ? url.replace(/\s+/g, '') : url);
}

/** A remote http(s) URL, with a scheme-relative `//host/…` read as https. null if not remote. */
export function remoteUrl(cleaned: string): string | null {
  if (cleaned.startsWith('//')) return tidy(`https:${cleaned}`);
  const scheme = schemeOf(cleaned);
  return scheme === 'http' || scheme === 'https' ? tidy(cleaned) : null;
}

/**
 * The href a link may keep, or null to drop it: http(s) (opened in a new tab), mailto:, tel:,
 * and in-message fragments. Relative URLs are dropped: in the reader frame they would resolve
 * against the extension's own pages.
 */
export function linkHref(raw: string): string | null {
  const url = cleanUrl(raw);
  if (url.startsWith('#')) return tidy(url);
  const remote = remoteUrl(url);
  if (remote !== null) return remote;
  const scheme = schemeOf(url);
  return scheme === 'mailto' || scheme === 'tel' ? tidy(url) : null;
}

/** Looks up `cid:…` (RFC 2392: the Content-ID, URL-encoded, without brackets) in the inline parts. */
function cidTarget(url: string, cidUrls: ReadonlyMap<string, string>): string | null {
  let id = url.slice(4);
  try {
    id = decodeURIComponent(id);
  } catch {
    // a stray % is part of the id
  }
  id = id.trim().replace(/^<|>$/g, '');
  const exact = cidUrls.get(id);
  if (exact !== undefined) return exact;
  // Content-IDs are compared case-insensitively by most clients; senders rely on it.
  const lower = id.toLowerCase();
  for (const [key, value] of cidUrls) if (key.toLowerCase() === lower) return value;
  return null;
}

/** Decides, for every image URL in a message, whether it loads; counts the remote ones refused. */
export class ImagePolicy {
  /** Remote image references refused so far: what "Load remote images" would bring back. */
  blockedRemote = 0;

  constructor(
    readonly allowRemote: boolean,
    private readonly cidUrls: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The URL to use for an image source, or null to drop it. */
  image(raw: string): string | null {
    const url = cleanUrl(raw);
    const scheme = schemeOf(url);
    if (scheme === 'data') return DATA_IMAGE.test(url) ? dataImage(url) : null;
    if (scheme === 'cid') {
      const target = cidTarget(url, this.cidUrls);
      // only data: targets: the reader frame's CSP allows no other scheme for inline parts
      return target !== null && DATA_IMAGE.test(target) ? target : null;
    }
    const remote = remoteUrl(url);
    if (remote === null) return null;
    if (this.allowRemote) return remote;
    this.blockedRemote++;
    return null;
  }

  /** Whether an image or font URL may appear in emitted output as it stands. */
  allowsEmitted(raw: string): boolean {
    const url = cleanUrl(raw);
    if (schemeOf(url) === 'data') return DATA_IMAGE.test(url) || DATA_FONT.test(url);
    return this.allowRemote && remoteUrl(url) !== null;
  }
}

/** Whether a URL is a data: font, the only fonts the reader frame may load. */
export function isDataFontUrl(url: string): boolean {
  return DATA_FONT.test(cleanUrl(url));
}

/** One image candidate of a srcset: its URL and descriptors (`2x`, `640w`), as written. */
interface Candidate {
  url: string;
  descriptors: string;
}

/**
 * Splits a srcset the way the HTML parser does (https://html.spec.whatwg.org/#parse-a-srcset-attribute):
 * a URL runs to whitespace (so data: URLs keep their commas) and loses trailing commas; the
 * descriptors run to the next comma outside parentheses.
 */
export function parseSrcset(srcset: string): Candidate[] {
  const out: Candidate[] = [];
  let i = 0;
  const n = srcset.length;
  const isSpace = (c: string | undefined) =>
    c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  while (i < n) {
    while (i < n && (isSpace(srcset[i]) || srcset[i] === ',')) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(srcset[i])) i++;
    let url = srcset.slice(start, i);
    let descriptors = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      const dStart = i;
      let parens = 0;
      while (i < n && (srcset[i] !== ',' || parens > 0)) {
        if (srcset[i] === '(') parens++;
        else if (srcset[i] === ')' && parens > 0) parens--;
        i++;
      }
      descriptors = srcset.slice(dStart, i).trim();
    }
    if (url !== '') out.push({ url, descriptors });
  }
  return out;
}

/** A srcset with every candidate put through the policy; '' when none is left. */
export function sanitizeSrcset(srcset: string, policy: ImagePolicy): string {
  const kept: string[] = [];
  for (const { url, descriptors } of parseSrcset(srcset)) {
    const out = policy.image(url);
    // descriptors are only ever numbers with a unit; anything else is dropped with them
    if (out !== null)
      kept.push(
        /^(?:\d+(?:\.\d+)?[wx]|\d+h)?$/i.test(descriptors) && descriptors ? `${out} ${descriptors}` : out,
      );
  }
  return kept.join(', ');
}
