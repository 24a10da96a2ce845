/**
 * Server settings to try for an address, best first. Pure: the background probes the
 * candidates through the relay (it owns networking) and the options page reads the provider
 * for hints; neither ordering nor de-duplication happens anywhere else.
 */
import type { Protocol } from '../accounts.ts';
import type { TlsMode } from '../relay/transport.ts';
import { type Provider, providerForDomain } from './table.ts';

/** One set of server settings worth trying. */
export interface ServerCandidate {
  protocol: Protocol;
  host: string;
  port: number;
  security: TlsMode;
  /** `table`: a known provider's published settings; `guess`: a conventional name, unverified. */
  source: 'table' | 'guess';
}

/** The standard port of each protocol and TLS mode (RFC 8314 §7 for the implicit-TLS ones). */
export function standardPort(protocol: Protocol, security: TlsMode): number {
  if (protocol === 'imap') return security === 'implicit' ? 993 : 143;
  return security === 'implicit' ? 995 : 110;
}

/**
 * Host prefixes guessed for an unknown domain, per protocol, most common first. `mail.` serves
 * both protocols at many small hosts, so it is tried for each.
 */
const GUESS_PREFIXES: Record<Protocol, readonly string[]> = {
  imap: ['imap.', 'mail.'],
  pop3: ['pop.', 'pop3.', 'mail.'],
};

/**
 * Encrypted modes in the order they are tried: implicit TLS first (RFC 8314 §3 prefers it),
 * then STARTTLS. Cleartext is never guessed: it must be the user's explicit choice.
 */
const GUESS_SECURITY: readonly TlsMode[] = ['implicit', 'starttls'];

/** A DNS label in ASCII (RFC 1035 §2.3.1, with leading digits as RFC 1123 allows). */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** RFC 1035 §2.3.4: names are at most 255 octets on the wire, 253 characters written out. */
const MAX_DOMAIN_LENGTH = 253;

/** The address split at its last `@` (a quoted local part may contain `@`), or null. */
export function splitAddress(email: string): { local: string; domain: string } | null {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  const domain = normaliseDomain(trimmed.slice(at + 1));
  return domain ? { local: trimmed.slice(0, at), domain } : null;
}

/**
 * The domain in lowercase ASCII without a trailing dot (internationalised names become their
 * `xn--` form, which is what DNS and the relay need), or null when it is not a host name with at
 * least two labels. Address literals such as `[192.0.2.1]` give null: there is nothing to guess.
 */
export function normaliseDomain(domain: string): string | null {
  const trimmed = domain.trim().replace(/\.$/, '');
  if (!trimmed || /[\s/?#@[\]:\\]/.test(trimmed)) return null;
  let ascii: string;
  try {
    ascii = new URL(`http://${trimmed}/`).hostname;
  } catch {
    return null;
  }
  if (ascii.length > MAX_DOMAIN_LENGTH) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  // A numeric last label means an IPv4 address, which URL accepted as a host.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null;
  return ascii;
}

/** The known provider of the address's domain, if any. */
export function providerForEmail(email: string): Provider | undefined {
  const parts = splitAddress(email);
  return parts ? providerForDomain(parts.domain) : undefined;
}

/**
 * Server settings to try for `email`, best first: a known provider's servers (IMAP before
 * POP3), or else conventional host names on standard ports, implicit TLS before STARTTLS and
 * IMAP before POP3 within each. Empty when the address has no usable domain.
 */
export function candidatesFor(email: string): ServerCandidate[] {
  const parts = splitAddress(email);
  if (!parts) return [];
  const provider = providerForDomain(parts.domain);
  if (provider) {
    const table: ServerCandidate[] = [];
    if (provider.imap) table.push({ protocol: 'imap', ...provider.imap, source: 'table' });
    if (provider.pop3) table.push({ protocol: 'pop3', ...provider.pop3, source: 'table' });
    return dedupeCandidates(table);
  }
  const guesses: ServerCandidate[] = [];
  for (const security of GUESS_SECURITY) {
    for (const protocol of ['imap', 'pop3'] as const) {
      for (const prefix of GUESS_PREFIXES[protocol]) {
        guesses.push({
          protocol,
          host: `${prefix}${parts.domain}`,
          port: standardPort(protocol, security),
          security,
          source: 'guess',
        });
      }
    }
  }
  return dedupeCandidates(guesses);
}

/** The identity of a candidate: two with the same key are the same connection attempt. */
export function candidateKey(c: Pick<ServerCandidate, 'protocol' | 'host' | 'port' | 'security'>): string {
  return `${c.protocol}|${c.host.toLowerCase().replace(/\.$/, '')}|${c.port}|${c.security}`;
}

/** Drops later duplicates (same protocol, host, port and TLS mode), keeping the order. */
export function dedupeCandidates<T extends Pick<ServerCandidate, 'protocol' | 'host' | 'port' | 'security'>>(
  candidates: readonly T[],
): T[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const key = candidateKey(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The sign-in name for `email` at `provider`: the whole address (what almost every provider
 * and most self-hosted servers expect), or the part before the `@` where the provider says so.
 */
export function usernameFor(email: string, provider: Provider | undefined): string {
  const trimmed = email.trim();
  if (provider?.username !== 'local-part') return trimmed;
  const at = trimmed.lastIndexOf('@');
  return at > 0 ? trimmed.slice(0, at) : trimmed;
}
