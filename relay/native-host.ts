/**
 * `biff-relay native-host`: the native messaging host `biff_relay`, run by the browser when
 * Biff's settings press "Pair automatically". Answers `{"type":"pair"}` with the relay's URL,
 * token and version, starting the relay (detached, so it outlives this call) when nothing
 * answers on its port. stdout carries only framed replies; diagnostics go to stderr, which
 * the browsers log.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { RelayOptions } from './args.ts';
import { ConfigError, defaultConfigPath, loadOrCreateToken } from './config.ts';
import { currentContext, startCommand } from './install.ts';
import { encodeNativeMessage, NativeMessageDecoder } from './native-framing.ts';
import { type NativeErrorCode, type PairReply, RELAY_PATH } from './protocol.ts';
import { RELAY_VERSION } from './version.ts';

/** How long a relay started here may take to answer; a cold Node start on a busy machine takes seconds. */
export const RELAY_START_TIMEOUT_MS = 15_000;
/** Each liveness probe; the relay answers `GET /` at once. */
const PROBE_TIMEOUT_MS = 2_000;
const PROBE_INTERVAL_MS = 100;

type ErrorReply = Extract<PairReply, { ok: false }>;

function refuse(code: NativeErrorCode, message: string): ErrorReply {
  return { ok: false, code, message };
}

/** What answers on the relay's port: a Biff relay, something else, or nothing. */
export function probeRelay(host: string, port: number): Promise<'biff' | 'other' | 'none'> {
  return new Promise((resolve) => {
    const req = request({ host, port, path: '/', method: 'GET', timeout: PROBE_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 64) body += chunk;
      });
      res.on('end', () =>
        resolve(res.statusCode === 200 && body.startsWith('Biff relay') ? 'biff' : 'other'),
      );
      res.on('error', () => resolve('other'));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code === 'ECONNREFUSED' ? 'none' : 'other'),
    );
    req.end();
  });
}

/** Starts the relay in its own session with no tie to the browser's pipes, so it keeps running. */
function startDetached(relayArgs: readonly string[]): void {
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
    startDetached(relayArgs);
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
    input.on('close', () => void queue.then(resolve));
    input.on('end', () => void queue.then(resolve));
  });
}
