/**
 * Upstream TLS through the real relay: CA verification with SNI, untrusted certificates with
 * details, pins (trust on first use), other TLS failures, and STARTTLS in place, including
 * bytes injected around the STARTTLS handshake.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TLSSocket } from 'node:tls';
import { TLS_MESSAGE_MAX_BYTES } from '../../relay/limits.ts';
import { RELAY_CLOSE_CODES, type ServerFrame, type TlsInfo } from '../../relay/protocol.ts';
import {
  connectVia,
  makeCa,
  makeCert,
  type RelayClient,
  type RunningRelay,
  startRelay,
  startTcpServer,
  startTlsServer,
  type TestCert,
  tempDir,
  type Upstream,
} from './helpers.ts';

type ErrorFrame = Extract<ServerFrame, { op: 'error' }>;

function asError(frame: ServerFrame, code: string): ErrorFrame {
  assert.equal(frame.op, 'error', JSON.stringify(frame));
  assert.equal((frame as ErrorFrame).code, code, JSON.stringify(frame));
  return frame as ErrorFrame;
}

function asTls(frame: ServerFrame, op: 'connected' | 'secured'): TlsInfo {
  assert.equal(frame.op, op, JSON.stringify(frame));
  const tls = (frame as { tls?: TlsInfo }).tls;
  assert.ok(tls, 'tls details present');
  return tls;
}

/** What the bulk server sends: 1 MiB in a pattern that shows a reordering. */
const BULK = Buffer.alloc(1024 * 1024);
for (let i = 0; i < BULK.length; i += 4) BULK.writeUInt32BE(i, i);

/** A server greeting over TLS, then echoing. */
function greetAndEcho(socket: Socket): void {
  socket.write('* OK secure greeting\r\n');
  socket.pipe(socket);
}

/**
 * A plain-text server that offers STARTTLS: greets, answers `STARTTLS` with `OK`, then runs
 * `onStartTls` with the raw socket (it decides what to inject and whether to do TLS).
 */
