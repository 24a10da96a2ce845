/**
 * Turning what RETR and TOP return into what the store keeps (`Pop3Download`): the summary the
 * list shows, and the body. A message fetched whole keeps its exact source (the only copy once
 * the server forgets it), and nothing else: it is parsed here for the summary and again when
 * opened. One fetched with TOP keeps its header block, marked incomplete.
 */
import type { Pop3Download } from '../../store/pop3-repo.ts';
import type { Address } from '../../store/schema.ts';
import { parseHeaders, parseMessage } from '../mime/parse.ts';
import { summarize } from '../mime/summarize.ts';
import { TimeSlice, UNITS_PER_CHECK } from '../mime/time-slice.ts';
import type { MailAddress, MessageHeaders } from '../mime/types.ts';

type Summary = Pop3Download['summary'];

function address(a: MailAddress): Address {
  return { name: a.name, address: a.address };
}

/**
 * The summary of a POP3 message. POP3 has no flags and no arrival date: every new message is
 * unread, and the list sorts by the Date header, or by when we fetched it when there is none
 * (a NaN or 0 date would sort it out of sight).
 */
function summaryOf(
  headers: MessageHeaders,
  fields: { size: number; preview: string; hasAttachments: boolean },
  now: number,
): Summary {
  return {
    date: headers.date ?? now,
    from: headers.from ? address(headers.from) : null,
    to: headers.to.map(address),
    cc: headers.cc.map(address),
    subject: headers.subject,
    preview: fields.preview,
    size: fields.size,
    seen: false,
    flagged: false,
    answered: false,
    hasAttachments: fields.hasAttachments,
    messageId: headers.messageId,
  };
}

const NO_HEADERS: MessageHeaders = {
  from: null,
  to: [],
  cc: [],
  replyTo: [],
  date: null,
  subject: '',
  messageId: null,
};

/**
 * A message fetched whole by RETR. `listSize` is its LIST size (what the server counts), or
 * null to use the byte length. A structure the parser cannot read still yields a best-effort
 * reading, so one broken message never stops the sync.
 */
export async function fullDownload(
  uidl: string,
  listSize: number | null,
  raw: Uint8Array,
  now: number,
  slice: TimeSlice = new TimeSlice(),
): Promise<Pop3Download> {
  // The session already capped the transfer; the parser need not refuse it again. Only the
  // summary is taken from this parse, so attachments are not decoded (digestOnly).
  // One job, one budget (`slice`, time-slice.ts): the sync's other work (a message from the
  // popup, push data) gets a turn at least every SLICE_MS while a large message is parsed.
  const parsed = await parseMessage(raw, { maxBytes: raw.byteLength, digestOnly: true, slice });
  // The summary looks at a bounded prefix of the body (summarize.ts, SCAN_CHARS).
  await slice.pause(UNITS_PER_CHECK);
  const digest = summarize(parsed);
  return {
    uidl,
    summary: summaryOf(
      parsed.headers,
      { size: listSize ?? raw.byteLength, preview: digest.preview, hasAttachments: digest.hasAttachments },
      now,
    ),
    // The source only: the reader parses it again when the message is opened (BodyRow).
    body: { raw, complete: true },
  };
}

/**
 * A message fetched as headers by TOP n 0: its header block is kept (body incomplete) until the
 * message is opened. A header block that cannot be decoded gives an empty summary rather than
 * no row at all: the message must still be listed, and opened.
 */
export async function headersDownload(
  uidl: string,
  listSize: number,
  header: Uint8Array,
  now: number,
): Promise<Pop3Download> {
  let headers = NO_HEADERS;
  try {
    headers = await parseHeaders(header);
  } catch {
    // Kept as NO_HEADERS: the raw header block is still stored and shown on opening.
  }
  return {
    uidl,
    summary: summaryOf(headers, { size: listSize, preview: '', hasAttachments: false }, now),
    body: { raw: header, complete: false },
  };
}

/**
 * A message too large to download that the server cannot show the headers of (no TOP): listed
 * with its size only, so the user knows it is there. Its unique-id is recorded like any other,
 * and it is never deleted from the server, since none of it is stored here.
 */
export function sizeOnlyDownload(uidl: string, listSize: number, now: number): Pop3Download {
  return {
    uidl,
    summary: summaryOf(NO_HEADERS, { size: listSize, preview: '', hasAttachments: false }, now),
    body: null,
  };
}
