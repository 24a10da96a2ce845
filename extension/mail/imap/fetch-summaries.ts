/**
 * Downloading summaries (envelope, flags, size, internal date, body structure, preview) for a
 * set of UIDs and storing them. Chunks go newest first, so an interrupted sync leaves the
 * newest mail stored; each chunk is one UID FETCH for the metadata and the first bytes of part
 * 1, plus one partial BODY.PEEK[part]<0.n> (RFC 3501 §6.4.5) per distinct text part that is not
 * part 1, and one transaction. The next chunk is fetched while the previous one is being written.
 */
import type { FetchMessageObject } from 'imapflow';
import type { MessageSummary } from '../../store/schema.ts';
import { findTextPart, type TextPart } from './body-structure.ts';
import { PREVIEW_FETCH_BYTES, previewFromPart } from './preview.ts';
import type { ImapSession } from './session.ts';
import { SUMMARY_QUERY, toSummary } from './summary.ts';
import { chunksNewestFirst, toSequenceSet } from './uid-set.ts';

/**
 * Messages per chunk: big enough that round trips do not dominate (a chunk is 1-3 commands),
 * small enough that one transaction and one response (~1 KiB of metadata plus up to 8 KiB of
 * preview per message) stay a few MB at most.
 */
export const SUMMARY_CHUNK = 500;

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

/** Previews for `metas`: from the speculative part 1, else one partial FETCH per distinct (part, type). */
async function previewsOf(session: ImapSession, metas: FetchMessageObject[]): Promise<Map<number, string>> {
  const previews = new Map<number, string>();
  const groups = new Map<string, { part: TextPart; uids: number[] }>();
  const partOf = new Map<number, TextPart>();
  for (const msg of metas) {
    const part = msg.bodyStructure ? findTextPart(msg.bodyStructure) : null;
    if (!part || part.size === 0) continue;
    const speculative = firstPart(msg);
    if (part.part === '1' && speculative && (part.type === 'text/plain' || part.size <= SPECULATIVE_BYTES)) {
      previews.set(msg.uid, previewFromPart(part, speculative));
      continue;
    }
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

/** Fetches and stores summaries of `uids` in `folder`; returns what was stored, newest first. */
export async function fetchAndStoreSummaries(
  session: ImapSession,
  folder: string,
  uids: readonly number[],
  onChunk?: (stored: number) => void,
): Promise<MessageSummary[]> {
  const stored: MessageSummary[] = [];
  let writing: Promise<void> = Promise.resolve();
  const wanted = new Set(uids);
  try {
    for (const chunk of chunksNewestFirst(uids, SUMMARY_CHUNK)) {
      session.checkAborted();
      // A message marked \Deleted (by this or another client) is on its way out: not listed.
      const metas = (await session.client.fetchAll(toSequenceSet(chunk), META_QUERY, { uid: true })).filter(
        (m) => wanted.has(m.uid) && !m.flags?.has('\\Deleted'),
      );
      const previews = await previewsOf(session, metas);
      const summaries = metas
        .map((m) => toSummary(session.accountId, folder, m, previews.get(m.uid) ?? ''))
        .sort((a, b) => Number(b.uid) - Number(a.uid));
      await writing;
      writing = session.messages.putSummaries(summaries).then(() => {
        stored.push(...summaries);
        onChunk?.(summaries.length);
      });
    }
  } finally {
    // A failed fetch must not leave a write running unobserved.
    await writing.catch(() => {});
  }
  await writing;
  return stored;
}
