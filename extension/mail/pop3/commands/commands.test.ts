import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pop3Error } from '../errors.ts';
import type { Reply } from '../reply-parser.ts';
import { apopDigest } from './apop.ts';
import { plainResponse } from './auth-plain.ts';
import { type Command, interpret, MAX_COMMAND_LINE_BYTES } from './command.ts';
import { COMMANDS } from './index.ts';

const wire = (command: Command<unknown>) => new TextDecoder().decode(command.bytes);
const ok = (text = '', extra: Partial<Reply> = {}): Reply => ({ ok: true, text, ...extra });
const err = (text: string, code?: Reply['code']): Reply => ({ ok: false, text, ...(code ? { code } : {}) });

function failure(command: Command<unknown>, reply: Reply): Pop3Error {
  try {
    interpret(command, reply);
  } catch (error) {
    assert.ok(error instanceof Pop3Error);
    return error;
  }
  assert.fail('expected a Pop3Error');
}

describe('commands: wire bytes and reply kinds', () => {
  test('each command line', () => {
    const cases: Array<[Command<unknown>, string, string]> = [
      [COMMANDS.capa(), 'CAPA\r\n', 'capa'],
      [COMMANDS.stls(), 'STLS\r\n', 'status'],
      [COMMANDS.user('alice@example.test'), 'USER alice@example.test\r\n', 'status'],
      [COMMANDS.pass('pass with spaces'), 'PASS pass with spaces\r\n', 'status'],
      [
        COMMANDS.apop('mrose', 'tanstaaf', '<1896.697170952@dbc.mtview.ca.us>'),
        'APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n',
        'status',
      ],
      [COMMANDS.stat(), 'STAT\r\n', 'status'],
      [COMMANDS.uidl(), 'UIDL\r\n', 'uidl'],
      [COMMANDS.uidl(3), 'UIDL 3\r\n', 'status'],
      [COMMANDS.list(), 'LIST\r\n', 'list'],
      [COMMANDS.list(2), 'LIST 2\r\n', 'status'],
      [COMMANDS.top(4, 0, 1000), 'TOP 4 0\r\n', 'message'],
      [COMMANDS.retr(12, 1000), 'RETR 12\r\n', 'message'],
      [COMMANDS.dele(7), 'DELE 7\r\n', 'status'],
      [COMMANDS.rset(), 'RSET\r\n', 'status'],
      [COMMANDS.noop(), 'NOOP\r\n', 'status'],
      [COMMANDS.quit(), 'QUIT\r\n', 'status'],
      [COMMANDS.saslCancel(), '*\r\n', 'status'],
    ];
    for (const [command, line, kind] of cases) {
      assert.equal(wire(command), line);
      assert.equal(command.expect.kind, kind, line);
    }
    assert.deepEqual(COMMANDS.retr(1, 5000).expect, { kind: 'message', maxBytes: 5000 });
    assert.deepEqual(COMMANDS.retr(1, 5000, 1234).expect, {
      kind: 'message',
      maxBytes: 5000,
      expectedBytes: 1234,
    });
  });

  test('UTF-8 user names (RFC 6856)', () => {
    assert.deepEqual([...COMMANDS.user('jö').bytes], [...new TextEncoder().encode('USER jö\r\n')]);
  });

  test('arguments cannot smuggle a second command, and errors never show them', () => {
    for (const bad of ['alice\r\nDELE 1', 'a\nb', 'a\0b', '']) {
      assert.throws(() => COMMANDS.user(bad), TypeError);
    }
    assert.throws(
      () => COMMANDS.pass('s3cret\r\nDELE 1'),
      (error: Error) => error instanceof TypeError && !error.message.includes('s3cret'),
    );
  });

  test('message numbers and line counts are checked', () => {
    for (const n of [0, -1, 1.5, Number.NaN, 2 ** 53]) {
      assert.throws(() => COMMANDS.retr(n, 10), RangeError, String(n));
      assert.throws(() => COMMANDS.dele(n), RangeError, String(n));
    }
    assert.throws(() => COMMANDS.top(1, -1, 10), RangeError);
    assert.throws(() => COMMANDS.top(1, 0.5, 10), RangeError);
  });

  test('exclusive commands are the ones that change how what follows is read', () => {
    const exclusive = [COMMANDS.capa(), COMMANDS.stls(), COMMANDS.user('u'), COMMANDS.pass('p')];
    const pipelinable = [
      COMMANDS.retr(1, 1),
      COMMANDS.dele(1),
      COMMANDS.uidl(),
      COMMANDS.list(),
      COMMANDS.quit(),
    ];
    for (const command of exclusive) assert.equal(command.exclusive, true, command.verb);
    for (const command of pipelinable) assert.equal(command.exclusive, false, command.verb);
  });
});

