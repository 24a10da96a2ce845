/**
 * relay-throughput and relay-rtt: the relay alone, driven from Node with `ws` as the extension
 * drives it (binary frames after a `connect`), against TCP servers in a process of their own
 * (bench/tcp-peer.ts), as a mail server is. The cases have their own relay process (so its peak
 * RSS is this traffic's), allowed to reach them.
 *
 * - relay-throughput: `bytes` sent in 64 KiB binary frames (at most 4 MiB unsent in the
 *   WebSocket, where the extension's RelaySocket waits above 1 MiB; the sender sleeps until its
 *   frames are written, see `viaRelay`; random masking keys, as a browser's) to a TCP sink
 *   through the relay, timed from the first frame until the sink has every byte. Baseline: the
 *   same bytes in 64 KiB writes over a direct loopback TCP connection to the same sink. The
 *   sink answers one byte when it has them all; that answer ends the timing in both.
 * - relay-rtt: `count` round trips of 32 bytes to a TCP echo server through the relay, each sent
 *   when the previous answer is complete. Baseline: the same over a direct TCP connection
 *   (TCP_NODELAY on every socket, as the relay sets on its own).
 * - Logged, not a case of the issue: the mail direction, `bytes` from a TCP source (64 KiB
 *   writes) through the relay to the `ws` client, timed from the one byte that starts the
 *   source until the client has every byte; against the same over a direct TCP connection.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { RELAY_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../relay/protocol.ts';
import { peakRss, type RunningRelay, startRelay } from '../../test/relay/helpers.ts';
import type { CpuProfile } from '../cdp.ts';
import { bundleModules, summarizeProfile } from '../profile.ts';
import { type CaseResult, minRatioResult, ratioResult } from '../results.ts';
import { type Repetitions, repeat, summarize } from '../stats.ts';

const CHUNK = 64 * 1024;
/** Most bytes queued in the WebSocket before the sender waits (RelaySocket's WRITE_HIGH_WATER_BYTES is 1 MiB). */
const WS_HIGH_WATER = 4 * 1024 * 1024;
/** A waiting sender goes on once the WebSocket has written down to this. */
const WS_LOW_WATER = 2 * 1024 * 1024;
const RTT_MESSAGE = Buffer.alloc(32, 0x61);

/** tcp-peer.ts in a child process: the sink and echo servers. */
async function startPeer(
  expected: number,
): Promise<{ sinkPort: number; echoPort: number; sourcePort: number; stop(): void }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '../tcp-peer.ts'), String(expected)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(child.stdout!.setEncoding('utf8'), 'data')) as [string];
  const match = /^sink (\d+) echo (\d+) source (\d+)/.exec(line);
  if (!match) throw new Error(`tcp-peer: ${line}`);
  return {
    sinkPort: Number(match[1]),
    echoPort: Number(match[2]),
    sourcePort: Number(match[3]),
    stop: () => child.stdin!.end(),
  };
}

