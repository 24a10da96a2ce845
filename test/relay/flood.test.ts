/**
 * A client that holds the pairing token but misbehaves: floods frames without reading the
 * replies. The relay's memory must stay bounded (relay/PROTOCOL.md, Backpressure) and a
 * legitimate session must keep working meanwhile.
 */
import assert from 'node:assert/strict';
import { connect as connectTcp } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_MAX_SESSIONS, HEADERS_TIMEOUT_MS, MAX_WAITING_SESSIONS } from '../../relay/limits.ts';
import { RELAY_CLOSE_CODES } from '../../relay/protocol.ts';
import {
  connectVia,
  peakRss,
  RelayClient,
  type RunningRelay,
  startEchoServer,
  startRelay,
  type Upstream,
} from './helpers.ts';

const MiB = 1024 * 1024;
/** The probe's flood: a million pings grew the relay from 49 to 304 MiB when replies were not bounded. */
const PINGS = 1_000_000;
/**
 * Measured: an idle relay sits near 50 MiB and peaks near 90 MiB under this flood (the garbage
 * of parsing a million frames, which V8 collects late); without a bound on the replies it
 * passes 270 MiB.
 */
const RSS_LIMIT = 125 * MiB;
/** The flooding client's own send buffer: it waits when more than this is queued, like a real client. */
const CLIENT_BUFFER = 1 * MiB;
/**
 * How long the sender must make no progress before the test calls it held back. Whether it is
 * held back before the million depends on how much the kernel's socket buffers absorb (up to
 * tcp_rmem's 32 MiB), so the test asserts on the relay's memory, not on the count.
 */
const STALL_MS = 1_000;

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A legitimate session: connects, echoes a line and gets a pong. */
async function legitimateRoundTrip(relay: RunningRelay, port: number): Promise<void> {
  const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port });
  assert.equal(reply.op, 'connected', JSON.stringify(reply));
  client.sendBytes('NOOP\r\n');
  await client.readUntil('NOOP\r\n');
  client.sendJson({ op: 'ping' });
  assert.deepEqual(await client.nextJson(), { op: 'pong' });
  await client.close();
}

describe('a token-holding client that floods', { timeout: 120_000 }, () => {
  let echo: Upstream;
  let relay: RunningRelay;
  before(async () => {
    echo = await startEchoServer();
    relay = await startRelay({ args: ['--allow-port', String(echo.port)] });
  });
  after(async () => {
    await relay.stop();
    await echo.close();
  });

  test('a million pings never read: the relay stops reading, its memory stays bounded, others still work', async (t) => {
    const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
    assert.equal(reply.op, 'connected');
    // Never reads a pong: the relay's replies can only pile up in the relay.
    client.ws.pause();
    let sent = 0;
    let lastProgress = Date.now();
    while (sent < PINGS && Date.now() - lastProgress < STALL_MS) {
      if (client.ws.bufferedAmount > CLIENT_BUFFER) {
        await tick(20);
        continue;
      }
      for (let i = 0; i < 1000 && sent < PINGS; i++, sent++) client.sendJson({ op: 'ping' });
      lastProgress = Date.now();
      // Lets the socket write and the test see a stall.
      await tick(0);
    }
    await legitimateRoundTrip(relay, echo.port);
    const peak = peakRss(relay.proc.pid!);
    t.diagnostic(`${sent} pings sent, relay peak RSS ${(peak / MiB).toFixed(1)} MiB`);
    assert.ok(peak < RSS_LIMIT, `relay peak RSS ${(peak / MiB).toFixed(1)} MiB after ${sent} pings`);
    client.ws.terminate();
  });
});

describe('sessions that never send connect, and a slow upgrade', { timeout: 120_000 }, () => {
  let echo: Upstream;
  let relay: RunningRelay;
  before(async () => {
    echo = await startEchoServer();
    // A long hello timeout, so that only the fix, not the timeout, can free the slots here.
    relay = await startRelay({ args: ['--allow-port', String(echo.port), '--hello-timeout', '60s'] });
  });
  after(async () => {
    await relay.stop();
    await echo.close();
  });

  test('40 silent sessions hold no connect slot: a legitimate client still gets all 32', async () => {
    const silent: RelayClient[] = [];
    for (let i = 0; i < 40; i++) silent.push(await RelayClient.open(relay));
    const connected = [];
    for (let i = 0; i < DEFAULT_MAX_SESSIONS; i++) {
      const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
      assert.equal(reply.op, 'connected', `session ${i + 1}: ${JSON.stringify(reply)}`);
      connected.push(client);
    }
    // --max-sessions still bounds the connected ones.
    const extra = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
    assert.deepEqual(extra.reply, {
      op: 'error',
      code: 'too_many_sessions',
      message: `the relay already has ${DEFAULT_MAX_SESSIONS} sessions (--max-sessions)`,
    });
    assert.deepEqual(await extra.client.closed, {
      code: RELAY_CLOSE_CODES.error,
      reason: 'too_many_sessions',
    });
    for (const client of connected) await client.close();
    await legitimateRoundTrip(relay, echo.port);
    // The oldest silent ones made room for newer ones; the rest still wait, holding nothing.
    for (const client of silent.slice(0, silent.length - MAX_WAITING_SESSIONS)) {
      assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.error, reason: 'too_many_sessions' });
    }
    for (const client of silent) client.ws.terminate();
  });

  test('an upgrade whose headers never end is closed at the header timeout', async (t) => {
    const socket = connectTcp(relay.port, '127.0.0.1');
    socket.on('error', () => {});
    // Reads (and drops) the 408, so that the relay's close reaches 'close'.
    socket.resume();
    await new Promise((resolve) => socket.once('connect', resolve));
    const opened = Date.now();
    socket.write(`GET /v1 HTTP/1.1\r\nHost: 127.0.0.1:${relay.port}\r\nUpgrade: websocket\r\n`);
    await new Promise((resolve) => socket.once('close', resolve));
    const lived = Date.now() - opened;
    t.diagnostic(`closed after ${lived} ms`);
    // A deadline, not a speed: before, the timeout was only checked every 30 s (10-40 s lives).
    assert.ok(lived < HEADERS_TIMEOUT_MS + 3_000, `the half-sent upgrade lived ${lived} ms`);
  });
});
