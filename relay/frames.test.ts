import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normaliseHost, parseClientFrame } from './frames.ts';

const PIN = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';

test('connect, hello, ping and starttls frames', () => {
  assert.deepEqual(
    parseClientFrame('{"op":"connect","host":"IMAP.Example.com","port":993,"tls":"implicit"}'),
    {
      ok: true,
      frame: { op: 'connect', host: 'imap.example.com', port: 993, tls: 'implicit' },
    },
  );
  assert.deepEqual(
    parseClientFrame(JSON.stringify({ op: 'connect', host: '[::1]', port: 110, tls: 'starttls', pin: PIN })),
    { ok: true, frame: { op: 'connect', host: '::1', port: 110, tls: 'starttls', pin: PIN } },
  );
  assert.deepEqual(parseClientFrame('{"op":"ping"}'), { ok: true, frame: { op: 'ping' } });
  assert.deepEqual(parseClientFrame('{"op":"hello"}'), { ok: true, frame: { op: 'hello' } });
  assert.deepEqual(parseClientFrame('{"op":"starttls","extra":1}'), { ok: true, frame: { op: 'starttls' } });
});

test('malformed frames are refused with a reason', () => {
  const bad = [
    '',
    'nope',
    'null',
    '[]',
    '"connect"',
    '{}',
    '{"op":"bogus"}',
    '{"op":"connect","host":"x.example","port":993}',
    '{"op":"connect","host":"x.example","port":"993","tls":"none"}',
    '{"op":"connect","host":"x.example","port":0,"tls":"none"}',
    '{"op":"connect","host":"x.example","port":65536,"tls":"none"}',
    '{"op":"connect","host":"x.example","port":993.5,"tls":"none"}',
    '{"op":"connect","host":"x.example","port":993,"tls":"ssl"}',
    '{"op":"connect","host":"","port":993,"tls":"none"}',
    '{"op":"connect","host":"a b","port":993,"tls":"none"}',
    '{"op":"connect","host":"x.example\\r\\nInjected: 1","port":993,"tls":"none"}',
    '{"op":"connect","host":"x.example","port":993,"tls":"implicit","pin":"AB:CD"}',
    '{"op":"connect","host":"x.example","port":993,"tls":"implicit","pin":42}',
    '{"op":"connect","host":42,"port":993,"tls":"none"}',
  ];
  for (const text of bad) {
    const parsed = parseClientFrame(text);
    assert.equal(parsed.ok, false, text);
    assert.ok(!parsed.ok && parsed.message.length > 0);
  }
});

test('host names and IP literals', () => {
  assert.equal(normaliseHost('mail.example.com.'), 'mail.example.com');
  assert.equal(normaliseHost('_srv.example'), '_srv.example');
  assert.equal(normaliseHost('127.0.0.1'), '127.0.0.1');
  assert.equal(normaliseHost('[FE80::1]'), 'fe80::1');
  assert.equal(normaliseHost('FE80::1'), 'fe80::1');
  assert.equal(normaliseHost('[mail.example.com]'), null);
  assert.equal(normaliseHost('-bad.example'), null);
  assert.equal(normaliseHost('a..b'), null);
  assert.equal(normaliseHost(`${'a'.repeat(64)}.example`), null);
  assert.equal(normaliseHost(`${'a.'.repeat(127)}ab`), null, 'longer than 253');
  assert.equal(normaliseHost('host/path'), null);
});
