/**
 * Mail HTML made safe to show: DOMPurify with an allow-list configuration and hooks for URLs
 * and CSS. Runs in extension pages (it needs a DOM); the result is shown only inside the
 * sandboxed, CSP-locked reader frame (reader/frame-document.ts), which is the second wall.
 */
import DOMPurify, { type Config, type WindowLike } from 'dompurify';
import { cssString, sanitizeStyleAttribute, sanitizeStylesheet } from './sanitize-css.ts';
import { ImagePolicy, linkHref, sanitizeSrcset } from './sanitize-url.ts';

/** Options of sanitizeMailHtml. */
export interface SanitizeOptions {
  /** Let http(s) images load (img, srcset, background, CSS url()). Off until the user asks. */
  allowRemoteImages: boolean;
  /** Content-ID (without brackets) → data: URL of the inline part, for `cid:` references. */
  cidUrls?: ReadonlyMap<string, string>;
}

/** Sanitised HTML, and how many remote images were held back. */
export interface SanitizedMail {
  /** A fragment: the message's <style> blocks, then its body wrapped in `<div class="biff-mail">`. */
  html: string;
  /** Remote image references removed because remote images are not allowed. */
  blockedRemote: number;
}

/**
 * Elements kept. Everything that runs, embeds, submits or navigates is absent: script, style
 * sheets by link, iframe/frame/object/embed, form controls, base, meta, SVG and MathML (their
 * namespaces are the usual home of sanitiser bypasses), audio/video, template, dialog.
 */
