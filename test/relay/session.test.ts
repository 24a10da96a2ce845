/**
 * Sessions through the real relay: the connect frame, target policy, piping, limits,
 * timeouts, close codes, logging and shutdown.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { RELAY_CLOSE_CODES, type ServerFrame } from '../../relay/protocol.ts';
import { RELAY_VERSION } from '../../relay/version.ts';
import {
  closedPort,
  connectVia,
  RelayClient,
  type RunningRelay,
  startEchoServer,
  startRelay,
  startTcpServer,
  type Upstream,
} from './helpers.ts';

function assertError(
  frame: ServerFrame,
  code: string,
): asserts frame is Extract<ServerFrame, { op: 'error' }> {
  assert.equal(frame.op, 'error', JSON.stringify(frame));
  assert.equal((frame as { code: string }).code, code, JSON.stringify(frame));
}

describe('sessions (with --allow-private)', () => {
  let relay: RunningRelay;
  let echo: Upstream;
  let greeter: Upstream;
  let recorder: Upstream;
  let recorded: Promise<string>;
  let refusedPort: number;
  before(async () => {
    recorded = new Promise((resolve) => {
      void startTcpServer((socket) => {
        let text = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => {
          text += chunk;
        });
        socket.on('end', () => resolve(text));
      }).then((server) => {
        recorder = server;
      });
    });
    while (!recorder) await new Promise((r) => setTimeout(r, 5));
    echo = await startEchoServer();
    greeter = await startTcpServer((socket) => {
      socket.write('+OK POP3 ready\r\n');
      socket.on('data', (data) => {
        if (data.toString().startsWith('QUIT')) socket.end('+OK bye\r\n');
      });
    });
    refusedPort = await closedPort();
    relay = await startRelay({
      args: [
        ...[echo.port, greeter.port, refusedPort, recorder.port].flatMap((p) => ['--allow-port', String(p)]),
        '--hello-timeout',
        '300ms',
      ],
    });
  });
  after(async () => {
    await relay.stop();
    await echo.close();
    await greeter.close();
    await recorder.close();
  });

  test('connect, greeting, command and clean upstream close (1000 upstream_closed)', async () => {
    const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port: greeter.port, tls: 'none' });
    assert.deepEqual(reply, { op: 'connected', remote: `127.0.0.1:${greeter.port}` });
    await client.readUntil('+OK POP3 ready\r\n');
    client.sendBytes('QUIT\r\n');
    await client.readUntil('+OK bye\r\n');
    assert.equal(client.received.toString(), '+OK POP3 ready\r\n+OK bye\r\n');
    assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.normal, reason: 'upstream_closed' });
  });

  test('binary frames are piped byte-exact both ways', async () => {
    const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
    assert.equal(reply.op, 'connected');
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256));
    client.sendBytes(bytes.subarray(0, 1));
    client.sendBytes(bytes.subarray(1, 40_000));
    client.sendBytes(bytes.subarray(40_000));
    assert.deepEqual(await client.readBytes(bytes.length), bytes);
    await client.close();
  });

  test('ping → pong, in the middle of a session', async () => {
    const { client } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
    client.sendJson({ op: 'ping' });
    assert.deepEqual(await client.nextJson(), { op: 'pong' });
    client.sendBytes('still here');
    await client.readUntil('still here');
    await client.close();
  });

  test('a client close ends the upstream after flushing what the client sent', async () => {
    const { client } = await connectVia(relay, { host: '127.0.0.1', port: recorder.port });
    client.sendBytes('a LOGOUT\r\n');
    await client.close();
    assert.equal(await recorded, 'a LOGOUT\r\n');
  });

  test('bad first frames: bad_request and close 4000', async () => {
    const cases: Array<(c: RelayClient) => void> = [
      (c) => c.ws.send('not json'),
      (c) => c.sendJson({ op: 'ping' }),
      (c) => c.sendJson({ op: 'starttls' }),
      (c) => c.sendBytes('raw bytes first'),
      (c) => c.sendJson({ op: 'connect', host: '127.0.0.1', port: 99999, tls: 'none' }),
      (c) => c.sendJson({ op: 'connect', host: '127.0.0.1', port: echo.port, tls: 'maybe' }),
      (c) => c.sendJson({ op: 'connect', host: 'bad host\r\nname', port: echo.port, tls: 'none' }),
      (c) => c.sendJson({ op: 'connect', host: '127.0.0.1', port: echo.port, tls: 'implicit', pin: 'AB:CD' }),
      (c) => c.ws.send('[1,2]'),
    ];
    for (const send of cases) {
      const client = await RelayClient.open(relay);
      send(client);
      assertError(await client.nextJson(), 'bad_request');
      assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.error, reason: 'bad_request' });
    }
  });

  test('hello before connect: the relay names its version and the session still connects; a second hello is a bad_request', async () => {
    const client = await RelayClient.open(relay);
    client.sendJson({ op: 'hello' });
    assert.deepEqual(await client.nextJson(), { op: 'hello', version: RELAY_VERSION, protocol: 'biff.v1' });
    client.sendJson({ op: 'connect', host: '127.0.0.1', port: echo.port, tls: 'none' });
    assert.equal((await client.nextJson()).op, 'connected');
    await client.close();

    const twice = await RelayClient.open(relay);
    twice.sendJson({ op: 'hello' });
    await twice.nextJson();
    twice.sendJson({ op: 'hello' });
    assertError(await twice.nextJson(), 'bad_request');
    assert.equal((await twice.closed).code, RELAY_CLOSE_CODES.error);
  });

  test('a second connect is a bad_request', async () => {
    const { client } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
    client.sendJson({ op: 'connect', host: '127.0.0.1', port: echo.port, tls: 'none' });
    assertError(await client.nextJson(), 'bad_request');
    assert.equal((await client.closed).code, RELAY_CLOSE_CODES.error);
  });

  test('no first frame within the hello timeout: bad_request', async () => {
    const client = await RelayClient.open(relay);
    assertError(await client.nextJson(), 'bad_request');
    assert.equal((await client.closed).code, RELAY_CLOSE_CODES.error);
  });

  test('connection refused: connect_refused', async () => {
    const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port: refusedPort });
    assertError(reply, 'connect_refused');
    assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.error, reason: 'connect_refused' });
  });

  test('port not in the allowlist: target_denied, nothing connected', async () => {
    const upstream = await startTcpServer();
    try {
      const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port: upstream.port });
      assertError(reply, 'target_denied');
      assert.equal((await client.closed).code, RELAY_CLOSE_CODES.error);
      assert.equal(upstream.sockets.length, 0);
    } finally {
      await upstream.close();
    }
  });

  test('unknown host: dns_failed', async () => {
    const { reply } = await connectVia(relay, { host: 'no-such-host.invalid', port: 993 });
    assertError(reply, 'dns_failed');
  });

  test('one log line per session with target, bytes and close reason; no mail bytes', async () => {
    const { client } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
    client.sendBytes('PASS secret-password-123\r\n');
    await client.readBytes(26);
    await client.close();
    // The log line is written when the relay sees the close; wait for it without a timing bound.
    while (!relay.stderr().includes('up=26 down=26')) await new Promise((r) => setTimeout(r, 20));
    const line = relay
      .stderr()
      .split('\n')
      .find((l) => l.includes('up=26 down=26'))!;
    assert.match(
      line,
      /^\d{4}-\d\d-\d\dT\S+Z session origin=- target=127\.0\.0\.1:\d+ remote=127\.0\.0\.1:\d+ /,
    );
    assert.match(line, /tls=none up=26 down=26 duration=\d+\.\d{3}s close=1000\/client$/);
    assert.ok(!relay.logs().includes('secret-password'));
    // stdout showed the token once, when the file was created; the log never does.
    assert.ok(!relay.stderr().includes(relay.token));
  });
});

/** A relay allowing one extra port, for tests that need their own upstream. */
function startRelayOnce(port: number, args: string[] = []): Promise<RunningRelay> {
  return startRelay({ args: ['--allow-port', String(port), ...args] });
}

