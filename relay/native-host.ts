/**
 * `biff-relay native-host`: the native messaging host `biff_relay`, run by the browser when
 * Biff's settings press "Pair automatically". Answers `{"type":"pair"}` with the relay's URL,
 * token and version, starting the relay (detached, so it outlives this call) when nothing
 * answers on its port. stdout carries only framed replies; diagnostics go to stderr, which
 * the browsers log.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { RelayOptions } from './args.ts';
import { ConfigError, defaultConfigPath, loadOrCreateToken } from './config.ts';
import { currentContext, startCommand, userSystemdRunning } from './install.ts';
import { SYSTEMD_UNIT } from './install-plan.ts';
import { encodeNativeMessage, NativeMessageDecoder } from './native-framing.ts';
import { probeRelay } from './probe.ts';
import { type NativeErrorCode, type PairReply, RELAY_PATH } from './protocol.ts';
import { RELAY_VERSION } from './version.ts';

/** How long a relay started here may take to answer; a cold Node start on a busy machine takes seconds. */
export const RELAY_START_TIMEOUT_MS = 15_000;
const PROBE_INTERVAL_MS = 100;

type ErrorReply = Extract<PairReply, { ok: false }>;

function refuse(code: NativeErrorCode, message: string): ErrorReply {
  return { ok: false, code, message };
}

/**
 * Starts the relay so it outlives this host: through systemd when its unit is installed and a
 * user manager runs (so systemd owns it, as it will at the next login), else as a process in
 * its own session with no tie to the browser's pipes.
 */
function startRelay(relayArgs: readonly string[]): void {
  if (
    process.platform === 'linux' &&
    userSystemdRunning() &&
    startCommand(currentContext(relayArgs)).startsWith('systemctl')
  ) {
    if (spawnSync('systemctl', ['--user', 'start', SYSTEMD_UNIT]).status === 0) return;
  }
  const entry = process.argv[1]!;
  const child = spawn(process.execPath, [entry, ...relayArgs], {
    detached: true,
    stdio: 'ignore',
    windowsHide: true,
  });
  child.on('error', () => {});
  child.unref();
}

/** Answers one request. */
export async function answer(
  request: unknown,
  options: RelayOptions,
  relayArgs: readonly string[],
): Promise<PairReply> {
  if (typeof request !== 'object' || request === null || (request as { type?: unknown }).type !== 'pair') {
    return refuse('bad_request', 'expected {"type":"pair"}');
  }
  let token = options.token;
  if (token === null) {
    const path = options.configPath ?? defaultConfigPath();
    try {
      token = (await loadOrCreateToken(path)).token;
    } catch (error) {
      return refuse('config_unusable', error instanceof ConfigError ? error.message : `${path}: unreadable`);
    }
  }
  const { host, port } = options;
  let state = await probeRelay(host, port);
  if (state === 'other')
    return refuse('port_taken', `something other than the Biff relay answers on port ${port}`);
  const started = state === 'none';
  if (started) {
    startRelay(relayArgs);
    const deadline = Date.now() + RELAY_START_TIMEOUT_MS;
    while (state === 'none' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
      state = await probeRelay(host, port);
    }
    if (state !== 'biff') {
      return refuse(
        'relay_not_started',
        `the relay did not answer on port ${port} within ${RELAY_START_TIMEOUT_MS / 1000} s`,
      );
    }
  }
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    ok: true,
    url: `ws://${shownHost}:${port}${RELAY_PATH}`,
    token,
    version: RELAY_VERSION,
    started,
    startCommand: startCommand(currentContext(relayArgs)),
  };
}

/** Serves requests from `input` until it ends; replies in order. Never throws on bad input. */
export function serveNativeHost(
  options: RelayOptions,
  relayArgs: readonly string[],
  input: Readable = process.stdin,
  output: Writable = process.stdout,
): Promise<void> {
  const decoder = new NativeMessageDecoder();
  let queue = Promise.resolve();
  const reply = (value: PairReply) => {
    output.write(encodeNativeMessage(value));
  };
  return new Promise((resolve) => {
    input.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        queue = queue.then(async () => {
          if (event.kind === 'error') reply(refuse(event.code, event.message));
          else {
            try {
              reply(await answer(event.value, options, relayArgs));
            } catch (error) {
              process.stderr.write(`biff-relay native-host: ${(error as Error).message}\n`);
              reply(refuse('relay_not_started', 'the native host failed; see the browser log'));
            }
          }
        });
      }
    });
    input.on('error', () => {});
    // The browser may close our stdout before a late reply: that ends the host, never throws.
    output.on('error', () => {});
    input.on('close', () => void queue.then(resolve));
    input.on('end', () => void queue.then(resolve));
  });
}