describe('AUTH PLAIN', () => {
  test('initial response on the AUTH line (RFC 5034 §4)', () => {
    const { start, response } = COMMANDS.authPlain('alice', 'secret');
    // base64("\0alice\0secret")
    assert.equal(wire(start), 'AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n');
    assert.equal(response, null);
    assert.equal(start.expect.kind, 'auth');
    assert.deepEqual(interpret(start, ok('Logged in')), { done: true });
    assert.deepEqual(interpret(start, ok('', { continuation: true })), { done: false, challenge: '' });
  });

  test('falls back to the continuation when the line would pass 255 octets', () => {
    // "AUTH PLAIN " + base64 + CRLF: 180 bytes of SASL message → 240 base64 → 253 octets.
    const fits = COMMANDS.authPlain('u', 'p'.repeat(177));
    assert.equal(fits.start.bytes.length, 253);
    assert.ok(fits.start.bytes.length <= MAX_COMMAND_LINE_BYTES);
    assert.equal(fits.response, null);

    const long = COMMANDS.authPlain('u', 'p'.repeat(178));
    assert.equal(wire(long.start), 'AUTH PLAIN\r\n');
    assert.ok(long.response);
    assert.equal(wire(long.response), `${plainResponse('u', 'p'.repeat(178))}\r\n`);
    assert.equal(long.response.expect.kind, 'auth');
  });

  test('UTF-8 credentials; NUL refused', () => {
    assert.equal(plainResponse('jö', 'pä'), btoa('\0j\xc3\xb6\0p\xc3\xa4'));
    assert.throws(() => plainResponse('a\0b', 'x'), TypeError);
  });
});

describe('APOP', () => {
  test('RFC 1939 §7 example digest', () => {
    assert.equal(
      apopDigest('<1896.697170952@dbc.mtview.ca.us>', 'tanstaaf'),
      'c4c9334bac560ecc979e58001b3e22fb',
    );
  });
});

describe('interpret: replies to results and errors', () => {
  test('results', () => {
    assert.deepEqual(interpret(COMMANDS.stat(), ok('2 320')), { count: 2, size: 320 });
    assert.deepEqual(interpret(COMMANDS.uidl(2), ok('2 QhdPYR:00WBw1Ph7x7')), [
      { n: 2, uid: 'QhdPYR:00WBw1Ph7x7' },
    ]);
    assert.deepEqual(interpret(COMMANDS.list(2), ok('2 200')), [{ n: 2, size: 200 }]);
    const message = new Uint8Array([65, 13, 10]);
    assert.equal(
      interpret(COMMANDS.retr(1, 10), ok('', { body: { kind: 'message', bytes: message } })),
      message,
    );
    assert.equal(interpret(COMMANDS.capa(), err('unknown command')), null);
    assert.equal(interpret(COMMANDS.noop(), ok()), undefined);
  });

  test('a malformed or mismatched +OK is a protocol error', () => {
    assert.equal(failure(COMMANDS.stat(), ok('lots')).code, 'protocol');
    assert.equal(failure(COMMANDS.retr(1, 10), ok('no body')).code, 'protocol');
  });

  test('-ERR codes by command', () => {
    assert.equal(failure(COMMANDS.pass('pw'), err('invalid password')).code, 'auth_failed');
    assert.equal(failure(COMMANDS.user('u'), err('no such user')).code, 'auth_failed');
    assert.equal(failure(COMMANDS.apop('u', 'pw', '<1@x>'), err('nope')).code, 'auth_failed');
    assert.equal(failure(COMMANDS.authPlain('u', 'pw').start, err('nope')).code, 'auth_failed');
    assert.equal(failure(COMMANDS.stls(), err('not now')).code, 'stls_failed');
    assert.equal(failure(COMMANDS.retr(9, 10), err('no such message')).code, 'rejected');
    assert.equal(failure(COMMANDS.quit(), err('some deleted messages not removed')).code, 'rejected');
    const noUidl = failure(COMMANDS.uidl(), err('unknown command'));
    assert.equal(noUidl.code, 'unsupported');
    assert.equal(noUidl.message, 'server unsupported: no UIDL: unknown command');
  });

  test('response codes decide when they say more', () => {
    const pass = COMMANDS.pass('hunter2');
    const cases: Array<[Reply['code'], string]> = [
      ['AUTH', 'auth_failed'],
      ['IN-USE', 'in_use'],
      ['LOGIN-DELAY', 'login_delay'],
      ['SYS/TEMP', 'temporary'],
      ['SYS/PERM', 'permanent'],
      ['UTF8', 'auth_failed'],
    ];
    for (const [code, expected] of cases) {
      const error = failure(pass, err('text', code));
      assert.equal(error.code, expected, code);
      assert.equal(error.respCode, code);
      assert.equal(error.command, 'PASS');
      assert.equal(error.serverText, 'text');
    }
    assert.equal(failure(COMMANDS.dele(1), err('maildrop locked', 'IN-USE')).code, 'in_use');
  });

  test('error messages carry the verb and the server text, never the password', () => {
    const error = failure(COMMANDS.pass('hunter2'), err('bad password', 'AUTH'));
    assert.equal(error.message, 'PASS failed: [AUTH] bad password');
    const plain = COMMANDS.authPlain('alice', 'hunter2').start;
    const authError = failure(plain, err('authentication failed'));
    assert.doesNotMatch(authError.message, /hunter2|AGFsaWNl/);
    assert.equal(authError.message, 'AUTH PLAIN failed: authentication failed');
  });
});
