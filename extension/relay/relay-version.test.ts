import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RELAY_VERSION } from '../../relay/version.ts';
import { MIN_RELAY_VERSION, relayVersionSupported } from './relay-version.ts';

test('versions compare by number, not by text', () => {
  assert.equal(relayVersionSupported('0.2.0', '0.2.0'), true);
  assert.equal(relayVersionSupported('0.10.0', '0.2.0'), true);
  assert.equal(relayVersionSupported('1.0.0', '0.2.0'), true);
  assert.equal(relayVersionSupported('0.1.9', '0.2.0'), false);
  assert.equal(relayVersionSupported('0.2.0-beta.1', '0.2.0'), true);
  assert.equal(relayVersionSupported('', '0.2.0'), false);
  assert.equal(relayVersionSupported('v0.3', '0.2.0'), false);
});

test('the relay in this repository is new enough for the extension in it', () => {
  assert.ok(relayVersionSupported(RELAY_VERSION), `${RELAY_VERSION} >= ${MIN_RELAY_VERSION}`);
});
