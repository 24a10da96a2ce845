/**
 * Native messaging's wire format (Chrome and Firefox alike): each message is a 32-bit length
 * in the machine's byte order, then that many bytes of UTF-8 JSON. Pure: bytes in, messages or
 * typed errors out, so the tests feed it split and hostile input directly (native-framing.test.ts).
 * https://developer.chrome.com/docs/extensions/develop/concepts/native-messaging#native-messaging-host-protocol
 */
import { endianness } from 'node:os';

/**
 * The largest request the host accepts. Biff sends `{"type":"pair"}`; anything near this is not
 * Biff. A longer message is skipped byte by byte, never buffered, so memory stays bounded
 * whatever length a peer declares (up to 4 GiB).
 */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Chrome refuses host → browser messages over 1 MiB and closes the port. */
export const MAX_REPLY_BYTES = 1024 * 1024;
const HEADER_BYTES = 4;
const LITTLE_ENDIAN = endianness() === 'LE';

/** Why a message could not be read; the host answers each with an error reply. */
export type FramingErrorCode = 'too_large' | 'bad_json';

/** One decoded message, or why one was refused (the decoder goes on with the next). */
export type NativeEvent =
  | { kind: 'message'; value: unknown }
  | { kind: 'error'; code: FramingErrorCode; message: string };

/** Splits a byte stream into native messages. */
export class NativeMessageDecoder {
  private header = Buffer.alloc(0);
  private body: Buffer[] = [];
  private bodyBytes = 0;
  /** Length of the message being read; null while reading a header. */
  private length: number | null = null;
  /** Bytes of an oversized message still to discard. */
  private skip = 0;

  /** Feeds bytes; returns the messages (and refusals) they completed, in order. */
  push(chunk: Uint8Array): NativeEvent[] {
    const events: NativeEvent[] = [];
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (data.length > 0) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length);
        this.skip -= n;
        data = data.subarray(n);
        continue;
      }
      if (this.length === null) {
        const need = HEADER_BYTES - this.header.length;
        this.header = Buffer.concat([this.header, data.subarray(0, need)]);
        data = data.subarray(need);
        if (this.header.length < HEADER_BYTES) break;
        const length = LITTLE_ENDIAN ? this.header.readUInt32LE(0) : this.header.readUInt32BE(0);
        this.header = Buffer.alloc(0);
        if (length > MAX_REQUEST_BYTES) {
          this.skip = length;
          events.push({
            kind: 'error',
            code: 'too_large',
            message: `a request of ${length} bytes; at most ${MAX_REQUEST_BYTES} are accepted`,
          });
          continue;
        }
        this.length = length;
      }
      const take = Math.min(this.length - this.bodyBytes, data.length);
      this.body.push(data.subarray(0, take));
      this.bodyBytes += take;
      data = data.subarray(take);
      if (this.bodyBytes === this.length) {
        const text = Buffer.concat(this.body).toString('utf8');
        this.body = [];
        this.bodyBytes = 0;
        this.length = null;
        events.push(parse(text));
      }
    }
    return events;
  }

  /** True when the stream stopped between messages (not inside one). */
  get idle(): boolean {
    return this.length === null && this.header.length === 0 && this.skip === 0;
  }
}

function parse(text: string): NativeEvent {
  try {
    return { kind: 'message', value: JSON.parse(text) };
  } catch {
    return { kind: 'error', code: 'bad_json', message: 'the request is not JSON' };
  }
}

/** Frames one reply; throws RangeError if it exceeds what the browser accepts. */
export function encodeNativeMessage(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  if (body.length > MAX_REPLY_BYTES) throw new RangeError(`reply of ${body.length} bytes is over 1 MiB`);
  const header = Buffer.alloc(HEADER_BYTES);
  if (LITTLE_ENDIAN) header.writeUInt32LE(body.length, 0);
  else header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}