describe('target policy without --allow-private', () => {
  let relay: RunningRelay;
  let echo: Upstream;
  before(async () => {
    echo = await startEchoServer();
    relay = await startRelay({ allowPrivate: false, args: ['--allow-port', String(echo.port)] });
  });
  after(async () => {
    await relay.stop();
    await echo.close();
  });

  test('loopback, private, link-local and mapped addresses are target_denied', async () => {
    for (const host of [
      '127.0.0.1',
      'localhost',
      '[::1]',
      '::ffff:127.0.0.1',
      '10.1.2.3',
      '192.168.1.1',
      '172.16.0.1',
      '100.64.0.1',
      '169.254.169.254',
      'fe80::1',
      'fd00::1',
      '0.0.0.0',
      '::',
      '224.0.0.1',
    ]) {
      const { client, reply } = await connectVia(relay, { host, port: echo.port });
      assertError(reply, 'target_denied');
      assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.error, reason: 'target_denied' }, host);
    }
    assert.equal(echo.sockets.length, 0, 'no connection was made');
  });

  test('a port outside the allowlist is denied before any lookup or connect', async () => {
    const { reply } = await connectVia(relay, { host: '93.184.215.14', port: 25 });
    assertError(reply, 'target_denied');
    assert.match((reply as { message: string }).message, /port 25/);
  });
});

