// Realistic mail for tests and the benchmark: plain text, HTML newsletters with remote images and
// CSS, multipart/alternative, attachments, replies, non-ASCII subjects and names. Pure and
// deterministic: message i of seed s is the same bytes on every run and machine, whether made
// alone (makeMessage) or in a mailbox (makeMailbox). Output is 7-bit ASCII with CRLF line ends.
import { makePdfLike, makePng, type Random } from './attachment-bytes.ts';
import {
  base64Lines,
  encodeDisplayName,
  encodeHeaderText,
  foldHeader,
  isPrintableAscii,
  quotedPrintable,
  rfc2231Param,
} from './mime-encode.ts';

export { HOSTILE_HOST, type HostileMessage, hostileHtmlMessage } from './hostile-html.ts';

/** The shapes of message the generator makes. */
export type MessageKind = 'plain' | 'reply' | 'alternative' | 'newsletter' | 'attachment';

/** A size distribution, or a fixed target size in bytes. */
export type MessageSize = number | 'mixed' | 'small';

/** Switches for makeMessage/makeMailbox; all optional. */
export interface MessageOptions {
  /** Different seeds give different mailboxes. Default 1. */
  seed?: number;
  /** Force one kind; by default each message draws one (plain 35 %, reply 10 %, alternative 20 %, newsletter 20 %, attachment 15 %). */
  kind?: MessageKind;
  /**
   * Target size of the raw message. 'mixed' (default): 2–60 KB, mean ~20 KB, the benchmark's
   * mix; 'small': 1.5–4 KB; a number: about that many bytes (never below the message's skeleton).
   */
  size?: MessageSize;
  /** The recipient. Default `Biff Tester <tester@biff.test>`. */
  to?: string;
  /** Date of message 0; later messages are later. Default 2024-01-08T08:00:00Z. */
  start?: Date;
  /** Mean gap between consecutive messages. Default 97 minutes. */
  spacingMinutes?: number;
}

/** A generated message and what it says, for assertions. */
export interface GeneratedMessage {
  index: number;
  kind: MessageKind;
  /** The RFC 5322 message: ASCII, CRLF line ends. */
  raw: string;
  /** Byte length of raw. */
  size: number;
  /** Subject as a reader sees it (decoded). */
  subject: string;
  from: { name: string; address: string };
  to: string;
  date: Date;
  /** Message-ID with its angle brackets. */
  messageId: string;
  /** Decoded text from near the start of the body (after the greeting), for preview checks. */
  snippet: string;
  /** Remote images the HTML part refers to (newsletters); empty otherwise. */
  remoteImages: string[];
  attachment?: { filename: string; contentType: string; size: number };
}

const CRLF = '\r\n';
const DEFAULT_START = Date.UTC(2024, 0, 8, 8, 0, 0);

// ---- randomness --------------------------------------------------------------------------

/** mulberry32: small, fast, and the same everywhere. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(seed: number, i: number, salt: number): number {
  let h = (seed * 0x9e3779b1) ^ (i * 0x85ebca6b) ^ (salt * 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function int(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/**
 * Target size for the 'mixed' distribution: 2.4 KB plus an exponential of mean 23 KB cut (by
 * redrawing) at 57 KB, which averages ~20 KB with a long tail, like a real inbox. The margins keep
 * the made sizes (within SIZE_TOLERANCE of the target) inside 2–60 KB.
 */
export function mixedSize(random: Random): number {
  for (;;) {
    const extra = -Math.log(1 - random()) * 23_000;
    if (extra <= 57_000) return Math.round(2_400 + extra);
  }
}

// ---- content pools ----------------------------------------------------------------------

interface Person {
  name: string;
  address: string;
  /** How the display name is encoded when it is not ASCII. */
  mode?: 'B' | 'Q';
}

