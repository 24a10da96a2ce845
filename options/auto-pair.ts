/**
 * "Pair automatically": what the native host `biff_relay` answered (relay/PROTOCOL.md,
 * "Pairing"), or why it could not be asked, as what the relay section does next. Pure; see
 * auto-pair.test.ts.
 */
import { MIN_RELAY_VERSION } from '../extension/relay/relay-version.ts';
import type { PairReply } from '../relay/protocol.ts';
import type { Message } from './message.ts';

/** The commands that install the relay, shown when no native host is registered. */
export const RELAY_INSTALL_COMMANDS = [
  `npm install -g ./biff-relay-${MIN_RELAY_VERSION}.tgz`,
  'biff-relay install',
];

/** The relay settings to save, or what to tell the user. */
export type PairOutcome =
  | { ok: true; relay: { url: string; token: string; startCommand: string } }
  | { ok: false; message: Message; installCommands?: readonly string[] };

/** The same token rules as the relay's (relay/args.ts): RFC 9110 `tchar`s. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Longest start command kept: a node path, a script path and a few options. */
const MAX_COMMAND = 4096;

/** Reads the host's reply; anything but a well-formed success is a failure with a reason. */
export function pairOutcome(reply: unknown): PairOutcome {
  const r = (typeof reply === 'object' && reply !== null ? reply : {}) as Partial<Record<string, unknown>>;
  if (r.ok === false && typeof r.code === 'string') {
    const detail = typeof r.message === 'string' ? r.message : r.code;
    return { ok: false, message: { key: 'options_pairFailed', args: [detail.slice(0, 300)] } };
  }
  const { url, token, startCommand } = r as Partial<Extract<PairReply, { ok: true }>>;
  const valid =
    r.ok === true &&
    typeof url === 'string' &&
    /^wss?:\/\/[^\s]+$/.test(url) &&
    typeof token === 'string' &&
    TOKEN.test(token) &&
    typeof startCommand === 'string' &&
    startCommand.length <= MAX_COMMAND;
  if (!valid)
    return { ok: false, message: { key: 'options_pairFailed', args: ['the relay gave an unusable answer'] } };
  return { ok: true, relay: { url, token, startCommand: startCommand.trim() || 'biff-relay' } };
}

/**
 * Why sending to the host failed. Chrome says "Specified native messaging host not found.",
 * Firefox "No such native application biff_relay": the relay is not installed (for this
 * browser), so say how to install it.
 */
export function pairError(error: unknown): PairOutcome {
  const text = error instanceof Error ? error.message : String(error);
  if (/not found|no such native application/i.test(text)) {
    return { ok: false, message: { key: 'options_pairNoHost' }, installCommands: RELAY_INSTALL_COMMANDS };
  }
  return { ok: false, message: { key: 'options_pairFailed', args: [text.slice(0, 300)] } };
}