const ALLOWED_TAGS = [
  ...['a', 'abbr', 'acronym', 'address', 'area', 'article', 'aside', 'b', 'bdi', 'bdo', 'big', 'blockquote'],
  ...['body', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'details', 'dfn'],
  ...['div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
  ...['head', 'header', 'hgroup', 'hr', 'html', 'i', 'img', 'ins', 'kbd', 'li', 'main', 'map', 'mark', 'nav'],
  ...[
    'nobr',
    'ol',
    'p',
    'picture',
    'pre',
    'q',
    'rp',
    'rt',
    'ruby',
    's',
    'samp',
    'section',
    'small',
    'source',
  ],
  ...['span', 'strike', 'strong', 'style', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th'],
  ...['thead', 'time', 'tr', 'tt', 'u', 'ul', 'var', 'wbr'],
];

/**
 * Attributes kept; no event handlers, no data-*, nothing that fetches or submits by itself
 * (action, formaction, ping, poster, srcdoc, lowsrc, dynsrc, xlink:href…). The URL-bearing ones
 * (href, src, srcset, background) are rewritten by the hooks below.
 */
const ALLOWED_ATTR = [
  ...['align', 'alt', 'background', 'bgcolor', 'border', 'cellpadding', 'cellspacing', 'class', 'clear'],
  ...['color', 'cols', 'colspan', 'coords', 'datetime', 'dir', 'face', 'headers', 'height', 'hidden', 'href'],
  ...['hreflang', 'id', 'lang', 'media', 'name', 'nowrap', 'open', 'reversed', 'rows', 'rowspan', 'scope'],
  ...['shape', 'size', 'sizes', 'span', 'src', 'srcset', 'start', 'style', 'summary', 'title', 'type'],
  ...['usemap', 'valign', 'width'],
];

const CONFIG: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: true,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  ALLOW_SELF_CLOSE_IN_ATTR: false,
  SAFE_FOR_XML: true,
  // DOM clobbering: drop id/name values that shadow document or form properties
  SANITIZE_DOM: true,
  // Options and fallback text of removed controls are noise without their control.
  ADD_FORBID_CONTENTS: ['select', 'datalist', 'option', 'optgroup', 'button', 'textarea'],
  KEEP_CONTENT: true,
  // The whole document, so that <style> in <head> (where newsletters put it) and <body>'s
  // own attributes survive; the result is reassembled below.
  WHOLE_DOCUMENT: true,
  RETURN_DOM: true,
};

/** Attributes whose value is an image URL, and the elements that may carry them. */
const IMAGE_ATTRIBUTES: Readonly<Record<string, ReadonlySet<string>>> = {
  src: new Set(['img']),
  srcset: new Set(['img', 'source']),
  background: new Set(['body', 'table', 'td', 'th', 'tr']),
};

/** Sanitises mail HTML for the reader frame. `win` is the window whose DOM parses it (jsdom in tests). */
export function sanitizeMailHtml(
  html: string,
  options: SanitizeOptions,
  win: WindowLike = globalThis.window,
): SanitizedMail {
  const policy = new ImagePolicy(options.allowRemoteImages, options.cidUrls);
  // A fresh instance per call: hooks close over this call's policy and count.
  const purify = DOMPurify(win);
  /** Attribute values this policy approved that DOMPurify's own URI check would refuse. */
  const pending = new WeakMap<Element, Array<[string, string]>>();

  purify.addHook('uponSanitizeElement', (node, data) => {
    if (data.tagName === 'style') node.textContent = sanitizeStylesheet(node.textContent ?? '', policy);
  });

  purify.addHook('uponSanitizeAttribute', (node, data) => {
    const tag = node.nodeName.toLowerCase();
    const name = data.attrName;
    if (name === 'style') {
      data.attrValue = sanitizeStyleAttribute(data.attrValue, policy);
      data.keepAttr = data.attrValue !== '';
    } else if (name === 'href') {
      const href = tag === 'a' || tag === 'area' ? linkHref(data.attrValue) : null;
      data.keepAttr = href !== null;
      if (href !== null) data.attrValue = href;
    } else if (name in IMAGE_ATTRIBUTES) {
      const allowedOn = IMAGE_ATTRIBUTES[name]!;
      const value = !allowedOn.has(tag)
        ? ''
        : name === 'srcset'
          ? sanitizeSrcset(data.attrValue, policy)
          : (policy.image(data.attrValue) ?? '');
      if (value.includes('data:') && name !== 'src') {
        // DOMPurify's URI check refuses data: outside `src` (and its forceKeepAttr would keep the
        // *original* value), so a policy-approved data: value is set after its pass.
        pending.set(node, [...(pending.get(node) ?? []), [name, value]]);
        data.keepAttr = false;
      } else {
        data.keepAttr = value !== '';
        data.attrValue = value;
      }
    }
  });

  purify.addHook('afterSanitizeAttributes', (node) => {
    for (const [name, value] of pending.get(node) ?? []) node.setAttribute(name, value);
    const tag = node.nodeName.toLowerCase();
    if ((tag === 'a' || tag === 'area') && node.hasAttribute('href')) {
      if (node.getAttribute('href')!.startsWith('#')) {
        node.removeAttribute('target');
      } else {
        // a new tab, unable to reach back into the reader, told nothing about where it came from
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
    }
    if (tag === 'img') node.setAttribute('referrerpolicy', 'no-referrer');
  });

  const root = purify.sanitize(html, CONFIG) as unknown as Element | null;
  return { html: root ? reassemble(root, policy) : '', blockedRemote: policy.blockedRemote };
}

/**
 * The sanitised document as a fragment: its <style> elements, then the body's content in a
 * `<div class="biff-mail">` that carries the body's colour, background and style.
 */
function reassemble(root: Element, policy: ImagePolicy): string {
  const doc = root.ownerDocument;
  const styles = Array.from(root.querySelectorAll('head style'), (s) => s.outerHTML);
  const body = root.querySelector('body');
  const wrapper = doc.createElement('div');
  wrapper.setAttribute('class', 'biff-mail');
  if (body) {
    const style: string[] = [];
    const bgcolor = body.getAttribute('bgcolor');
    if (bgcolor && /^#?[a-z0-9]{1,20}$/i.test(bgcolor)) style.push(`background-color: ${bgcolor}`);
    const background = body.getAttribute('background');
    // Already put through the policy by the attribute hook; only data: and allowed http(s) remain.
    if (background && policy.allowsEmitted(background)) {
      style.push(`background-image: url(${cssString(background)})`);
    }
    const own = body.getAttribute('style');
    if (own) style.push(own);
    if (style.length > 0) wrapper.setAttribute('style', style.join('; '));
    for (const name of ['class', 'id', 'dir', 'lang']) {
      const value = body.getAttribute(name);
      if (value) wrapper.setAttribute(name, name === 'class' ? `biff-mail ${value}` : value);
    }
    while (body.firstChild) wrapper.appendChild(body.firstChild);
  }
  return styles.join('') + wrapper.outerHTML;
}
