import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDb, pop3Download, summary } from '../../test/support/store.ts';
import { purgeAccount } from './account-purge.ts';
import { BodiesRepo } from './bodies-repo.ts';
import { FoldersRepo } from './folders-repo.ts';
import { MessagesRepo } from './messages-repo.ts';
import { PendingRepo } from './pending-repo.ts';
import { Pop3Repo } from './pop3-repo.ts';

test('purgeAccount removes everything of one account and nothing of another', async () => {
  const db = await freshDb();
  const messages = new MessagesRepo(db);
  const pending = new PendingRepo(db);
  const pop3 = new Pop3Repo(db);
  const folders = new FoldersRepo(db);
  const bodies = new BodiesRepo(db);
  for (const accountId of ['gone', 'kept']) {
    await messages.putSummaries([
      summary({ uid: 1, accountId }),
      summary({ uid: 2, accountId, folder: 'Sent' }),
    ]);
    await bodies.put({
      accountId,
      folder: 'INBOX',
      uid: 1,
      raw: new Uint8Array(4),
      complete: true,
    });
    await pending.markSeenLocally([[accountId, 'INBOX', 1]], true);
    await pop3.storeDownloaded(`${accountId}-pop`, pop3Download('u1'));
    await folders.put({
      accountId,
      path: 'INBOX',
      uidValidity: 1,
      uidNext: 2,
      highestModseq: null,
      messages: 1,
      unseen: 1,
      specialUse: null,
      lastSync: null,
    });
  }
  await purgeAccount(db, 'gone');
  await purgeAccount(db, 'gone-pop');

  assert.deepEqual(await messages.uidsInFolder('gone', 'INBOX'), []);
  assert.deepEqual(await messages.uidsInFolder('gone', 'Sent'), []);
  assert.equal(await bodies.get(['gone', 'INBOX', 1]), undefined);
  assert.deepEqual(await pending.peekAll('gone'), []);
  assert.deepEqual(await folders.listByAccount('gone'), []);
  assert.deepEqual(await pop3.knownUidls('gone-pop'), new Set());
  assert.equal(await bodies.get(['gone-pop', 'INBOX', 'u1']), undefined);

  assert.deepEqual(await messages.uidsInFolder('kept', 'Sent'), [2]);
  assert.ok(await bodies.get(['kept', 'INBOX', 1]));
  assert.equal((await pending.peekAll('kept')).length, 1);
  assert.equal((await folders.listByAccount('kept')).length, 1);
  assert.deepEqual(await pop3.knownUidls('kept-pop'), new Set(['u1']));
  assert.deepEqual(
    await messages.unreadByAccount(),
    new Map([
      ['kept', 1],
      ['kept-pop', 1],
    ]),
  );
});
