import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { PACK_MIN_BYTES, packSource, unpackSource } from './body-source.ts';
import { StoreError } from './errors.ts';

const text = (n: number): Uint8Array => {
  const line = 'Subject: the quarterly report\r\nPlease find the figures below, with the notes.\r\n';
  return new TextEncoder().encode(line.repeat(Math.ceil(n / line.length)).slice(0, n));
};

test('a text source is stored deflated and reads back byte for byte', async () => {
  const raw = text(20_000);
  const packed = await packSource(raw);
  assert.equal(packed.rawEncoding, 'deflate-raw');
  assert.ok(packed.raw.byteLength < raw.byteLength / 4, `${packed.raw.byteLength} bytes`);
  assert.deepEqual(await unpackSource(packed), raw);
});

test('a 10 MB source (many stream chunks each way) round-trips', async () => {
  const raw = new Uint8Array(10 * 1024 * 1024);
  const noise = randomBytes(raw.byteLength / 2);
  raw.set(noise, 0);
  raw.set(text(raw.byteLength / 2), raw.byteLength / 2);
  const packed = await packSource(raw);
  assert.equal(packed.rawEncoding, 'deflate-raw');
  assert.deepEqual(await unpackSource(packed), raw);
});

test('small sources, and sources that barely shrink (already compressed), are stored as they are', async () => {
  const small = text(PACK_MIN_BYTES - 1);
  assert.deepEqual(await packSource(small), { raw: small });
  const noise = new Uint8Array(randomBytes(50_000));
  const packed = await packSource(noise);
  assert.equal(packed.rawEncoding, undefined);
  assert.equal(packed.raw, noise);
  assert.equal(await unpackSource(packed), noise, 'read as it is');
});

test('a row stored before compression (no encoding) reads as it is; no source is null', async () => {
  const raw = text(5_000);
  assert.equal(await unpackSource({ raw }), raw);
  assert.equal(await unpackSource({ raw: null }), null);
});

test('damaged or unknown stored bytes fail with a StoreError, never as wrong mail', async () => {
  const packed = await packSource(text(20_000));
  const damaged = packed.raw.slice(0, packed.raw.byteLength >> 1);
  await assert.rejects(unpackSource({ raw: damaged, rawEncoding: 'deflate-raw' }), (error) => {
    assert.ok(error instanceof StoreError);
    assert.equal(error.code, 'unavailable');
    return true;
  });
  const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x00, 0x11]);
  await assert.rejects(unpackSource({ raw: garbage, rawEncoding: 'deflate-raw' }), StoreError);
  await assert.rejects(
    unpackSource({ raw: packed.raw, rawEncoding: 'zstd' as unknown as 'deflate-raw' }),
    /unknown encoding: zstd/,
  );
});
