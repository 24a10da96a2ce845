/**
 * Built-in server settings of common mail providers, by the domain of the address. Pure data
 * plus a lookup: the options page reads it for hints, the background for the first candidates
 * of `guessSettings` (see guess.ts). Hosts and ports are the providers' published settings;
 * every entry uses implicit TLS (993/995), which all of them offer.
 */
import type { Protocol } from '../accounts.ts';
import type { TlsMode } from '../relay/transport.ts';

/** Where one protocol of a provider is served. */
export interface ServerEndpoint {
  host: string;
  port: number;
  security: TlsMode;
}

/**
 * What a user must do at the provider before a password sign-in from Biff works; the options
 * page turns each into a localised hint.
 * - `app-password`: the account password is refused; an app(-specific) password is needed.
 * - `enable-access`: IMAP/POP3 access is off until switched on in the provider's web settings.
 * - `oauth`: the provider wants OAuth sign-in, which Biff does not do; passwords may be refused.
 */
export type ProviderRequirement = 'app-password' | 'enable-access' | 'oauth';

/** One provider: the domains it serves and its servers per protocol (absent: not offered). */
export interface Provider {
  /** Stable identifier, e.g. `gmail`. */
  id: string;
  /** Display name, a brand, so not translated. */
  name: string;
  /** Lowercase ASCII domains whose addresses it hosts. */
  domains: string[];
  imap?: ServerEndpoint;
  pop3?: ServerEndpoint;
  /** The sign-in name: the whole address, or only the part before the `@`. */
  username: 'address' | 'local-part';
  requires: ProviderRequirement[];
  /**
   * The built-in OAuth provider that signs its users in (extension/mail/oauth/providers.ts),
   * and whether the account editor picks OAuth by default (true where passwords no longer
   * work) or offers it first beside the password.
   */
  oauth?: { provider: 'google' | 'microsoft'; preferred: boolean };
  /** Why, in English, for people reading the table or logs (the UI uses `requires`). */
  note: string;
}

const imap = (host: string): ServerEndpoint => ({ host, port: 993, security: 'implicit' });
const pop3 = (host: string): ServerEndpoint => ({ host, port: 995, security: 'implicit' });

