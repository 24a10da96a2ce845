/**
 * The extension's relay socket (extension/relay/relay-socket.ts) against the real relay, with
 * `ws` as the WebSocket: bytes both ways, STARTTLS in place, the keepalive, and every failure
 * surfacing as a TransportError with the code the UI explains.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { TLSSocket } from 'node:tls';
import { WebSocket, WebSocketServer } from 'ws';
import {
  checkRelay,
  openRelaySocket,
  type WebSocketConstructor,
} from '../../extension/relay/relay-socket.ts';
import { type Target, type Transport, TransportError } from '../../extension/relay/transport.ts';
import { RELAY_VERSION } from '../../relay/version.ts';
import {
  closedPort,
  makeCert,
  type RunningRelay,
  startEchoServer,
  startRelay,
  startTcpServer,
  startTlsServer,
  type TestCert,
  tempDir,
  type Upstream,
} from '../relay/helpers.ts';

const WS = WebSocket as unknown as WebSocketConstructor;
let relay: RunningRelay;
let echo: Upstream;
let tlsEcho: Upstream;
let starttls: Upstream;
let cert: TestCert;

function collect(t: Transport): { bytes: () => Buffer; waitFor: (n: number) => Promise<Buffer> } {
  const chunks: Buffer[] = [];
  let waiter: (() => void) | null = null;
  t.onData((chunk) => {
    chunks.push(Buffer.from(chunk));
    waiter?.();
  });
  const bytes = () => Buffer.concat(chunks);
  return {
    bytes,
    waitFor: async (n) => {
      while (bytes().length < n) await new Promise<void>((r) => (waiter = r));
      return bytes();
    },
  };
}

before(async () => {
  cert = makeCert(tempDir(), 'localhost', { altNames: ['DNS:localhost', 'IP:127.0.0.1'] });
  echo = await startEchoServer();
  tlsEcho = await startTlsServer(cert, (socket) => socket.pipe(socket));
  // A STARTTLS server that injects cleartext after its OK, before the handshake. (Bytes in the
  // same read as the OK line are the protocol parser's to drop: imapflow stops reading after
  // the tagged OK, our POP3 parser refuses bytes it did not ask for.)
  starttls = await startTcpServer((socket: Socket) => {
    socket.once('data', () => {
      socket.write('OK begin TLS\r\n');
      // Hold the ClientHello for the TLS socket made below.
      socket.pause();
      setTimeout(() => {
        socket.write('INJECTED-CLEARTEXT\r\n');
        const secure = new TLSSocket(socket, { isServer: true, key: cert.key, cert: cert.cert });
        secure.on('error', () => {});
        secure.once('secure', () => secure.write('secure hello\r\n'));
      }, 30);
    });
  });
  const ports = [echo, tlsEcho, starttls].flatMap((u) => ['--allow-port', String(u.port)]);
  relay = await startRelay({ args: ['--allow-port', '1', ...ports] });
});

after(async () => {
  await relay?.stop();
  await Promise.all([echo, tlsEcho, starttls].map((u) => u?.close()));
});

const open = (target: Target, token = relay.token) =>
  openRelaySocket({ url: relay.url, token }, target, { WebSocket: WS, keepaliveMs: 50 });

test('bytes go both ways unchanged, 4 MiB of them, and close is clean', async () => {
  const t = await open({ host: '127.0.0.1', port: echo.port, tls: 'none' });
  assert.match(t.remote, /^127\.0\.0\.1:\d+$/);
  assert.equal(t.tls, null);
  const got = collect(t);
  const payload = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 12)) & 0xff;
  for (let at = 0; at < payload.length; at += 256 * 1024)
    await t.write(payload.subarray(at, at + 256 * 1024));
  const back = await got.waitFor(payload.length);
  assert.equal(
    createHash('sha256').update(back).digest('hex'),
    createHash('sha256').update(payload).digest('hex'),
  );
  const closed = new Promise((r) => t.onClose(r));
  t.close();
  assert.equal(await closed, null);
});

test('implicit TLS with a pin reports the certificate; without it, tls_untrusted carries the details', async () => {
  const pinned = await open({
    host: '127.0.0.1',
    port: tlsEcho.port,
    tls: 'implicit',
    pin: cert.fingerprint256,
  });
  assert.equal(pinned.tls?.fingerprint256, cert.fingerprint256);
  assert.equal(pinned.tls?.authorized, false, 'trusted by the pin, not by a CA');
  pinned.close();
  await assert.rejects(open({ host: '127.0.0.1', port: tlsEcho.port, tls: 'implicit' }), (err: unknown) => {
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'tls_untrusted');
    assert.equal(err.certificate?.fingerprint256, cert.fingerprint256);
    assert.match(err.certificate?.subject ?? '', /localhost/);
    return true;
  });
});

test('STARTTLS upgrades in place and cleartext injected before the handshake never reaches the protocol', async () => {
  const t = await open({ host: '127.0.0.1', port: starttls.port, tls: 'starttls', pin: cert.fingerprint256 });
  const got = collect(t);
  await t.write(Buffer.from('a STARTTLS\r\n'));
  await got.waitFor('OK begin TLS\r\n'.length);
  const tls = await t.startTls();
  assert.equal(tls.fingerprint256, cert.fingerprint256);
  await got.waitFor('OK begin TLS\r\n'.length + 'secure hello\r\n'.length);
  const text = got.bytes().toString();
  assert.doesNotMatch(text, /INJECTED/);
  assert.match(text, /secure hello/);
  t.close();
});

test('failures carry the code the UI explains', async () => {
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'no error';
    } catch (err) {
      return err instanceof TransportError ? err.code : String(err);
    }
  };
  assert.equal(
    await code(open({ host: '127.0.0.1', port: echo.port, tls: 'none' }, 'wrong-token-xxxxxxxxxxxxx')),
    'relay_refused',
  );
  assert.equal(await code(open({ host: '127.0.0.1', port: 25, tls: 'none' })), 'target_denied');
  assert.equal(await code(open({ host: '127.0.0.1', port: 1, tls: 'none' })), 'connect_refused');
  const dead = await closedPort();
  assert.equal(
    await code(
      openRelaySocket(
        { url: `ws://127.0.0.1:${dead}/v1`, token: relay.token },
        { host: '127.0.0.1', port: 993, tls: 'implicit' },
        { WebSocket: WS },
      ),
    ),
    'relay_unreachable',
  );
  assert.equal(
    await code(checkRelay({ url: relay.url, token: 'nope-nope-nope-nope-nope' }, { WebSocket: WS })),
    'relay_refused',
  );
  assert.equal(await checkRelay({ url: relay.url, token: relay.token }, { WebSocket: WS }), RELAY_VERSION);
});

test('checkRelay says relay_outdated for a relay that does not know hello (before 0.2.0) or is older than needed', async () => {
  for (const answer of [
    { op: 'error', code: 'bad_request', message: 'the first frame must be "connect"' },
    { op: 'hello', version: '0.1.5', protocol: 'biff.v1' },
  ]) {
    const old = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'biff.v1' });
    old.on('connection', (ws) => ws.once('message', () => ws.send(JSON.stringify(answer))));
    await once(old, 'listening');
    const url = `ws://127.0.0.1:${(old.address() as AddressInfo).port}/v1`;
    const err = await checkRelay({ url, token: 'whatever-token' }, { WebSocket: WS }).then(
      () => assert.fail('an old relay passed the check'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'relay_outdated');
    assert.match(
      err.message,
      answer.op === 'hello' ? /version 0\.1\.5.*needs 0\.2\.0 or newer/ : /older than 0\.2\.0/,
    );
    old.close();
  }
});

test('the relay going away is reported to the protocol as relay_closed', async () => {
  const own = await startRelay({ args: ['--allow-port', String(echo.port)] });
  const t = await openRelaySocket(
    { url: own.url, token: own.token },
    { host: '127.0.0.1', port: echo.port, tls: 'none' },
    { WebSocket: WS },
  );
  const closed = new Promise<unknown>((r) => t.onClose(r));
  await own.stop();
  const reason = await closed;
  assert.ok(reason instanceof TransportError);
  assert.equal(reason.code, 'relay_closed');
  await assert.rejects(t.write(Buffer.from('x')), TransportError);
});
