/**
 * What the "Server" box accepts: a host name (internationalised names become `xn--` ASCII) or
 * an IP address, IPv6 with or without brackets. The relay resolves and connects; this only
 * catches what is certainly not a host, with a reason the user can act on.
 */

/** Why a server name was refused, or the normalised host. */
export type HostCheck =
  | { ok: true; host: string }
  | { ok: false; reason: 'empty' | 'scheme' | 'port' | 'invalid' };

/** Host-name labels; underscores appear in some internal names, so they are let through. */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Checks and normalises what the user typed into "Server". */
export function checkHost(input: string): HostCheck {
  const text = input.trim();
  if (!text) return { ok: false, reason: 'empty' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return { ok: false, reason: 'scheme' };
  const bracketed = /^\[([0-9a-f:.]+)\]$/i.exec(text);
  const v6 = bracketed ? bracketed[1]! : text;
  if (v6.includes(':')) {
    if (!bracketed && /^[^:]+:\d+$/.test(text)) return { ok: false, reason: 'port' };
    return isIPv6(v6) ? { ok: true, host: v6.toLowerCase() } : { ok: false, reason: 'invalid' };
  }
  let ascii: string;
  try {
    const url = new URL(`http://${text}/`);
    if (url.port || url.username || url.pathname !== '/') return { ok: false, reason: 'invalid' };
    ascii = url.hostname.replace(/\.$/, '');
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  // URL rewrites short numeric forms ("10.1") to dotted quads; insist on what was typed.
  if (/^[\d.]+$/.test(text) && ascii !== text.replace(/\.$/, '')) return { ok: false, reason: 'invalid' };
  return ascii.split('.').every((label) => LABEL.test(label))
    ? { ok: true, host: ascii }
    : { ok: false, reason: 'invalid' };
}

function isIPv6(text: string): boolean {
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}
