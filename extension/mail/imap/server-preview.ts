/**
 * Previews the server makes: FETCH PREVIEW (RFC 8970), where the server offers it (Dovecot
 * since 2.3.11). The server reads each message's text itself and answers about 200 characters,
 * so a sync no longer downloads, inflates and decodes the first 2 KiB of every message's text
 * part to make its own (preview.ts). On the benchmark's 10,000-message INBOX that is ~15 MB less
 * to receive and parse in the service worker (BENCHMARKS.md, imap-initial).
 *
 * imapflow 2.10 has no PREVIEW fetch item and ignores items it does not know in a FETCH
 * response, so the command goes through imapflow's command queue (`exec`, the method its own
 * commands are built on) and only UID and PREVIEW are read from the answers.
 */
import type { ImapFlow } from 'imapflow';
import { previewFromServer } from '../mime/summarize.ts';
import { toSequenceSet } from './uid-set.ts';

/** The parser's value of one FETCH item (imapflow's tokenizer): an atom, a string, a literal or NIL. */
type ItemValue = { type?: string; value?: unknown } | null | undefined;

/** What imapflow's `exec` hands an untagged FETCH handler. */
interface UntaggedFetch {
  attributes?: [unknown, ItemValue[]?];
}

/** imapflow's command queue, as its commands use it (not in its type declarations). */
interface CommandQueue {
  exec(
    command: string,
    attributes: unknown[],
    options: { untagged: { FETCH: (untagged: UntaggedFetch) => Promise<void> } },
  ): Promise<{ next(): void }>;
}

const UTF8 = new TextDecoder();

function textOf(item: ItemValue): string | null {
  const value = item?.value;
  if (typeof value === 'string') return value;
  // A literal: RFC 8970 §3 makes the preview UTF-8 whatever the message's charset.
  if (value instanceof Uint8Array) return UTF8.decode(value);
  return null;
}

/** A tagged NO or BAD (imapflow's `responseStatus`): the command failed, the connection is fine. */
function refused(error: unknown): boolean {
  const status = (error as { responseStatus?: unknown } | null)?.responseStatus;
  return status === 'NO' || status === 'BAD';
}

/**
 * The server's previews of `uids` in the selected folder, tidied as the list shows previews, or
 * null when the server refuses the command (it advertised PREVIEW all the same): the caller then
 * makes previews itself. A message the server answers NIL for (it may not have one yet) is left
 * out, and its preview made by the caller too. Connection failures are thrown.
 */
export async function fetchServerPreviews(
  client: ImapFlow,
  uids: readonly number[],
): Promise<Map<number, string> | null> {
  const previews = new Map<number, string>();
  const queue = client as unknown as CommandQueue;
  let response: { next(): void };
  try {
    response = await queue.exec(
      'UID FETCH',
      [
        { type: 'SEQUENCE', value: toSequenceSet(uids) },
        [
          { type: 'ATOM', value: 'UID' },
          { type: 'ATOM', value: 'PREVIEW' },
        ],
      ],
      {
        untagged: {
          FETCH: async (untagged) => {
            const items = untagged.attributes?.[1] ?? [];
            let uid = 0;
            let preview: string | null = null;
            for (let i = 0; i + 1 < items.length; i += 2) {
              const key = String(items[i]?.value ?? '').toUpperCase();
              if (key === 'UID') uid = Number(items[i + 1]?.value);
              else if (key === 'PREVIEW') preview = textOf(items[i + 1]);
            }
            // Unsolicited FETCH responses (another client's flag change) carry no PREVIEW.
            if (Number.isSafeInteger(uid) && uid > 0 && preview !== null)
              previews.set(uid, previewFromServer(preview));
          },
        },
      },
    );
  } catch (error) {
    if (refused(error)) return null;
    throw error;
  }
  response.next();
  return previews;
}
