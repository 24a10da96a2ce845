import assert from 'node:assert/strict';
import { describe, test as nodeTest } from 'node:test';
import { FakeTimers } from '../../../test/support/fake-timers.ts';
import {
  c,
  s,
  TEST_TLS,
  type TranscriptOptions,
  type TranscriptStep,
  TranscriptTransport,
} from '../../../test/support/transcript-transport.ts';
import { TransportError } from '../../relay/transport.ts';
import { COMMANDS } from './commands/index.ts';
import { Pop3Error, type Pop3ErrorCode } from './errors.ts';
import {
  COMMAND_TIMEOUT_MS,
  GREETING_TIMEOUT_MS,
  PIPELINE_MAX_COMMANDS,
  Pop3Session,
  type Pop3SessionOptions,
  TLS_TIMEOUT_MS,
  TRANSFER_IDLE_TIMEOUT_MS,
} from './session.ts';

/** Every test here gets a timeout: a session waiting on a script that waits on it fails, not hangs. */
function test(name: string, fn: () => Promise<void>): void {
  nodeTest(name, { timeout: 20_000 }, fn);
}

const GREETING = s('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>');
const PLAIN_GREETING = s('+OK Dovecot ready.');
/** A TLS server with PIPELINING (advertised before and after login) and no SASL. */
const CAPS = ['TOP', 'UIDL', 'USER', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function capa(...lines: string[]): TranscriptStep[] {
  return [c('CAPA'), s('+OK Capability list follows', ...lines, '.')];
}

/** Greeting, CAPA, USER/PASS and CAPA again: a logged-in session over TLS. */
function loggedIn(caps: readonly string[] = CAPS): TranscriptStep[] {
  return [
    PLAIN_GREETING,
    ...capa(...caps),
    c('USER alice'),
    s('+OK'),
    c('PASS s3cret'),
    s('+OK Logged in.'),
    ...capa(...caps),
  ];
}

async function start(
  script: readonly TranscriptStep[],
  options: Pop3SessionOptions = {},
  transportOptions: TranscriptOptions = { tls: TEST_TLS },
): Promise<{ session: Pop3Session; transport: TranscriptTransport }> {
  const transport = new TranscriptTransport(script, transportOptions);
  const session = await Pop3Session.open(transport, options);
  return { session, transport };
}

async function startLoggedIn(
  extra: readonly TranscriptStep[],
  caps: readonly string[] = CAPS,
  options: Pop3SessionOptions = {},
): Promise<{ session: Pop3Session; transport: TranscriptTransport }> {
  const started = await start([...loggedIn(caps), ...extra], options);
  await started.session.login({ user: 'alice', pass: 's3cret' });
  return started;
}

/** The Pop3Error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Pop3Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Pop3Error, `expected a Pop3Error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/**
 * Awaits `promise`, failing fast if the conversation stops moving first (a client that waits
 * for a reply the script only plays after more client bytes would otherwise hang the test).
 */
async function orStall<T>(transport: TranscriptTransport, promise: Promise<T>): Promise<T> {
  let done = false;
  const guarded = promise.finally(() => {
    done = true;
  });
  guarded.catch(() => {});
  let last = -1;
  while (!done) {
    await transport.settle();
    if (done) break;
    if (transport.position === last) {
      // Stuck before the end of the script: say where. At its end: the rest is the caller's.
      transport.assertDone();
      return guarded;
    }
    last = transport.position;
  }
  return guarded;
}

async function assertCode(promise: Promise<unknown>, code: Pop3ErrorCode): Promise<Pop3Error> {
  const error = await rejection(promise);
  assert.equal(error.code, code, error.message);
  return error;
}

/** A message on the wire (dot-stuffed, terminated) and as it should come out. */
function message(n: number, lines = 3): { wire: string; bytes: string } {
  const body = [
    `Subject: message ${n}`,
    '',
    ...Array.from({ length: lines }, (_, i) => `.line ${i} of ${n}`),
  ];
  return {
    wire: `+OK message ${n}\r\n${body.map((line) => (line.startsWith('.') ? `.${line}` : line)).join('\r\n')}\r\n.\r\n`,
    bytes: `${body.join('\r\n')}\r\n`,
  };
}

describe('Pop3Session: greeting', () => {
  test('reads the greeting and the APOP timestamp', async () => {
    const { session, transport } = await start([GREETING]);
    assert.deepEqual(session.greeting, {
      text: 'POP3 server ready <1896.697170952@dbc.mtview.ca.us>',
      apopTimestamp: '<1896.697170952@dbc.mtview.ca.us>',
    });
    assert.equal(session.state, 'authorization');
    assert.equal(session.secure, true);
    assert.equal(session.capabilities, null);
    transport.assertDone();
  });

  test('takes bytes the transport received before the session existed', async () => {
    const transport = new TranscriptTransport([PLAIN_GREETING]);
    await transport.settle();
    const session = await Pop3Session.open(transport);
    assert.equal(session.greeting.text, 'Dovecot ready.');
    assert.equal(session.greeting.apopTimestamp, null);
    assert.equal(session.secure, false);
  });

  test('an -ERR greeting rejects and closes', async () => {
    const transport = new TranscriptTransport([s('-ERR [SYS/TEMP] too many connections')]);
    const error = await assertCode(Pop3Session.open(transport), 'temporary');
    assert.equal(error.message, 'server refused the connection: [SYS/TEMP] too many connections');
    assert.equal(transport.closedByClient, true);
  });

  test('a greeting that is not POP3 is a protocol error', async () => {
    const transport = new TranscriptTransport([s('* OK [CAPABILITY IMAP4rev1] ready')]);
    const error = await assertCode(Pop3Session.open(transport), 'protocol');
    assert.match(error.message, /not a POP3 reply: "\* OK/);
    assert.equal(transport.closedByClient, true);
  });

  test('no greeting within the timeout', async () => {
    const timers = new FakeTimers();
    const transport = new TranscriptTransport([{ hold: 'never' }]);
    let settled = false;
    const opened = Pop3Session.open(transport, { timers }).finally(() => {
      settled = true;
    });
    await transport.settle();
    timers.advance(GREETING_TIMEOUT_MS - 1);
    await transport.settle();
    assert.equal(settled, false);
    timers.advance(1);
    await assertCode(opened, 'timeout');
    assert.equal(transport.closedByClient, true);
  });

  test('options are validated, and the transport closed when they are wrong', async () => {
    const transport = new TranscriptTransport([]);
    await assert.rejects(Pop3Session.open(transport, { maxMessageBytes: 0 }), RangeError);
    assert.equal(transport.closedByClient, true);
    await assert.rejects(Pop3Session.open(transport, { timeouts: { command: -5 } }), RangeError);
    await assert.rejects(
      Pop3Session.open(transport, { timeouts: { bogus: 5 } as unknown as Pop3SessionOptions['timeouts'] }),
      RangeError,
    );
  });
});

describe('Pop3Session: CAPA and STLS', () => {
  test('capa() reads the capabilities', async () => {
    const { session, transport } = await start([GREETING, ...capa('UIDL', 'SASL PLAIN', 'EXPIRE NEVER')]);
    const caps = await session.capa();
    assert.equal(caps?.uidl, true);
    assert.deepEqual(caps?.sasl, ['PLAIN']);
    assert.equal(session.capabilities, caps);
    transport.assertDone();
  });

  test('a server without CAPA: null, and no CAPA after login', async () => {
    const { session, transport } = await start([
      GREETING,
      c('CAPA'),
      s('-ERR unknown command'),
      c('USER alice'),
      s('+OK'),
      c('PASS s3cret'),
      s('+OK'),
    ]);
    assert.equal(await session.capa(), null);
    await session.login({ user: 'alice', pass: 's3cret' });
    assert.equal(session.state, 'transaction');
    transport.assertDone();
  });

  test('STLS upgrades, forgets what it learnt in clear and asks CAPA again (RFC 2595 §4)', async () => {
    const { session, transport } = await start(
      [
        GREETING,
        ...capa('STLS', 'UIDL', 'PIPELINING'),
        c('STLS'),
        s('+OK Begin TLS negotiation'),
        { startTls: TEST_TLS },
        ...capa('UIDL', 'PIPELINING', 'SASL PLAIN', 'USER'),
        c('AUTH PLAIN AGFsaWNlAHMzY3JldA=='),
        s('+OK Logged in.'),
        ...capa('UIDL', 'PIPELINING', 'SASL PLAIN', 'USER'),
      ],
      {},
      { tls: null },
    );
    assert.equal(session.secure, false);
    const info = await session.stls();
    assert.deepEqual(info, TEST_TLS);
    assert.equal(session.secure, true);
    assert.deepEqual(session.tls, TEST_TLS);
    assert.deepEqual(session.capabilities?.sasl, ['PLAIN']);
    await session.login({ user: 'alice', pass: 's3cret' });
    assert.equal(transport.startTlsCalls, 1);
    transport.assertDone();
  });

  test('STLS asks CAPA first when it was never asked', async () => {
    const { session, transport } = await start(
      [GREETING, ...capa('STLS'), c('STLS'), s('+OK'), { startTls: TEST_TLS }, ...capa('USER')],
      {},
      { tls: null },
    );
    await session.stls();
    assert.equal(session.capabilities?.user, true);
    transport.assertDone();
  });

  test('bytes after the STLS +OK (injection) are a protocol error; TLS is never started', async () => {
    const { session, transport } = await start(
      [GREETING, ...capa('STLS'), c('STLS'), s('+OK Begin TLS', '+OK injected')],
      {},
      { tls: null },
    );
    const error = await assertCode(session.stls(), 'protocol');
    assert.match(error.message, /unexpected data/);
    assert.equal(transport.startTlsCalls, 0);
    assert.equal(transport.closedByClient, true);
    assert.equal(session.state, 'closed');
  });

  test('no STLS in CAPA: tls_required, nothing sent', async () => {
    const { session, transport } = await start([GREETING, ...capa('USER', 'UIDL')], {}, { tls: null });
    await assertCode(session.stls(), 'tls_required');
    transport.assertDone();
    assert.equal(session.state, 'authorization');
  });

  test('-ERR to STLS: stls_failed, still usable in clear', async () => {
    const { session, transport } = await start(
      [GREETING, ...capa('STLS'), c('STLS'), s('-ERR TLS not available right now'), c('NOOP'), s('+OK')],
      {},
      { tls: null },
    );
    await assertCode(session.stls(), 'stls_failed');
    await session.noop();
    assert.equal(session.secure, false);
    transport.assertDone();
  });

  test('a handshake that never finishes: timeout, session closed', async () => {
    const timers = new FakeTimers();
    const transport = new TranscriptTransport([GREETING, ...capa('STLS'), c('STLS'), s('+OK')]);
    // The relay never reports the handshake done.
    transport.startTls = () => new Promise<never>(() => {});
    const session = await Pop3Session.open(transport, { timers });
    const upgrade = session.stls();
    await transport.settle();
    timers.advance(TLS_TIMEOUT_MS - 1);
    await transport.settle();
    assert.equal(session.state, 'authorization');
    timers.advance(1);
    const error = await assertCode(upgrade, 'timeout');
    assert.equal(error.message, `TLS handshake did not finish within ${TLS_TIMEOUT_MS} ms`);
    assert.equal(session.state, 'closed');
    assert.equal(transport.closedByClient, true);
  });

  test('a failed handshake: stls_failed with the transport error, session closed', async () => {
    const untrusted = new TransportError('tls_untrusted', 'self-signed certificate', {
      fingerprint256: 'AA:BB',
      subject: 'CN=pop.example.test',
      issuer: 'CN=pop.example.test',
      validFrom: 'Jan  1 00:00:00 2024 GMT',
      validTo: 'Jan  1 00:00:00 2034 GMT',
      reason: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    const { session, transport } = await start(
      [GREETING, ...capa('STLS'), c('STLS'), s('+OK'), { startTls: untrusted }],
      {},
      { tls: null },
    );
    const error = await assertCode(session.stls(), 'stls_failed');
    assert.equal(error.cause, untrusted);
    assert.equal(session.state, 'closed');
    assert.equal(transport.closedByClient, true);
    transport.assertDone();
  });
});

describe('Pop3Session: login', () => {
  test('USER/PASS when SASL PLAIN is not offered, then CAPA again (RFC 2449 §5)', async () => {
    const { session, transport } = await start(loggedIn());
    await session.login({ user: 'alice', pass: 's3cret' });
    assert.equal(session.state, 'transaction');
    assert.equal(session.capabilities?.pipelining, true);
    transport.assertDone();
  });

  test('AUTH PLAIN with an initial response when SASL PLAIN is offered', async () => {
    const { session, transport } = await start([
      PLAIN_GREETING,
      ...capa('SASL PLAIN LOGIN', 'UIDL'),
      c('AUTH PLAIN AGFsaWNlAHMzY3JldA=='),
      s('+OK Logged in.'),
      ...capa('SASL PLAIN LOGIN', 'UIDL'),
    ]);
    await session.login({ user: 'alice', pass: 's3cret' });
    assert.equal(session.state, 'transaction');
    transport.assertDone();
  });

  test('AUTH PLAIN through the continuation when the response is too long for the line', async () => {
    const pass = 'p'.repeat(200);
    const response = btoa(`\0alice\0${pass}`);
    const { session, transport } = await start([
      PLAIN_GREETING,
      c('AUTH PLAIN'),
      s('+ '),
      c(response),
      s('+OK'),
      ...capa('UIDL'),
    ]);
    await session.login({ user: 'alice', pass, mechanism: 'plain' });
    transport.assertDone();
  });

  test('an unexpected SASL challenge is cancelled with "*"', async () => {
    const { session, transport } = await start([
      PLAIN_GREETING,
      c('AUTH PLAIN AGFsaWNlAHMzY3JldA=='),
      s('+ bW9yZT8='),
      c('*'),
      s('-ERR cancelled'),
      c('NOOP'),
      s('+OK'),
    ]);
    await assertCode(session.login({ user: 'alice', pass: 's3cret', mechanism: 'plain' }), 'protocol');
    assert.equal(session.state, 'authorization');
    await session.noop();
    transport.assertDone();
  });

  test('a wrong password: auth_failed with [AUTH], no secret in the message, and another try works', async () => {
    const { session, transport } = await start([
      PLAIN_GREETING,
      ...capa('USER', 'RESP-CODES', 'AUTH-RESP-CODE'),
      c('USER alice'),
      s('+OK'),
      c('PASS wrong-password'),
      s('-ERR [AUTH] Authentication failed.'),
      c('USER alice'),
      s('+OK'),
      c('PASS s3cret'),
      s('+OK'),
      ...capa('USER'),
    ]);
    const error = await assertCode(session.login({ user: 'alice', pass: 'wrong-password' }), 'auth_failed');
    assert.equal(error.respCode, 'AUTH');
    assert.equal(error.command, 'PASS');
    assert.doesNotMatch(`${error.message} ${error.stack}`, /wrong-password/);
    assert.equal(session.state, 'authorization');
    await session.login({ user: 'alice', pass: 's3cret' });
    assert.equal(session.state, 'transaction');
    transport.assertDone();
  });

  test('AUTH PLAIN refused: auth_failed, no password or payload in the message', async () => {
    const { session } = await start([
      PLAIN_GREETING,
      ...capa('SASL PLAIN'),
      c('AUTH PLAIN AGFsaWNlAGh1bnRlcjI='),
      s('-ERR [AUTH] Authentication failed.'),
    ]);
    const error = await assertCode(session.login({ user: 'alice', pass: 'hunter2' }), 'auth_failed');
    assert.doesNotMatch(`${error.message} ${error.stack}`, /hunter2|AGFsaWNlAGh1bnRlcjI=/);
  });

  for (const [code, expected] of [
    ['IN-USE', 'in_use'],
    ['LOGIN-DELAY', 'login_delay'],
    ['SYS/TEMP', 'temporary'],
    ['SYS/PERM', 'permanent'],
  ] as const) {
    test(`-ERR [${code}] to PASS is ${expected}`, async () => {
      const { session, transport } = await start([
        PLAIN_GREETING,
        ...capa('USER', 'RESP-CODES'),
        c('USER alice'),
        s('+OK'),
        c('PASS s3cret'),
        s(`-ERR [${code}] try later`),
      ]);
      const error = await assertCode(session.login({ user: 'alice', pass: 's3cret' }), expected);
      assert.equal(error.respCode, code);
      transport.assertDone();
    });
  }

  test('a -ERR to PASS without a code is auth_failed', async () => {
    const { session } = await start([
      PLAIN_GREETING,
      ...capa('USER'),
      c('USER alice'),
      s('+OK'),
      c('PASS s3cret'),
      s('-ERR invalid'),
    ]);
    await assertCode(session.login({ user: 'alice', pass: 's3cret' }), 'auth_failed');
  });

  test('no password in clear without allowPlaintext: tls_required, nothing sent', async () => {
    const { session, transport } = await start([PLAIN_GREETING], {}, { tls: null });
    for (const mechanism of ['auto', 'user', 'plain'] as const) {
      await assertCode(session.login({ user: 'alice', pass: 's3cret', mechanism }), 'tls_required');
    }
    assert.equal(transport.sent, '');
    transport.assertDone();
  });

  test('USER/PASS in clear when the caller allows it', async () => {
    const { session, transport } = await start(loggedIn(['USER']), {}, { tls: null });
    await session.login({ user: 'alice', pass: 's3cret', allowPlaintext: true });
    assert.equal(session.state, 'transaction');
    transport.assertDone();
  });

  test('APOP with the RFC 1939 §7 example, allowed in clear since the password is not sent', async () => {
    const { session, transport } = await start(
      [
        GREETING,
        c('APOP mrose c4c9334bac560ecc979e58001b3e22fb'),
        s('+OK mrose has 2 messages'),
        ...capa('UIDL'),
      ],
      {},
      { tls: null },
    );
    await session.login({ user: 'mrose', pass: 'tanstaaf', mechanism: 'apop' });
    assert.equal(session.state, 'transaction');
    assert.doesNotMatch(transport.sent, /tanstaaf/);
    transport.assertDone();
  });

  test('APOP refused is auth_failed; APOP without a timestamp is unsupported', async () => {
    const refused = await start([
      GREETING,
      c('APOP mrose c4c9334bac560ecc979e58001b3e22fb'),
      s('-ERR permission denied'),
    ]);
    await assertCode(
      refused.session.login({ user: 'mrose', pass: 'tanstaaf', mechanism: 'apop' }),
      'auth_failed',
    );
    const plain = await start([PLAIN_GREETING]);
    await assertCode(
      plain.session.login({ user: 'mrose', pass: 'tanstaaf', mechanism: 'apop' }),
      'unsupported',
    );
    plain.transport.assertDone();
  });

  test('calls made during login wait for it', async () => {
    const { session, transport } = await start([...loggedIn(), c('STAT'), s('+OK 2 320')]);
    const login = session.login({ user: 'alice', pass: 's3cret' });
    const stat = session.stat();
    await login;
    assert.deepEqual(await stat, { count: 2, size: 320 });
    transport.assertDone();
  });

  test('nothing is logged', async () => {
    const calls: unknown[] = [];
    const saved = {
      log: console.log,
      error: console.error,
      warn: console.warn,
      info: console.info,
      debug: console.debug,
    };
    const record = (...args: unknown[]) => calls.push(args);
    Object.assign(console, { log: record, error: record, warn: record, info: record, debug: record });
    try {
      const { session } = await start(loggedIn());
      await session.login({ user: 'alice', pass: 's3cret' });
      // A command the transcript refuses: the failure path logs nothing either.
      await assert.rejects(session.noop());
    } finally {
      Object.assign(console, saved);
    }
    assert.deepEqual(calls, []);
  });
});

describe('Pop3Session: transaction', () => {
  test('STAT, LIST, UIDL, TOP, RETR, DELE, RSET, NOOP, QUIT', async () => {
    const one = message(1);
    const { session, transport } = await startLoggedIn([
      c('STAT'),
      s('+OK 2 320'),
      c('LIST'),
      s('+OK 2 messages (320 octets)', '1 120', '2 200', '.'),
      c('LIST 2'),
      s('+OK 2 200'),
      c('UIDL'),
      s('+OK', '1 whqtswO00WBw418f9t5JxYwZ', '2 QhdPYR:00WBw1Ph7x7', '.'),
      c('UIDL 2'),
      s('+OK 2 QhdPYR:00WBw1Ph7x7'),
      c('TOP 1 0'),
      s('+OK', 'Subject: message 1', '', '.'),
      c('RETR 1'),
      { server: one.wire, chunks: [7, 3] },
      c('DELE 1'),
      s('+OK message 1 deleted'),
      c('RSET'),
      s('+OK'),
      c('NOOP'),
      s('+OK'),
      c('QUIT'),
      s('+OK dewey POP3 server signing off'),
    ]);
    assert.deepEqual(await session.stat(), { count: 2, size: 320 });
    assert.deepEqual(await session.list(), [
      { n: 1, size: 120 },
      { n: 2, size: 200 },
    ]);
    assert.deepEqual(await session.list(2), [{ n: 2, size: 200 }]);
    assert.deepEqual(await session.uidl(), [
      { n: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' },
      { n: 2, uid: 'QhdPYR:00WBw1Ph7x7' },
    ]);
    assert.deepEqual(await session.uidl(2), [{ n: 2, uid: 'QhdPYR:00WBw1Ph7x7' }]);
    assert.equal(text(await session.top(1, 0)), 'Subject: message 1\r\n\r\n');
    const retrieved = await session.retr(1);
    assert.ok(retrieved instanceof Uint8Array);
    assert.equal(text(retrieved), one.bytes);
    await session.dele(1);
    await session.rset();
    await session.noop();
    await session.quit();
    assert.equal(session.state, 'closed');
    assert.equal(transport.closedByClient, true);
    transport.assertDone();
    await assertCode(session.noop(), 'closed');
  });

  test('-ERR to one command fails only that command', async () => {
    const { session, transport } = await startLoggedIn([
      c('RETR 9'),
      s('-ERR no such message'),
      c('NOOP'),
      s('+OK'),
    ]);
    const error = await assertCode(session.retr(9), 'rejected');
    assert.equal(error.serverText, 'no such message');
    await session.noop();
    transport.assertDone();
  });

  test('UIDL missing from CAPA: unsupported, nothing sent', async () => {
    const { session, transport } = await startLoggedIn([], ['USER', 'TOP']);
    const error = await assertCode(session.uidl(), 'unsupported');
    assert.equal(error.message, 'server unsupported: no UIDL');
    await assertCode(session.uidl(1), 'unsupported');
    transport.assertDone();
  });

  test('UIDL refused by a server without CAPA: unsupported', async () => {
    const { session, transport } = await start([
      PLAIN_GREETING,
      c('USER alice'),
      s('+OK'),
      c('PASS s3cret'),
      s('+OK'),
      ...[c('CAPA'), s('-ERR what?')],
      c('UIDL'),
      s('-ERR unknown command'),
    ]);
    await session.login({ user: 'alice', pass: 's3cret', mechanism: 'user' });
    const error = await assertCode(session.uidl(), 'unsupported');
    assert.equal(error.message, 'server unsupported: no UIDL: unknown command');
    transport.assertDone();
  });

  test('TOP missing from CAPA: unsupported, nothing sent', async () => {
    const { session, transport } = await startLoggedIn([], ['USER', 'UIDL']);
    await assertCode(session.top(1, 10), 'unsupported');
    transport.assertDone();
  });

  test('QUIT -ERR (deletions not done) rejects, and the session is closed anyway', async () => {
    const { session, transport } = await startLoggedIn([
      c('DELE 1'),
      s('+OK'),
      c('QUIT'),
      s('-ERR some deleted messages not removed'),
    ]);
    await session.dele(1);
    await assertCode(session.quit(), 'rejected');
    assert.equal(session.state, 'closed');
    assert.equal(transport.closedByClient, true);
  });

  test('connection closed before the QUIT reply: closed (deletions unconfirmed)', async () => {
    const { session } = await startLoggedIn([c('QUIT'), { close: null }]);
    await assertCode(session.quit(), 'closed');
  });

  test('close() rejects pending commands and is idempotent', async () => {
    const { session, transport } = await startLoggedIn([c('RETR 1'), { hold: 'never' }]);
    const pending = session.retr(1);
    await transport.settle();
    session.close();
    session.close();
    const error = await assertCode(pending, 'closed');
    assert.equal(error.message, 'session closed by the client');
    assert.equal(transport.closedByClient, true);
  });
});

describe('Pop3Session: pipelining', () => {
  test('with PIPELINING, retrMany sends every RETR before the first reply', async () => {
    const messages = [1, 2, 3].map((n) => message(n));
    const { session, transport } = await startLoggedIn([
      c('RETR 1'),
      c('RETR 2'),
      c('RETR 3'),
      { server: messages.map((m) => m.wire).join(''), chunks: [11] },
    ]);
    const got: Array<[number, string]> = [];
    await orStall(
      transport,
      session.retrMany([1, 2, 3], async (n, bytes) => {
        await transport.settle();
        got.push([n, text(bytes)]);
      }),
    );
    assert.deepEqual(
      got,
      messages.map((m, i) => [i + 1, m.bytes]),
    );
    transport.assertDone();
  });

  test('without PIPELINING, one RETR at a time', async () => {
    const messages = [1, 2, 3].map((n) => message(n));
    const { session, transport } = await startLoggedIn(
      [
        c('RETR 1'),
        { server: messages[0]!.wire },
        c('RETR 2'),
        { server: messages[1]!.wire, chunks: 'bytes' },
        c('RETR 3'),
        { server: messages[2]!.wire },
      ],
      ['USER', 'UIDL'],
    );
    const got: number[] = [];
    await orStall(
      transport,
      session.retrMany([1, 2, 3], (n, bytes) => {
        assert.equal(text(bytes), messages[n - 1]!.bytes);
        got.push(n);
      }),
    );
    assert.deepEqual(got, [1, 2, 3]);
    transport.assertDone();
  });

  test(`the window: at most ${PIPELINE_MAX_COMMANDS} commands in flight, refilled by halves`, async () => {
    const count = 2 * PIPELINE_MAX_COMMANDS + 4;
    const script: TranscriptStep[] = [];
    for (let n = 1; n <= PIPELINE_MAX_COMMANDS; n++) script.push(c(`RETR ${n}`));
    let sent = PIPELINE_MAX_COMMANDS;
    for (let n = 1; n <= count; n++) {
      script.push({ server: message(n).wire });
      // Half the window answered: the other half is sent, together.
      if (sent - n <= PIPELINE_MAX_COMMANDS / 2) {
        for (; sent < Math.min(count, n + PIPELINE_MAX_COMMANDS); sent++) script.push(c(`RETR ${sent + 1}`));
      }
    }
    const { session, transport } = await startLoggedIn(script);
    const got: number[] = [];
    const ns = Array.from({ length: count }, (_, i) => i + 1);
    await orStall(
      transport,
      session.retrMany(ns, (n) => {
        got.push(n);
      }),
    );
    assert.deepEqual(got, ns);
    transport.assertDone();
  });

  test(`separate calls pipeline too, within the same window`, async () => {
    const count = PIPELINE_MAX_COMMANDS + 3;
    const script: TranscriptStep[] = [];
    for (let n = 1; n <= PIPELINE_MAX_COMMANDS; n++) script.push(c('NOOP'));
    for (let n = 1; n <= count; n++) {
      script.push(s(`+OK ${n}`));
      if (n + PIPELINE_MAX_COMMANDS <= count) script.push(c('NOOP'));
    }
    const { session, transport } = await startLoggedIn(script);
    await orStall(transport, Promise.all(Array.from({ length: count }, () => session.noop())));
    transport.assertDone();
  });

  test('an exclusive command (CAPA) is never pipelined with others', async () => {
    const { session, transport } = await startLoggedIn([
      c('NOOP'),
      s('+OK'),
      c('CAPA'),
      s('+OK', 'UIDL', '.'),
      c('NOOP'),
      c('NOOP'),
      s('+OK', '+OK'),
    ]);
    const results: unknown[] = [];
    const commands = [COMMANDS.noop(), COMMANDS.capa(), COMMANDS.noop(), COMMANDS.noop()];
    await orStall(
      transport,
      (async () => {
        for await (const result of session.pipeline<unknown>(commands)) results.push(result);
      })(),
    );
    assert.equal(results.length, 4);
    transport.assertDone();
  });

  test('deleMany pipelines DELE, and QUIT after it', async () => {
    const { session, transport } = await startLoggedIn([
      c('DELE 1'),
      c('DELE 2'),
      c('DELE 3'),
      s('+OK', '+OK', '+OK'),
      c('QUIT'),
      s('+OK'),
    ]);
    await orStall(transport, session.deleMany([1, 2, 3]));
    await orStall(transport, session.quit());
    transport.assertDone();
  });

  test('a -ERR in a batch rejects it; replies already on their way are still read', async () => {
    const messages = [1, 3].map((n) => message(n));
    const { session, transport } = await startLoggedIn([
      c('RETR 1'),
      c('RETR 2'),
      c('RETR 3'),
      { server: `${messages[0]!.wire}-ERR no such message\r\n${messages[1]!.wire}` },
      c('NOOP'),
      s('+OK'),
    ]);
    const got: number[] = [];
    await assertCode(
      session.retrMany([1, 2, 3], (n) => {
        got.push(n);
      }),
      'rejected',
    );
    assert.deepEqual(got, [1]);
    await session.noop();
    transport.assertDone();
  });

  test('stopping early withdraws the commands not sent yet', async () => {
    // Without PIPELINING, RETR 2 goes out as soon as RETR 1 is answered; RETR 3 is never sent.
    const { session, transport } = await startLoggedIn(
      [
        c('RETR 1'),
        { server: message(1).wire },
        c('RETR 2'),
        { hold: 'reply 2' },
        { server: message(2).wire },
        c('NOOP'),
        s('+OK'),
      ],
      ['USER'],
    );
    for await (const bytes of session.pipeline([1, 2, 3].map((n) => COMMANDS.retr(n, 1000)))) {
      assert.equal(text(bytes), message(1).bytes);
      break;
    }
    const noop = session.noop();
    transport.release('reply 2');
    await noop;
    transport.assertDone();
  });

  test('sizes known from LIST are checked before anything is sent', async () => {
    const { session, transport } = await startLoggedIn([
      c('LIST'),
      s('+OK', '1 100', '2 5000', '.'),
      c('NOOP'),
      s('+OK'),
    ]);
    await session.list();
    const error = await assertCode(
      session.retrMany([1, 2], () => {}, { maxBytes: 1000 }),
      'too_large',
    );
    assert.equal(error.message, 'message 2 is 5000 bytes, over the 1000-byte limit');
    await assertCode(session.retr(2, { maxBytes: 1000 }), 'too_large');
    await session.noop();
    assert.equal(session.state, 'transaction');
    transport.assertDone();
  });
});

describe('Pop3Session: failures that end the session', () => {
  test('close mid-RETR: closed, for it and for what was pipelined behind it', async () => {
    const gone = new TransportError('upstream_closed', 'server went away');
    const { session, transport } = await startLoggedIn([
      c('RETR 1'),
      c('RETR 2'),
      { server: '+OK\r\nSubject: half a mess', chunks: [5] },
      { close: gone },
    ]);
    const first = session.retr(1);
    const second = session.retr(2);
    const error = await assertCode(first, 'closed');
    assert.equal(error.cause, gone);
    assert.match(error.message, /while waiting for the RETR reply: server went away/);
    await assertCode(second, 'closed');
    assert.equal(session.state, 'closed');
    await assertCode(session.noop(), 'closed');
    transport.assertDone();
  });

  test('a message growing past its cap mid-transfer: too_large, and the connection is closed', async () => {
    const { session, transport } = await startLoggedIn([
      c('RETR 1'),
      c('RETR 2'),
      { server: `+OK\r\n${'x'.repeat(600)}`, chunks: [100] },
      { hold: 'rest' },
    ]);
    const first = session.retr(1, { maxBytes: 500 });
    const second = session.retr(2, { maxBytes: 500 });
    await assertCode(first, 'too_large');
    const error = await assertCode(second, 'closed');
    assert.equal((error.cause as Pop3Error).code, 'too_large');
    assert.equal(transport.closedByClient, true);
    await assertCode(session.noop(), 'closed');
  });

  test('fetch caps are validated', async () => {
    const { session } = await startLoggedIn([]);
    await assert.rejects(session.retr(1, { maxBytes: 0 }), RangeError);
    await assert.rejects(session.retr(1, { maxBytes: 1.5 }), RangeError);
    await assert.rejects(session.top(1, 1, { maxBytes: -1 }), RangeError);
  });

  test('a reply that is not POP3 mid-session: protocol error, closed', async () => {
    const { session, transport } = await startLoggedIn([c('STAT'), s('HTTP/1.1 400 Bad Request')]);
    await assertCode(session.stat(), 'protocol');
    assert.equal(transport.closedByClient, true);
    assert.equal(session.state, 'closed');
  });

  test('no reply within the command timeout', async () => {
    const timers = new FakeTimers();
    const { session, transport } = await startLoggedIn([c('NOOP'), c('STAT'), { hold: 'never' }], CAPS, {
      timers,
    });
    const noop = session.noop();
    const stat = session.stat();
    let settled = false;
    noop
      .finally(() => {
        settled = true;
      })
      .catch(() => {});
    await transport.settle();
    timers.advance(COMMAND_TIMEOUT_MS - 1);
    await transport.settle();
    assert.equal(settled, false);
    timers.advance(1);
    const error = await assertCode(noop, 'timeout');
    assert.equal(error.message, `no reply to NOOP within ${COMMAND_TIMEOUT_MS} ms`);
    await assertCode(stat, 'closed');
    assert.equal(transport.closedByClient, true);
    assert.equal(timers.count, 0);
  });

  test('a transfer that keeps moving never times out; one that stalls does', async () => {
    const timers = new FakeTimers();
    const { session, transport } = await startLoggedIn(
      [
        c('RETR 1'),
        { server: '+OK\r\npart one\r\n' },
        { hold: 'two' },
        { server: 'part two\r\n' },
        { hold: 'end' },
        { server: '.\r\n' },
        c('RETR 2'),
        { server: '+OK\r\nstalls here' },
      ],
      CAPS,
      { timers },
    );
    const first = session.retr(1);
    await transport.settle();
    timers.advance(TRANSFER_IDLE_TIMEOUT_MS - 1);
    transport.release('two');
    await transport.settle();
    timers.advance(TRANSFER_IDLE_TIMEOUT_MS - 1);
    transport.release('end');
    assert.equal(text(await first), 'part one\r\npart two\r\n');

    const second = session.retr(2);
    await transport.settle();
    timers.advance(TRANSFER_IDLE_TIMEOUT_MS);
    await assertCode(second, 'timeout');
    transport.assertDone();
  });

  test('timeouts can be set per kind', async () => {
    const timers = new FakeTimers();
    const { session, transport } = await startLoggedIn([c('NOOP'), { hold: 'never' }], CAPS, {
      timers,
      timeouts: { command: 1000 },
    });
    const noop = session.noop();
    await transport.settle();
    timers.advance(1000);
    await assertCode(noop, 'timeout');
  });
});