describe('limits', () => {
  test('a message over --max-message closes with 1009', async () => {
    const echo = await startEchoServer();
    const relay = await startRelayOnce(echo.port, ['--max-message', '4KiB']);
    try {
      const { client } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
      client.sendBytes(Buffer.alloc(4096, 1));
      await client.readBytes(4096);
      client.sendBytes(Buffer.alloc(4097, 2));
      assert.equal((await client.closed).code, RELAY_CLOSE_CODES.tooBig);
      assert.equal(client.received.length, 4096, 'the oversize message was not forwarded');
      const early = await RelayClient.open(relay);
      early.ws.send('x'.repeat(5000));
      assert.equal((await early.closed).code, RELAY_CLOSE_CODES.tooBig);
    } finally {
      await relay.stop();
      await echo.close();
    }
  });

  test('--max-sessions: one more is refused with too_many_sessions; a closed one frees its slot', async () => {
    const echo = await startEchoServer();
    const relay = await startRelayOnce(echo.port, ['--max-sessions', '2']);
    try {
      const a = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
      const b = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
      assert.equal(a.reply.op, 'connected');
      assert.equal(b.reply.op, 'connected');
      const third = await RelayClient.open(relay);
      assertError(await third.nextJson(), 'too_many_sessions');
      assert.deepEqual(await third.closed, { code: RELAY_CLOSE_CODES.error, reason: 'too_many_sessions' });
      await a.client.close();
      // The relay notices the close a moment after the client does; retry until the slot is free.
      for (;;) {
        const again = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
        if (again.reply.op === 'connected') {
          await again.client.close();
          break;
        }
        assertError(again.reply, 'too_many_sessions');
        await new Promise((r) => setTimeout(r, 20));
      }
      await b.client.close();
    } finally {
      await relay.stop();
      await echo.close();
    }
  });

  test('no traffic for --idle-timeout: idle_timeout and close 4001', async () => {
    const echo = await startEchoServer();
    const relay = await startRelayOnce(echo.port, ['--idle-timeout', '300ms']);
    try {
      const { client } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
      client.sendBytes('one');
      await client.readBytes(3);
      assertError(await client.nextJson(), 'idle_timeout');
      assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.idle, reason: 'idle_timeout' });
      assert.equal(client.received.toString(), 'one');
    } finally {
      await relay.stop();
      await echo.close();
    }
  });

  test('connect timeout covers the TLS handshake: a server that never answers gives connect_timeout', async () => {
    const silent = await startTcpServer((socket) => socket.resume());
    const relay = await startRelayOnce(silent.port, ['--connect-timeout', '300ms']);
    try {
      const { client, reply } = await connectVia(relay, {
        host: '127.0.0.1',
        port: silent.port,
        tls: 'implicit',
      });
      assertError(reply, 'connect_timeout');
      assert.match((reply as { message: string }).message, /TLS handshake/);
      assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.error, reason: 'connect_timeout' });
      assert.equal(silent.sockets.length, 1);
      const socket = silent.sockets[0]!;
      if (!socket.destroyed) await once(socket, 'close');
    } finally {
      await relay.stop();
      await silent.close();
    }
  });
});

describe('shutdown', () => {
  test('SIGTERM closes sessions with 1001 and exits 0 (and --quiet logs no session)', async () => {
    const echo = await startEchoServer();
    const relay = await startRelayOnce(echo.port, ['--quiet']);
    try {
      const { client } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
      const idle = await RelayClient.open(relay);
      relay.proc.kill('SIGTERM');
      assert.deepEqual(await client.closed, { code: RELAY_CLOSE_CODES.shutdown, reason: 'shutdown' });
      assert.equal((await idle.closed).code, RELAY_CLOSE_CODES.shutdown);
      assert.equal(await relay.exited, 0);
      assert.doesNotMatch(relay.stderr(), / session /);
      assert.match(relay.stderr(), /SIGTERM/);
    } finally {
      await relay.stop();
      await echo.close();
    }
  });

  test('SIGINT exits 0 too', async () => {
    const relay = await startRelay();
    assert.equal(await relay.stop('SIGINT'), 0);
  });

  test('--help prints usage and exits 0; an unknown flag exits 2', async () => {
    const { spawnSync } = await import('node:child_process');
    const { RELAY_BIN } = await import('./helpers.ts');
    const help = spawnSync(process.execPath, [RELAY_BIN, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--allow-private/);
    const bad = spawnSync(process.execPath, [RELAY_BIN, '--no-such-flag'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option/);
  });
});
