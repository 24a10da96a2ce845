/**
 * HTML character references, decoded without a DOM (the service worker has none). Covers the
 * numeric forms fully (https://html.spec.whatwg.org/multipage/parsing.html#numeric-character-reference-end-state)
 * and the named references mail actually uses: all of Latin-1 and the common typographic ones.
 * An unknown name is left as written, which is what a reader would see anyway.
 */

/** Names of U+00A0…U+00FF, in code point order. */
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 ' +
  'acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde ' +
  'Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc ' +
  'Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml ' +
  'aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc ' +
  'otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';

// biome-ignore format: a table reads better packed
const OTHERS: Record<string, number> = {
  quot: 0x22, amp: 0x26, apos: 0x27, lt: 0x3c, gt: 0x3e,
  OElig: 0x152, oelig: 0x153, Scaron: 0x160, scaron: 0x161, Yuml: 0x178, fnof: 0x192, circ: 0x2c6,
  tilde: 0x2dc, ensp: 0x2002, emsp: 0x2003, thinsp: 0x2009, zwnj: 0x200c, zwj: 0x200d, lrm: 0x200e,
  rlm: 0x200f, ndash: 0x2013, mdash: 0x2014, lsquo: 0x2018, rsquo: 0x2019, sbquo: 0x201a, ldquo: 0x201c,
  rdquo: 0x201d, bdquo: 0x201e, dagger: 0x2020, Dagger: 0x2021, bull: 0x2022, hellip: 0x2026,
  permil: 0x2030, prime: 0x2032, Prime: 0x2033, lsaquo: 0x2039, rsaquo: 0x203a, oline: 0x203e,
  frasl: 0x2044, euro: 0x20ac, trade: 0x2122, larr: 0x2190, uarr: 0x2191, rarr: 0x2192, darr: 0x2193,
  harr: 0x2194, minus: 0x2212, spades: 0x2660, clubs: 0x2663, hearts: 0x2665, diams: 0x2666,
  check: 0x2713, star: 0x2606, starf: 0x2605,
};

/** Named reference → code point. */
export const NAMED_ENTITIES: ReadonlyMap<string, number> = new Map([
  ...LATIN1.split(' ').map((name, i): [string, number] => [name, 0xa0 + i]),
  ...Object.entries(OTHERS),
]);

/** Names browsers also decode without the `;`; the rest need it. */
const LEGACY = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp', 'copy', 'reg']);

/**
 * Code points 0x80–0x9F in a numeric reference mean the windows-1252 character, as in
 * browsers (HTML spec, numeric character reference end state, the replacement table).
 */
// biome-ignore format: a table reads better packed
const C1_REPLACEMENTS: readonly number[] = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function fromCodePoint(code: number): string {
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(code >= 0x80 && code <= 0x9f ? C1_REPLACEMENTS[code - 0x80]! : code);
}

const REFERENCE = /&(?:#([0-9]{1,8});?|#[xX]([0-9a-fA-F]{1,8});?|([A-Za-z][A-Za-z0-9]{1,31})(;?))/g;

/** Decodes character references in text taken from HTML. */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(
    REFERENCE,
    (match, dec: string | undefined, hex: string | undefined, name: string | undefined, semi: string) => {
      if (dec !== undefined) return fromCodePoint(Number.parseInt(dec, 10));
      if (hex !== undefined) return fromCodePoint(Number.parseInt(hex, 16));
      const code = name === undefined ? undefined : NAMED_ENTITIES.get(name);
      if (code === undefined || (semi === '' && !LEGACY.has(name!))) return match;
      return String.fromCodePoint(code);
    },
  );
}
