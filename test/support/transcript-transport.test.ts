import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TransportError } from '../../extension/relay/transport.ts';
import { c, s, TEST_TLS, TranscriptTransport } from './transcript-transport.ts';

const text = (chunk: Uint8Array) => new TextDecoder().decode(chunk);
const bytes = (value: string) => new TextEncoder().encode(value);

describe('TranscriptTransport', () => {
  test('plays the server, checks the client, and finishes', async () => {
    const transport = new TranscriptTransport([s('+OK hi'), c('NOOP'), s('+OK')]);
    const received: string[] = [];
    transport.onData((chunk) => {
      received.push(text(chunk));
      if (received.length === 1) void transport.write(bytes('NOOP\r\n'));
    });
    await transport.settle();
    assert.deepEqual(received, ['+OK hi\r\n', '+OK\r\n']);
    assert.equal(transport.sent, 'NOOP\r\n');
    transport.assertDone();
  });

  test('keeps bytes that arrive before onData and hands them over at once', async () => {
    const transport = new TranscriptTransport([s('+OK early')]);
    await transport.settle();
    const received: string[] = [];
    transport.onData((chunk) => received.push(text(chunk)));
    assert.deepEqual(received, ['+OK early\r\n']);
  });

  test('a client step may be written in pieces, and one write may cover several steps', async () => {
    const transport = new TranscriptTransport([c('RETR 1'), c('RETR 2'), s('+OK')]);
    await transport.write(bytes('RE'));
    await transport.write(bytes('TR 1\r\nRETR 2\r\n'));
    await transport.settle();
    transport.assertDone();
  });

  test('wrong client bytes are a violation that closes the transport', async () => {
    const transport = new TranscriptTransport([c('USER alice')]);
    let reason: unknown = 'open';
    transport.onClose((r) => {
      reason = r;
    });
    await assert.rejects(transport.write(bytes('USER bob\r\n')), TransportError);
    await transport.settle();
    assert.ok(reason instanceof TransportError && reason.code === 'relay_protocol');
    assert.throws(() => transport.assertDone(), /where the script expected "USER alice\\r\\n"/);
  });

  test('a client write before the server spoke is a violation', async () => {
    const transport = new TranscriptTransport([c('RETR 1'), s('+OK'), c('RETR 2')]);
    // Written in the same turn, as a client that does not wait for the reply would.
    const first = transport.write(bytes('RETR 1\r\n'));
    await assert.rejects(transport.write(bytes('RETR 2\r\n')));
    await first;
    assert.throws(() => transport.assertDone(), /expected the server to send/);
  });

  test('an unfinished script fails assertDone', async () => {
    const transport = new TranscriptTransport([s('+OK'), c('QUIT')]);
    await transport.settle();
    assert.throws(() => transport.assertDone(), /waiting for client bytes "QUIT\\r\\n"/);
  });

  test('chunks, holds and closes', async () => {
    const transport = new TranscriptTransport([
      { server: 'abcdefg', chunks: [2, 3] },
      { hold: 'later' },
      { server: 'xyz', chunks: 'bytes' },
      { close: new TransportError('upstream_closed', 'gone') },
    ]);
    const received: string[] = [];
    const closes: unknown[] = [];
    transport.onData((chunk) => received.push(text(chunk)));
    transport.onClose((reason) => closes.push(reason));
    await transport.settle();
    assert.deepEqual(received, ['ab', 'cde', 'fg']);
    assert.deepEqual(closes, [] as unknown[]);
    transport.release('later');
    await transport.settle();
    assert.deepEqual(received, ['ab', 'cde', 'fg', 'x', 'y', 'z']);
    assert.equal(closes.length, 1);
    assert.ok(closes[0] instanceof TransportError && closes[0].code === 'upstream_closed');
    await assert.rejects(transport.write(bytes('x')), /closed/);
    transport.assertDone();
  });

  test('startTls must be where the script says', async () => {
    const transport = new TranscriptTransport([c('STLS'), { startTls: TEST_TLS }, c('CAPA')]);
    await assert.rejects(transport.startTls());
    const again = new TranscriptTransport([c('STLS'), { startTls: TEST_TLS }]);
    await again.write(bytes('STLS\r\n'));
    assert.equal(again.tls, null);
    assert.deepEqual(await again.startTls(), TEST_TLS);
    assert.equal(again.tls, TEST_TLS);
    again.assertDone();
  });

  test('close by the client is reported once, with a null reason', async () => {
    const transport = new TranscriptTransport([]);
    const reasons: unknown[] = [];
    transport.onClose((reason) => reasons.push(reason));
    transport.close();
    transport.close();
    await transport.settle();
    assert.deepEqual(reasons, [null]);
    assert.equal(transport.closedByClient, true);
  });
});
