/**
 * The relay's front door, driven through the real binary: token, Origin, Host, path and
 * subprotocol checks happen before the upgrade and answer with HTTP statuses.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { RELAY_SUBPROTOCOL } from '../../relay/protocol.ts';
import {
  connectVia,
  RelayClient,
  type RunningRelay,
  startEchoServer,
  startRelay,
  upgradeStatus,
} from './helpers.ts';

const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';

function httpGet(
  relay: RunningRelay,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: relay.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('handshake', () => {
  let relay: RunningRelay;
  before(async () => {
    relay = await startRelay({ args: ['--verbose'] });
  });
  after(async () => {
    await relay.stop();
  });

  test('accepts the right token with no Origin and selects biff.v1 only', async () => {
    const client = await RelayClient.open(relay);
    assert.equal(client.ws.protocol, RELAY_SUBPROTOCOL);
    await client.close();
  });

  test('the handshake response never echoes the token', async () => {
    const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
      const ws = new WebSocket(relay.url, [RELAY_SUBPROTOCOL, `biff.token.${relay.token}`]);
      ws.once('upgrade', (res) => {
        resolve(res.headers);
        ws.terminate();
      });
      ws.once('error', reject);
    });
    assert.equal(headers['sec-websocket-protocol'], RELAY_SUBPROTOCOL);
    assert.ok(!JSON.stringify(headers).includes(relay.token));
  });

  test('missing token: 401', async () => {
    assert.equal(await upgradeStatus(relay, { token: null }), 401);
  });

  test('wrong token: 401', async () => {
    assert.equal(await upgradeStatus(relay, { token: `${relay.token.slice(0, -1)}x` }), 401);
    assert.equal(await upgradeStatus(relay, { token: 'short' }), 401);
  });

  test('token offered without biff.v1: 400', async () => {
    assert.equal(await upgradeStatus(relay, { protocols: [`biff.token.${relay.token}`] }), 400);
  });

  test('web page origins: 403, even with the right token', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:8080', 'http://127.0.0.1', 'file://']) {
      assert.equal(await upgradeStatus(relay, { origin }), 403, origin);
    }
  });

  test('web page origin without a token is also 403 (origin is judged first)', async () => {
    assert.equal(await upgradeStatus(relay, { origin: 'https://evil.example', token: null }), 403);
  });

  test('extension origins and null are accepted', async () => {
    for (const origin of [
      `chrome-extension://${EXTENSION_ID}`,
      'moz-extension://0e5a1f3c-7a9b-4f8e-9d2c-3b1a6c5d4e7f',
      'null',
    ]) {
      assert.equal(await upgradeStatus(relay, { origin }), 101, origin);
    }
  });

  test('foreign Host header (DNS rebinding): 403', async () => {
    for (const host of [
      `evil.example:${relay.port}`,
      `127.0.0.1:${relay.port + 1}`,
      'localhost',
      '10.0.0.1',
    ]) {
      assert.equal(await upgradeStatus(relay, { headers: { Host: host } }), 403, host);
    }
  });

  test('loopback Host names with our port are accepted', async () => {
    for (const host of [`localhost:${relay.port}`, `LOCALHOST:${relay.port}`, `[::1]:${relay.port}`]) {
      assert.equal(await upgradeStatus(relay, { headers: { Host: host } }), 101, host);
    }
  });

  test('other paths: 404', async () => {
    assert.equal(await upgradeStatus(relay, { path: '/v2' }), 404);
    assert.equal(await upgradeStatus(relay, { path: '/' }), 404);
  });

  test('plain HTTP GET says it is the Biff relay and tells no secret', async () => {
    const res = await httpGet(relay, '/');
    assert.equal(res.status, 200);
    assert.match(res.body, /Biff relay/);
    assert.ok(!res.body.includes(relay.token));
    assert.equal((await httpGet(relay, '/v1')).status, 426);
    assert.equal((await httpGet(relay, '/secret')).status, 404);
    assert.equal((await httpGet(relay, '/', { Host: `evil.example:${relay.port}` })).status, 403);
  });

  test('--verbose logs refusals, without the token', () => {
    assert.match(relay.stderr(), /refused status=401 reason="wrong token"/);
    assert.match(relay.stderr(), /refused status=403/);
    assert.ok(!relay.stderr().includes(relay.token));
  });
});

describe('--extension-id', () => {
  let relay: RunningRelay;
  before(async () => {
    relay = await startRelay({ args: ['--extension-id', EXTENSION_ID] });
  });
  after(async () => {
    await relay.stop();
  });

  test('accepts the configured Chrome extension', async () => {
    assert.equal(await upgradeStatus(relay, { origin: `chrome-extension://${EXTENSION_ID}` }), 101);
  });

  test('refuses another Chrome extension with 403', async () => {
    assert.equal(await upgradeStatus(relay, { origin: `chrome-extension://${'b'.repeat(32)}` }), 403);
  });
});

describe('--token', () => {
  test('overrides the token file; the token appears in no output or reply', async () => {
    const token = 'T0ken-given-on-the-command-line_0123456789';
    const echo = await startEchoServer();
    const relay = await startRelay({ token, args: ['--verbose', '--allow-port', String(echo.port)] });
    try {
      assert.equal(relay.configPath, null);
      assert.equal(await upgradeStatus(relay, { token: 'another-token-of-some-length-0123456' }), 401);
      const { client, reply } = await connectVia(relay, { host: '127.0.0.1', port: echo.port });
      assert.equal(reply.op, 'connected');
      client.sendBytes('hello');
      await client.readBytes(5);
      client.sendJson({ op: 'bogus' });
      const error = await client.nextJson();
      assert.equal(error.op, 'error');
      assert.ok(!JSON.stringify(error).includes(token));
      await client.closed;
    } finally {
      assert.equal(await relay.stop(), 0);
      await echo.close();
    }
    assert.match(relay.stderr(), /session /);
    assert.ok(!relay.logs().includes(token), 'token must not be printed or logged');
  });

  test('a token with characters a subprotocol cannot carry is a usage error', async () => {
    await assert.rejects(startRelay({ token: 'has space' }), /exited with 2/);
  });
});
