/**
 * Plain text of an HTML body, for showing HTML-only mail as text. Parsed with DOMParser, whose
 * documents have no browsing context: nothing in them runs or loads.
 */

/** Elements that end a line when shown as text. */
const BLOCKS = new Set([
  'P',
  'DIV',
  'LI',
  'TR',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'BLOCKQUOTE',
  'PRE',
  'TABLE',
  'UL',
  'OL',
  'HR',
  'SECTION',
  'ARTICLE',
]);

/** The visible text of `html`, with line breaks where blocks and `<br>`s were. */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  for (const el of doc.querySelectorAll('script, style, head, template, noscript')) el.remove();
  for (const br of doc.querySelectorAll('br')) br.replaceWith('\n');
  for (const el of doc.body.querySelectorAll('*')) if (BLOCKS.has(el.tagName)) el.append('\n');
  return (doc.body.textContent ?? '')
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
