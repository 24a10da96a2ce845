import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Pop3Error } from './errors.ts';
import {
  type Expectation,
  MAX_LISTING_ENTRIES,
  MAX_STATUS_LINE_BYTES,
  type ParserLimits,
  type Reply,
  ReplyParser,
} from './reply-parser.ts';

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const latin1 = (text: string) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));

const STATUS: Expectation = { kind: 'status' };
const AUTH: Expectation = { kind: 'auth' };
const CAPA: Expectation = { kind: 'capa' };
const UIDL: Expectation = { kind: 'uidl' };
const LIST: Expectation = { kind: 'list' };
const MESSAGE: Expectation = { kind: 'message', maxBytes: 100 * 1024 * 1024 };

/** Feeds the chunks to a fresh parser expecting `expectations`; returns the replies. */
function parse(
  chunks: readonly Uint8Array[],
  expectations: readonly Expectation[],
  limits?: Partial<ParserLimits>,
): Reply[] {
  const replies: Reply[] = [];
  const parser = new ReplyParser((reply) => replies.push(reply), limits);
  for (const expectation of expectations) parser.expect(expectation);
  for (const chunk of chunks) parser.push(chunk);
  assert.equal(parser.pending, expectations.length - replies.length);
  return replies;
}

/** The error the chunks end in. */
function parseError(
  chunks: readonly Uint8Array[],
  expectations: readonly Expectation[],
  limits?: Partial<ParserLimits>,
): Pop3Error {
  try {
    parse(chunks, expectations, limits);
  } catch (err) {
    assert.ok(err instanceof Pop3Error, `expected a Pop3Error, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the parser to throw');
}

function splitAt(data: Uint8Array, points: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const point of points) {
    out.push(data.slice(from, point));
    from = point;
  }
  out.push(data.slice(from));
  return out;
}

/** A small seeded PRNG (mulberry32), so random splits are the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPoints(length: number, next: () => number, count: number): number[] {
  const points = new Set<number>();
  for (let i = 0; i < count; i++) points.add(1 + Math.floor(next() * Math.max(1, length - 1)));
  return [...points].sort((a, b) => a - b);
}

/** Checks that every split (single points, pairs for short input, random multi-splits, byte by byte) parses alike. */
function assertSplitProof(
  wire: Uint8Array,
  expectations: readonly Expectation[],
  expected: readonly Reply[],
) {
  assert.deepEqual(parse([wire], expectations), expected, 'whole');
  for (let point = 0; point <= wire.length; point++) {
    assert.deepEqual(parse(splitAt(wire, [point]), expectations), expected, `split at ${point}`);
  }
  if (wire.length <= 160) {
    for (let a = 1; a < wire.length; a++) {
      for (let b = a; b < wire.length; b++) {
        assert.deepEqual(parse(splitAt(wire, [a, b]), expectations), expected, `split at ${a}, ${b}`);
      }
    }
  }
  const next = random(0x5eed);
  for (let round = 0; round < 200; round++) {
    const points = randomPoints(wire.length, next, 1 + Math.floor(next() * 12));
    assert.deepEqual(parse(splitAt(wire, points), expectations), expected, `splits at ${points.join(',')}`);
  }
  const oneByOne = Array.from(wire, (byte) => Uint8Array.of(byte));
  assert.deepEqual(parse(oneByOne, expectations), expected, 'byte by byte');
}

interface Fixture {
  name: string;
  wire: string;
  expect: Expectation;
  reply: Reply;
}

const FIXTURES: Fixture[] = [
  {
    name: 'single line',
    wire: '+OK maildrop has 2 messages (320 octets)\r\n',
    expect: STATUS,
    reply: { ok: true, text: 'maildrop has 2 messages (320 octets)' },
  },
  {
    name: '-ERR with a response code',
    wire: '-ERR [IN-USE] maildrop already locked\r\n',
    expect: STATUS,
    reply: { ok: false, text: 'maildrop already locked', code: 'IN-USE' },
  },
  {
    name: 'SASL continuation',
    wire: '+ \r\n',
    expect: AUTH,
    reply: { ok: true, continuation: true, text: '' },
  },
  {
    name: 'AUTH success',
    wire: '+OK Logged in.\r\n',
    expect: AUTH,
    reply: { ok: true, text: 'Logged in.' },
  },
  {
    name: 'CAPA',
    wire: '+OK Capability list follows\r\nTOP\r\nUSER\r\nSASL PLAIN LOGIN\r\nRESP-CODES\r\nPIPELINING\r\nUIDL\r\n.\r\n',
    expect: CAPA,
    reply: {
      ok: true,
      text: 'Capability list follows',
      body: { kind: 'capa', lines: ['TOP', 'USER', 'SASL PLAIN LOGIN', 'RESP-CODES', 'PIPELINING', 'UIDL'] },
    },
  },
  {
    name: 'UIDL',
    wire: '+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n.\r\n',
    expect: UIDL,
    reply: {
      ok: true,
      text: '',
      body: {
        kind: 'uidl',
        entries: [
          { n: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' },
          { n: 2, uid: 'QhdPYR:00WBw1Ph7x7' },
        ],
      },
    },
  },
  {
    name: 'LIST',
    wire: '+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n',
    expect: LIST,
    reply: {
      ok: true,
      text: '2 messages (320 octets)',
      body: {
        kind: 'list',
        entries: [
          { n: 1, size: 120 },
          { n: 2, size: 200 },
        ],
      },
    },
  },
  {
    name: 'RETR with dot-stuffed lines',
    wire: '+OK 64 octets\r\nSubject: dots\r\n\r\n..leading\r\n..\r\nend.\r\n.\r\n',
    expect: MESSAGE,
    reply: {
      ok: true,
      text: '64 octets',
      body: { kind: 'message', bytes: bytes('Subject: dots\r\n\r\n.leading\r\n.\r\nend.\r\n') },
    },
  },
  {
    name: 'TOP',
    wire: '+OK top of message follows\r\nFrom: a@example.test\r\n\r\nfirst line\r\n.\r\n',
    expect: MESSAGE,
    reply: {
      ok: true,
      text: 'top of message follows',
      body: { kind: 'message', bytes: bytes('From: a@example.test\r\n\r\nfirst line\r\n') },
    },
  },
  {
    name: '-ERR to RETR',
    wire: '-ERR no such message\r\n',
    expect: MESSAGE,
    reply: { ok: false, text: 'no such message' },
  },
];

describe('ReplyParser: single-line replies', () => {
  test('+OK and -ERR, with and without text', () => {
    const wire = '+OK\r\n-ERR\r\n+OK  two  spaces \r\n+ok lower case\r\n-ERR\ttab\r\n';
    assert.deepEqual(parse([bytes(wire)], [STATUS, STATUS, STATUS, STATUS, STATUS]), [
      { ok: true, text: '' },
      { ok: false, text: '' },
      { ok: true, text: 'two  spaces' },
      { ok: true, text: 'lower case' },
      { ok: false, text: 'tab' },
    ]);
  });

  test('bare LF ends a line', () => {
    assert.deepEqual(parse([bytes('+OK one\n-ERR two\n')], [STATUS, STATUS]), [
      { ok: true, text: 'one' },
      { ok: false, text: 'two' },
    ]);
  });

  test('text is UTF-8 (RFC 6856)', () => {
    assert.deepEqual(parse([bytes('-ERR Passwort ungültig\r\n')], [STATUS]), [
      { ok: false, text: 'Passwort ungültig' },
    ]);
  });

  test('a SASL continuation, only where one can come', () => {
    assert.deepEqual(parse([bytes('+ dGVzdA==\r\n+\r\n')], [AUTH, AUTH]), [
      { ok: true, continuation: true, text: 'dGVzdA==' },
      { ok: true, continuation: true, text: '' },
    ]);
    assert.equal(parseError([bytes('+ \r\n')], [STATUS]).code, 'protocol');
  });
});

describe('ReplyParser: response codes (RFC 2449 §8, RFC 3206)', () => {
  test('each known code', () => {
    const codes = ['AUTH', 'IN-USE', 'LOGIN-DELAY', 'SYS/TEMP', 'SYS/PERM', 'UTF8'] as const;
    const wire = codes.map((code) => `-ERR [${code}] text of ${code}\r\n`).join('');
    assert.deepEqual(
      parse(
        [bytes(wire)],
        codes.map(() => STATUS),
      ),
      codes.map((code) => ({ ok: false, text: `text of ${code}`, code })),
    );
  });

  test('case-insensitive, hierarchical, unknown ones dropped', () => {
    const wire =
      '-ERR [in-use] locked\r\n-ERR [SYS/TEMP/DISK-FULL] full\r\n-ERR [X-VENDOR/THING] odd\r\n-ERR [SYS/OTHER] x\r\n';
    assert.deepEqual(parse([bytes(wire)], [STATUS, STATUS, STATUS, STATUS]), [
      { ok: false, text: 'locked', code: 'IN-USE' },
      { ok: false, text: 'full', code: 'SYS/TEMP' },
      { ok: false, text: 'odd' },
      { ok: false, text: 'x' },
    ]);
  });

  test('on +OK, and text that only looks like a code', () => {
    const wire = '+OK [UTF8] now in UTF-8\r\n-ERR [not a code\r\n-ERR [] empty\r\n';
    assert.deepEqual(parse([bytes(wire)], [STATUS, STATUS, STATUS]), [
      { ok: true, text: 'now in UTF-8', code: 'UTF8' },
      { ok: false, text: '[not a code' },
      { ok: false, text: '[] empty' },
    ]);
  });
});

describe('ReplyParser: listings', () => {
  test('UIDL keeps every byte of a unique-id, ignores extra blanks and trailing fields', () => {
    const wire = latin1('+OK\r\n1\tabc\xe9\xff\r\n2   def  extra\r\n.\r\n');
    const [reply] = parse([wire], [UIDL]);
    assert.deepEqual(reply?.body, {
      kind: 'uidl',
      entries: [
        { n: 1, uid: 'abc\xe9\xff' },
        { n: 2, uid: 'def' },
      ],
    });
  });

  test('LIST ignores what follows the size (RFC 1939 §5)', () => {
    const [reply] = parse([bytes('+OK\r\n1 120 extra info\r\n.\r\n')], [LIST]);
    assert.deepEqual(reply?.body, { kind: 'list', entries: [{ n: 1, size: 120 }] });
  });

  test('an empty listing, and dot-stuffed listing lines', () => {
    assert.deepEqual(parse([bytes('+OK\r\n.\r\n')], [UIDL])[0]?.body, { kind: 'uidl', entries: [] });
    assert.deepEqual(parse([bytes('+OK\r\n..X-ODD\r\n.\r\n')], [CAPA])[0]?.body, {
      kind: 'capa',
      lines: ['.X-ODD'],
    });
  });

  test('-ERR to a listing command has no body, and the next reply follows', () => {
    assert.deepEqual(parse([bytes('-ERR unknown command\r\n+OK\r\n')], [UIDL, STATUS]), [
      { ok: false, text: 'unknown command' },
      { ok: true, text: '' },
    ]);
  });

  test('malformed lines are protocol errors', () => {
    for (const line of ['abc def', '0 uid', '1', '-1 x', '99999999999999999999 x']) {
      assert.equal(parseError([bytes(`+OK\r\n${line}\r\n.\r\n`)], [UIDL]).code, 'protocol', line);
    }
    for (const line of ['1 abc', '1', 'x 1', '1 -5']) {
      assert.equal(parseError([bytes(`+OK\r\n${line}\r\n.\r\n`)], [LIST]).code, 'protocol', line);
    }
  });
});

describe('ReplyParser: message data (RETR, TOP)', () => {
  test('dot-unstuffing: only the first dot of a line start goes', () => {
    const wire = '+OK\r\n..\r\n...\r\n..x.y\r\na..b\r\n. \r\n.\r\n';
    const [reply] = parse([bytes(wire)], [MESSAGE]);
    // ". " is not stuffed (RFC 1939 says it should be); the dot is kept as data.
    assert.deepEqual(reply?.body, { kind: 'message', bytes: bytes('.\r\n..\r\n.x.y\r\na..b\r\n. \r\n') });
  });

  test('an empty message', () => {
    assert.deepEqual(parse([bytes('+OK 0 octets\r\n.\r\n')], [MESSAGE]), [
      { ok: true, text: '0 octets', body: { kind: 'message', bytes: new Uint8Array(0) } },
    ]);
  });

  test('bare LF line ends are kept as sent; ".\\n" terminates', () => {
    const [reply] = parse([bytes('+OK\nA: b\n\nbody\n..dot\n.\n')], [MESSAGE]);
    assert.deepEqual(reply?.body, { kind: 'message', bytes: bytes('A: b\n\nbody\n.dot\n') });
  });

  test('".\\r" followed by something else is data, not the end', () => {
    const [reply] = parse([bytes('+OK\r\n.\rX\r\nrest\r\n.\r\n')], [MESSAGE]);
    assert.deepEqual(reply?.body, { kind: 'message', bytes: bytes('.\rX\r\nrest\r\n') });
  });

  test('CR and LF of lines and of the terminator split across chunks', () => {
    const chunks = ['+OK\r', '\nline\r', '\n.', '.\r', '\n', '.', '\r', '\n'].map(bytes);
    assert.deepEqual(parse(chunks, [MESSAGE])[0]?.body, { kind: 'message', bytes: bytes('line\r\n.\r\n') });
  });

  test('binary bytes and non-UTF-8 pass through unchanged', () => {
    const data = Uint8Array.from({ length: 256 }, (_, i) => (i === 10 ? 65 : i));
    const wire = new Uint8Array([...bytes('+OK\r\n'), ...data, ...bytes('\r\n.\r\n')]);
    const [reply] = parse([wire], [MESSAGE]);
    assert.deepEqual(reply?.body, { kind: 'message', bytes: new Uint8Array([...data, 13, 10]) });
  });

  test('the parser copies what it keeps: the caller may reuse its buffer', () => {
    const replies: Reply[] = [];
    const parser = new ReplyParser((reply) => replies.push(reply));
    parser.expect(STATUS);
    parser.expect(UIDL);
    parser.expect(MESSAGE);
    for (const piece of ['+OK st', 'atus\r\n+OK\r\n1 ab', 'c\r\n.\r\n+OK\r\nabc', '\r\n.\r\n']) {
      const chunk = bytes(piece);
      parser.push(chunk);
      chunk.fill(0x21);
    }
    assert.deepEqual(replies, [
      { ok: true, text: 'status' },
      { ok: true, text: '', body: { kind: 'uidl', entries: [{ n: 1, uid: 'abc' }] } },
      { ok: true, text: '', body: { kind: 'message', bytes: bytes('abc\r\n') } },
    ]);
  });

  test('progress counts message data received', () => {
    const parser = new ReplyParser(() => {});
    parser.expect(MESSAGE);
    parser.push(bytes('+OK\r\n0123456789'));
    assert.equal(parser.progress, 10);
    parser.push(bytes('\r\n.\r\n'));
    assert.equal(parser.progress, 0);
  });

  test('more than maxBytes is too_large as soon as it is known, before the end', () => {
    const capped: Expectation = { kind: 'message', maxBytes: 10 };
    // Exactly at the cap (dot-stuffing does not count: the cap is on the message).
    assert.deepEqual(parse([bytes('+OK\r\n..2345678\r\n.\r\n')], [capped])[0]?.body, {
      kind: 'message',
      bytes: bytes('.2345678\r\n'),
    });
    const error = parseError([bytes('+OK\r\n'), bytes('0123456789'), bytes('X')], [capped]);
    assert.equal(error.code, 'too_large');
    assert.throws(
      () => new ReplyParser(() => {}).expect({ kind: 'message', maxBytes: Number.NaN }),
      RangeError,
    );
  });
});

describe('ReplyParser: replies split anywhere', () => {
  for (const fixture of FIXTURES) {
    test(`${fixture.name}: every split point, pairs, random multi-splits, byte by byte`, () => {
      assertSplitProof(bytes(fixture.wire), [fixture.expect], [fixture.reply]);
    });
  }

  test('a pipelined stream of every kind, back to back', () => {
    const wire = bytes(FIXTURES.map((fixture) => fixture.wire).join(''));
    assertSplitProof(
      wire,
      FIXTURES.map((fixture) => fixture.expect),
      FIXTURES.map((fixture) => fixture.reply),
    );
  });

  test('a 10 MB message in random chunks comes out byte for byte', () => {
    // Lines of varied length, some starting with dots, some binary, ~10 MB in all.
    const next = random(10);
    const lines: Uint8Array[] = [];
    let size = 0;
    while (size < 10 * 1024 * 1024) {
      const length = Math.floor(next() * 200);
      const line = new Uint8Array(length + 2);
      for (let i = 0; i < length; i++) line[i] = 32 + Math.floor(next() * 95);
      if (length > 0 && next() < 0.05) line[0] = 0x2e;
      line[length] = 13;
      line[length + 1] = 10;
      lines.push(line);
      size += line.length;
    }
    const message = new Uint8Array(size);
    let at = 0;
    for (const line of lines) {
      message.set(line, at);
      at += line.length;
    }
    const stuffedParts: Uint8Array[] = [bytes('+OK message follows\r\n')];
    for (const line of lines) stuffedParts.push(line[0] === 0x2e ? new Uint8Array([0x2e, ...line]) : line);
    stuffedParts.push(bytes('.\r\n+OK next\r\n'));
    const wire = new Uint8Array(stuffedParts.reduce((sum, part) => sum + part.length, 0));
    at = 0;
    for (const part of stuffedParts) {
      wire.set(part, at);
      at += part.length;
    }

    for (const maxChunk of [65536, 1500, 97]) {
      const chunks: Uint8Array[] = [];
      for (let from = 0; from < wire.length; ) {
        const length = 1 + Math.floor(next() * maxChunk);
        chunks.push(wire.subarray(from, from + length));
        from += length;
      }
      const replies = parse(chunks, [MESSAGE, STATUS]);
      assert.equal(replies.length, 2);
      const body = replies[0]?.body;
      assert.ok(body?.kind === 'message');
      assert.equal(body.bytes.length, message.length, `length with chunks up to ${maxChunk}`);
      let firstDifference = -1;
      for (let i = 0; i < message.length && firstDifference < 0; i++) {
        if (body.bytes[i] !== message[i]) firstDifference = i;
      }
      assert.equal(firstDifference, -1, `bytes with chunks up to ${maxChunk}`);
      assert.deepEqual(replies[1], { ok: true, text: 'next' });
    }
  });
});

describe('ReplyParser: the buffer message data is collected in', () => {
  const message = bytes('Subject: x\r\n\r\n.dot\r\n..two\r\n.\rX\r\nlast line\r\n');
  const wire = bytes('+OK\r\nSubject: x\r\n\r\n..dot\r\n...two\r\n..\rX\r\nlast line\r\n.\r\n+OK\r\n');

  test('any expected size, the wire split at every position: the same bytes, in a buffer of their own', () => {
    for (const expectedBytes of [
      undefined,
      0,
      1,
      message.length - 1,
      message.length,
      message.length + 7,
      1 << 20,
    ]) {
      const expectation: Expectation = {
        ...MESSAGE,
        ...(expectedBytes === undefined ? {} : { expectedBytes }),
      };
      for (let cut = 0; cut <= wire.length; cut++) {
        for (const cut2 of [cut, Math.min(wire.length, cut + 1), Math.min(wire.length, cut + 3)]) {
          const chunks = [wire.subarray(0, cut), wire.subarray(cut, cut2), wire.subarray(cut2)];
          const replies = parse(chunks, [expectation, STATUS]);
          const body = replies[0]?.body;
          assert.ok(body?.kind === 'message', `expected ${expectedBytes}, cuts ${cut}/${cut2}`);
          assert.deepEqual(body.bytes, message, `expected ${expectedBytes}, cuts ${cut}/${cut2}`);
          assert.equal(body.bytes.byteOffset, 0);
          assert.equal(body.bytes.buffer.byteLength, message.length, 'stored whole, so cut to size');
          assert.deepEqual(replies[1], { ok: true, text: '' });
        }
      }
    }
  });

  test('an expected size over the cap allocates no more than the cap, and the cap still holds', () => {
    const small: Expectation = { kind: 'message', maxBytes: message.length, expectedBytes: 2 ** 40 };
    const [reply] = parse([wire], [small, STATUS]);
    assert.ok(reply?.body?.kind === 'message');
    assert.deepEqual(reply.body.bytes, message);
    const error = parseError([wire], [{ ...small, maxBytes: message.length - 1 }, STATUS]);
    assert.equal(error.code, 'too_large');
  });
});

describe('ReplyParser: what is not POP3', () => {
  test('garbage replies are protocol errors naming what came', () => {
    const garbage = ['HTTP/1.1 400 Bad Request', '* OK IMAP4rev1 ready', '+OKAY', 'OK', '', '220 smtp ESMTP'];
    for (const line of garbage) {
      const error = parseError([bytes(`${line}\r\n`)], [STATUS]);
      assert.equal(error.code, 'protocol', line);
      assert.ok(error.message.startsWith('not a POP3 reply'), error.message);
    }
    assert.match(parseError([bytes('\x00\x1b[31m\r\n')], [STATUS]).message, /\\x00\\x1b\[31m/);
  });

  test('once failed, the parser stays failed', () => {
    const replies: Reply[] = [];
    const parser = new ReplyParser((reply) => replies.push(reply));
    parser.expect(STATUS);
    parser.expect(STATUS);
    assert.throws(() => parser.push(bytes('+OK first\r\nbogus\r\n')), { code: 'protocol' });
    assert.deepEqual(replies, [{ ok: true, text: 'first' }]);
    assert.throws(() => parser.push(bytes('+OK\r\n')), { code: 'protocol' });
    assert.equal(replies.length, 1);
  });

  test('data nobody asked for', () => {
    assert.equal(parseError([bytes('+OK\r\n')], []).code, 'protocol');
    const error = parseError([bytes('+OK Begin TLS\r\n+OK injected\r\n')], [STATUS]);
    assert.match(error.message, /unexpected data from the server: "\+OK injected/);
  });

  test('a status line at the limit passes; one byte more fails before its end arrives', () => {
    const atLimit = `+OK ${'x'.repeat(MAX_STATUS_LINE_BYTES - 6)}\r\n`;
    assert.equal(bytes(atLimit).length, MAX_STATUS_LINE_BYTES);
    assert.equal(parse([bytes(atLimit)], [STATUS]).length, 1);

    const replies: Reply[] = [];
    const parser = new ReplyParser((reply) => replies.push(reply));
    parser.expect(STATUS);
    parser.push(bytes(`+OK ${'x'.repeat(MAX_STATUS_LINE_BYTES - 5)}`));
    // No line end yet, but it can no longer fit.
    assert.throws(() => parser.push(bytes('x')), { code: 'protocol', message: /longer than 8192 bytes/ });
  });

  test('over-long listing lines, and listings over their total cap', () => {
    const limits = { maxListingLineBytes: 16, maxListingBytes: 40 };
    assert.equal(parse([bytes('+OK\r\n1 0123456789ab\r\n.\r\n')], [UIDL], limits).length, 1);
    assert.equal(parseError([bytes('+OK\r\n1 0123456789abc\r\n.\r\n')], [UIDL], limits).code, 'protocol');
    const many = `+OK\r\n${Array.from({ length: 10 }, (_, i) => `${i + 1} u${i}\r\n`).join('')}.\r\n`;
    assert.match(parseError([bytes(many)], [UIDL], limits).message, /listing longer than 40 bytes/);
  });

  test('a listing of more lines than a maildrop holds is refused, however short the lines', () => {
    // One more `n a` (UIDL) or `n 1` (LIST) line than the cap, in 64 KiB chunks: a few MiB of
    // bytes, far under the byte cap, that would otherwise become a million entries.
    for (const [expectation, value] of [
      [UIDL, 'a'],
      [LIST, '1'],
    ] as const) {
      const lines = ['+OK\r\n'];
      for (let n = 1; n <= MAX_LISTING_ENTRIES + 1; n++) lines.push(`${n} ${value}\r\n`);
      lines.push('.\r\n');
      const data = bytes(lines.join(''));
      const chunks = [];
      for (let at = 0; at < data.length; at += 65_536) chunks.push(data.subarray(at, at + 65_536));
      const error = parseError(chunks, [expectation]);
      assert.equal(error.code, 'protocol');
      assert.match(error.message, /listing of more than 1000000 lines/);
    }
    const limits = { maxListingEntries: 3 };
    const listing = (count: number) =>
      bytes(`+OK\r\n${Array.from({ length: count }, (_, i) => `${i + 1} u${i}\r\n`).join('')}.\r\n`);
    const [reply] = parse([listing(3)], [UIDL], limits);
    assert.equal(reply?.body?.kind === 'uidl' && reply.body.entries.length, 3);
    assert.match(parseError([listing(4)], [UIDL], limits).message, /listing of more than 3 lines/);
  });
});
