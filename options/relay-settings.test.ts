import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RELAY_URL, relayStatusView, validateRelay } from './relay-settings.ts';

test('the default relay URL is the relay default', () => {
  assert.equal(DEFAULT_RELAY_URL, 'ws://127.0.0.1:6512/v1');
  assert.deepEqual(validateRelay(DEFAULT_RELAY_URL, 'abc_DEF-123'), {});
});

test('relay URLs must be ws: or wss:', () => {
  assert.equal(validateRelay('', 't').url?.key, 'options_errorRelayUrlRequired');
  for (const bad of ['http://127.0.0.1:6512/v1', '127.0.0.1:6512', 'ws://', 'ws://host/v1#x'])
    assert.equal(validateRelay(bad, 't').url?.key, 'options_errorRelayUrl', bad);
  assert.equal(validateRelay('wss://relay.example.org/v1', 't').url, undefined);
});

test('tokens must be non-empty RFC 9110 tokens', () => {
  assert.equal(validateRelay(DEFAULT_RELAY_URL, ' ').token?.key, 'options_errorTokenRequired');
  assert.equal(validateRelay(DEFAULT_RELAY_URL, 'has space').token?.key, 'options_errorTokenInvalid');
  assert.equal(validateRelay(DEFAULT_RELAY_URL, 'quote"d').token?.key, 'options_errorTokenInvalid');
});

test('status: connected (with the version), not running (with the start commands), token refused, other', () => {
  assert.deepEqual(relayStatusView({ ok: true, message: 'ok', version: '0.2.0' }), {
    tone: 'ok',
    message: { key: 'options_relayConnectedVersion', args: ['0.2.0'] },
  });
  assert.deepEqual(relayStatusView({ ok: true, message: 'ok' }), {
    tone: 'ok',
    message: { key: 'options_relayConnected' },
  });
  const down = relayStatusView({ ok: false, code: 'relay_unreachable', message: 'x' });
  assert.equal(down.message.key, 'options_relayNotRunning');
  assert.deepEqual(down.startCommands, ['biff-relay', 'npm start']);
  assert.deepEqual(
    relayStatusView(
      { ok: false, code: 'relay_unreachable', message: 'x' },
      'systemctl --user start biff-relay',
    ).startCommands,
    ['systemctl --user start biff-relay', 'npm start'],
  );
  assert.deepEqual(relayStatusView({ ok: false, code: 'relay_outdated', message: 'Too old' }).message, {
    key: 'options_relayOutdated',
    args: ['Too old'],
  });
  assert.equal(
    relayStatusView({ ok: false, code: 'relay_refused', message: 'x' }).message.key,
    'options_relayRefused',
  );
  assert.deepEqual(relayStatusView({ ok: false, code: 'relay_protocol', message: 'Odd reply' }).message, {
    key: 'options_relayOtherError',
    args: ['Odd reply'],
  });
});
