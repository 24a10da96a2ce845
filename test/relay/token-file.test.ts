/** The pairing token file: created once with a strong token and private modes, then reused. */
import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectVia, startEchoServer, startRelay, tempDir, upgradeStatus } from './helpers.ts';

test('first start creates the token file (0600 in a 0700 dir) with ≥128 bits, printed once with the URL', async () => {
  const dir = join(tempDir(), 'nested', 'biff');
  const configPath = join(dir, 'relay.json');
  const relay = await startRelay({ configPath });
  try {
    assert.equal(statSync(configPath).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const { token } = JSON.parse(readFileSync(configPath, 'utf8')) as { token: string };
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'base64url');
    assert.ok(Buffer.from(token, 'base64url').length >= 16, 'at least 128 bits');
    assert.equal(token, relay.token);
    const pairing = relay
      .stdout()
      .split('\n')
      .filter((line) => line.includes(token));
    assert.equal(pairing.length, 1);
    assert.ok(pairing[0]!.includes(relay.url), 'printed with the relay URL');
    assert.equal(await upgradeStatus(relay), 101);
  } finally {
    assert.equal(await relay.stop(), 0);
  }
});

test('second start reuses the token and does not print it again', async () => {
  const configPath = join(tempDir(), 'relay.json');
  const first = await startRelay({ configPath });
  await first.stop();
  const echo = await startEchoServer();
  const second = await startRelay({ configPath, args: ['--allow-port', String(echo.port), '--verbose'] });
  try {
    assert.equal(second.token, first.token);
    assert.equal(await upgradeStatus(second, { token: first.token }), 101);
    assert.equal(await upgradeStatus(second, { token: 'wrong-token-wrong-token-wrong' }), 401);
    const { client } = await connectVia(second, { host: '127.0.0.1', port: echo.port });
    await client.close();
  } finally {
    await second.stop();
    await echo.close();
  }
  assert.match(second.stderr(), /session /);
  assert.ok(!second.logs().includes(first.token), 'token in no output of a later start');
});

test('a token file readable by others is tightened to 0600', async () => {
  const configPath = join(tempDir(), 'relay.json');
  writeFileSync(configPath, JSON.stringify({ token: 'A'.repeat(43) }));
  chmodSync(configPath, 0o644);
  const relay = await startRelay({ configPath });
  try {
    assert.equal(relay.token, 'A'.repeat(43));
    assert.equal(statSync(configPath).mode & 0o777, 0o600);
  } finally {
    await relay.stop();
  }
});

test('a corrupt token file stops the relay with exit 1 instead of silently re-pairing', async () => {
  const configPath = join(tempDir(), 'relay.json');
  writeFileSync(configPath, 'not json');
  await assert.rejects(startRelay({ configPath }), /exited with 1[\s\S]*not JSON/);
});

test('the first Firefox add-on to pair is pinned, in the token file too: another add-on with the token gets 403', async () => {
  const configPath = join(tempDir(), 'relay.json');
  const paired = 'moz-extension://0e5a1f3c-7a9b-4f8e-9d2c-3b1a6c5d4e7f';
  const other = 'moz-extension://11111111-2222-4333-8444-555555555555';
  const relay = await startRelay({ configPath });
  try {
    assert.equal(await upgradeStatus(relay, { origin: paired }), 101);
    assert.equal(await upgradeStatus(relay, { origin: other }), 403, 'another add-on holding the token');
    assert.equal(await upgradeStatus(relay, { origin: paired }), 101);
    assert.equal(await upgradeStatus(relay, { origin: other, token: null }), 403);
  } finally {
    await relay.stop();
  }
  const file = JSON.parse(readFileSync(configPath, 'utf8')) as { token: string; firefoxOrigin?: string };
  assert.equal(file.firefoxOrigin, paired);
  assert.equal(file.token, relay.token, 'the token is unchanged');
  assert.equal(statSync(configPath).mode & 0o777, 0o600);
  // A restarted relay still knows which add-on paired.
  const again = await startRelay({ configPath });
  try {
    assert.equal(await upgradeStatus(again, { origin: other }), 403);
    assert.equal(await upgradeStatus(again, { origin: paired }), 101);
  } finally {
    await again.stop();
  }
});
