/**
 * CSS from mail, made unable to load anything the reader did not allow. Pure string work (no
 * DOM, no CSSOM) so it behaves the same in every engine and in Node tests.
 *
 * How it stays safe without a full CSS parser:
 * 1. The text is split into declarations and rules on `;`, `{` and `}` outside strings,
 *    comments and escapes, and each piece is judged on a *normalised* copy: comments removed,
 *    CSS escapes decoded (`\75 rl(` is `url(`), lower-cased. A piece that names anything that can
 *    fetch (url(), image-set(), @import, …) keeps its URLs only when the policy allows each of
 *    them; otherwise it is dropped whole.
 * 2. Whatever is emitted is checked once more as a whole, the same way; if that check finds a
 *    fetch the policy would refuse (a mis-split piece), all of the CSS is dropped: fail closed.
 * 3. The frame's own Content-Security-Policy (reader/frame-document.ts) blocks the rest even if
 *    both steps were wrong.
 */
import { isDataFontUrl } from './sanitize-url.ts';

/** What the sanitiser asks about each URL it finds in an image context. */
export interface CssUrlPolicy {
  /**
   * The URL to emit for `url` (the same, or a rewritten one such as a cid: mapped to data:), or
   * null to drop the declaration. Called once per URL per declaration.
   */
  image(url: string): string | null;
  /** Whether a URL may be emitted as it stands (the final whole-stylesheet check). */
  allowsEmitted(url: string): boolean;
}