const PEOPLE: readonly Person[] = [
  { name: 'Alice Johnson', address: 'alice.johnson@example.com' },
  { name: 'Bob Smith', address: 'bob@example.org' },
  { name: 'Jürgen Müller', address: 'j.mueller@example.de', mode: 'Q' },
  { name: '山田 太郎', address: 'taro.yamada@example.jp' },
  { name: 'Doe, Jane', address: 'jane.doe@example.net' },
  { name: 'Renée Lefèvre', address: 'renee@example.fr', mode: 'Q' },
  { name: 'Дмитрий Иванов', address: 'dmitry@example.ru' },
  { name: 'GitHub', address: 'notifications@github.example' },
  { name: 'Acme Shop', address: 'orders@shop.example' },
  { name: '', address: 'noreply@billing.example' },
  { name: 'María José García', address: 'mjgarcia@example.es', mode: 'Q' },
  { name: 'Chen Wei (陈伟)', address: 'chen.wei@example.cn' },
  { name: 'The "Ops" Team', address: 'ops@example.com' },
  { name: 'Priya Natarajan', address: 'priya@example.in' },
];

const NEWSLETTERS: readonly Person[] = [
  { name: 'Tech Weekly', address: 'digest@news.example' },
  { name: 'Gartenfreunde Rundbrief', address: 'rundbrief@verein.example' },
  { name: 'Travel Deals ✈', address: 'deals@travel.example' },
];

interface Subject {
  text: string;
  mode?: 'B' | 'Q';
}

const SUBJECTS: readonly Subject[] = [
  { text: 'Quarterly report Q3' },
  { text: 'Lunch on Friday?' },
  { text: 'Your invoice #4821 is ready' },
  { text: '[biff-dev] Build failed on main (run 1187)' },
  { text: 'Meeting notes 2024-03-14' },
  { text: 'Grüße aus München', mode: 'Q' },
  { text: 'Ihre Bestellung wurde versandt – Lieferung übermorgen', mode: 'Q' },
  { text: '会議の議事録（第3四半期）' },
  { text: 'お知らせ：システムメンテナンスのご案内' },
  { text: '🎉 You are invited: launch party on Thursday' },
  { text: 'Weekly digest 📬 5 new comments' },
  { text: 'Réunion déplacée à jeudi', mode: 'Q' },
  { text: 'Отчёт за неделю' },
  {
    text: 'A rather long subject line that goes on and on about the agenda for the planning offsite next month',
  },
  { text: 'Re: Re: Fwd: Contract draft v7 (final) (really final)' },
  { text: '价格调整通知' },
];

const WORDS = (
  'the project team review update schedule release meeting budget design customer server mail ' +
  'inbox message draft notes account report week month plan issue feature test build change ' +
  'please thanks about would could should with from into over after before during between ' +
  'quickly clearly today tomorrow again still already maybe new final next last small large ' +
  'document attached link folder access support question answer agenda slides numbers figure'
).split(' ');

const FOREIGN_SENTENCES: readonly string[] = [
  'Vielen Dank für die schnelle Rückmeldung, wir melden uns übermorgen.',
  'Les documents sont prêts ; merci de les relire avant jeudi.',
  'ご確認のほど、よろしくお願いいたします。',
  'Спасибо, встреча переносится на пятницу.',
  '¿Podemos hablar mañana a las diez?',
  '请在周五之前回复。',
];

const ZONES: readonly number[] = [0, 60, 120, -300, -480, 540, 330, -180];

// ---- text building -----------------------------------------------------------------------

function sentence(random: Random): string {
  const n = int(random, 6, 18);
  const words = Array.from({ length: n }, () => pick(random, WORDS));
  const first = words[0]!;
  words[0] = first[0]!.toUpperCase() + first.slice(1);
  return `${words.join(' ')}${pick(random, ['.', '.', '.', '?', '!'])}`;
}

function paragraph(random: Random, foreign: boolean): string {
  const parts = Array.from({ length: int(random, 3, 7) }, () => sentence(random));
  if (foreign && random() < 0.5)
    parts.splice(int(random, 0, parts.length), 0, pick(random, FOREIGN_SENTENCES));
  return parts.join(' ');
}

/** Wraps at ~72 columns, as mail clients do for text/plain. */
function wrap(text: string, width = 72): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join(CRLF);
}

// Filler comes from a fixed corpus drawn once, each message starting at its own place in it,
// and kept already quoted-printable: a message is sized by adding filler until it is big enough,
// and encoding the same paragraphs again for every message and sizing pass made 10,000 messages
// take over 20 s.
const CORPUS_SIZE = 512;
const CORPUS: readonly string[] = (() => {
  const random = mulberry32(0x5eed);
  return Array.from({ length: CORPUS_SIZE }, (_, k) => paragraph(random, k % 5 === 0));
})();
const HEADINGS: readonly string[] = (() => {
  const random = mulberry32(0x4ead);
  return Array.from({ length: 64 }, () => sentence(random));
})();

