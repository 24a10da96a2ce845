import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  ConfigError,
  defaultConfigPath,
  generateToken,
  loadOrCreateToken,
  parseConfigFile,
} from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'biff-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('default path follows XDG_CONFIG_HOME, ignoring a relative one', () => {
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' }), '/x/cfg/biff/relay.json');
  assert.equal(
    defaultConfigPath({ XDG_CONFIG_HOME: 'rel', HOME: '/home/u' }),
    '/home/u/.config/biff/relay.json',
  );
  assert.equal(defaultConfigPath({ HOME: '/home/u' }), '/home/u/.config/biff/relay.json');
});

test('generated tokens: 256 bits of base64url, never the same', () => {
  const a = generateToken();
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(a, 'base64url').length, 32);
  assert.notEqual(a, generateToken());
});

test('parseConfigFile', () => {
  assert.deepEqual(parseConfigFile('{"token":"abcdefghijklmnopqrstuvwxyz"}', 'p'), {
    token: 'abcdefghijklmnopqrstuvwxyz',
  });
  assert.throws(() => parseConfigFile('nope', 'p'), ConfigError);
  assert.throws(() => parseConfigFile('{}', 'p'), ConfigError);
  assert.throws(() => parseConfigFile('{"token":"short"}', 'p'), ConfigError);
  assert.throws(() => parseConfigFile('{"token":"has space has space has space"}', 'p'), ConfigError);
  assert.throws(() => parseConfigFile('null', 'p'), ConfigError);
  const uuid = 'moz-extension://0e5a1f3c-7a9b-4f8e-9d2c-3b1a6c5d4e7f';
  assert.deepEqual(parseConfigFile(`{"token":"abcdefghijklmnopqrstuvwxyz","firefoxOrigin":"${uuid}"}`, 'p'), {
    token: 'abcdefghijklmnopqrstuvwxyz',
    firefoxOrigin: uuid,
  });
  assert.throws(
    () =>
      parseConfigFile('{"token":"abcdefghijklmnopqrstuvwxyz","firefoxOrigin":"https://evil.example"}', 'p'),
    ConfigError,
  );
});

test('loadOrCreateToken creates once (0600, dir 0700), then reuses', async () => {
  const path = join(dir, 'a', 'b', 'relay.json');
  const first = await loadOrCreateToken(path);
  assert.equal(first.created, true);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(dir, 'a', 'b')).mode & 0o777, 0o700);
  assert.equal(JSON.parse(readFileSync(path, 'utf8')).token, first.token);
  const second = await loadOrCreateToken(path);
  assert.deepEqual(second, { token: first.token, created: false, firefoxOrigin: null });
});
