import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pop3Error } from './errors.ts';
import {
  batchBySize,
  FIRST_SYNC_ANNOUNCE_MAX,
  indexMaildrop,
  type MaildropEntry,
  planDownloads,
  toAnnounce,
} from './plan.ts';

test('indexMaildrop joins UIDL and LIST by message number, in message order', () => {
  const maildrop = indexMaildrop(
    [
      { n: 2, uid: 'b' },
      { n: 1, uid: 'a' },
      { n: 3, uid: 'c' },
    ],
    [
      { n: 1, size: 100 },
      { n: 2, size: 200 },
    ],
  );
  assert.deepEqual(
    [...maildrop.values()],
    [
      { uid: 'a', n: 1, size: 100 },
      { uid: 'b', n: 2, size: 200 },
      { uid: 'c', n: 3, size: null },
    ],
  );
});

test('indexMaildrop refuses unique-ids outside RFC 1939 §7 and unique-ids given twice', () => {
  const bad = (uid: string) => () => indexMaildrop([{ n: 1, uid }], []);
  for (const uid of ['x'.repeat(71), 'caf\u00e9', 'a\u007fb']) {
    assert.throws(bad(uid), (e: unknown) => e instanceof Pop3Error && e.code === 'protocol');
  }
  assert.doesNotThrow(bad('x'.repeat(70)));
  assert.doesNotThrow(bad('!~'));
  assert.throws(
    () =>
      indexMaildrop(
        [
          { n: 1, uid: 'same' },
          { n: 2, uid: 'same' },
        ],
        [],
      ),
    (e: unknown) => e instanceof Pop3Error && e.code === 'protocol' && /twice/.test(e.message),
  );
  assert.throws(
    () =>
      indexMaildrop(
        [
          { n: 1, uid: 'a' },
          { n: 1, uid: 'b' },
        ],
        [],
      ),
    /twice/,
  );
});

test('planDownloads: only unknown unique-ids, RETR up to the threshold, TOP above it or above the cap', () => {
  const maildrop = indexMaildrop(
    [
      { n: 1, uid: 'known' },
      { n: 2, uid: 'small' },
      { n: 3, uid: 'edge' },
      { n: 4, uid: 'big' },
      { n: 5, uid: 'unsized' },
    ],
    [
      { n: 1, size: 10 },
      { n: 2, size: 10 },
      { n: 3, size: 1000 },
      { n: 4, size: 1001 },
    ],
  );
  const plan = planDownloads(maildrop, new Set(['known', 'gone']), {
    headersOnlyAboveBytes: 1000,
    maxMessageBytes: 5000,
  });
  assert.deepEqual(
    plan.full.map((e) => e.uid),
    ['small', 'edge', 'unsized'],
  );
  assert.deepEqual(
    plan.headersOnly.map((e) => e.uid),
    ['big'],
  );
  // A cap below the threshold wins: nothing over the cap is downloaded whole.
  const capped = planDownloads(maildrop, new Set(), {
    headersOnlyAboveBytes: 1_000_000,
    maxMessageBytes: 999,
  });
  assert.deepEqual(
    capped.headersOnly.map((e) => e.uid),
    ['edge', 'big'],
  );
  // Threshold 0: everything with a size is fetched headers-first.
  const zero = planDownloads(maildrop, new Set(), { headersOnlyAboveBytes: 0, maxMessageBytes: 5000 });
  assert.deepEqual(
    zero.full.map((e) => e.uid),
    ['unsized'],
  );
});

test('toAnnounce: unread rows, but none on a first sync that brings in more than the limit', () => {
  const rows = (n: number, unread: 0 | 1 = 1) => Array.from({ length: n }, (_, i) => ({ id: i, unread }));
  const few = rows(3);
  assert.deepEqual(toAnnounce(few, { initial: false, knownBefore: 500 }), few);
  assert.deepEqual(toAnnounce(few, { initial: true, knownBefore: 0 }), few);
  const limit = rows(FIRST_SYNC_ANNOUNCE_MAX);
  assert.equal(toAnnounce(limit, { initial: true, knownBefore: 0 }).length, FIRST_SYNC_ANNOUNCE_MAX);
  assert.deepEqual(toAnnounce(rows(FIRST_SYNC_ANNOUNCE_MAX + 1), { initial: true, knownBefore: 0 }), []);
  // An interrupted first attempt stored most of a big maildrop: the rest is not "new" either.
  assert.deepEqual(toAnnounce(few, { initial: true, knownBefore: FIRST_SYNC_ANNOUNCE_MAX }), []);
  assert.deepEqual(toAnnounce(rows(50), { initial: false, knownBefore: 0 }).length, 50);
  assert.deepEqual(toAnnounce([...rows(2, 0), ...rows(1)], { initial: false, knownBefore: 9 }), rows(1));
});

test('batchBySize bounds the bytes of each pipelined run; a big message runs alone', () => {
  const entry = (n: number, size: number | null): MaildropEntry => ({ uid: `u${n}`, n, size });
  const sizes = (batches: MaildropEntry[][]) => batches.map((b) => b.map((e) => e.size));
  assert.deepEqual(sizes(batchBySize([entry(1, 4), entry(2, 4), entry(3, 2), entry(4, 1)], 10, 99)), [
    [4, 4, 2],
    [1],
  ]);
  assert.deepEqual(sizes(batchBySize([entry(1, 3), entry(2, 50), entry(3, 3)], 10, 99)), [[3], [50], [3]]);
  assert.deepEqual(sizes(batchBySize([entry(1, 3), entry(2, null), entry(3, 3)], 10, 8)), [[3], [null], [3]]);
  assert.deepEqual(batchBySize([], 10, 10), []);
  const many = Array.from({ length: 100 }, (_, i) => entry(i + 1, 1));
  assert.deepEqual(
    batchBySize(many, 10, 10).map((b) => b.length),
    Array(10).fill(10),
  );
});