/** Functions that fetch, or take URLs as plain strings, and are dropped whole rather than rewritten. */
const FETCHING_FUNCTIONS = /(?:image-set|image|cross-fade|element|paint|src|-webkit-canvas)\s*\(/;

/** Never allowed anywhere: legacy script vectors (IE expression/behavior, Gecko XBL bindings). */
const SCRIPT_VECTORS = /expression\s*\(|javascript:|vbscript:|-moz-binding|behavior\s*:|@import/;

/**
 * The only properties whose url() may load (as an image, through the policy). Everywhere else a
 * url() is dropped with its declaration, remote images allowed or not: clip-path, filter, mask
 * and marker fetch an SVG document, cursor and mask-image an image outside what "Load
 * remote images" shows, and a custom property can carry a url() into any of them through var().
 */
const IMAGE_URL_PROPERTIES: ReadonlySet<string> = new Set([
  'background',
  'background-image',
  'list-style',
  'list-style-image',
  'border-image',
  'border-image-source',
  '-webkit-border-image',
  // Generated content: an image, shown or held back like an <img>.
  'content',
]);

/** In @font-face, `src` names the font files (data: only, see fontFace). */
const FONT_URL_PROPERTIES: ReadonlySet<string> = new Set(['src']);

/** Properties dropped whatever their value. */
const FORBIDDEN_PROPERTIES = new Set(['behavior', '-ms-behavior', '-moz-binding']);

/**
 * Deepest block kept (rules in @media in @supports in a nested rule…). Real mail stays far
 * below; the cap keeps a hostile `{{{{…` from costing time quadratic in its length.
 */
const MAX_NESTING = 12;

/** At-rules whose block is a list of rules, sanitised recursively. */
const GROUPING_AT_RULES = new Set(['media', 'supports', 'container', 'layer', 'scope', 'starting-style']);

/** At-rules whose block is a list of declarations. */
const DECLARATION_AT_RULES = new Set([
  'page',
  'font-face',
  'counter-style',
  'property',
  'font-feature-values',
]);

/**
 * Decodes CSS escapes (CSS Syntax 3, §4.3.7): `\` and 1–6 hex digits and one optional
 * whitespace; `\` and a newline vanish; `\` and anything else is that character. NUL and
 * invalid code points become U+FFFD, as in the CSS input preprocessing.
 */
export function decodeCssEscapes(css: string): string {
  if (!css.includes('\\') && !css.includes('\0')) return css;
  // A loop rather than a replace() callback: ten times faster on a run of escapes.
  let out = '';
  let i = 0;
  const n = css.length;
  while (i < n) {
    const slash = css.indexOf('\\', i);
    if (slash < 0) {
      out += css.slice(i);
      break;
    }
    out += css.slice(i, slash);
    i = slash + 1;
    if (i >= n) {
      out += '\ufffd';
      break;
    }
    let end = i;
    while (end < n && end - i < 6 && isHex(css.charCodeAt(end))) end++;
    if (end > i) {
      const code = Number.parseInt(css.slice(i, end), 16);
      out +=
        code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
          ? '\ufffd'
          : String.fromCodePoint(code);
      i = end;
      if (css[i] === '\r' && css[i + 1] === '\n') i += 2;
      else if (css[i] === ' ' || css[i] === '\t' || css[i] === '\n' || css[i] === '\r' || css[i] === '\f')
        i++;
    } else if (css[i] === '\r' && css[i + 1] === '\n') {
      i += 2;
    } else if (css[i] === '\n' || css[i] === '\r' || css[i] === '\f') {
      i++;
    } else {
      const code = css.codePointAt(i)!;
      out += String.fromCodePoint(code);
      i += code > 0xffff ? 2 : 1;
    }
  }
  return out.replaceAll('\0', '\ufffd');
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** The copy of a piece of CSS that checks are run on: comments gone, escapes decoded, lower case. */
function normalise(css: string): string {
  return decodeCssEscapes(stripComments(css, '')).toLowerCase();
}

function stripComments(css: string, replacement: string): string {
  // An unclosed comment runs to the end of the input (CSS Syntax 3, §4.3.2).
  return css.replace(/\/\*[\s\S]*?(?:\*\/|$)/g, replacement);
}

/** The URLs named by `url(…)` in normalised CSS: quoted or not, as the tokenizer reads them. */
function urlsIn(normalised: string): string[] {
  const urls: string[] = [];
  const re = /url\s*\(\s*(?:"((?:[^"\\]|\\[\s\S])*)"|'((?:[^'\\]|\\[\s\S])*)'|([^)"'\s]*))/g;
  for (let m = re.exec(normalised); m; m = re.exec(normalised))
    urls.push((m[1] ?? m[2] ?? m[3] ?? '').trim());
  return urls;
}

/** The same as urlsIn, on the original (not lower-cased) text with its escapes decoded. */
function urlsWithCase(css: string): string[] {
  return urlsIn(decodeCssEscapes(stripComments(css, '')).replace(/url/gi, 'url'));
}

/** A CSS string literal for `value`, safe inside a style attribute and a <style> element. */
export function cssString(value: string): string {
  return `"${value.replace(/[\\"\n\r\f<>&]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

interface Piece {
  /** Text before `{`, or the whole declaration / statement when there is no block. */
  head: string;
  /** Text between `{` and the matching `}`, or null for a declaration or statement. */
  block: string | null;
}

/**
 * Splits CSS into top-level pieces: declarations/statements ended by `;`, and rules with a
 * `{…}` block. Strings, comments and escapes are skipped over so their `;{}` do not count.
 */
function splitPieces(css: string): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  let i = 0;
  let parens = 0;
  const n = css.length;
  while (i < n) {
    const c = css[i]!;
    if (c === '\\') {
      i += 2;
    } else if (c === '"' || c === "'") {
      i = skipString(css, i);
    } else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '(' || c === '[') {
      parens++;
      i++;
    } else if ((c === ')' || c === ']') && parens > 0) {
      parens--;
      i++;
    } else if (c === ';' && parens === 0) {
      pieces.push({ head: css.slice(start, i), block: null });
      start = ++i;
    } else if (c === '{') {
      const close = matchingBrace(css, i);
      pieces.push({ head: css.slice(start, i), block: css.slice(i + 1, close) });
      i = close + 1;
      start = i;
      parens = 0;
    } else if (c === '}') {
      // a stray `}` ends nothing; drop it and what came before it in this piece
      start = ++i;
      parens = 0;
    } else {
      i++;
    }
  }
  if (start < n) pieces.push({ head: css.slice(start), block: null });
  return pieces;
}

function skipString(css: string, at: number): number {
  const quote = css[at];
  let i = at + 1;
  while (i < css.length) {
    const c = css[i];
    if (c === '\\') i += 2;
    else if (c === quote) return i + 1;
    // an unescaped newline ends a string (a bad-string token)
    else if (c === '\n') return i;
    else i++;
  }
  return css.length;
}

/** Index of the `}` matching the `{` at `open`, or the input length when unclosed. */
function matchingBrace(css: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < css.length) {
    const c = css[i]!;
    if (c === '\\') i += 2;
    else if (c === '"' || c === "'") i = skipString(css, i);
    else if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? css.length : end + 2;
    } else {
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return i;
      i++;
    }
  }
  return css.length;
}

/**
 * One declaration (`name: value`), or null to drop it. URLs go through the policy; a
 * declaration whose URLs are all allowed is kept as written unless one had to be rewritten.
 */
function declaration(text: string, policy: CssUrlPolicy, urlProperties: ReadonlySet<string>): string | null {
  const colon = text.indexOf(':');
  if (colon < 0) return null;
  // Without a backslash, slash or parenthesis there is no escape, comment or function to undo.
  const plain = !/[\\/(]/.test(text);
  const norm = plain ? text.toLowerCase() : normalise(text);
  const name = (plain ? text.slice(0, colon).toLowerCase() : normalise(text.slice(0, colon))).trim();
  if (!/^-?-?[a-z_][a-z0-9_-]*$/.test(name) || FORBIDDEN_PROPERTIES.has(name)) return null;
  if (SCRIPT_VECTORS.test(norm)) return null;
  // Dropped even when remote images are allowed, so not counted as blocked: loading remote
  // images would not bring them back.
  if (FETCHING_FUNCTIONS.test(norm)) return null;
  if (plain) return text.trim();
  if (!/url\s*\(/.test(norm)) return stripComments(text, ' ').trim();
  // Not counted as blocked either: loading remote images would not bring it back.
  if (!urlProperties.has(name)) return null;
  const original = urlsWithCase(text);
  let rewritten = false;
  const emitted: string[] = [];
  for (const url of original) {
    const out = policy.image(url);
    if (out === null) return null;
    if (out !== url) rewritten = true;
    emitted.push(out);
  }
  if (!rewritten) return stripComments(text, ' ').trim();
  // Rebuild from the decoded text with every url() written as a quoted, escaped string.
  let k = 0;
  const decoded = decodeCssEscapes(stripComments(text, ' '));
  return decoded
    .replace(
      /url\s*\(\s*(?:"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*'|[^)"'\s]*)\s*\)?/gi,
      () => `url(${cssString(emitted[k++] ?? '')})`,
    )
    .trim();
}

/** A list of declarations, which with CSS Nesting may hold nested rules too. */
function declarationList(
  css: string,
  policy: CssUrlPolicy,
  depth: number,
  urlProperties: ReadonlySet<string> = IMAGE_URL_PROPERTIES,
): string {
  const out: string[] = [];
  for (const piece of splitPieces(css)) {
    if (piece.block !== null) {
      const rule = ruleOf(piece, policy, depth + 1);
      if (rule) out.push(rule);
    } else if (piece.head.trim() !== '' && !piece.head.trim().startsWith('@')) {
      const d = declaration(piece.head, policy, urlProperties);
      if (d) out.push(`${d};`);
    }
  }
  return out.join(' ');
}

/** A rule with a block: a style rule, or an at-rule this sanitiser knows; others are dropped. */
function ruleOf(piece: Piece, policy: CssUrlPolicy, depth: number): string | null {
  if (depth > MAX_NESTING) return null;
  const prelude = stripComments(piece.head, ' ').trim();
  const norm = normalise(prelude);
  if (SCRIPT_VECTORS.test(norm) || /url\s*\(/.test(norm) || FETCHING_FUNCTIONS.test(norm)) return null;
  const block = piece.block ?? '';
  if (norm.startsWith('@')) {
    const name = /^@([a-z-]+)/.exec(norm)?.[1] ?? '';
    if (GROUPING_AT_RULES.has(name) || name === 'keyframes' || name === '-webkit-keyframes') {
      return `${prelude} { ${stylesheet(block, policy, depth)} }`;
    }
    if (name === 'font-face') return fontFace(prelude, block, policy, depth);
    if (DECLARATION_AT_RULES.has(name)) return `${prelude} { ${declarationList(block, policy, depth)} }`;
    // @import is a statement, @document/@-moz-document and unknown rules are not kept
    return null;
  }
  const body = declarationList(block, policy, depth);
  return body === '' ? null : `${prelude} { ${body} }`;
}

/**
 * @font-face is kept only when every source is a data: URL (the frame's CSP allows fonts from
 * data: only): remote fonts are never loaded, even with remote images allowed.
 */
function fontFace(prelude: string, block: string, policy: CssUrlPolicy, depth: number): string | null {
  const urls = urlsIn(normalise(block));
  if (urls.length === 0 || !urls.every(isDataFontUrl)) return null;
  if (SCRIPT_VECTORS.test(normalise(block))) return null;
  const fontPolicy: CssUrlPolicy = { image: (u) => u, allowsEmitted: policy.allowsEmitted };
  return `${prelude} { ${declarationList(block, fontPolicy, depth, FONT_URL_PROPERTIES)} }`;
}

function stylesheet(css: string, policy: CssUrlPolicy, depth: number): string {
  const out: string[] = [];
  for (const piece of splitPieces(css)) {
    // statements (@import, @charset, @namespace, a stray declaration) are dropped
    if (piece.block === null) continue;
    const rule = ruleOf(piece, policy, depth + 1);
    if (rule) out.push(rule);
  }
  return out.join('\n');
}

/** The final check: nothing in the emitted CSS fetches what the policy would refuse. */
function passesFinalCheck(css: string, policy: CssUrlPolicy): boolean {
  const norm = normalise(css);
  if (SCRIPT_VECTORS.test(norm)) return false;
  if (FETCHING_FUNCTIONS.test(norm)) return false;
  return urlsWithCase(css).every((url) => policy.allowsEmitted(url));
}

/** `<` never leaves: `</style>` in a style element would end it and start markup. */
function escapeMarkup(css: string): string {
  return css.replace(/</g, '\\3c ');
}

/** The content of a <style> element, sanitised. */
export function sanitizeStylesheet(css: string, policy: CssUrlPolicy): string {
  const out = escapeMarkup(stylesheet(css, policy, 0));
  return passesFinalCheck(out, policy) ? out : '';
}

/** The value of a style attribute, sanitised ('' when nothing is left). */
export function sanitizeStyleAttribute(css: string, policy: CssUrlPolicy): string {
  const out = escapeMarkup(declarationList(css, policy, 0));
  return passesFinalCheck(out, policy) ? out : '';
}
