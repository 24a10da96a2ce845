/**
 * Command-line parsing for `biff-relay`. Pure: argv in, options or a UsageError out, so every
 * flag is unit-tested without starting anything (args.test.ts). Limits are validated, never
 * defaulted with `||` (a typo must not silently become "no limit").
 */
import {
  DEFAULT_ALLOWED_PORTS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HELLO_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_MESSAGE,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_RELAY_PORT,
} from './limits.ts';

/** Everything the relay needs to run, after defaults. */
export interface RelayOptions {
  /** Address to bind. */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /** Token from `--token`; null to use (or create) the token file. */
  token: string | null;
  /** Token file from `--config`; null for the default path. */
  configPath: string | null;
  /** Upstream ports a session may reach. */
  allowedPorts: number[];
  /** Whether loopback, private, link-local… upstream addresses are allowed. */
  allowPrivate: boolean;
  /** Chrome extension IDs accepted as Origin; empty accepts any chrome-extension:// origin. */
  extensionIds: string[];
  maxSessions: number;
  /** Largest accepted WebSocket message in bytes. */
  maxMessage: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  helloTimeoutMs: number;
  /** No session lines. */
  quiet: boolean;
  /** Also log refused handshakes. */
  verbose: boolean;
}

/**
 * What the command line asks for. `relayArgs` are the relay options as typed, which `install`
 * writes into the login service and the native host, so both start the relay the same way.
 */
export type Command =
  | { kind: 'run'; options: RelayOptions }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'install'; options: RelayOptions; relayArgs: string[] }
  | { kind: 'uninstall' }
  | { kind: 'native-host'; options: RelayOptions; relayArgs: string[] };

/** A command line that cannot be obeyed; main prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Characters allowed in a token: RFC 9110 `tchar`, since it travels inside a subprotocol name. */
const TOKEN_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Chrome extension IDs are 32 letters a–p; any lowercase alphanumerics are accepted for forks. */
const EXTENSION_ID_PATTERN = /^[a-z0-9]{1,64}$/;
/** setTimeout's ceiling: larger values fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export const USAGE = `Usage: biff-relay [options]         run the relay in the foreground
       biff-relay install [options]  start it at login and register the native messaging
                                     host biff_relay for Chrome, Chromium and Firefox
                                     (for this user; the options are kept for later starts)
       biff-relay uninstall          remove what install wrote
       biff-relay --version

Companion relay of the Biff browser extension: lets the extension reach POP3/IMAP
servers over a local WebSocket (ws://HOST:PORT/v1). See PROTOCOL.md.

Options:
  --host ADDR            address to bind (default ${DEFAULT_HOST}; keep it loopback)
  --port N               port to bind, 0 for any free port (default ${DEFAULT_RELAY_PORT})
  --token TOKEN          pairing token to require, instead of the token file
  --config PATH          token file (default $XDG_CONFIG_HOME/biff/relay.json)
  --allow-port N         also allow upstream port N (repeatable; default ${DEFAULT_ALLOWED_PORTS.join(', ')})
  --allow-private        allow loopback, private and link-local upstream addresses
  --extension-id ID      accept only this Chrome extension ID (repeatable)
  --max-sessions N       concurrent connected sessions (default ${DEFAULT_MAX_SESSIONS})
  --max-message SIZE     largest WebSocket message, e.g. 1MiB, 65536 (default 1MiB)
  --connect-timeout T    TCP connect + TLS handshake, e.g. 15s, 500ms (default ${DEFAULT_CONNECT_TIMEOUT_MS / 1000}s)
  --idle-timeout T       close a session after T without traffic (default ${DEFAULT_IDLE_TIMEOUT_MS / 60_000}m)
  --hello-timeout T      time allowed for the first frame (default ${DEFAULT_HELLO_TIMEOUT_MS / 1000}s)
  --quiet                no per-session log lines
  --verbose              also log refused handshakes
  --help                 show this help
  --version              print the relay's version

T is a number of seconds or a number with ms, s, m or h. SIZE is a number of bytes or a
number with KiB or MiB (k and M also mean 1024 and 1024*1024).
`;

/**
 * The browser starts the native host as `native-host [relay options] -- [its own arguments]`
 * (install.ts writes that wrapper): Chrome adds the caller's origin, Firefox the manifest path
 * and add-on ID, Chrome on Windows also `--parent-window=N`. Those are ignored.
 */
export const NATIVE_HOST_COMMAND = 'native-host';

