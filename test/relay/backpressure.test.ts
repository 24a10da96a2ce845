/**
 * A large transfer through the real relay: byte-exact both ways (SHA-256 on each side), and
 * the relay's memory stays bounded while the client first stops reading and then reads
 * slowly, so backpressure must hold the data in the sender, not in the relay.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import WebSocket from 'ws';
import type { ServerFrame } from '../../relay/protocol.ts';
import { RELAY_SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../../relay/protocol.ts';
import { peakRss, startRelay, startTcpServer } from './helpers.ts';

const TOTAL = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;
/**
 * Measured: the relay peaks near 90 MiB here (50 idle, the rest is chunk garbage V8 collects
 * late, the same for any transfer size); with either pause removed it holds the whole
 * transfer and passes 160 MiB.
 */
const RSS_LIMIT = 125 * 1024 * 1024;
/** The client's own send buffer: the sender waits when more than this is queued. */
const CLIENT_BUFFER = 2 * 1024 * 1024;

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('64 MiB echo: byte-exact both ways, relay memory bounded under a stalled then slow reader', {
  timeout: 60_000,
}, async () => {
  const atUpstream = createHash('sha256');
  let upstreamBytes = 0;
  const echo = await startTcpServer((socket) => {
    socket.on('data', (data: Buffer) => {
      atUpstream.update(data);
      upstreamBytes += data.length;
    });
    socket.pipe(socket);
  });
  const relay = await startRelay({ args: ['--allow-port', String(echo.port)] });
  try {
    const ws = new WebSocket(relay.url, [RELAY_SUBPROTOCOL, `${TOKEN_SUBPROTOCOL_PREFIX}${relay.token}`], {
      perMessageDeflate: false,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const reply = await new Promise<ServerFrame>((resolve) => {
      ws.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()) as ServerFrame));
      ws.send(JSON.stringify({ op: 'connect', host: '127.0.0.1', port: echo.port, tls: 'none' }));
    });
    assert.equal(reply.op, 'connected');

    // Reader: stalled until the sender is stuck, then slow (a pause every MiB).
    const received = createHash('sha256');
    let receivedBytes = 0;
    let stalled = true;
    const done = new Promise<void>((resolve, reject) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          reject(new Error(`unexpected frame ${data.toString()}`));
          return;
        }
        const before = receivedBytes;
        received.update(data);
        receivedBytes += data.length;
        if (receivedBytes === TOTAL) resolve();
        else if (!stalled && Math.floor(before / 2 ** 20) !== Math.floor(receivedBytes / 2 ** 20)) {
          ws.pause();
          setTimeout(() => ws.resume(), 2);
        }
      });
      ws.once('close', (code) => reject(new Error(`closed ${code} after ${receivedBytes} bytes`)));
    });
    ws.pause();

    // Sender: random chunks, waiting on its own buffer like a well-behaved client.
    const sent = createHash('sha256');
    let sentBytes = 0;
    const sending = (async () => {
      while (sentBytes < TOTAL) {
        while (ws.bufferedAmount > CLIENT_BUFFER) await tick(5);
        const chunk = randomBytes(CHUNK);
        sent.update(chunk);
        sentBytes += chunk.length;
        ws.send(chunk, { binary: true });
      }
    })();

    // Stay stalled until the sender stops making progress (backpressure reached it) or
    // everything was sent (no backpressure anywhere: the memory check below will tell).
    let last = -1;
    while (sentBytes < TOTAL && sentBytes !== last) {
      last = sentBytes;
      await tick(300);
    }
    const sentWhileStalled = sentBytes;
    stalled = false;
    ws.resume();

    await sending;
    await done;
    assert.equal(upstreamBytes, TOTAL);
    assert.equal(receivedBytes, TOTAL);
    const digest = sent.digest('hex');
    assert.equal(atUpstream.digest('hex'), digest, 'client → server bytes intact');
    assert.equal(received.digest('hex'), digest, 'server → client bytes intact');
    assert.ok(sentWhileStalled < TOTAL, 'the stalled reader held the sender back');
    const peak = peakRss(relay.proc.pid!);
    assert.ok(peak < RSS_LIMIT, `relay peak RSS ${(peak / 2 ** 20).toFixed(1)} MiB`);
    ws.close();
  } finally {
    await relay.stop();
    await echo.close();
  }
});
