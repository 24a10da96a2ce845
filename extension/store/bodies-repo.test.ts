import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDb, pop3Download, summary } from '../../test/support/store.ts';
import { readableBody } from '../mail/mime/readable-body.ts';
import { BodiesRepo, type BodyInput, bodySize, TOUCH_GRANULARITY_MS } from './bodies-repo.ts';
import { unpackSource } from './body-source.ts';
import { StoreError } from './errors.ts';
import { MessagesRepo } from './messages-repo.ts';
import { Pop3Repo } from './pop3-repo.ts';
import type { MessageKey, MessageUid } from './schema.ts';

const HOUR = 60 * 60 * 1000;

/** A body of exactly `size` raw bytes. */
function body(uid: MessageUid, size: number, accountId = 'acct-a'): BodyInput {
  return {
    accountId,
    folder: 'INBOX',
    uid,
    raw: new Uint8Array(size),
    complete: true,
  };
}

test('bodySize counts raw bytes, attachment bytes and 2 bytes per character of text and HTML', () => {
  assert.equal(
    bodySize({
      raw: new Uint8Array(100),
      text: 'abc',
      html: '<p>',
      attachments: [
        {
          filename: 'a.bin',
          mimeType: 'application/octet-stream',
          size: 40,
          contentId: null,
          disposition: 'attachment',
          data: new Uint8Array(40),
        },
        {
          filename: 'b.bin',
          mimeType: 'application/octet-stream',
          size: 9,
          contentId: null,
          disposition: 'attachment',
          data: null,
        },
      ],
    }),
    100 + 40 + 2 * 6,
  );
});

test('put stores the body and marks the summary full or headers-only in the same write', async () => {
  const db = await freshDb();
  const messages = new MessagesRepo(db);
  const bodies = new BodiesRepo(db);
  await messages.putSummaries([summary({ uid: 1 }), summary({ uid: 2 })]);
  await bodies.put(body(1, 10), 1000);
  await bodies.put({ ...body(2, 5), complete: false }, 1000);
  assert.equal((await messages.get(['acct-a', 'INBOX', 1]))?.bodyState, 'full');
  assert.equal((await messages.get(['acct-a', 'INBOX', 2]))?.bodyState, 'headers');
  const stored = await bodies.get(['acct-a', 'INBOX', 1]);
  assert.equal(stored?.size, 10);
  assert.equal(stored?.fetchedAt, 1000);
  assert.equal(stored?.evictAt, 1000, 'IMAP bodies are evictable');
  assert.deepEqual(stored?.raw, new Uint8Array(10));
  assert.equal(await bodies.totalBytes(), 15);
});

test('open returns the body and moves it back in the eviction order, at most once per granularity', async () => {
  const bodies = new BodiesRepo(await freshDb());
  await bodies.put(body(1, 10), 1000);
  const soon = await bodies.open(['acct-a', 'INBOX', 1], 1000 + TOUCH_GRANULARITY_MS - 1);
  assert.equal(soon?.lastOpenedAt, 1000, 'not rewritten for a quick reopen');
  const later = await bodies.open(['acct-a', 'INBOX', 1], 1000 + TOUCH_GRANULARITY_MS);
  assert.equal(later?.lastOpenedAt, 1000 + TOUCH_GRANULARITY_MS);
  assert.equal((await bodies.get(['acct-a', 'INBOX', 1]))?.evictAt, 1000 + TOUCH_GRANULARITY_MS);
  assert.equal(await bodies.open(['acct-a', 'INBOX', 2]), undefined);
});

test('eviction removes least recently opened IMAP bodies first, until within budget', async () => {
  const db = await freshDb();
  const messages = new MessagesRepo(db);
  const bodies = new BodiesRepo(db);
  await messages.putSummaries([1, 2, 3, 4].map((uid) => summary({ uid })));
  // Fetched in order 1..4, then 1 opened again: LRU order is 2, 3, 4, 1.
  for (const uid of [1, 2, 3, 4]) await bodies.put(body(uid, 100), uid * HOUR);
  await bodies.open(['acct-a', 'INBOX', 1], 10 * HOUR);

  const result = await bodies.evictBodies({ budgetBytes: 250 });
  assert.deepEqual(result.evicted, [
    ['acct-a', 'INBOX', 2],
    ['acct-a', 'INBOX', 3],
  ]);
  assert.equal(result.freedBytes, 200);
  assert.equal(result.totalBytes, 200);
  assert.equal(await bodies.totalBytes(), 200);
  assert.equal(await bodies.get(['acct-a', 'INBOX', 2]), undefined);
  assert.ok(await bodies.get(['acct-a', 'INBOX', 1]), 'recently opened body kept');
  assert.equal((await messages.get(['acct-a', 'INBOX', 2]))?.bodyState, 'none', 'summary says it is gone');
  assert.equal((await messages.get(['acct-a', 'INBOX', 4]))?.bodyState, 'full');

  const again = await bodies.evictBodies({ budgetBytes: 250 });
  assert.deepEqual(again.evicted, [], 'within budget: nothing to do');
});

