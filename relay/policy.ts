/**
 * Who may talk to the relay and where it may connect. Any web page can open a WebSocket to
 * localhost, so these checks (with the token, handshake.ts) are the relay's security boundary.
 * Pure functions: the server and session feed them headers and resolved addresses.
 */
import { isIP } from 'node:net';
import { type AddressClass, classifyAddress } from './address.ts';

const CHROME_ORIGIN = /^chrome-extension:\/\/([a-z0-9]{1,64})$/;
/**
 * Firefox uses a random per-profile UUID, so it cannot be configured in advance: the first one
 * that pairs (brings the token) is pinned instead (`firefoxPin`).
 */
const FIREFOX_ORIGIN = /^moz-extension:\/\/[0-9a-f-]{1,64}$/;

/** True for a Firefox add-on's origin, `moz-extension://<uuid>`. */
export const isFirefoxOrigin = (origin: string | undefined): origin is string =>
  origin !== undefined && FIREFOX_ORIGIN.test(origin);

/**
 * Why an Origin is refused, or null when it is accepted. Accepted: no Origin (non-browser
 * clients; browsers always send one with a WebSocket), `null`, `moz-extension://…` (only the
 * pinned one once an add-on has paired, `firefoxPin`), and `chrome-extension://ID` (only the
 * configured IDs when there are any). Every web origin is refused. Note `null` is also what a
 * sandboxed iframe on a web page sends: the token is what keeps such a page out.
 */
export function checkOrigin(
  origin: string | undefined,
  extensionIds: readonly string[],
  firefoxPin: string | null = null,
): string | null {
  if (origin === undefined || origin === 'null') return null;
  if (isFirefoxOrigin(origin))
    return firefoxPin === null || origin === firefoxPin ? null : 'add-on not paired';
  const chrome = CHROME_ORIGIN.exec(origin);
  if (chrome) {
    if (extensionIds.length === 0 || extensionIds.includes(chrome[1]!)) return null;
    return 'extension ID not allowed';
  }
  return 'origin not allowed';
}

/** True for an address or name that only this machine can reach. */
export function isLoopbackBind(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  return isIP(host) !== 0 && classifyAddress(host) === 'loopback';
}

/** The Host header values a loopback-bound relay answers to. */
export function allowedHostHeaders(bindHost: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const bound = isIP(bindHost) === 6 ? `[${bindHost.toLowerCase()}]` : bindHost.toLowerCase();
  if (!names.includes(bound)) names.push(bound);
  const allowed = new Set(names.map((name) => `${name}:${port}`));
  // A browser leaves out the port only when it is the scheme's default.
  if (port === 80) for (const name of names) allowed.add(name);
  return allowed;
}

/**
 * Why a Host header is refused, or null. While bound to loopback only loopback names with our
 * port are answered: anything else is a DNS-rebinding page (evil.example resolving to
 * 127.0.0.1) or a misdirected request. Bound elsewhere (`--host 0.0.0.0`), the Host says
 * nothing useful and only Origin and token protect the relay.
 */
export function checkHostHeader(host: string | undefined, allowed: Set<string> | null): string | null {
  if (allowed === null) return null;
  if (host === undefined) return 'no Host header';
  return allowed.has(host.toLowerCase()) ? null : 'Host not allowed';
}

/** Why a target port is refused, or null. */
export function checkPort(port: number, allowedPorts: readonly number[]): string | null {
  return allowedPorts.includes(port)
    ? null
    : `port ${port} is not allowed (allowed: ${allowedPorts.join(', ')})`;
}

/**
 * Why a resolved target is refused, or null. Every address is checked, not only the one we
 * connect to, so a name cannot mix a public and a private answer to slip through.
 */
export function checkAddresses(addresses: readonly string[], allowPrivate: boolean): string | null {
  if (allowPrivate) return null;
  for (const address of addresses) {
    const kind: AddressClass = classifyAddress(address);
    if (kind !== 'public') return `${address} is a ${kind} address (start the relay with --allow-private)`;
  }
  return null;
}
