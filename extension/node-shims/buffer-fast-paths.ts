/**
 * Native fast paths for the `buffer` package (the Buffer imapflow and libmime get in the
 * service worker). Its `toString()` decodes UTF-8 byte by byte in JavaScript: imapflow's parser
 * turns every response line into a string that way (~20 µs for a 640-byte FETCH line in the
 * worker, against ~1 µs for TextDecoder; BENCHMARKS.md, imap-initial). Only whole-buffer UTF-8
 * decoding is redirected; every other encoding and any range keep the package's code.
 *
 * Malformed UTF-8 now becomes U+FFFD per maximal subpart (WHATWG), as Node's own Buffer does,
 * instead of the package's one U+FFFD per byte: imapflow was written against Node's behaviour.
 */

/** The part of the package's Buffer class this touches. */
interface BufferClass {
  prototype: Uint8Array & { toString(encoding?: string, start?: number, end?: number): string };
}

/** Below this many bytes the package's loop is as fast as a call into TextDecoder. */
const SHORT = 32;

/** Installs the fast paths on `buffer`'s prototype (once; a second call changes nothing). */
export function installBufferFastPaths(buffer: BufferClass): void {
  const proto = buffer.prototype as BufferClass['prototype'] & { biffFastPaths?: true };
  if (proto.biffFastPaths) return;
  const packageToString = proto.toString;
  // ignoreBOM keeps a leading U+FEFF in the string, as Buffer#toString does.
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
  proto.toString = function fastToString(this: Uint8Array, ...args: [string?, number?, number?]): string {
    const [encoding, start, end] = args;
    if (
      this.length > SHORT &&
      start === undefined &&
      end === undefined &&
      (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8')
    ) {
      return utf8.decode(this);
    }
    return packageToString.apply(this, args);
  };
  Object.defineProperty(proto, 'biffFastPaths', { value: true });
}
