/**
 * A text rendering of mail HTML without a DOM, for the service worker: previews, notifications
 * and the `text` of a message that has only an HTML part. One linear scan, no backtracking
 * regexes, so a hostile 5 MB body costs time proportional to its size.
 *
 * It is not a sanitiser and its output is never HTML: it is shown as text only.
 */
import { decodeEntities } from './entities.ts';
import { type TimeSlice, UNITS_PER_CHECK } from './time-slice.ts';

/** Tags and text runs read between two looks at the clock (htmlToTextSliced). */
const STEPS_PER_CHECK = 512;

/** Elements whose content is never text a reader sees. */
const SKIP_CONTENT = new Set([
  'script',
  'style',
  'title',
  'template',
  'iframe',
  'object',
  'noembed',
  'noframes',
  'svg',
  'math',
  'select',
]);

/** Elements that end a paragraph: a blank line before and after. */
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'table',
  'ul',
  'ol',
  'dl',
  'pre',
  'figure',
  'hr',
]);

/** Elements that start on a line of their own. */
const BLOCK = new Set([
  'div',
  'tr',
  'li',
  'dt',
  'dd',
  'section',
  'article',
  'header',
  'footer',
  'nav',
  'aside',
  'main',
  'address',
  'caption',
  'center',
  'details',
  'summary',
  'fieldset',
  'form',
  'figcaption',
  'tbody',
  'thead',
  'tfoot',
  'body',
]);

function isNameChar(c: number): boolean {
  // A-Z a-z 0-9 : _ -
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x3a) ||
    c === 0x5f ||
    c === 0x2d
  );
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

interface Tag {
  name: string;
  closing: boolean;
  /** Index just past the tag's `>` (or the end of input). */
  end: number;
}

/**
 * Reads the tag starting at `html[start] === '<'`, or null when `<` does not open a tag
 * (HTML tokenizer: tag open state needs a letter, or `/` and a letter).
 */
function readTag(html: string, start: number): Tag | null {
  let i = start + 1;
  const closing = html.charCodeAt(i) === 0x2f;
  if (closing) i++;
  if (!isLetter(html.charCodeAt(i))) return null;
  const nameStart = i;
  while (i < html.length && isNameChar(html.charCodeAt(i))) i++;
  const name = html.slice(nameStart, i).toLowerCase();
  // Attributes, so that a `>` inside a quoted value does not end the tag.
  while (i < html.length) {
    const c = html.charCodeAt(i);
    if (c === 0x3e) return { name, closing, end: i + 1 };
    if (c !== 0x3d) {
      i++;
      continue;
    }
    // `=`: the value may be quoted
    i++;
    while (i < html.length && isSpace(html.charCodeAt(i))) i++;
    const q = html[i];
    if (q === '"' || q === "'") {
      const close = html.indexOf(q, i + 1);
      i = close < 0 ? html.length : close + 1;
    }
  }
  return { name, closing, end: html.length };
}

/** Index just past the `</name…>` that ends a skipped element, or the end of input. */
function skipPast(html: string, name: string, from: number): number {
  // Not via toLowerCase(): lower-casing can change the length of a string (U+0130) and so shift indices.
  const close = new RegExp(`</${name}(?![A-Za-z0-9:_-])`, 'gi');
  close.lastIndex = from;
  const match = close.exec(html);
  if (!match) return html.length;
  const gt = html.indexOf('>', match.index);
  return gt < 0 ? html.length : gt + 1;
}

/** Plain text of an HTML document or fragment: tags dropped, entities decoded, blocks on their own lines. */
export function htmlToText(html: string): string {
  const steps = convert(html);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * htmlToText for a body of any size in the background: the same text, with turns of the event
 * loop given as `slice` asks (time-slice.ts), every STEPS_PER_CHECK tags and text runs.
 */
export async function htmlToTextSliced(html: string, slice: TimeSlice): Promise<string> {
  const steps = convert(html);
  let step = steps.next();
  while (!step.done) {
    const pause = slice.pause(UNITS_PER_CHECK);
    if (pause) await pause;
    step = steps.next();
  }
  return step.value;
}

/** htmlToText's conversion, stopping (a `yield`) every STEPS_PER_CHECK steps and between its final passes. */
function* convert(html: string): Generator<void, string, void> {
  const out: string[] = [];
  let steps = 0;
  let preDepth = 0;
  let i = 0;
  // Whitespace collapses across tags, as when rendered: remember a pending space, and how many
  // line breaks end the output so that nested blocks do not stack blank lines.
  let pendingSpace = false;
  let trailingBreaks = 2;
  const breakLine = (n: 1 | 2) => {
    pendingSpace = false;
    for (; trailingBreaks < n; trailingBreaks++) out.push('\n');
  };
  const emit = (s: string) => {
    out.push(s);
    trailingBreaks = 0;
  };
  const text = (raw: string) => {
    const decoded = decodeEntities(raw);
    if (preDepth > 0) {
      const lines = decoded.replace(/\r\n?/g, '\n');
      if (lines !== '') emit(lines);
      pendingSpace = false;
      return;
    }
    const parts = decoded.split(/[ \t\n\r\f]+/);
    parts.forEach((part, index) => {
      if (index > 0) pendingSpace = true;
      if (part === '') return;
      // no space at the start of a line
      if (pendingSpace && trailingBreaks === 0) out.push(' ');
      pendingSpace = false;
      emit(part);
    });
  };

  while (i < html.length) {
    if (++steps % STEPS_PER_CHECK === 0) yield;
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text(html.slice(i));
      break;
    }
    if (lt > i) text(html.slice(i, lt));
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const end = html.indexOf('>', i);
      i = end < 0 ? html.length : end + 1;
      continue;
    }
    const tag = readTag(html, i);
    if (!tag) {
      text('<');
      i++;
      continue;
    }
    i = tag.end;
    const { name, closing } = tag;
    if (!closing && SKIP_CONTENT.has(name)) {
      i = skipPast(html, name, i);
      continue;
    }
    if (name === 'br') breakLine(1);
    else if (name === 'pre') {
      preDepth = Math.max(0, preDepth + (closing ? -1 : 1));
      breakLine(2);
    } else if (PARAGRAPH.has(name)) breakLine(2);
    else if (BLOCK.has(name)) {
      breakLine(1);
      if (name === 'li' && !closing) emit('• ');
    } else if ((name === 'td' || name === 'th') && !closing) pendingSpace = true;
  }

  yield;
  // Line by line rather than with a regex: `[ \t]+\n` backtracks quadratically on a long run of
  // spaces inside <pre>.
  const lines = out.join('').split('\n');
  yield;
  const trimmed = lines.map((line) => line.trimEnd()).join('\n');
  yield;
  return trimmed.replace(/\n{3,}/g, '\n\n').trim();
}
