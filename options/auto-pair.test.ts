import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pairError, pairOutcome, RELAY_INSTALL_COMMANDS } from './auto-pair.ts';

const GOOD = {
  ok: true,
  url: 'ws://127.0.0.1:6512/v1',
  token: 'abcDEF_123-xyz0123456789',
  version: '0.2.0',
  started: false,
  startCommand: 'systemctl --user start biff-relay',
};

test('a good reply becomes the relay settings to save, with the start command', () => {
  assert.deepEqual(pairOutcome(GOOD), {
    ok: true,
    relay: { url: GOOD.url, token: GOOD.token, startCommand: 'systemctl --user start biff-relay' },
  });
});

test('the host’s own error reply is shown with its reason', () => {
  assert.deepEqual(pairOutcome({ ok: false, code: 'port_taken', message: 'something else on 6512' }), {
    ok: false,
    message: { key: 'options_pairFailed', args: ['something else on 6512'] },
  });
});

test('malformed replies are refused, never saved', () => {
  for (const reply of [
    null,
    'x',
    {},
    { ...GOOD, ok: 'yes' },
    { ...GOOD, url: 'http://127.0.0.1:6512/v1' },
    { ...GOOD, token: 'has space' },
    { ...GOOD, token: 7 },
    { ...GOOD, startCommand: 'x'.repeat(5000) },
  ]) {
    const outcome = pairOutcome(reply);
    assert.equal(outcome.ok, false, JSON.stringify(reply)?.slice(0, 80));
    assert.ok(!JSON.stringify(outcome).includes(GOOD.token), 'the token never reaches the message');
  }
});

test('no host registered (Chrome and Firefox wording) says how to install; other failures say why', () => {
  for (const message of [
    'Specified native messaging host not found.',
    'No such native application biff_relay',
  ]) {
    assert.deepEqual(pairError(new Error(message)), {
      ok: false,
      message: { key: 'options_pairNoHost' },
      installCommands: RELAY_INSTALL_COMMANDS,
    });
  }
  assert.deepEqual(pairError(new Error('Native host has exited.')), {
    ok: false,
    message: { key: 'options_pairFailed', args: ['Native host has exited.'] },
  });
  assert.deepEqual(RELAY_INSTALL_COMMANDS, ['npm install -g ./biff-relay-0.2.0.tgz', 'biff-relay install']);
});