/** A WebSocket through the relay to 127.0.0.1:`port`, after the relay said `connected`. */
async function relayed(relay: RunningRelay, port: number): Promise<WebSocket> {
  const ws = new WebSocket(relay.url, [RELAY_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${relay.token}`], {
    // Random masking keys, as a browser's (RFC 6455 §5.3): the relay unmasks every byte. Both
    // sides mask in native code when bufferutil loads (logged by relayCases); `ws` still masks
    // into a fresh copy of each frame, ~0.3 s of this process's CPU per 256 MiB (~0.08 s with
    // the all-zero key used before, which let both sides skip masking).
    perMessageDeflate: false,
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ op: 'connect', host: '127.0.0.1', port, tls: 'none' }));
  const [data] = (await once(ws, 'message')) as [Buffer];
  const frame = JSON.parse(data.toString('utf8')) as { op: string };
  if (frame.op !== 'connected') throw new Error(`relay: ${data.toString('utf8')}`);
  return ws;
}

async function viaRelay(relay: RunningRelay, port: number, total: number, chunk: Buffer): Promise<number> {
  const ws = await relayed(relay, port);
  // The sink's "K" once it has every byte.
  const done = once(ws, 'message');
  // Woken by the callback of a frame that reached the socket (ws has no 'drain'). Polling
  // bufferedAmount with setImmediate instead kept this process busy for as long as the relay
  // was, and on 2 cores took the CPU the relay needed: 0.21× against 0.54× this way, paired,
  // both with the all-zero masking key used then.
  let wake: (() => void) | null = null;
  const onWritten = (): void => {
    if (wake && ws.bufferedAmount <= WS_LOW_WATER) {
      const resume = wake;
      wake = null;
      resume();
    }
  };
  const started = performance.now();
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (ws.bufferedAmount > WS_HIGH_WATER) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    ws.send(chunk, { binary: true }, onWritten);
  }
  await done;
  const ms = performance.now() - started;
  ws.close(1000);
  return ms;
}

async function direct(port: number, total: number, chunk: Buffer): Promise<number> {
  const socket = netConnect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  const done = once(socket, 'data');
  const started = performance.now();
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
  await done;
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

/** `total` bytes from the source through the relay to the client (the mail direction); returns ms. */
async function downViaRelay(relay: RunningRelay, port: number, total: number): Promise<number> {
  const ws = await relayed(relay, port);
  let got = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      got += data.length;
      if (got >= total) resolve();
    });
    ws.send(Buffer.of(0x67), { binary: true });
  });
  const ms = performance.now() - started;
  ws.close(1000);
  return ms;
}

/** The same over a direct TCP connection. */
async function downDirect(port: number, total: number): Promise<number> {
  const socket = netConnect({ host: '127.0.0.1', port, noDelay: true });
  await once(socket, 'connect');
  let got = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    socket.on('data', (data: Buffer) => {
      got += data.length;
      if (got >= total) resolve();
    });
    socket.write(Buffer.of(0x67));
  });
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

/** `count` ping-pongs over `send`/`onData`; returns ms. */
async function pingPong(
  count: number,
  send: (bytes: Buffer) => void,
  subscribe: (onData: (bytes: Buffer) => void) => void,
): Promise<number> {
  let got = 0;
  let wake: (() => void) | null = null;
  subscribe((bytes) => {
    got += bytes.length;
    if (got >= RTT_MESSAGE.length) wake?.();
  });
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    got = 0;
    const answered = new Promise<void>((resolve) => {
      wake = resolve;
    });
    send(RTT_MESSAGE);
    await answered;
  }
  return performance.now() - started;
}

/** Whether `ws` in process `pid` masks natively: bufferutil's addon is mapped (ws loads it at import). */
function nativeMasking(pid: number | 'self'): boolean {
  try {
    return readFileSync(`/proc/${pid}/maps`, 'utf8').includes('bufferutil.node');
  } catch {
    return false;
  }
}

/** Prints the self time of a relay CPU profile (`--cpu-prof`), by function and by source file. */
function logRelayProfile(dir: string, log: (line: string) => void): void {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  log(`  [profile of the relay, ${join(dir, file)}]`);
  // The launcher runs a bundle (relay/bin/biff-relay.js): its lines tell ws from relay/*.ts.
  const bundles = new Map<string, (line: number) => string>();
  const moduleOf = (url: string, line: number): string => {
    if (/^file:.*\/relay-[0-9a-f]+\.mjs$/.test(url)) {
      let of = bundles.get(url);
      if (!of) {
        of = bundleModules(fileURLToPath(url));
        bundles.set(url, of);
      }
      return of(line);
    }
    return url.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, '$1').replace(/^file:\/\/.*\//, '');
  };
  for (const line of summarizeProfile(profile, moduleOf)) log(line);
}

/** Runs relay-throughput and relay-rtt; logs the relay's peak RSS. `profileDir`: record the relay with --cpu-prof. */
export async function relayCases(
  sizes: { bytes: number; roundTrips: number },
  repetitions: { throughput: Repetitions; rtt: Repetitions },
  log: (line: string) => void,
  profileDir: string | null = null,
): Promise<CaseResult[]> {
  const peer = await startPeer(sizes.bytes);
  const { sinkPort, echoPort, sourcePort } = peer;
  const cpuProf = profileDir ? join(profileDir, `relay-${Date.now()}`) : null;
  if (cpuProf) mkdirSync(cpuProf, { recursive: true });
  const relay = await startRelay({
    args: [
      '--port',
      '0',
      ...[sinkPort, echoPort, sourcePort].flatMap((port) => ['--allow-port', String(port)]),
      '--quiet',
    ],
    ...(cpuProf ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`] } : {}),
  });
  const chunk = Buffer.alloc(CHUNK);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  const mib = sizes.bytes / 2 ** 20;
  const yesNo = (native: boolean) => (native ? 'native (bufferutil)' : 'JavaScript');
  log(
    `  WebSocket masking, random keys: client ${yesNo(nativeMasking('self'))}, relay ${yesNo(nativeMasking(relay.proc.pid!))}`,
  );
  try {
    const reps = repetitions.throughput;
    log(`  relay-throughput (${mib} MiB through the relay, and direct), alternating:`);
    const direct_: number[] = [];
    const relayedMs = await repeat(
      reps,
      async (i) => {
        const base = await direct(sinkPort, sizes.bytes, chunk);
        if (i >= 0) direct_.push(mib / (base / 1000));
        const ms = await viaRelay(relay, sinkPort, sizes.bytes, chunk);
        log(`    direct ${(mib / (base / 1000)).toFixed(0)} MiB/s`);
        return mib / (ms / 1000);
      },
      log,
    );
    const rss = peakRss(relay.proc.pid!);
    log(
      `  relay peak RSS (VmHWM) after ${reps.warmup + reps.runs} × ${mib} MiB: ${(rss / 2 ** 20).toFixed(1)} MiB`,
    );
    const throughput = minRatioResult(
      'relay-throughput',
      'MiB/s',
      summarize(relayedMs),
      summarize(direct_),
      0.5,
    );

    log(
      `  mail direction, not a case (${mib} MiB from a TCP source through the relay, and direct), alternating:`,
    );
    const downBase: number[] = [];
    const downRelayed = await repeat(
      reps,
      async (i) => {
        const base = mib / ((await downDirect(sourcePort, sizes.bytes)) / 1000);
        if (i >= 0) downBase.push(base);
        const relayed_ = mib / ((await downViaRelay(relay, sourcePort, sizes.bytes)) / 1000);
        log(`    direct ${base.toFixed(0)} MiB/s`);
        return relayed_;
      },
      log,
    );
    const down = summarize(downRelayed);
    const downDirect_ = summarize(downBase);
    log(
      `  mail direction: ${down.median.toFixed(0)} MiB/s (${down.min.toFixed(0)}–${down.max.toFixed(0)}) through the relay, ` +
        `${downDirect_.median.toFixed(0)} (${downDirect_.min.toFixed(0)}–${downDirect_.max.toFixed(0)}) direct: ` +
        `${(down.median / downDirect_.median).toFixed(2)}×`,
    );

    log(`  relay-rtt (${sizes.roundTrips} round trips of ${RTT_MESSAGE.length} bytes), alternating:`);
    const directRtt: number[] = [];
    const relayRtt = await repeat(
      repetitions.rtt,
      async (i) => {
        const socket = netConnect({ host: '127.0.0.1', port: echoPort, noDelay: true });
        await once(socket, 'connect');
        const base = await pingPong(
          sizes.roundTrips,
          (b) => socket.write(b),
          (on) => socket.on('data', on),
        );
        socket.destroy();
        if (i >= 0) directRtt.push(base);
        const ws = await relayed(relay, echoPort);
        const ms = await pingPong(
          sizes.roundTrips,
          (b) => ws.send(b, { binary: true }),
          (on) => ws.on('message', (data: Buffer, isBinary: boolean) => isBinary && on(data)),
        );
        ws.close(1000);
        log(`    direct ${base.toFixed(0)} ms`);
        return ms;
      },
      log,
    );
    return [throughput, ratioResult('relay-rtt', 'ms', summarize(relayRtt), summarize(directRtt), 2)];
  } finally {
    await relay.stop();
    peer.stop();
    if (cpuProf) logRelayProfile(cpuProf, log);
  }
}