test('eviction never removes POP3 bodies, even when they alone exceed the budget', async () => {
  const db = await freshDb();
  const bodies = new BodiesRepo(db);
  const pop3 = new Pop3Repo(db);
  // POP3 mail stored long ago (oldest of all), IMAP bodies later.
  for (const uidl of ['p1', 'p2']) await pop3.storeDownloaded('pop', pop3Download(uidl, { size: 500 }), 1);
  // A POP3 body put through the generic path is protected too: it is the uid type that counts.
  await bodies.put(body('p3', 500, 'pop'), 2);
  await bodies.put(body(1, 100), 5 * HOUR);
  await bodies.put(body(2, 100), 6 * HOUR);

  const result = await bodies.evictBodies({ budgetBytes: 0 });
  assert.deepEqual(result.evicted, [
    ['acct-a', 'INBOX', 1],
    ['acct-a', 'INBOX', 2],
  ]);
  assert.equal(result.totalBytes, 1500, 'over budget, but only POP3 mail is left');
  for (const uidl of ['p1', 'p2', 'p3']) assert.ok(await bodies.get(['pop', 'INBOX', uidl]), `${uidl} kept`);
});

test('protect keeps chosen bodies and eviction moves on to the next', async () => {
  const bodies = new BodiesRepo(await freshDb());
  for (const uid of [1, 2, 3]) await bodies.put(body(uid, 100), uid * HOUR);
  const seen: number[] = [];
  const result = await bodies.evictBodies({
    budgetBytes: 200,
    protect: (entry) => {
      seen.push(entry.lastOpenedAt);
      assert.equal(entry.size, 100);
      return (entry.key as MessageKey)[2] === 1;
    },
  });
  assert.deepEqual(result.evicted, [['acct-a', 'INBOX', 2]]);
  assert.deepEqual(seen, [HOUR, 2 * HOUR]);
  assert.ok(await bodies.get(['acct-a', 'INBOX', 1]));
});

test('eviction refuses a nonsensical budget', async () => {
  const bodies = new BodiesRepo(await freshDb());
  for (const budgetBytes of [-1, Number.NaN]) {
    await assert.rejects(
      bodies.evictBodies({ budgetBytes }),
      (e: unknown) => e instanceof StoreError && e.code === 'invalid',
    );
  }
});

test('sources are stored deflated when that saves space; size is what is stored; both writers do it', async () => {
  const db = await freshDb();
  const bodies = new BodiesRepo(db);
  const text = new TextEncoder().encode(
    'Subject: minutes\r\n\r\n'.concat(
      'Agreed: ship on Friday, review the figures on Monday.\r\n'.repeat(400),
    ),
  );
  await bodies.put({ ...body(1, 0), raw: text });
  const stored = await bodies.get(['acct-a', 'INBOX', 1]);
  assert.equal(stored?.rawEncoding, 'deflate-raw');
  assert.ok(stored!.size < text.byteLength / 10, `${stored!.size} of ${text.byteLength} bytes`);
  assert.equal(stored!.size, stored!.raw!.byteLength);
  assert.equal(await bodies.totalBytes(), stored!.size);
  assert.deepEqual(await unpackSource(stored!), text);
  assert.match((await readableBody(stored!)).text ?? '', /ship on Friday/);

  const pop3 = new Pop3Repo(db);
  const download = pop3Download('p1');
  await pop3.storeDownloadedBatch('pop', [{ ...download, body: { raw: text, complete: true } }]);
  const popBody = await bodies.get(['pop', 'INBOX', 'p1']);
  assert.equal(popBody?.rawEncoding, 'deflate-raw');
  assert.deepEqual(await unpackSource(popBody!), text);
});