/** Text already quoted-printable: whole lines, joined to their neighbours by CRLF. */
interface Encoded {
  qp: string;
}
/** A body line (or lines) as text, or already encoded. */
type Piece = string | Encoded;

const encoded = (text: string): Encoded => ({ qp: quotedPrintable(text) });
/** Plain-text filler: wrapped paragraphs. */
const TEXT_FILLER: readonly Encoded[] = CORPUS.map((p) => encoded(wrap(p)));
/** Quoted filler for replies. */
const QUOTE_FILLER: readonly Encoded[] = CORPUS.map((p) =>
  encoded(
    wrap(p, 70)
      .split(CRLF)
      .map((l) => `> ${l}`)
      .join(CRLF),
  ),
);
/** HTML filler: one paragraph per line. */
const HTML_FILLER: readonly Encoded[] = CORPUS.map((p) => encoded(`<p>${escapeHtml(p)}</p>`));
const HEADING_LINES: readonly Encoded[] = HEADINGS.map((h) =>
  encoded(`<tr><td class="article"><h2>${escapeHtml(h)}</h2>`),
);

/** Encoded filler from position `seed` on, until at least `bytes` long. */
function filler(source: readonly Encoded[], seed: number, bytes: number): Encoded[] {
  const out: Encoded[] = [];
  let total = 0;
  for (let k = seed % CORPUS_SIZE; total < bytes; k = (k + 1) % CORPUS_SIZE) {
    const p = source[k]!;
    out.push(p);
    total += p.qp.length + 2;
  }
  return out;
}

