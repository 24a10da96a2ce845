/**
 * The authorization servers Biff knows without discovery, and their client IDs from the build
 * (scripts/build.ts defines them from BIFF_GOOGLE_CLIENT_ID and BIFF_MICROSOFT_CLIENT_ID; see
 * the README). Their endpoints are fixed here so the manifest can name the token endpoints
 * exactly in host_permissions, and because Microsoft's `common` tenant has no single issuer
 * for discovery to match (its document says `{tenantid}`).
 */
import type { ServerEndpoints } from './discovery.ts';

declare const __BIFF_GOOGLE_CLIENT_ID__: string;
declare const __BIFF_MICROSOFT_CLIENT_ID__: string;

/** The built-in providers. */
export type KnownProviderId = 'google' | 'microsoft';

/** A built-in provider. */
export interface KnownProvider extends ServerEndpoints {
  id: KnownProviderId;
  /** Name shown to the user. */
  name: string;
  /** The mail scopes (and offline access, where it is a scope). */
  scopes: readonly string[];
  /** Parameters the provider needs for a refresh token. */
  extraParams: Readonly<Record<string, string>>;
  /** The build's client ID, or '' when the build has none. */
  clientId: string;
}

const GOOGLE_CLIENT_ID = typeof __BIFF_GOOGLE_CLIENT_ID__ === 'string' ? __BIFF_GOOGLE_CLIENT_ID__ : '';
const MICROSOFT_CLIENT_ID =
  typeof __BIFF_MICROSOFT_CLIENT_ID__ === 'string' ? __BIFF_MICROSOFT_CLIENT_ID__ : '';

export const KNOWN_PROVIDERS: Readonly<Record<KnownProviderId, KnownProvider>> = {
  google: {
    id: 'google',
    name: 'Google',
    issuer: 'https://accounts.google.com',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    revocationEndpoint: 'https://oauth2.googleapis.com/revoke',
    // Full mail access is the only scope Gmail's IMAP and POP3 accept.
    scopes: ['https://mail.google.com/'],
    // Google gives a refresh token only with access_type=offline, and again on a later
    // sign-in only with prompt=consent.
    extraParams: { access_type: 'offline', prompt: 'consent' },
    clientId: GOOGLE_CLIENT_ID,
  },
  microsoft: {
    id: 'microsoft',
    name: 'Microsoft',
    // `common`: personal (Outlook.com, Hotmail, Live) and work or school accounts alike.
    issuer: 'https://login.microsoftonline.com/common/v2.0',
    authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    // Microsoft offers no RFC 7009 endpoint; users revoke at account.microsoft.com.
    revocationEndpoint: null,
    scopes: [
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/POP.AccessAsUser.All',
      'offline_access',
    ],
    // Whoever is signed in to Microsoft in this browser is not necessarily this mailbox's owner.
    extraParams: { prompt: 'select_account' },
    clientId: MICROSOFT_CLIENT_ID,
  },
};

/** The built-in provider whose issuer this is, if any (up to a trailing slash). */
export function knownProviderByIssuer(issuer: string): KnownProvider | null {
  const wanted = issuer.trim().replace(/\/$/, '');
  return Object.values(KNOWN_PROVIDERS).find((p) => p.issuer === wanted) ?? null;
}

/**
 * Parameters for a custom issuer: OpenID's `prompt=login` (ignored by servers without it), so
 * a session left from signing in another account is not silently reused for this one.
 */
export const CUSTOM_EXTRA_PARAMS: Readonly<Record<string, string>> = { prompt: 'login' };

/**
 * Scopes for a custom issuer: OpenID's `offline_access` asks for a refresh token (Authentik and
 * Keycloak honour it), `openid` and `email` let the server say who signed in. Servers that list
 * their scopes get only those they list.
 */
export function customScopes(scopesSupported: readonly string[] | null): string[] {
  const wanted = ['openid', 'email', 'offline_access'];
  return scopesSupported === null ? wanted : wanted.filter((s) => scopesSupported.includes(s));
}