/** Parses `process.argv.slice(2)`. */
export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  if (first === 'install') {
    if (rest.includes('--help')) return { kind: 'help' };
    const options = parseRelayOptions(rest);
    if (options.port === 0) throw new UsageError('install: --port 0 cannot be paired with; pick a port');
    return { kind: 'install', options, relayArgs: [...rest] };
  }
  if (first === 'uninstall') {
    if (rest.length > 0) throw new UsageError('uninstall takes no options');
    return { kind: 'uninstall' };
  }
  if (first === NATIVE_HOST_COMMAND) {
    const end = rest.indexOf('--');
    const relayArgs = end === -1 ? rest : rest.slice(0, end);
    return { kind: 'native-host', options: parseRelayOptions(relayArgs), relayArgs };
  }
  if (argv.includes('--help')) return { kind: 'help' };
  if (argv.includes('--version')) return { kind: 'version' };
  return { kind: 'run', options: parseRelayOptions(argv) };
}

/** Parses the relay's options (`--host`, `--port`, …). */
export function parseRelayOptions(argv: readonly string[]): RelayOptions {
  const options: RelayOptions = {
    host: DEFAULT_HOST,
    port: DEFAULT_RELAY_PORT,
    token: null,
    configPath: null,
    allowedPorts: [...DEFAULT_ALLOWED_PORTS],
    allowPrivate: false,
    extensionIds: [],
    maxSessions: DEFAULT_MAX_SESSIONS,
    maxMessage: DEFAULT_MAX_MESSAGE,
    connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
    helloTimeoutMs: DEFAULT_HELLO_TIMEOUT_MS,
    quiet: false,
    verbose: false,
  };
  const args = [...argv];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? null : arg.slice(eq + 1);
    const value = (): string => {
      const v = inline ?? args.shift();
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const noValue = (): void => {
      if (inline !== null) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--host': {
        const host = value();
        if (host === '') throw new UsageError('--host must not be empty');
        options.host = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
        break;
      }
      case '--port':
        options.port = parseInteger(flag, value(), 0, 65535);
        break;
      case '--token': {
        const token = value();
        if (!TOKEN_PATTERN.test(token)) {
          throw new UsageError("--token may contain only letters, digits and !#$%&'*+-.^_`|~");
        }
        options.token = token;
        break;
      }
      case '--config': {
        const path = value();
        if (path === '') throw new UsageError('--config must not be empty');
        options.configPath = path;
        break;
      }
      case '--allow-port': {
        const port = parseInteger(flag, value(), 1, 65535);
        if (!options.allowedPorts.includes(port)) options.allowedPorts.push(port);
        break;
      }
      case '--allow-private':
        noValue();
        options.allowPrivate = true;
        break;
      case '--extension-id': {
        const id = value();
        if (!EXTENSION_ID_PATTERN.test(id)) {
          throw new UsageError(`--extension-id: not an extension ID: ${id}`);
        }
        options.extensionIds.push(id);
        break;
      }
      case '--max-sessions':
        options.maxSessions = parseInteger(flag, value(), 1, 100_000);
        break;
      case '--max-message':
        options.maxMessage = parseSize(flag, value());
        break;
      case '--connect-timeout':
        options.connectTimeoutMs = parseDuration(flag, value());
        break;
      case '--idle-timeout':
        options.idleTimeoutMs = parseDuration(flag, value());
        break;
      case '--hello-timeout':
        options.helloTimeoutMs = parseDuration(flag, value());
        break;
      case '--quiet':
        noValue();
        options.quiet = true;
        break;
      case '--verbose':
        noValue();
        options.verbose = true;
        break;
      default:
        throw new UsageError(`unknown option: ${flag}`);
    }
  }
  return options;
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: not a whole number: ${text}`);
  const n = Number(text);
  if (n < min || n > max) throw new UsageError(`${flag}: must be between ${min} and ${max}`);
  return n;
}

const DURATION_UNITS: Record<string, number> = { '': 1000, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `2s`, `1.5` (seconds), `31m`, `1h` → milliseconds; must be positive. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag}: not a duration: ${text} (try 15s, 500ms, 31m)`);
  const ms = Math.round(Number(match[1]) * DURATION_UNITS[match[2] ?? '']!);
  if (ms < 1 || ms > MAX_TIMEOUT_MS) throw new UsageError(`${flag}: must be between 1ms and 24 days`);
  return ms;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
};
/** Below this the `connect` frame itself may not fit. */
const MIN_MESSAGE = 512;
/** ws keeps a whole message in memory; more than this defeats the point of a limit. */
const MAX_MESSAGE = 256 * 1024 ** 2;

/** `65536`, `64KiB`, `1MiB`, `1m` → bytes. */
export function parseSize(flag: string, text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new UsageError(`${flag}: not a size: ${text} (try 1MiB, 65536)`);
  const bytes = Number(match[1]) * unit;
  if (bytes < MIN_MESSAGE || bytes > MAX_MESSAGE) {
    throw new UsageError(`${flag}: must be between ${MIN_MESSAGE} bytes and 256MiB`);
  }
  return bytes;
}
