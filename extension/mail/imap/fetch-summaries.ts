/**
 * Downloading summaries (envelope, flags, size, internal date, body structure, preview) for a
 * set of UIDs and storing them. Chunks go newest first, each stored in one transaction, so an
 * interrupted sync leaves the newest mail stored, without holes. Where the server makes previews
 * (RFC 8970 PREVIEW, server-preview.ts) a chunk is one UID FETCH of them, then one of the
 * metadata. Elsewhere it is one UID FETCH of the metadata and the first bytes of part 1, read as
 * a stream: previews and summaries are made while the server is still sending, not after the
 * whole response is in. Messages whose preview is still missing (not in part 1, or NIL from the
 * server) get one partial BODY.PEEK[part]<0.n> (RFC 3501 §6.4.5) per distinct text part after
 * the chunk's FETCH. A chunk is written while the next one is fetched: IndexedDB,
 * not the network, is the slower of the two (BENCHMARKS.md, imap-initial), and one write in
 * flight keeps memory bounded whatever the window.
 */
import type { FetchMessageObject } from 'imapflow';
import type { MessageSummary } from '../../store/schema.ts';
import { findTextPart, type TextPart } from './body-structure.ts';
import { PREVIEW_FETCH_BYTES, previewFromPart } from './preview.ts';
import { fetchServerPreviews } from './server-preview.ts';
import type { ImapSession } from './session.ts';
import { SUMMARY_QUERY, toSummary } from './summary.ts';
import { chunksNewestFirst, toSequenceSet } from './uid-set.ts';

/**
 * Messages per chunk (one FETCH, one transaction): big enough that round trips and commits do
 * not dominate (measured: 5,000-row transactions are no faster in Chromium), small enough that
 * the popup sees the newest mail at once and a chunk holds a few MB at most (~1 KiB per row).
 */
export const SUMMARY_CHUNK = 500;
/**
 * Fewest messages in a chunk for the server's previews (RFC 8970) to be fetched: they cost one
 * more command, a round trip, and save ~2 KiB per message (~0.7 KiB deflated). A few new
 * messages (a push, an incremental sync) come faster with part 1 on speculation; an initial
 * sync gains (on the benchmark's INBOX ~15 MB less text to receive, inflate and decode).
 */
export const SERVER_PREVIEWS_MIN = 100;
/** Chunk writes outstanding while the next chunk is fetched. */
const WRITES_IN_FLIGHT = 1;

function firstPart(msg: FetchMessageObject): Buffer | undefined {
  // One part is requested per FETCH, so the map has one entry (keyed like "1" or "1.2").
  return msg.bodyParts?.values().next().value;
}

/**
 * Part 1 is fetched with the metadata on speculation: it is the text of every single-part
 * message and of the usual multipart/alternative (text/plain first), so most previews need no
 * second FETCH (one round trip less per chunk, and one response less per message to parse).
 */
const SPECULATIVE_BYTES = PREVIEW_FETCH_BYTES['text/plain'];
const META_QUERY = { ...SUMMARY_QUERY, bodyParts: [{ key: '1', start: 0, maxLength: SPECULATIVE_BYTES }] };

/** The preview from the speculative part 1; null when another part (or more bytes) is needed. */
function speculativePreview(msg: FetchMessageObject): string | null {
  const part = msg.bodyStructure ? findTextPart(msg.bodyStructure) : null;
  if (!part || part.size === 0) return '';
  const speculative = firstPart(msg);
  if (part.part === '1' && speculative && (part.type === 'text/plain' || part.size <= SPECULATIVE_BYTES))
    return previewFromPart(part, speculative);
  return null;
}

/** The server's preview of `msg`; '' without a text part; null when the server had none for it. */
function serverPreview(msg: FetchMessageObject, made: Map<number, string>): string | null {
  const part = msg.bodyStructure ? findTextPart(msg.bodyStructure) : null;
  if (!part || part.size === 0) return '';
  return made.get(msg.uid) ?? null;
}

