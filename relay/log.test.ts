import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, formatSession, type SessionRecord } from './log.ts';

const RECORD: SessionRecord = {
  origin: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
  target: 'imap.example.com:993',
  remote: '[2001:db8::1]:993',
  tls: 'implicit',
  up: 120,
  down: 4096,
  durationMs: 1234,
  close: '1000/upstream_closed',
};

test('formatSession: one line of key=value', () => {
  assert.equal(
    formatSession(RECORD, new Date('2026-01-02T03:04:05.000Z')),
    '2026-01-02T03:04:05.000Z session origin=chrome-extension://abcdefghijklmnopabcdefghijklmnop ' +
      'target=imap.example.com:993 remote=[2001:db8::1]:993 tls=implicit up=120 down=4096 ' +
      'duration=1.234s close=1000/upstream_closed',
  );
});

test('values that could break the line are quoted', () => {
  const line = formatSession({ ...RECORD, origin: 'evil\nsession forged=1' });
  assert.equal(line.split('\n').length, 1);
  assert.match(line, /origin="evil\\nsession forged=1"/);
});

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

test('--quiet drops session lines; --verbose adds refusals', () => {
  const quiet = capture();
  const q = createLogger({ quiet: true, verbose: false, stream: quiet.stream });
  q.session(RECORD);
  q.refused(401, 'wrong token', '127.0.0.1:5000', undefined);
  q.info('started');
  assert.doesNotMatch(quiet.text(), /session|refused/);
  assert.match(quiet.text(), /started/);

  const verbose = capture();
  const v = createLogger({ quiet: false, verbose: true, stream: verbose.stream });
  v.session(RECORD);
  v.refused(403, 'origin not allowed', '127.0.0.1:5000', 'https://evil.example');
  assert.match(verbose.text(), /session origin=/);
  assert.match(verbose.text(), /refused status=403 reason="origin not allowed" from=127.0.0.1:5000 origin=/);
});
