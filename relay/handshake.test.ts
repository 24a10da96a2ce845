import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import {
  checkUpgrade,
  type HandshakePolicy,
  offeredProtocols,
  requestPath,
  tokenMatches,
} from './handshake.ts';
import { allowedHostHeaders } from './policy.ts';

const TOKEN = 'tok_0123456789abcdefghijkl';
const POLICY: HandshakePolicy = {
  token: TOKEN,
  hostHeaders: allowedHostHeaders('127.0.0.1', 6512),
  extensionIds: [],
  firefoxPin: null,
};
const GOOD: IncomingHttpHeaders = {
  host: '127.0.0.1:6512',
  'sec-websocket-protocol': `biff.v1, biff.token.${TOKEN}`,
};

test('a good request passes', () => {
  assert.equal(checkUpgrade('/v1', GOOD, POLICY), null);
  assert.equal(checkUpgrade('/v1?x=1', { ...GOOD, origin: 'null' }, POLICY), null);
  assert.equal(
    checkUpgrade('/v1', { ...GOOD, 'sec-websocket-protocol': `biff.token.${TOKEN},biff.v1` }, POLICY),
    null,
  );
});

test('each refusal and its status', () => {
  const status = (url: string, headers: IncomingHttpHeaders): number | undefined =>
    checkUpgrade(url, headers, POLICY)?.status;
  assert.equal(status('/v1', { ...GOOD, host: 'evil.example:6512' }), 403);
  assert.equal(status('/v2', GOOD), 404);
  assert.equal(status('/v1', { ...GOOD, origin: 'https://evil.example' }), 403);
  assert.equal(status('/v1', { ...GOOD, 'sec-websocket-protocol': 'biff.v1' }), 401);
  assert.equal(status('/v1', { ...GOOD, 'sec-websocket-protocol': undefined }), 401);
  assert.equal(status('/v1', { ...GOOD, 'sec-websocket-protocol': 'biff.v1, biff.token.nope' }), 401);
  assert.equal(status('/v1', { ...GOOD, 'sec-websocket-protocol': `biff.v1, biff.token.${TOKEN}x` }), 401);
  assert.equal(status('/v1', { ...GOOD, 'sec-websocket-protocol': `biff.token.${TOKEN}` }), 400);
  // Host and Origin are judged before the token.
  assert.equal(status('/v1', { host: 'evil.example:6512' }), 403);
  assert.equal(status('/v1', { host: '127.0.0.1:6512', origin: 'https://evil.example' }), 403);
});

test('tokenMatches', () => {
  assert.equal(tokenMatches(TOKEN, TOKEN), true);
  assert.equal(tokenMatches(`${TOKEN}x`, TOKEN), false);
  assert.equal(tokenMatches('', TOKEN), false);
});

test('offeredProtocols and requestPath', () => {
  assert.deepEqual(offeredProtocols(' a ,b,, c'), ['a', 'b', 'c']);
  assert.deepEqual(offeredProtocols(undefined), []);
  assert.equal(requestPath('/v1?token=x'), '/v1');
  assert.equal(requestPath(undefined), '/');
});
