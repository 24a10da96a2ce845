import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDb } from '../../test/support/store.ts';
import { StoreError } from './errors.ts';
import { FoldersRepo } from './folders-repo.ts';
import type { FolderRow } from './schema.ts';

const folder = (path: string, accountId = 'a'): FolderRow => ({
  accountId,
  path,
  uidValidity: 1_700_000_000,
  uidNext: 42,
  highestModseq: '9007199254740993',
  messages: 41,
  unseen: 3,
  specialUse: path === 'Trash' ? '\\Trash' : null,
  lastSync: 1000,
});

test('folder state round-trips, modseq beyond 2^53 exact, listed per account by path', async () => {
  const repo = new FoldersRepo(await freshDb());
  for (const path of ['Trash', 'INBOX', 'Archive']) await repo.put(folder(path));
  await repo.put(folder('INBOX', 'b'));
  assert.equal((await repo.get('a', 'INBOX'))?.highestModseq, '9007199254740993');
  assert.deepEqual(
    (await repo.listByAccount('a')).map((f) => f.path),
    ['Archive', 'INBOX', 'Trash'],
  );
  await repo.put({ ...folder('INBOX'), uidNext: 50 });
  assert.equal((await repo.get('a', 'INBOX'))?.uidNext, 50);
  assert.equal(await repo.get('a', 'Nope'), undefined);
});

test('folder state of the wrong shape is refused', async () => {
  const repo = new FoldersRepo(await freshDb());
  const bad: Partial<FolderRow>[] = [
    { path: '' },
    { uidValidity: -1 },
    { uidNext: 1.5 },
    { messages: Number.NaN },
    { highestModseq: '12abc' },
    { highestModseq: 123 as unknown as string },
    { lastSync: Number.POSITIVE_INFINITY },
  ];
  for (const patch of bad) {
    await assert.rejects(
      repo.put({ ...folder('INBOX'), ...patch }),
      (e: unknown) => e instanceof StoreError && e.code === 'invalid',
      JSON.stringify(patch),
    );
  }
  assert.deepEqual(await repo.listByAccount('a'), []);
});
