/**
 * Export of an account's stored mail as an mboxrd file
 * (https://www.loc.gov/preservation/digital/formats/fdd/fdd000385.shtml, and qmail's mbox(5)).
 *
 * Format decisions:
 * - mboxrd: every line matching `^>*From ` gets one more `>`, so a reader removes exactly one
 *   and gets the original back (unlike mboxo, which cannot tell `>From ` it added from one
 *   that was in the mail).
 * - Each message starts with `From <sender> <asctime date in UTC>` and ends with an empty line.
 *   The sender is the From address (the envelope sender is not known to a mail reader), or
 *   `MAILER-DAEMON` when there is none.
 * - Lines end in LF: CRLF from the wire becomes LF, as Unix mbox readers expect.
 * - Only messages whose full source is stored are exported. A summary or a header block alone
 *   is not the message; writing it would make an archive that looks complete and is not. Those
 *   are reported in `skipped` so the UI can offer to download them first.
 */
import { unpackSource } from './body-source.ts';
import { prefixRange } from './keys.ts';
import { listOrder } from './newest-page.ts';
import type { BiffDatabase, MessageKey } from './schema.ts';
import { runTx } from './tx.ts';

/** One message to write. */
export interface MboxMessage {
  /** Address for the separator line; null writes MAILER-DAEMON. */
  sender: string | null;
  /** ms since the epoch. */
  date: number;
  /** The RFC 5322 source. */
  raw: Uint8Array;
}

/** What `exportMbox` produced. */
export interface MboxExport {
  blob: Blob;
  exported: number;
  /** Messages left out because their full source is not stored here. */
  skipped: MessageKey[];
}

/** Bodies read per transaction: keeps each short without one transaction per message. */
const EXPORT_BATCH = 50;

const LF = 0x0a;
const CR = 0x0d;
const GT = 0x3e;
const FROM_ = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C asctime() of a UTC time without the newline: `Mon Jan  1 09:05:00 2024` (day padded with a space). */
export function asctime(ms: number): string {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${day} ${time} ${d.getUTCFullYear()}`;
}

/** The separator line's sender: one word of printable ASCII, or MAILER-DAEMON. */
function senderWord(sender: string | null): string {
  const word = sender?.replace(/[^\x21-\x7e]/g, '') ?? '';
  return word === '' ? 'MAILER-DAEMON' : word;
}

/** Whether the line starting at `start` is `>*From `. */
function needsQuote(raw: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && raw[i] === GT) i++;
  if (end - i < FROM_.length) return false;
  for (let j = 0; j < FROM_.length; j++) if (raw[i + j] !== FROM_[j]) return false;
  return true;
}

/** One message as mboxrd: separator line, quoted LF-terminated lines, empty line. */
export function mboxrdEntry(message: MboxMessage): Uint8Array<ArrayBuffer> {
  const { raw } = message;
  const separator = new TextEncoder().encode(`From ${senderWord(message.sender)} ${asctime(message.date)}\n`);
  // A quoted line is at least "From " long, so at most raw.length / 5 lines gain a '>'; plus a
  // final LF if the source lacks one and the empty line. CRLF -> LF only shrinks.
  const out = new Uint8Array(separator.length + raw.length + Math.ceil(raw.length / FROM_.length) + 2);
  out.set(separator, 0);
  let o = separator.length;
  let start = 0;
  while (start < raw.length) {
    let end = raw.indexOf(LF, start);
    const next = end === -1 ? raw.length : end + 1;
    if (end === -1) end = raw.length;
    const lineEnd = end > start && raw[end - 1] === CR ? end - 1 : end;
    if (needsQuote(raw, start, lineEnd)) out[o++] = GT;
    out.set(raw.subarray(start, lineEnd), o);
    o += lineEnd - start;
    out[o++] = LF;
    start = next;
  }
  out[o++] = LF;
  return out.slice(0, o);
}

/** Messages as one mboxrd file. */
export function toMboxrd(messages: Iterable<MboxMessage>): Uint8Array<ArrayBuffer> {
  const entries = [...messages].map(mboxrdEntry);
  const out = new Uint8Array(entries.reduce((n, e) => n + e.length, 0));
  let o = 0;
  for (const entry of entries) {
    out.set(entry, o);
    o += entry.length;
  }
  return out;
}

/**
 * The account's stored messages as mboxrd entries, oldest first, one chunk per message.
 * Messages without their full source are passed to `onSkip` instead (see the file comment).
 */
export async function* mboxChunks(
  db: BiffDatabase,
  accountId: string,
  onSkip: (key: MessageKey) => void,
): AsyncGenerator<Uint8Array<ArrayBuffer>> {
  const listTx = db.transaction('messages');
  // The list index holds visible rows only: messages whose deletion is queued are not exported.
  // It orders them by folder, then date: put in date order across folders here.
  const rows = (
    await runTx(listTx, () => listTx.store.index('by-folder-date').getAll(prefixRange(accountId)))
  ).sort(listOrder);
  for (let i = 0; i < rows.length; i += EXPORT_BATCH) {
    const batch = rows.slice(i, i + EXPORT_BATCH);
    const tx = db.transaction('bodies');
    const bodies = await runTx(tx, () =>
      Promise.all(
        batch.map((row) =>
          row.bodyState === 'full' ? tx.store.get([row.accountId, row.folder, row.uid]) : undefined,
        ),
      ),
    );
    for (const [j, row] of batch.entries()) {
      const body = bodies[j];
      // After the transaction: decompressing inside it would let it commit under the reads.
      const raw = body?.complete ? await unpackSource(body) : null;
      if (!raw) {
        onSkip([row.accountId, row.folder, row.uid]);
        continue;
      }
      yield mboxrdEntry({ sender: row.from?.address ?? null, date: row.date, raw });
    }
  }
}

/** The account's stored mail as an mboxrd Blob (`application/mbox`, RFC 4155). */
export async function exportMbox(db: BiffDatabase, accountId: string): Promise<MboxExport> {
  const skipped: MessageKey[] = [];
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  for await (const chunk of mboxChunks(db, accountId, (key) => skipped.push(key))) chunks.push(chunk);
  return { blob: new Blob(chunks, { type: 'application/mbox' }), exported: chunks.length, skipped };
}
