/**
 * Where an authorization server's endpoints are: from its issuer URL by OpenID Connect
 * Discovery 1.0 §4 or RFC 8414 (OAuth 2.0 Authorization Server Metadata). Parsing is pure and
 * strict: an issuer that is not https, or a document that names another issuer or an endpoint
 * that is not https, is an error, never a fallback.
 */
import { OAuthError, serverText } from './errors.ts';
import { type Fetch, member, originOf, requestJson } from './http.ts';

/** The endpoints a public client needs, and whether the server revokes (RFC 7009). */
export interface ServerEndpoints {
  /** The issuer as the server names itself. */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** RFC 7009 revocation, when the server offers it. */
  revocationEndpoint: string | null;
  /** The scopes the server lists (`scopes_supported`), when it lists them. */
  scopesSupported?: string[] | null;
}

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** Whether a URL's host is a loopback address, where plain http is allowed (RFC 8252 §7.3's reasoning). */
function isLoopback(url: URL): boolean {
  return LOOPBACK_HOST.test(url.hostname);
}

/**
 * Checks an issuer URL as typed: an absolute https URL (http only on a loopback address) with
 * no query, fragment or user info (RFC 8414 §2). Returns it trimmed, without a trailing slash,
 * which is how issuers are written in practice (Keycloak, Authentik, Google).
 */
export function parseIssuer(input: string): string {
  const text = input.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OAuthError('bad_issuer', 'the authorization server is not a URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new OAuthError(
      'bad_issuer',
      'the authorization server must use https (plain http only on this computer)',
    );
  }
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw new OAuthError('bad_issuer', 'the authorization server URL must not have a query or fragment');
  }
  if (url.username !== '' || url.password !== '') {
    throw new OAuthError(
      'bad_issuer',
      'the authorization server URL must not contain a user name or password',
    );
  }
  return stripSlash(url.href);
}

function stripSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/**
 * The discovery document URLs to try, in order: OpenID Connect's (appended to the issuer, which
 * is what Keycloak, Authentik, Google and Microsoft serve), then RFC 8414 §3.1's (inserted
 * between the host and the issuer's path).
 */
export function discoveryUrls(issuer: string): string[] {
  const url = new URL(parseIssuer(issuer));
  const path = url.pathname === '/' ? '' : url.pathname;
  return [
    `${url.origin}${path}/.well-known/openid-configuration`,
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
  ];
}

/** An endpoint URL from the document: https, or http on a loopback address when the issuer is. */
function endpoint(json: unknown, key: string, issuerUrl: URL, required: true): string;
function endpoint(json: unknown, key: string, issuerUrl: URL, required: false): string | null;
function endpoint(json: unknown, key: string, issuerUrl: URL, required: boolean): string | null {
  const value = member(json, key);
  if (value === undefined && !required) return null;
  if (typeof value !== 'string') throw new OAuthError('bad_metadata', `the server's metadata has no ${key}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OAuthError('bad_metadata', `the server's ${key} is not a URL`);
  }
  const plainAllowed = issuerUrl.protocol === 'http:' && isLoopback(url);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainAllowed)) {
    throw new OAuthError('bad_metadata', `the server's ${key} does not use https`);
  }
  if (url.hash !== '') throw new OAuthError('bad_metadata', `the server's ${key} has a fragment`);
  return url.href;
}

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : null;
}

/** A list member that, when present, must include `wanted`. */
function offers(json: unknown, key: string, wanted: string): boolean {
  const value = member(json, key);
  if (value === undefined) return true;
  return Array.isArray(value) && value.includes(wanted);
}

/**
 * Reads a discovery document for `expectedIssuer` (as parseIssuer returns it). The `issuer`
 * must be the one asked for (RFC 8414 §3.3: else an attacker's document could stand in), up
 * to a trailing slash. When the server lists them, it must offer the code flow and S256 PKCE.
 */
export function parseMetadata(json: unknown, expectedIssuer: string): ServerEndpoints {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new OAuthError('bad_metadata', 'the server metadata is not a JSON object');
  }
  const issuer = member(json, 'issuer');
  if (typeof issuer !== 'string') throw new OAuthError('bad_metadata', "the server's metadata has no issuer");
  if (stripSlash(issuer) !== stripSlash(expectedIssuer)) {
    throw new OAuthError(
      'issuer_mismatch',
      `the server calls itself "${serverText(issuer)}", not "${serverText(expectedIssuer)}"`,
    );
  }
  const issuerUrl = new URL(expectedIssuer);
  if (
    !offers(json, 'response_types_supported', 'code') ||
    !offers(json, 'grant_types_supported', 'authorization_code')
  ) {
    throw new OAuthError('unsupported', 'the server does not offer the authorization code flow');
  }
  if (!offers(json, 'code_challenge_methods_supported', 'S256')) {
    throw new OAuthError('unsupported', 'the server does not offer PKCE with S256');
  }
  return {
    issuer,
    authorizationEndpoint: endpoint(json, 'authorization_endpoint', issuerUrl, true),
    tokenEndpoint: endpoint(json, 'token_endpoint', issuerUrl, true),
    revocationEndpoint: endpoint(json, 'revocation_endpoint', issuerUrl, false),
    scopesSupported: stringList(member(json, 'scopes_supported')),
  };
}

/**
 * Fetches and reads the issuer's metadata: the OpenID document first, RFC 8414's when that one
 * is missing (404). CORS carries these requests for a custom issuer: no host permission asked.
 */
export async function discover(fetchFn: Fetch, issuerInput: string): Promise<ServerEndpoints> {
  const issuer = parseIssuer(issuerInput);
  let lastStatus = 0;
  for (const url of discoveryUrls(issuer)) {
    const answer = await requestJson(fetchFn, url);
    if (answer.status === 404) {
      lastStatus = 404;
      continue;
    }
    if (answer.status !== 200) {
      throw new OAuthError('http', `${originOf(url)} answered ${answer.status} to the metadata request`, {
        status: answer.status,
      });
    }
    return parseMetadata(answer.json, issuer);
  }
  throw new OAuthError('bad_metadata', `${originOf(issuer)} publishes no OAuth metadata`, {
    status: lastStatus,
  });
}
