import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadOlderImap } from '../../extension/mail/imap/older.ts';
import { syncImapAccount } from '../../extension/mail/imap/sync.ts';
import { FoldersRepo } from '../../extension/store/folders-repo.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { bareMessages, makeMailbox } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { ImapWorld } from './imap-helpers.ts';

const TOTAL = 10_000;
const WINDOW = 1_000;

let world: ImapWorld;
before(async () => {
  world = await ImapWorld.start({ users: 2 });
});
after(async () => {
  await world?.stop();
});

test(`a folder of ${TOTAL} messages: the newest ${WINDOW} synced, unread from STATUS beyond the window`, async () => {
  const user = world.newUser();
  // The window gets realistic generated mail; the 9,000 older ones a bare template, which is
  // all they need (they are only counted) and seeds in a fraction of the time.
  const recent = makeMailbox(WINDOW, { size: 'small', seed: 5 });
  const messages = [...bareMessages(TOTAL - WINDOW, 'Old'), ...recent];
  // Every third message read: 6,666 unread, most of them outside the window.
  const seen = messages.map((_, i) => i % 3 === 0);
  const old = new Date('2023-06-01T00:00:00Z');
  const dates = [...Array.from({ length: TOTAL - WINDOW }, () => old), ...recent.map((m) => m.date)];
  seedMaildir(world.dovecot, user, messages, { seen, dates });
  const unseen = seen.filter((s) => !s).length;
  const db = await world.db();
  const account = world.account(user, { syncWindow: WINDOW });
  const ctx = world.ctx(db, account);

  let started = performance.now();
  const first = await syncImapAccount(ctx);
  const initialMs = performance.now() - started;
  started = performance.now();
  const again = await syncImapAccount(ctx);
  const noChangeMs = performance.now() - started;
  console.log(
    `initial sync of the ${WINDOW} newest of ${TOTAL}: ${initialMs.toFixed(0)} ms; no-change sync: ${noChangeMs.toFixed(0)} ms`,
  );

  assert.equal(first.unread, unseen);
  assert.equal(again.unread, unseen);
  assert.deepEqual(again.newMessages, []);
  const repo = new MessagesRepo(db);
  const uids = await repo.uidsInFolder(account.id, 'INBOX');
  assert.equal(uids.length, WINDOW);
  assert.equal(uids[0], TOTAL - WINDOW + 1);
  assert.equal(uids.at(-1), TOTAL);
  const folder = await new FoldersRepo(db).get(account.id, 'INBOX');
  assert.equal(folder?.messages, TOTAL);
  assert.equal(folder?.unseen, unseen);
  // The list shows the newest message first, with the right subject and a preview.
  const page = await repo.listNewest({ limit: 3, accountId: account.id });
  assert.equal(page.rows[0]?.subject, recent.at(-1)!.subject);
  assert.ok(page.rows.every((r) => r.preview.length > 0));
  // Local unread counts only the window; the badge uses STATUS.
  assert.equal(await repo.countUnread(account.id), seen.slice(TOTAL - WINDOW).filter((s) => !s).length);

  started = performance.now();
  const older = await loadOlderImap(ctx, 'INBOX', 500);
  console.log(`load 500 older: ${(performance.now() - started).toFixed(0)} ms`);
  assert.deepEqual(older, { loaded: 500, more: true });
  assert.equal((await repo.uidsInFolder(account.id, 'INBOX'))[0], TOTAL - WINDOW - 500 + 1);
});
