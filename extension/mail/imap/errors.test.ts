import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecret } from '../redact.ts';
import { ImapError } from './errors.ts';

test('redactSecret removes the password and its SASL forms from messages and nested properties', () => {
  const secret = 'hunter2-secret';
  const plain = Buffer.from(`\u0000ann\u0000${secret}`).toString('base64');
  const error = Object.assign(new Error(`LOGIN ann ${secret} failed`), {
    executedCommand: `1 AUTHENTICATE PLAIN ${plain}`,
    response: { text: `echo ${Buffer.from(secret).toString('base64')}` },
    code: 'NO',
  });
  const cause = new Error(`inner ${secret}`);
  const outer = new ImapError('command_failed', 'outer', {}, { cause: error });
  Object.assign(error, { cause });
  redactSecret(outer, secret, 'ann');
  const text = JSON.stringify({
    m: error.message,
    e: error.executedCommand,
    r: error.response,
    c: cause.message,
    s: error.stack,
  });
  assert.ok(!text.includes(secret));
  assert.ok(!text.includes(plain));
  assert.ok(!text.includes(Buffer.from(secret).toString('base64')));
  assert.equal(error.code, 'NO', 'codes survive');
  assert.match(error.message, /LOGIN ann \[redacted\] failed/);
});

test('redactSecret leaves very short passwords alone rather than mangling ordinary text', () => {
  const error = new Error('a b c');
  assert.equal(redactSecret(error, 'a').message, 'a b c');
});
