/**
 * The CAPA reply (RFC 2449 §5–6) as a typed object. Pure. Tags are case-insensitive; lines
 * we do not know are kept in `lines` only.
 */

/** What a server said it supports, from its CAPA reply. */
export interface Capabilities {
  /** The capability lines as sent, e.g. `SASL PLAIN LOGIN`. */
  readonly lines: readonly string[];
  /** PIPELINING (§6.6): commands may be sent without waiting for each reply. */
  readonly pipelining: boolean;
  /** UIDL (§6.7). */
  readonly uidl: boolean;
  /** TOP (§6.2). */
  readonly top: boolean;
  /** USER (§6.3): USER/PASS login is allowed (on this connection, e.g. only after STLS). */
  readonly user: boolean;
  /** STLS (RFC 2595 §4). */
  readonly stls: boolean;
  /** UTF8 (RFC 6856 §2). */
  readonly utf8: boolean;
  /** RESP-CODES (§6.4): -ERR replies may carry response codes. */
  readonly respCodes: boolean;
  /** AUTH-RESP-CODE (RFC 3206 §3): [AUTH] marks credential failures. */
  readonly authRespCode: boolean;
  /** SASL mechanisms (§6.1), upper case, e.g. `['PLAIN', 'LOGIN']`. */
  readonly sasl: readonly string[];
  /** LOGIN-DELAY (§6.5): minimum seconds between logins; null when not announced. */
  readonly loginDelay: number | null;
  /**
   * EXPIRE (§6.8): days the server keeps retrieved messages; 'never', 0 (deleted once
   * retrieved: "leave a copy on the server" cannot work), or null when not announced.
   */
  readonly expire: number | 'never' | null;
  /** IMPLEMENTATION (§6.9): the server's self-description, for diagnostics. */
  readonly implementation: string | null;
}

function seconds(token: string | undefined): number | null {
  if (token === undefined || !/^[0-9]+$/.test(token)) return null;
  return Number(token);
}

/** Builds Capabilities from the lines of a CAPA reply. */
export function parseCapabilities(lines: readonly string[]): Capabilities {
  const tags = new Map<string, string[]>();
  for (const line of lines) {
    const [tag, ...args] = line.trim().split(/[ \t]+/);
    if (tag) tags.set(tag.toUpperCase(), args);
  }
  const expire = tags.get('EXPIRE')?.[0];
  const implementation = lines.find((line) => /^IMPLEMENTATION([ \t]|$)/i.test(line.trim()));
  return {
    lines: [...lines],
    pipelining: tags.has('PIPELINING'),
    uidl: tags.has('UIDL'),
    top: tags.has('TOP'),
    user: tags.has('USER'),
    stls: tags.has('STLS'),
    utf8: tags.has('UTF8'),
    respCodes: tags.has('RESP-CODES'),
    authRespCode: tags.has('AUTH-RESP-CODE'),
    sasl: (tags.get('SASL') ?? []).map((mechanism) => mechanism.toUpperCase()),
    loginDelay: seconds(tags.get('LOGIN-DELAY')?.[0]),
    expire: expire?.toUpperCase() === 'NEVER' ? 'never' : seconds(expire),
    implementation: implementation ? implementation.trim().slice('IMPLEMENTATION'.length).trim() : null,
  };
}