/** The table, in no particular order; each domain appears once (table.test.ts checks). */
export const PROVIDERS: readonly Provider[] = [
  {
    id: 'gmail',
    name: 'Gmail',
    domains: ['gmail.com', 'googlemail.com'],
    imap: imap('imap.gmail.com'),
    pop3: pop3('pop.gmail.com'),
    username: 'address',
    requires: ['app-password'],
    oauth: { provider: 'google', preferred: false },
    note: 'Google refuses the account password over IMAP/POP3: turn on 2-Step Verification and create an app password.',
  },
  {
    id: 'outlook',
    name: 'Outlook.com',
    domains: [
      'outlook.com',
      'outlook.de',
      'outlook.fr',
      'outlook.es',
      'outlook.it',
      'hotmail.com',
      'hotmail.co.uk',
      'hotmail.de',
      'hotmail.fr',
      'hotmail.es',
      'hotmail.it',
      'live.com',
      'live.co.uk',
      'live.de',
      'live.fr',
      'msn.com',
    ],
    imap: imap('outlook.office365.com'),
    pop3: pop3('outlook.office365.com'),
    username: 'address',
    requires: ['oauth', 'enable-access'],
    oauth: { provider: 'microsoft', preferred: true },
    note: 'Microsoft ended basic (password) authentication for Outlook.com in September 2024; sign-in needs OAuth. POP3 must be switched on in Outlook settings.',
  },
  {
    id: 'yahoo',
    name: 'Yahoo Mail',
    domains: [
      'yahoo.com',
      'yahoo.co.uk',
      'yahoo.de',
      'yahoo.fr',
      'yahoo.es',
      'yahoo.it',
      'yahoo.ca',
      'yahoo.com.au',
      'yahoo.co.in',
      'ymail.com',
      'rocketmail.com',
    ],
    imap: imap('imap.mail.yahoo.com'),
    pop3: pop3('pop.mail.yahoo.com'),
    username: 'address',
    requires: ['app-password'],
    note: 'Yahoo needs an app password (Account security → Generate app password).',
  },
  {
    id: 'icloud',
    name: 'iCloud Mail',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    imap: imap('imap.mail.me.com'),
    // iCloud offers no POP3.
    username: 'local-part',
    requires: ['app-password'],
    note: 'Apple needs an app-specific password (appleid.apple.com). The username is the part before the @; no POP3.',
  },
  {
    id: 'fastmail',
    name: 'Fastmail',
    domains: [
      'fastmail.com',
      'fastmail.fm',
      'fastmail.net',
      'fastmail.org',
      'fastmail.us',
      'fastmail.co.uk',
      'fastmail.de',
      'messagingengine.com',
      'sent.com',
    ],
    imap: imap('imap.fastmail.com'),
    pop3: pop3('pop.fastmail.com'),
    username: 'address',
    requires: ['app-password'],
    note: 'Fastmail needs an app password with IMAP/POP access (Settings → Privacy & Security).',
  },
  {
    id: 'gmx-de',
    name: 'GMX',
    domains: ['gmx.de', 'gmx.net', 'gmx.at', 'gmx.ch'],
    imap: imap('imap.gmx.net'),
    pop3: pop3('pop.gmx.net'),
    username: 'address',
    requires: ['enable-access'],
    note: 'GMX switches POP3/IMAP access off by default: enable it under E-Mail → Settings → POP3/IMAP.',
  },
  {
    id: 'gmx-com',
    name: 'GMX',
    domains: ['gmx.com', 'gmx.us', 'gmx.co.uk', 'gmx.fr', 'gmx.es'],
    imap: imap('imap.gmx.com'),
    pop3: pop3('pop.gmx.com'),
    username: 'address',
    requires: ['enable-access'],
    note: 'POP3/IMAP access must be enabled in the GMX mail settings first.',
  },
  {
    id: 'mail-com',
    name: 'mail.com',
    domains: ['mail.com', 'email.com', 'usa.com', 'post.com', 'europe.com', 'consultant.com', 'myself.com'],
    imap: imap('imap.mail.com'),
    pop3: pop3('pop.mail.com'),
    username: 'address',
    requires: ['enable-access'],
    note: 'POP3/IMAP access must be enabled in the mail.com settings (it may need a premium plan).',
  },
  {
    id: 'zoho',
    name: 'Zoho Mail',
    domains: ['zoho.com', 'zohomail.com'],
    imap: imap('imap.zoho.com'),
    pop3: pop3('pop.zoho.com'),
    username: 'address',
    requires: ['enable-access', 'app-password'],
    note: 'Enable IMAP/POP access in Zoho Mail settings; with two-factor sign-in, use an application-specific password.',
  },
  {
    id: 'zoho-eu',
    name: 'Zoho Mail',
    domains: ['zoho.eu', 'zohomail.eu'],
    imap: imap('imap.zoho.eu'),
    pop3: pop3('pop.zoho.eu'),
    username: 'address',
    requires: ['enable-access', 'app-password'],
    note: 'EU data centre. Enable IMAP/POP access in Zoho Mail settings; with two-factor sign-in, use an application-specific password.',
  },
  {
    id: 'aol',
    name: 'AOL Mail',
    domains: ['aol.com', 'aim.com'],
    imap: imap('imap.aol.com'),
    pop3: pop3('pop.aol.com'),
    username: 'address',
    requires: ['app-password'],
    note: 'AOL needs an app password (Account security → Generate app password).',
  },
  {
    id: 'yandex',
    name: 'Yandex Mail',
    domains: ['yandex.com', 'yandex.ru', 'ya.ru', 'yandex.by', 'yandex.kz', 'yandex.ua', 'narod.ru'],
    imap: imap('imap.yandex.com'),
    pop3: pop3('pop.yandex.com'),
    username: 'address',
    requires: ['enable-access', 'app-password'],
    note: 'Allow access by mail clients in Yandex Mail settings and create an app password.',
  },
];

const BY_DOMAIN: ReadonlyMap<string, Provider> = new Map(
  PROVIDERS.flatMap((provider) => provider.domains.map((domain) => [domain, provider] as const)),
);

/** The provider hosting addresses at `domain` (lowercase ASCII, no trailing dot), if known. */
export function providerForDomain(domain: string): Provider | undefined {
  return BY_DOMAIN.get(domain);
}

/** The endpoint of `protocol` at `provider`, if it offers that protocol. */
export function endpointOf(provider: Provider, protocol: Protocol): ServerEndpoint | undefined {
  return protocol === 'imap' ? provider.imap : provider.pop3;
}
