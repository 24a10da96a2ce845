/**
 * The checks on a WebSocket upgrade request, before any upgrade happens, so a refusal is a
 * real HTTP status. Pure: the server passes the request's URL and headers.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { checkHostHeader, checkOrigin } from './policy.ts';
import { RELAY_PATH, RELAY_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from './protocol.ts';

/** What the server needs to judge a request. */
export interface HandshakePolicy {
  token: string;
  /** Accepted Host headers; null when the relay is not bound to loopback. */
  hostHeaders: Set<string> | null;
  extensionIds: readonly string[];
  /** The Firefox add-on origin that paired (`moz-extension://<uuid>`); null until one has. */
  firefoxPin: string | null;
}

/** An HTTP refusal: status and a short reason for the verbose log (never sent secrets). */
export interface Refusal {
  status: 400 | 401 | 403 | 404;
  reason: string;
}

/** Compares tokens in constant time: digests first, so lengths leak nothing either. */
export function tokenMatches(offered: string, expected: string): boolean {
  const a = createHash('sha256').update(offered).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The `Sec-WebSocket-Protocol` list, trimmed. */
export function offeredProtocols(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Path of a request target, without query. */
export function requestPath(url: string | undefined): string {
  const path = (url ?? '/').split('?', 1)[0]!;
  return path === '' ? '/' : path;
}

/**
 * Judges an upgrade request, in this order: Host (403), path (404), Origin (403), token (401),
 * `biff.v1` offered (400). Host and Origin come first so a web page learns nothing else.
 */
export function checkUpgrade(
  url: string | undefined,
  headers: IncomingHttpHeaders,
  policy: HandshakePolicy,
): Refusal | null {
  const host = checkHostHeader(headers.host, policy.hostHeaders);
  if (host) return { status: 403, reason: host };
  if (requestPath(url) !== RELAY_PATH) return { status: 404, reason: 'unknown path' };
  const origin = checkOrigin(headers.origin, policy.extensionIds, policy.firefoxPin);
  if (origin) return { status: 403, reason: origin };
  const protocols = offeredProtocols(headers['sec-websocket-protocol']);
  const tokens = protocols.filter((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX));
  if (tokens.length === 0) return { status: 401, reason: 'no token' };
  // Every offered token is compared, so the answer does not depend on where a match is.
  let matched = false;
  for (const t of tokens) {
    if (tokenMatches(t.slice(TOKEN_SUBPROTOCOL_PREFIX.length), policy.token)) matched = true;
  }
  if (!matched) return { status: 401, reason: 'wrong token' };
  if (!protocols.includes(RELAY_SUBPROTOCOL))
    return { status: 400, reason: `${RELAY_SUBPROTOCOL} not offered` };
  return null;
}