/** Previews of `metas` from one partial FETCH per distinct (part, type). */
async function fetchPreviews(
  session: ImapSession,
  metas: FetchMessageObject[],
): Promise<Map<number, string>> {
  const previews = new Map<number, string>();
  const groups = new Map<string, { part: TextPart; uids: number[] }>();
  const partOf = new Map<number, TextPart>();
  for (const msg of metas) {
    const part = msg.bodyStructure ? findTextPart(msg.bodyStructure) : null;
    if (!part) continue;
    partOf.set(msg.uid, part);
    const key = `${part.part}|${part.type}`;
    const group = groups.get(key);
    if (group) group.uids.push(msg.uid);
    else groups.set(key, { part, uids: [msg.uid] });
  }
  for (const { part, uids } of groups.values()) {
    const rows = await session.client.fetchAll(
      toSequenceSet(uids),
      { uid: true, bodyParts: [{ key: part.part, start: 0, maxLength: PREVIEW_FETCH_BYTES[part.type] }] },
      { uid: true },
    );
    for (const row of rows) {
      const bytes = firstPart(row);
      const own = partOf.get(row.uid);
      if (bytes && own) previews.set(row.uid, previewFromPart(own, bytes));
    }
  }
  return previews;
}

/** Writes batches of summaries with a bounded number of transactions outstanding. */
class BatchWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;
  readonly stored: MessageSummary[] = [];

  constructor(
    private readonly session: ImapSession,
    private readonly onChunk?: (stored: number) => void,
  ) {}

  /** Queues a write; waits while WRITES_IN_FLIGHT are outstanding. Throws an earlier write's failure. */
  async add(summaries: MessageSummary[]): Promise<void> {
    this.check();
    if (summaries.length === 0) return;
    while (this.inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(this.inFlight);
    this.check();
    const write: Promise<void> = this.session.messages.putSummaries(summaries).then(
      () => {
        this.inFlight.delete(write);
        this.stored.push(...summaries);
        this.onChunk?.(summaries.length);
      },
      (error: unknown) => {
        this.inFlight.delete(write);
        this.failure ??= { error };
      },
    );
    this.inFlight.add(write);
  }

  /** Waits for every write; throws the first failure. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.race(this.inFlight);
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.error;
  }
}

/** Fetches and stores summaries of `uids` in `folder`; returns what was stored, newest first. */
export async function fetchAndStoreSummaries(
  session: ImapSession,
  folder: string,
  uids: readonly number[],
  onChunk?: (stored: number) => void,
): Promise<MessageSummary[]> {
  const writer = new BatchWriter(session, onChunk);
  const wanted = new Set(uids);
  const summary = (m: FetchMessageObject, preview: string) =>
    toSummary(session.accountId, folder, m, preview);
  let serverPreviews = session.caps.preview;
  try {
    for (const chunk of chunksNewestFirst(uids, SUMMARY_CHUNK)) {
      session.checkAborted();
      const summaries: MessageSummary[] = [];
      const later: FetchMessageObject[] = [];
      const asked = serverPreviews && chunk.length >= SERVER_PREVIEWS_MIN;
      const made = asked ? await fetchServerPreviews(session.client, chunk) : null;
      // Refused once, refused again, and a server that answered none of them will not answer
      // the next chunk either: previews are made here from then on.
      if (asked && (!made || made.size === 0)) serverPreviews = false;
      const query = made ? SUMMARY_QUERY : META_QUERY;
      // No other IMAP command may run inside this loop (imapflow sends one at a time).
      for await (const msg of session.client.fetch(toSequenceSet(chunk), query, { uid: true })) {
        // A message marked \Deleted (by this or another client) is on its way out: not listed.
        if (!wanted.has(msg.uid) || msg.flags?.has('\\Deleted')) continue;
        const preview = made ? serverPreview(msg, made) : speculativePreview(msg);
        if (preview === null) later.push(msg);
        else summaries.push(summary(msg, preview));
      }
      if (later.length > 0) {
        const previews = await fetchPreviews(session, later);
        for (const msg of later) summaries.push(summary(msg, previews.get(msg.uid) ?? ''));
      }
      await writer.add(summaries.sort((a, b) => Number(b.uid) - Number(a.uid)));
    }
  } finally {
    // A failed fetch must not leave a write running unobserved.
    await writer.drain().catch(() => {});
  }
  await writer.drain();
  return writer.stored.sort((a, b) => Number(b.uid) - Number(a.uid));
}