/** Paragraphs separated by blank lines. */
function spaced(pieces: readonly Piece[], separator: Piece = ''): Piece[] {
  return pieces.flatMap((p, k) => (k === 0 ? [p] : [separator, p]));
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** True when a line is longer than 76 characters, the limit for 7bit bodies we hold to. */
function hasLongLine(body: string): boolean {
  let start = 0;
  for (;;) {
    const end = body.indexOf('\n', start);
    if ((end === -1 ? body.length : end) - start > 77) return true;
    if (end === -1) return false;
    start = end + 1;
  }
}

/**
 * A text part. All-text bodies get the encoding a mailer would choose (7bit when plain ASCII with
 * short lines, base64 when most bytes would need escaping, else quoted-printable); bodies with
 * pre-encoded filler are quoted-printable.
 */
function textPart(contentType: string, pieces: readonly Piece[]): string {
  if (pieces.every((p) => typeof p === 'string')) {
    const body = pieces.join(CRLF);
    const nonAscii = body.match(/[^\t\r\n\x20-\x7e]/g)?.length ?? 0;
    if (nonAscii === 0 && !hasLongLine(body)) {
      return `Content-Type: ${contentType}; charset=us-ascii${CRLF}Content-Transfer-Encoding: 7bit${CRLF}${CRLF}${body}`;
    }
    if (nonAscii > body.length / 5) {
      return `Content-Type: ${contentType}; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64Lines(Buffer.from(body, 'utf8'))}`;
    }
  }
  const qp = pieces.map((p) => (typeof p === 'string' ? quotedPrintable(p) : p.qp)).join(CRLF);
  return `Content-Type: ${contentType}; charset=utf-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}${qp}`;
}

function multipart(subtype: string, boundary: string, parts: readonly string[]): string {
  const body = parts.map((p) => `--${boundary}${CRLF}${p}${CRLF}`).join('');
  return `Content-Type: multipart/${subtype};${CRLF} boundary="${boundary}"${CRLF}${CRLF}This is a multi-part message in MIME format.${CRLF}${CRLF}${body}--${boundary}--${CRLF}`;
}

// ---- dates and addresses -----------------------------------------------------------------

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in the given zone offset (minutes east of UTC). */
export function rfc5322Date(date: Date, offsetMinutes: number): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${DAYS[local.getUTCDay()]}, ${pad(local.getUTCDate())} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

function mailbox(p: Person): string {
  return p.name === '' ? p.address : `${encodeDisplayName(p.name, p.mode)} <${p.address}>`;
}

// ---- the generator -----------------------------------------------------------------------

const KIND_WEIGHTS: readonly [MessageKind, number][] = [
  ['plain', 0.35],
  ['reply', 0.1],
  ['alternative', 0.2],
  ['newsletter', 0.2],
  ['attachment', 0.15],
];

function drawKind(random: Random): MessageKind {
  let x = random();
  for (const [kind, weight] of KIND_WEIGHTS) {
    x -= weight;
    if (x < 0) return kind;
  }
  return 'plain';
}

function targetSize(random: Random, size: MessageSize): number {
  if (typeof size === 'number') {
    if (!Number.isFinite(size) || size < 0) throw new RangeError(`size must be a byte count, got ${size}`);
    return size;
  }
  return size === 'small' ? int(random, 1_500, 4_000) : mixedSize(random);
}

interface Skeleton {
  headers: string[];
  /** Builds the body with about `fill` bytes of filler content (0 for the bare skeleton). */
  body: (fill: number) => string;
  snippet: string;
  remoteImages: string[];
  attachment?: GeneratedMessage['attachment'];
}

/** Message `i` of the mailbox described by `opts`. */
export function makeMessage(i: number, opts: MessageOptions = {}): GeneratedMessage {
  if (!Number.isInteger(i) || i < 0)
    throw new RangeError(`message index must be a whole number ≥ 0, got ${i}`);
  const seed = opts.seed ?? 1;
  const random = mulberry32(mix(seed, i, 1));
  const kind = opts.kind ?? drawKind(random);
  const target = targetSize(random, opts.size ?? 'mixed');
  const spacing = (opts.spacingMinutes ?? 97) * 60_000;
  const start = opts.start?.getTime() ?? DEFAULT_START;
  // Jitter under half a gap keeps dates in index order.
  // Whole seconds: that is all Date headers and IMAP INTERNALDATE can carry.
  const date = new Date(Math.floor((start + i * spacing + (random() - 0.5) * spacing * 0.9) / 1000) * 1000);
  const zone = pick(random, ZONES);
  const to = opts.to ?? 'Biff Tester <tester@biff.test>';
  const from = kind === 'newsletter' ? pick(random, NEWSLETTERS) : pick(random, PEOPLE);
  const subjectPick = pick(random, SUBJECTS);
  const subject =
    kind === 'reply'
      ? `Re: ${subjectPick.text}`
      : kind === 'newsletter'
        ? `${from.name}: ${subjectPick.text}`
        : subjectPick.text;
  const domain = from.address.split('@')[1]!;
  const messageId = `<${mix(seed, i, 2).toString(16)}.${i}.${seed}@${domain}>`;
  const foreign = !isPrintableAscii(subjectPick.text) || random() < 0.2;
  const fillSeed = mix(seed, i, 3);
  const boundary = `----=_Part_${mix(seed, i, 4).toString(36)}_${i}`;

  const headers = [
    `Return-Path: <${from.address}>`,
    foldHeader('From', mailbox(from)),
    foldHeader('To', to),
    foldHeader('Subject', encodeHeaderText(subject, subjectPick.mode)),
    `Date: ${rfc5322Date(date, zone)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
  ];
  if (random() < 0.5)
    headers.push(`X-Mailer: ${pick(random, ['Thunderbird 115.6', 'Apple Mail (2.3774)', 'Outlook 16.0'])}`);

  const skeleton = buildSkeleton(kind, {
    random,
    i,
    seed,
    fillSeed,
    foreign,
    boundary,
    from,
    subject,
    date,
    zone,
  });
  headers.push(...skeleton.headers);
  const head = `${headers.join(CRLF)}${CRLF}`;
  // Measure the skeleton, then scale the filler by how much the message grew per filler byte
  // (markup and encoding add to it), until the size is within tolerance of the target.
  let raw = head + skeleton.body(0);
  const bare = raw.length;
  let fill = target - bare;
  const tolerance = Math.max(SIZE_TOLERANCE, target * 0.01);
  for (let pass = 0; pass < 3 && fill > 0 && Math.abs(target - raw.length) > tolerance; pass++) {
    raw = head + skeleton.body(fill);
    const grown = raw.length - bare;
    if (grown <= 0) break;
    fill = (fill * (target - bare)) / grown;
  }
  // Filler comes in whole paragraphs, so the last pass can fall short: never end below the range.
  for (let pass = 0; pass < 3 && fill > 0 && raw.length < target - tolerance; pass++) {
    fill += target - raw.length;
    raw = head + skeleton.body(fill);
  }
  const message: GeneratedMessage = {
    index: i,
    kind,
    raw,
    size: raw.length,
    subject,
    from: { name: from.name, address: from.address },
    to,
    date,
    messageId,
    snippet: skeleton.snippet,
    remoteImages: skeleton.remoteImages,
  };
  if (skeleton.attachment) message.attachment = skeleton.attachment;
  return message;
}

/** Messages 0…n-1 of the mailbox described by `opts`, oldest first. */
export function makeMailbox(n: number, opts: MessageOptions = {}): GeneratedMessage[] {
  return Array.from({ length: n }, (_, i) => makeMessage(i, opts));
}

/**
 * `n` small distinct messages (own subject, Message-ID and body each) for tests that need many
 * messages but not realistic ones: they seed in a fraction of makeMailbox's time. `prefix`
 * keeps batches of one test apart; `from` numbers them on from an earlier batch.
 */
export function bareMessages(n: number, prefix = 'Bare', from = 0): string[] {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return (
      `From: Sender ${i} <s${i}@example.com>\r\nTo: tester@biff.test\r\nSubject: ${prefix} message ${i}\r\n` +
      `Date: Mon, 8 Jan 2024 08:${String(i % 60).padStart(2, '0')}:00 +0000\r\n` +
      `Message-ID: <${prefix.toLowerCase()}${i}@example.com>\r\n\r\n${prefix} message number ${i}.\r\n`
    );
  });
}

interface SkeletonInput {
  random: Random;
  i: number;
  seed: number;
  fillSeed: number;
  foreign: boolean;
  boundary: string;
  from: Person;
  subject: string;
  date: Date;
  zone: number;
}

/** How close (bytes, or 1 %) to the target size a message must come before the generator stops adjusting. */
const SIZE_TOLERANCE = 400;

/** Base64 grows its input by 4/3, plus a CRLF per 76 characters. */
const BASE64_OVERHEAD = 78 / 57;

function buildSkeleton(kind: MessageKind, s: SkeletonInput): Skeleton {
  const intro = paragraph(s.random, s.foreign);
  const snippet = intro.slice(0, 60);
  const greeting = `Hi ${pick(s.random, ['there', 'all', 'team', 'Biff Tester'])},`;
  const signOff = `${pick(s.random, ['Best', 'Cheers', 'Thanks', 'Regards'])},${CRLF}${s.from.name || 'Billing'}`;
  const plainBody = (fill: number): Piece[] =>
    spaced([greeting, wrap(intro), ...(fill > 0 ? filler(TEXT_FILLER, s.fillSeed, fill) : []), signOff]);
  const htmlBody = (fill: number): Piece[] => [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(s.subject)}</title></head>`,
    '<body style="font-family: Helvetica, Arial, sans-serif; font-size: 14px;">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    ...(fill > 0 ? filler(HTML_FILLER, s.fillSeed, fill) : []),
    `<p>${escapeHtml(signOff).replace(CRLF, '<br>')}</p>`,
    '</body></html>',
  ];

  switch (kind) {
    case 'plain':
      return {
        headers: [],
        body: (fill) => textPart('text/plain', plainBody(fill)),
        snippet,
        remoteImages: [],
      };
    case 'reply': {
      const quotedDate = rfc5322Date(new Date(s.date.getTime() - 86_400_000), s.zone);
      const parent = `<${mix(s.seed, s.i, 5).toString(16)}@example.com>`;
      return {
        headers: [`In-Reply-To: ${parent}`, `References: ${parent}`],
        body: (fill) => {
          const quoted = spaced(filler(QUOTE_FILLER, s.fillSeed + 1, Math.max(200, fill / 2)), '>');
          return textPart('text/plain', [
            ...plainBody(fill / 2),
            '',
            `On ${quotedDate}, someone wrote:`,
            ...quoted,
          ]);
        },
        snippet,
        remoteImages: [],
      };
    }
    case 'alternative':
      return {
        headers: [],
        body: (fill) =>
          multipart('alternative', s.boundary, [
            textPart('text/plain', plainBody(fill / 2)),
            textPart('text/html', htmlBody(fill / 2)),
          ]),
        snippet,
        remoteImages: [],
      };
    case 'newsletter': {
      const host = s.from.address.split('@')[1]!;
      const images = [
        `https://cdn.${host}/img/header-${s.i}.png`,
        `https://cdn.${host}/img/article-${s.i}-1.jpg`,
        `https://track.${host}/open/${mix(s.seed, s.i, 6).toString(16)}.gif`,
      ];
      const html = (fill: number): Piece[] => [
        `<!DOCTYPE html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<style>
  body { margin: 0; background: #f4f4f7; font-family: Georgia, serif; }
  .wrap { width: 600px; margin: 0 auto; background: #ffffff; }
  .article h2 { color: #1a4d8f; font-size: 20px; }
  .more { color: #ffffff; background: #1a4d8f; padding: 6px 12px; text-decoration: none; }
  @media (max-width: 620px) { .wrap { width: 100% !important; } }
</style></head>
<body><table class="wrap" role="presentation" cellpadding="0" cellspacing="0">
<tr><td><img src="${images[0]}" width="600" height="120" alt="${escapeHtml(s.from.name)}"></td></tr>
<tr><td class="article"><p>${escapeHtml(intro)}</p><img src="${images[1]}" width="560" alt="Feature image"></td></tr>`,
        ...(fill > 0 ? filler(HTML_FILLER, s.fillSeed, fill) : []).flatMap((p, k) => [
          HEADING_LINES[(s.fillSeed + k) % HEADING_LINES.length]!,
          p,
          `<a class="more" href="https://${host}/a/${s.i}/${k}">Read more</a></td></tr>`,
        ]),
        `<tr><td style="font-size: 11px; color: #888888;">You receive this because you subscribed. <a href="https://${host}/unsubscribe?u=${s.i}">Unsubscribe</a></td></tr>
</table><img src="${images[2]}" width="1" height="1" alt=""></body></html>`,
      ];
      return {
        headers: [
          `List-Unsubscribe: <https://${host}/unsubscribe?u=${s.i}>, <mailto:unsubscribe@${host}>`,
          'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
          'Precedence: bulk',
        ],
        body: (fill) =>
          multipart('alternative', s.boundary, [
            textPart('text/plain', [
              intro,
              '',
              `View this newsletter in your browser: https://${host}/view/${s.i}`,
            ]),
            textPart('text/html', html(fill)),
          ]),
        snippet,
        remoteImages: images,
      };
    }
    case 'attachment': {
      const pdf = s.random() < 0.7;
      const filename = pdf
        ? pick(s.random, ['report-q3.pdf', 'Rechnung März.pdf', 'contract_v7.pdf', '見積書.pdf'])
        : pick(s.random, ['photo.png', 'screenshot 2024-03-14.png', 'diagramm-übersicht.png']);
      const contentType = pdf ? 'application/pdf' : 'image/png';
      const attachmentRandom = (): Random => mulberry32(s.fillSeed + 7);
      const skeleton: Skeleton = {
        headers: [],
        body: (fill) => {
          const bytes = pdf
            ? makePdfLike(attachmentRandom(), Math.max(600, Math.floor(fill / BASE64_OVERHEAD)))
            : makePng(attachmentRandom(), 32);
          skeleton.attachment = { filename, contentType, size: bytes.length };
          const text = pdf ? plainBody(0) : plainBody(Math.max(0, fill - (bytes.length * 4) / 3));
          return multipart('mixed', s.boundary, [
            textPart('text/plain', [...text, '', `(see attached ${filename})`]),
            `Content-Type: ${contentType};${CRLF} ${rfc2231Param('name', filename)}${CRLF}Content-Disposition: attachment;${CRLF} ${rfc2231Param('filename', filename)}${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${base64Lines(bytes)}`,
          ]);
        },
        snippet,
        remoteImages: [],
      };
      return skeleton;
    }
  }
}