function startTlsCapable(onStartTls: (socket: Socket) => void): Promise<Upstream> {
  return startTcpServer((socket) => {
    socket.write('* OK plain greeting\r\n');
    const onData = (data: Buffer): void => {
      const end = data.indexOf('STARTTLS\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.pause();
      // A pipelined ClientHello may have come in the same read: give it back for TLS.
      const rest = data.subarray(end + 'STARTTLS\r\n'.length);
      if (rest.length > 0) socket.unshift(rest);
      onStartTls(socket);
    };
    socket.on('data', onData);
  });
}

/** Wraps a server-side socket in TLS and greets over it. */
function serveTls(socket: Socket, cert: TestCert): TLSSocket {
  const secure = new TLSSocket(socket, { isServer: true, key: cert.key, cert: cert.cert });
  secure.on('error', () => {});
  secure.once('secure', () => greetAndEcho(secure));
  return secure;
}

async function startTls(client: RelayClient): Promise<ServerFrame> {
  client.sendBytes('a STARTTLS\r\n');
  await client.readUntil('OK begin TLS\r\n');
  client.sendJson({ op: 'starttls' });
  return client.nextJson();
}

describe('upstream TLS', { timeout: 30_000 }, () => {
  let dir: string;
  let ca: TestCert;
  let trusted: TestCert;
  let selfSigned: TestCert;
  let wrongName: TestCert;
  let trustedServer: Upstream & { servernames: string[] };
  let selfSignedServer: Upstream;
  let wrongNameServer: Upstream;
  let garbageServer: Upstream;
  let starttlsServer: Upstream;
  let injectAfterServer: Upstream;
  let injectBehindOkServer: Upstream;
  let selfSignedStarttlsServer: Upstream;
  let bulkServer: Upstream;
  let servers: Upstream[];
  let relay: RunningRelay;

  before(async () => {
    dir = tempDir();
    ca = makeCa(dir);
    trusted = makeCert(dir, 'localhost', { ca, altNames: ['DNS:localhost', 'IP:127.0.0.1'] });
    selfSigned = makeCert(dir, 'mail.self-signed.test', { altNames: ['DNS:localhost', 'IP:127.0.0.1'] });
    wrongName = makeCert(dir, 'other.example', { ca, altNames: ['DNS:other.example'] });
    trustedServer = await startTlsServer(trusted, greetAndEcho);
    selfSignedServer = await startTlsServer(selfSigned, greetAndEcho);
    wrongNameServer = await startTlsServer(wrongName, greetAndEcho);
    garbageServer = await startTcpServer((socket) => {
      socket.once('data', () => socket.write('this is not TLS at all\r\n'.repeat(10)));
    });
    starttlsServer = await startTlsCapable((socket) => {
      socket.write('OK begin TLS\r\n');
      serveTls(socket, trusted);
    });
    // Injection after the request: the server waits for the relay's ClientHello (so the
    // relay is already in its handshake), sends plaintext, and only then its ServerHello.
    injectAfterServer = await startTlsCapable((socket) => {
      socket.write('OK begin TLS\r\n');
      socket.once('data', (hello: Buffer) => {
        socket.pause();
        socket.write('INJECTED-AFTER\r\n');
        socket.unshift(hello);
        serveTls(socket, trusted);
      });
      socket.resume();
    });
    // Injection right behind the OK, in the same write, then a real handshake.
    injectBehindOkServer = await startTlsCapable((socket) => {
      socket.write('OK begin TLS\r\nINJECTED-BEHIND\r\n');
      serveTls(socket, trusted);
    });
    selfSignedStarttlsServer = await startTlsCapable((socket) => {
      socket.write('OK begin TLS\r\n');
      serveTls(socket, selfSigned);
    });
    // 1 MiB (64 TLS records) in one write once asked, then FIN.
    bulkServer = await startTlsServer(trusted, (socket) => {
      socket.once('data', () => socket.end(BULK));
    });
    servers = [
      bulkServer,
      trustedServer,
      selfSignedServer,
      wrongNameServer,
      garbageServer,
      starttlsServer,
      injectAfterServer,
      injectBehindOkServer,
      selfSignedStarttlsServer,
    ];
    const ports = servers.flatMap((server) => ['--allow-port', String(server.port)]);
    relay = await startRelay({ args: ports, env: { NODE_EXTRA_CA_CERTS: ca.certPath } });
  });

  after(async () => {
    await relay.stop();
    for (const server of servers) await server.close();
  });

  test('a CA-trusted certificate: connected, authorized, SNI is the host name', async () => {
    const { client, reply } = await connectVia(relay, {
      host: 'localhost',
      port: trustedServer.port,
      tls: 'implicit',
    });
    const tls = asTls(reply, 'connected');
    assert.equal(tls.authorized, true);
    assert.equal(tls.fingerprint256, trusted.fingerprint256);
    assert.match(tls.subject, /CN=localhost/);
    assert.match(tls.issuer, /CN=Biff Test CA/);
    assert.match(tls.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(tls.cipher);
    assert.match(tls.validTo, /^\d{4}-\d\d-\d\dT/);
    await client.readUntil('* OK secure greeting\r\n');
    assert.equal(trustedServer.servernames.at(-1), 'localhost');
    client.sendBytes('a NOOP\r\n');
    await client.readUntil('a NOOP\r\n');
    await client.close();
  });

  test('an IP literal is verified against the IP address and sends no SNI', async () => {
    const { client, reply } = await connectVia(relay, {
      host: '127.0.0.1',
      port: trustedServer.port,
      tls: 'implicit',
    });
    assert.equal(asTls(reply, 'connected').authorized, true);
    await client.readUntil('* OK secure greeting\r\n');
    assert.equal(trustedServer.servernames.at(-1), '');
    await client.close();
  });

  test('TLS records that arrive together may share a message: every byte, in order, before the close', async () => {
    const { client, reply } = await connectVia(relay, {
      host: 'localhost',
      port: bulkServer.port,
      tls: 'implicit',
    });
    asTls(reply, 'connected');
    client.sendBytes('go\r\n');
    assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.normal, reason: 'upstream_closed' });
    assert.ok(client.received.equals(BULK), 'the bytes as sent');
    const sizes = client.pending().map((frame) => (frame.kind === 'binary' ? frame.data.length : -1));
    assert.ok(!sizes.includes(-1), 'no JSON frame among the bytes');
    assert.ok(Math.max(...sizes) <= TLS_MESSAGE_MAX_BYTES, `messages of ${Math.max(...sizes)} bytes`);
  });

  test('a self-signed certificate: tls_untrusted with the certificate details', async () => {
    const { client, reply } = await connectVia(relay, {
      host: 'localhost',
      port: selfSignedServer.port,
      tls: 'implicit',
    });
    const error = asError(reply, 'tls_untrusted');
    assert.deepEqual(Object.keys(error.certificate ?? {}).sort(), [
      'fingerprint256',
      'issuer',
      'reason',
      'subject',
      'validFrom',
      'validTo',
    ]);
    assert.equal(error.certificate!.fingerprint256, selfSigned.fingerprint256);
    assert.equal(error.certificate!.reason, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(error.certificate!.subject, /CN=mail\.self-signed\.test/);
    assert.match(error.certificate!.validFrom, /^\d{4}-/);
    assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.error, reason: 'tls_untrusted' });
    assert.equal(client.received.length, 0, 'no byte of the untrusted server reached the client');
  });

  test('a CA-signed certificate for another name: tls_untrusted (name mismatch)', async () => {
    const { reply } = await connectVia(relay, {
      host: 'localhost',
      port: wrongNameServer.port,
      tls: 'implicit',
    });
    const error = asError(reply, 'tls_untrusted');
    assert.equal(error.certificate!.reason, 'ERR_TLS_CERT_ALTNAME_INVALID');
    assert.equal(error.certificate!.fingerprint256, wrongName.fingerprint256);
  });

  test('the pinned fingerprint is accepted (authorized: false), in any case and without colons', async () => {
    for (const pin of [
      selfSigned.fingerprint256,
      selfSigned.fingerprint256.toLowerCase(),
      selfSigned.fingerprint256.replaceAll(':', ''),
    ]) {
      const { client, reply } = await connectVia(relay, {
        host: 'localhost',
        port: selfSignedServer.port,
        tls: 'implicit',
        pin,
      });
      const tls = asTls(reply, 'connected');
      assert.equal(tls.authorized, false);
      assert.equal(tls.fingerprint256, selfSigned.fingerprint256);
      await client.readUntil('* OK secure greeting\r\n');
      await client.close();
    }
  });

  test('a pin also overrides a name mismatch', async () => {
    const { client, reply } = await connectVia(relay, {
      host: 'localhost',
      port: wrongNameServer.port,
      tls: 'implicit',
      pin: wrongName.fingerprint256,
    });
    assert.equal(asTls(reply, 'connected').authorized, false);
    await client.close();
  });

  test('a wrong pin is refused with tls_untrusted', async () => {
    const { client, reply } = await connectVia(relay, {
      host: 'localhost',
      port: selfSignedServer.port,
      tls: 'implicit',
      pin: trusted.fingerprint256,
    });
    const error = asError(reply, 'tls_untrusted');
    assert.equal(error.certificate!.fingerprint256, selfSigned.fingerprint256);
    assert.equal((await client.closed).code, RELAY_CLOSE_CODES.error);
    assert.equal(client.received.length, 0);
  });

  test('a server that does not speak TLS: tls_failed', async () => {
    const { client, reply } = await connectVia(relay, {
      host: '127.0.0.1',
      port: garbageServer.port,
      tls: 'implicit',
    });
    asError(reply, 'tls_failed');
    assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.error, reason: 'tls_failed' });
    assert.equal(client.received.length, 0);
  });

  test('STARTTLS upgrades in place: secured with details, then protected bytes flow', async () => {
    const { client, reply } = await connectVia(relay, {
      host: 'localhost',
      port: starttlsServer.port,
      tls: 'starttls',
    });
    assert.deepEqual(reply, { op: 'connected', remote: `127.0.0.1:${starttlsServer.port}` });
    await client.readUntil('* OK plain greeting\r\n');
    const secured = await startTls(client);
    const tls = asTls(secured, 'secured');
    assert.equal(tls.authorized, true);
    assert.equal(tls.fingerprint256, trusted.fingerprint256);
    const plain = client.bytesBefore(secured);
    assert.equal(client.received.subarray(0, plain).toString(), '* OK plain greeting\r\nOK begin TLS\r\n');
    await client.readUntil('* OK secure greeting\r\n');
    client.sendBytes('a CAPABILITY\r\n');
    await client.readUntil('a CAPABILITY\r\n');
    assert.equal(
      client.received.subarray(plain).toString(),
      '* OK secure greeting\r\na CAPABILITY\r\n',
      'only TLS-protected bytes after secured',
    );
    await client.close();
  });

  test('STARTTLS: bytes injected after the ClientHello are dropped, the handshake succeeds', async () => {
    const { client } = await connectVia(relay, {
      host: 'localhost',
      port: injectAfterServer.port,
      tls: 'starttls',
    });
    await client.readUntil('* OK plain greeting\r\n');
    assert.equal(asTls(await startTls(client), 'secured').authorized, true);
    await client.readUntil('* OK secure greeting\r\n');
    assert.equal(
      client.received.toString(),
      '* OK plain greeting\r\nOK begin TLS\r\n* OK secure greeting\r\n',
    );
    await client.close();
  });

  test('STARTTLS: bytes sent behind the OK are delivered before "secured", never after it', async () => {
    const { client } = await connectVia(relay, {
      host: 'localhost',
      port: injectBehindOkServer.port,
      tls: 'starttls',
    });
    await client.readUntil('* OK plain greeting\r\n');
    client.sendBytes('a STARTTLS\r\n');
    await client.readUntil('INJECTED-BEHIND\r\n');
    client.sendJson({ op: 'starttls' });
    const secured = await client.nextJson();
    asTls(secured, 'secured');
    await client.readUntil('* OK secure greeting\r\n');
    const before = client.bytesBefore(secured);
    assert.equal(
      client.received.subarray(0, before).toString(),
      '* OK plain greeting\r\nOK begin TLS\r\nINJECTED-BEHIND\r\n',
    );
    assert.equal(client.received.subarray(before).toString(), '* OK secure greeting\r\n');
    await client.close();
  });

  test('STARTTLS pipelined: OK and injected plaintext before the handshake never reach the client', async () => {
    const { client } = await connectVia(relay, {
      host: 'localhost',
      port: injectBehindOkServer.port,
      tls: 'starttls',
    });
    await client.readUntil('* OK plain greeting\r\n');
    // Command and request back to back: the relay is already securing when the answer comes.
    client.sendBytes('a STARTTLS\r\n');
    client.sendJson({ op: 'starttls' });
    const secured = await client.nextJson(true);
    asTls(secured, 'secured');
    await client.readUntil('* OK secure greeting\r\n');
    assert.equal(client.received.toString(), '* OK plain greeting\r\n* OK secure greeting\r\n');
    await client.close();
  });

  test('STARTTLS with an untrusted certificate: tls_untrusted, pin accepted', async () => {
    const first = await connectVia(relay, {
      host: 'localhost',
      port: selfSignedStarttlsServer.port,
      tls: 'starttls',
    });
    await first.client.readUntil('plain greeting\r\n');
    const error = asError(await startTls(first.client), 'tls_untrusted');
    assert.equal(error.certificate!.fingerprint256, selfSigned.fingerprint256);
    await first.client.closed;
    assert.equal(first.client.received.toString(), '* OK plain greeting\r\nOK begin TLS\r\n');

    const pinned = await connectVia(relay, {
      host: 'localhost',
      port: selfSignedStarttlsServer.port,
      tls: 'starttls',
      pin: selfSigned.fingerprint256,
    });
    await pinned.client.readUntil('plain greeting\r\n');
    assert.equal(asTls(await startTls(pinned.client), 'secured').authorized, false);
    await pinned.client.readUntil('* OK secure greeting\r\n');
    await pinned.client.close();
  });

  test('binary frames during the STARTTLS handshake are refused (bad_request)', async () => {
    const { client } = await connectVia(relay, {
      host: 'localhost',
      port: starttlsServer.port,
      tls: 'starttls',
    });
    await client.readUntil('* OK plain greeting\r\n');
    client.sendBytes('a STARTTLS\r\n');
    await client.readUntil('OK begin TLS\r\n');
    client.sendJson({ op: 'starttls' });
    client.sendBytes('a LOGIN user pass\r\n');
    const error = asError(await client.nextJson(), 'bad_request');
    assert.match(error.message, /STARTTLS/);
    assert.equal((await client.closed).code, RELAY_CLOSE_CODES.error);
  });

  test('starttls is refused unless the session was opened with tls "starttls", and only once', async () => {
    const plain = await connectVia(relay, { host: 'localhost', port: starttlsServer.port, tls: 'none' });
    plain.client.sendJson({ op: 'starttls' });
    asError(await plain.client.nextJson(true), 'bad_request');

    const implicit = await connectVia(relay, {
      host: 'localhost',
      port: trustedServer.port,
      tls: 'implicit',
    });
    implicit.client.sendJson({ op: 'starttls' });
    asError(await implicit.client.nextJson(true), 'bad_request');

    const twice = await connectVia(relay, { host: 'localhost', port: starttlsServer.port, tls: 'starttls' });
    await twice.client.readUntil('plain greeting\r\n');
    asTls(await startTls(twice.client), 'secured');
    twice.client.sendJson({ op: 'starttls' });
    asError(await twice.client.nextJson(true), 'bad_request');
  });
});
