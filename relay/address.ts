/**
 * Classification of IP addresses, so the relay is not a pivot from a web page into the
 * user's LAN or the machine itself (every address a host name resolves to is checked; see
 * policy.ts). Pure and synchronous; IPv6 is parsed here rather than trusting textual prefixes,
 * since `::ffff:7f00:1`, `::ffff:127.0.0.1` and `0:0:0:0:0:ffff:7f00:0001` are one address.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is not public, or `public`. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'cgnat'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'reserved';

interface Range4 {
  base: number;
  bits: number;
  kind: Exclude<AddressClass, 'public'>;
}

/** IPv4 ranges that must not be reached from a browser-driven relay. */
const V4_RANGES: readonly Range4[] = [
  // "This network" (RFC 791); 0.0.0.0 itself reaches the local host on Linux.
  { base: v4(0, 0, 0, 0), bits: 8, kind: 'unspecified' },
  { base: v4(10, 0, 0, 0), bits: 8, kind: 'private' }, // RFC 1918
  { base: v4(100, 64, 0, 0), bits: 10, kind: 'cgnat' }, // RFC 6598
  { base: v4(127, 0, 0, 0), bits: 8, kind: 'loopback' },
  { base: v4(169, 254, 0, 0), bits: 16, kind: 'link-local' }, // RFC 3927, cloud metadata lives here
  { base: v4(172, 16, 0, 0), bits: 12, kind: 'private' }, // RFC 1918
  { base: v4(192, 0, 0, 0), bits: 24, kind: 'reserved' }, // RFC 6890 protocol assignments
  { base: v4(192, 168, 0, 0), bits: 16, kind: 'private' }, // RFC 1918
  { base: v4(224, 0, 0, 0), bits: 4, kind: 'multicast' },
  { base: v4(240, 0, 0, 0), bits: 4, kind: 'reserved' }, // RFC 1112 future use, and broadcast
];

function v4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function classifyV4(value: number): AddressClass {
  for (const range of V4_RANGES) {
    const mask = range.bits === 0 ? 0 : (~0 << (32 - range.bits)) >>> 0;
    if ((value & mask) >>> 0 === range.base) return range.kind;
  }
  return 'public';
}

/** Parses a dotted quad already validated by `isIPv4`. */
function parseV4(text: string): number {
  const [a, b, c, d] = text.split('.').map(Number) as [number, number, number, number];
  return v4(a, b, c, d);
}

/** Parses an IPv6 address (validated by `isIPv6`, zone stripped) into eight 16-bit groups. */
export function parseV6(text: string): number[] {
  let head = text;
  const tail: number[] = [];
  const lastColon = head.lastIndexOf(':');
  const last = head.slice(lastColon + 1);
  if (last.includes('.')) {
    const value = parseV4(last);
    tail.push(value >>> 16, value & 0xffff);
    head = head.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const groups = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = head.indexOf('::');
  let words: number[];
  if (gap === -1) {
    words = [...groups(head), ...tail];
  } else {
    const left = groups(head.slice(0, gap));
    const right = [...groups(head.slice(gap + 2)), ...tail];
    words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  }
  return words;
}

function classifyV6(words: number[]): AddressClass {
  const [w0, w1, w2, w3, w4, w5, w6, w7] = words as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const embedded = ((w6 << 16) | w7) >>> 0;
  const zeroTo = (n: number): boolean => words.slice(0, n).every((w) => w === 0);
  if (zeroTo(8)) return 'unspecified';
  if (zeroTo(7) && w7 === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d (deprecated, RFC 4291 §2.5.5):
  // both can reach the IPv4 address, so they are whatever it is.
  if (zeroTo(5) && w5 === 0xffff) return classifyV4(embedded);
  if (zeroTo(6)) return classifyV4(embedded);
  // IPv4-translated ::ffff:0:a.b.c.d (RFC 2765) and the NAT64 well-known prefix 64:ff9b::/96.
  if (zeroTo(4) && w4 === 0xffff && w5 === 0) return classifyV4(embedded);
  if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) {
    return classifyV4(embedded);
  }
  // 6to4 2002:AABB:CCDD::/48 carries an IPv4 address in groups 1–2.
  if (w0 === 0x2002) {
    const inner = classifyV4(((w1 << 16) | w2) >>> 0);
    if (inner !== 'public') return inner;
  }
  if ((w0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((w0 & 0xffc0) === 0xfec0) return 'private'; // site-local, deprecated by RFC 3879
  if ((w0 & 0xfe00) === 0xfc00) return 'unique-local'; // RFC 4193
  if ((w0 & 0xff00) === 0xff00) return 'multicast';
  return 'public';
}

/** Classifies an IPv4 or IPv6 literal (brackets and zone ID allowed). Throws on a non-IP. */
export function classifyAddress(address: string): AddressClass {
  let text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (isIPv4(text)) return classifyV4(parseV4(text));
  if (isIPv6(text)) return classifyV6(parseV6(text));
  throw new TypeError(`not an IP address: ${address}`);
}

/** True when `address` is a globally routable unicast address. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}
