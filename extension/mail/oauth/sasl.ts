/**
 * The two SASL mechanisms that carry an OAuth access token: OAUTHBEARER (RFC 7628) and
 * Google's XOAUTH2 (https://developers.google.com/gmail/imap/xoauth2-protocol), which Microsoft
 * and Dovecot speak too. Pure: strings in, base64 out. The payload is as good as the token:
 * never log it.
 */

/** The OAuth SASL mechanisms, in the order we prefer them: the standard one first. */
export type OAuthMechanism = 'OAUTHBEARER' | 'XOAUTH2';

/** Where the payload names the server (RFC 7628 §3.1 host and port); optional there. */
export interface SaslServer {
  host: string;
  port: number;
}

/**
 * RFC 7628 §3.1 allows VCHAR, SP, HTAB, CR and LF in a value; the fields are framed with \x01,
 * so a control character in a user name or token would end the field and start another
 * (an `auth=` of the attacker's choosing included).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\x00-\x1f\x7f]/;

function checkValue(value: string, what: string): void {
  if (value === '' || CONTROL.test(value))
    throw new TypeError(`the ${what} is empty or contains control characters`);
}

function base64Utf8(text: string): string {
  let binary = '';
  for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** RFC 5801 §4 saslname: "," and "=" are written =2C and =3D ("=" first, so its own escapes stay). */
function saslName(value: string): string {
  return value.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** XOAUTH2's initial response: `user=<user>^Aauth=Bearer <token>^A^A`, base64. */
export function xoauth2Response(user: string, accessToken: string): string {
  checkValue(user, 'user name');
  checkValue(accessToken, 'access token');
  return base64Utf8(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`);
}

/** OAUTHBEARER's initial response (RFC 7628 §3.1): GS2 header with the authzid, then key=value fields, base64. */
export function oauthBearerResponse(user: string, accessToken: string, server?: SaslServer): string {
  checkValue(user, 'user name');
  checkValue(accessToken, 'access token');
  const fields = server ? [`host=${server.host}`, `port=${server.port}`] : [];
  if (server) checkValue(server.host, 'host');
  return base64Utf8([`n,a=${saslName(user)},`, ...fields, `auth=Bearer ${accessToken}`, '', ''].join('\x01'));
}

/** The initial response of `mechanism`. */
export function oauthResponse(
  mechanism: OAuthMechanism,
  user: string,
  accessToken: string,
  server?: SaslServer,
): string {
  return mechanism === 'OAUTHBEARER'
    ? oauthBearerResponse(user, accessToken, server)
    : xoauth2Response(user, accessToken);
}

/**
 * What the client sends after the server's error challenge, for the server to answer with the
 * failure: RFC 7628 §3.2.3's dummy `%x01` for OAUTHBEARER (base64 `AQ==`), an empty response
 * for XOAUTH2 (Google's description).
 */
export function oauthAbortResponse(mechanism: OAuthMechanism): string {
  return mechanism === 'OAUTHBEARER' ? 'AQ==' : '';
}

/** The mechanism to use from the server's SASL list: OAUTHBEARER when offered, else XOAUTH2, else null. */
export function pickOAuthMechanism(offered: readonly string[]): OAuthMechanism | null {
  const upper = offered.map((m) => m.toUpperCase());
  if (upper.includes('OAUTHBEARER')) return 'OAUTHBEARER';
  if (upper.includes('XOAUTH2')) return 'XOAUTH2';
  return null;
}

/** The server's error challenge (RFC 7628 §3.2.2): why the token was refused. */
export interface OAuthChallenge {
  /** HTTP-like status: "401" invalid token, "400" bad request, "403" insufficient scope. */
  status: string | null;
  scope: string | null;
  openidConfiguration: string | null;
}

/** Longest challenge read: RFC 7628's JSON is three short members; a bigger one is not one. */
const MAX_CHALLENGE_CHARS = 4096;

/** Reads an error challenge's base64 JSON; anything unreadable gives nulls, never an exception. */
export function parseOAuthChallenge(base64: string): OAuthChallenge {
  const empty: OAuthChallenge = { status: null, scope: null, openidConfiguration: null };
  if (base64.length > MAX_CHALLENGE_CHARS) return empty;
  try {
    const binary = atob(base64.trim());
    const json: unknown = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))),
    );
    if (typeof json !== 'object' || json === null) return empty;
    const record = json as Record<string, unknown>;
    const text = (key: string) =>
      typeof record[key] === 'string' ? (record[key] as string).slice(0, 200) : null;
    return {
      status: text('status'),
      scope: text('scope'),
      openidConfiguration: text('openid-configuration'),
    };
  } catch {
    return empty;
  }
}
