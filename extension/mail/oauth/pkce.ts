/**
 * PKCE (RFC 7636) with S256, and the `state` value (RFC 6749 §10.12), for a public client.
 * Web Crypto only, so it runs in the service worker and in Node tests alike.
 */

/**
 * Random bytes behind a verifier: 32 give 43 base64url characters, the shortest RFC 7636 §4.1
 * allows, with 256 bits of entropy (its §7.1 asks for at least that much).
 */
const VERIFIER_BYTES = 32;
/** Random bytes behind a state: 128 bits, unguessable for a forged redirect. */
const STATE_BYTES = 16;

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
const VERIFIER_SHAPE = /^[A-Za-z0-9\-._~]{43,128}$/;

/** base64url without padding (RFC 4648 §5, RFC 7636 Appendix A). */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomToken(length: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(length)));
}

/** A fresh code verifier. */
export function newVerifier(): string {
  return randomToken(VERIFIER_BYTES);
}

/** A fresh state value. */
export function newState(): string {
  return randomToken(STATE_BYTES);
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function challengeS256(verifier: string): Promise<string> {
  if (!VERIFIER_SHAPE.test(verifier)) throw new RangeError('a PKCE verifier is 43-128 unreserved characters');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/**
 * Compares the state that came back with ours without an early exit, so the time taken says
 * nothing about how much of it matched.
 */
export function sameState(expected: string, received: string | null): boolean {
  if (received === null || received.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ received.charCodeAt(i);
  return diff === 0;
}
