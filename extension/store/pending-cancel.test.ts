import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDb, summary } from '../../test/support/store.ts';
import { MessagesRepo } from './messages-repo.ts';
import { PendingRepo } from './pending-repo.ts';
import type { MessageKey } from './schema.ts';

const k = (uid: number): MessageKey => ['acct-a', 'INBOX', uid];

test('cancelDeletes takes back unsent deletes and shows the rows again', async () => {
  const db = await freshDb();
  const messages = new MessagesRepo(db);
  const pending = new PendingRepo(db);
  await messages.putSummaries([summary({ uid: 1 }), summary({ uid: 2 })]);
  await pending.markSeenLocally([k(1)], true, 1);
  await pending.deleteLocally([k(1), k(2)], 2);
  assert.equal((await messages.listNewest({ limit: 10 })).rows.length, 0);

  assert.equal(await pending.cancelDeletes([k(1), k(2)]), true);
  const rows = (await messages.listNewest({ limit: 10 })).rows;
  assert.deepEqual(rows.map((r) => r.uid).sort(), [1, 2]);
  assert.deepEqual(
    (await pending.peekAll('acct-a')).map((op) => [op.kind, op.uid]),
    [['seen', 1]],
    'only the deletes go; the earlier mark-read stays queued',
  );
});

test('cancelDeletes reports a delete that was already sent', async () => {
  const db = await freshDb();
  const messages = new MessagesRepo(db);
  const pending = new PendingRepo(db);
  await messages.putSummaries([summary({ uid: 1 }), summary({ uid: 2 })]);
  await pending.deleteLocally([k(1), k(2)], 2);
  const [sent] = await pending.peekAll('acct-a');
  await pending.complete(sent!.id);
  assert.equal(await pending.cancelDeletes([k(1), k(2)]), false);
  assert.deepEqual(
    (await messages.listNewest({ limit: 10 })).rows.map((r) => r.uid),
    [2],
  );
});
