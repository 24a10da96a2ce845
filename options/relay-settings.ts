/**
 * The relay section's rules and texts: what a valid relay URL and pairing token look like, and
 * which message a relay status shows. Pure; see relay-settings.test.ts.
 */
import type { RelayStatus } from '../extension/contract.ts';
import { DEFAULT_RELAY_PORT, RELAY_PATH } from '../relay/protocol.ts';
import type { Message } from './message.ts';

/** Where `biff-relay` listens unless told otherwise. */
export const DEFAULT_RELAY_URL = `ws://127.0.0.1:${DEFAULT_RELAY_PORT}${RELAY_PATH}`;

/**
 * The commands that start the relay, shown when it does not answer: the installed package's
 * command (or the exact one pairing automatically stored), and a checkout's.
 */
export const RELAY_START_COMMANDS = ['biff-relay', 'npm start'] as const;

/**
 * The token travels inside a WebSocket subprotocol name, so it must be an RFC 9110 §5.6.2
 * `token` (the relay refuses anything else at start-up, relay/args.ts).
 */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface RelayErrors {
  url?: Message;
  token?: Message;
}

/** Errors of the relay URL and token as typed; empty when they can be saved. */
export function validateRelay(url: string, token: string): RelayErrors {
  const errors: RelayErrors = {};
  const trimmed = url.trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = null;
  }
  if (!trimmed) errors.url = { key: 'options_errorRelayUrlRequired' };
  else if (!parsed || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') || parsed.hash)
    errors.url = { key: 'options_errorRelayUrl' };
  const tokenTrimmed = token.trim();
  if (!tokenTrimmed) errors.token = { key: 'options_errorTokenRequired' };
  else if (!TOKEN.test(tokenTrimmed)) errors.token = { key: 'options_errorTokenInvalid' };
  return errors;
}

/** What the status line says about a relay status. */
export interface RelayStatusView {
  tone: 'ok' | 'error';
  message: Message;
  /** Set when the fix is to start the relay: show these commands. */
  startCommands?: readonly string[];
}

/** The status line for a relay status from the background; `startCommand` as pairing stored it. */
export function relayStatusView(status: RelayStatus, startCommand?: string): RelayStatusView {
  if (status.ok) {
    return {
      tone: 'ok',
      message: status.version
        ? { key: 'options_relayConnectedVersion', args: [status.version] }
        : { key: 'options_relayConnected' },
    };
  }
  switch (status.code) {
    case 'relay_unreachable':
      return {
        tone: 'error',
        message: { key: 'options_relayNotRunning' },
        startCommands: startCommand ? [startCommand, RELAY_START_COMMANDS[1]] : RELAY_START_COMMANDS,
      };
    case 'relay_refused':
      return { tone: 'error', message: { key: 'options_relayRefused' } };
    case 'relay_outdated':
      return { tone: 'error', message: { key: 'options_relayOutdated', args: [status.message] } };
    default:
      return { tone: 'error', message: { key: 'options_relayOtherError', args: [status.message] } };
  }
}
