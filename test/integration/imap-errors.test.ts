import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ImapFlowError } from 'imapflow';
import { fetchImapBody } from '../../extension/mail/imap/body.ts';
import { ImapError } from '../../extension/mail/imap/errors.ts';
import { syncImapAccount } from '../../extension/mail/imap/sync.ts';
import { readableBody } from '../../extension/mail/mime/readable-body.ts';
import { BodiesRepo } from '../../extension/store/bodies-repo.ts';
import { unpackSource } from '../../extension/store/body-source.ts';
import { FoldersRepo } from '../../extension/store/folders-repo.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { bareMessages, makeMessage } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { appendMessages, ImapWorld } from './imap-helpers.ts';

let world: ImapWorld;
before(async () => {
  world = await ImapWorld.start();
});
after(async () => {
  await world?.stop();
});

/** Every string reachable from an error, for "the password is nowhere in it". */
function allText(error: unknown): string {
  const seen = new Set<unknown>();
  const walk = (value: unknown, depth: number): string => {
    if (typeof value === 'string') return value;
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 5) return '';
    seen.add(value);
    if (ArrayBuffer.isView(value))
      return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1');
    return Object.getOwnPropertyNames(value)
      .map((k) => walk((value as Record<string, unknown>)[k], depth + 1))
      .join('\n');
  };
  return walk(error, 0);
}

test('a wrong password fails with imapflow’s typed auth error, no password in it, store untouched', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await appendMessages(other, 'INBOX', 2);
  const db = await world.db();
  const account = world.account(user);
  const wrong = 'not the right password at all';
  await assert.rejects(syncImapAccount(world.ctx(db, account, { password: wrong })), (error: unknown) => {
    // imapflow's authentication failure: `authenticationFailed` and the server's response code.
    const auth = error as ImapFlowError;
    assert.equal(auth.authenticationFailed, true);
    assert.equal(auth.serverResponseCode, 'AUTHENTICATIONFAILED');
    assert.equal(auth.responseStatus, 'NO');
    const text = allText(error);
    assert.ok(!text.includes(wrong), 'the password is not in the error');
    assert.ok(!text.includes(Buffer.from(wrong).toString('base64')), 'nor its base64');
    assert.ok(
      !text.includes(Buffer.from(`\0${user}\0${wrong}`).toString('base64')),
      'nor the SASL PLAIN payload',
    );
    return true;
  });
  assert.deepEqual(await new FoldersRepo(db).listByAccount(account.id), []);
  assert.deepEqual(await new MessagesRepo(db).uidsInFolder(account.id, 'INBOX'), []);
});

const TOTAL = 1200;

test('the relay dying mid-FETCH leaves a consistent partial state that the next sync completes', async () => {
  const user = world.newUser();
  seedMaildir(world.dovecot, user, bareMessages(TOTAL));
  const db = await world.db();
  const account = world.account(user, { syncWindow: TOTAL });
  const repo = new MessagesRepo(db);
  let killed = false;
  const sync = syncImapAccount(
    world.ctx(db, account, {
      onProgress: (done) => {
        // After the first chunk is stored, kill the relay (SIGKILL: no goodbye to anyone).
        if (done > 0 && !killed) {
          killed = true;
          void world.relay.stop('SIGKILL');
        }
      },
    }),
  );
  await assert.rejects(sync);
  assert.ok(killed, 'the relay was killed during the sync');
  const partial = await repo.uidsInFolder(account.id, 'INBOX');
  assert.ok(partial.length > 0 && partial.length < TOTAL, `partial: ${partial.length} rows`);
  // Newest chunks first: what is stored is the top of the mailbox, without holes.
  assert.equal(partial.at(-1), TOTAL);
  assert.equal(partial[0], TOTAL - partial.length + 1);
  const folder = await new FoldersRepo(db).get(account.id, 'INBOX');
  assert.equal(folder?.uidNext, null, 'marked as an unfinished initial sync');
  assert.notEqual(folder?.uidValidity, null);

  await world.restartRelay();
  const result = await syncImapAccount(world.ctx(db, account));
  assert.deepEqual(result.newMessages, []);
  const complete = await repo.uidsInFolder(account.id, 'INBOX');
  assert.deepEqual(
    complete,
    Array.from({ length: TOTAL }, (_, i) => i + 1),
  );
  const page = await repo.listNewest({ limit: 1000, accountId: account.id });
  assert.equal(new Set(page.rows.map((r) => r.messageId)).size, page.rows.length, 'no duplicates');
  assert.equal((await new FoldersRepo(db).get(account.id, 'INBOX'))?.uidNext, TOTAL + 1);
});

test('opening a message downloads, parses and stores it without setting \\Seen; over the cap is too_large', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  const withFile = makeMessage(3, { kind: 'attachment', size: 60_000 });
  const small = makeMessage(4, { kind: 'plain', size: 'small' });
  await other.append('INBOX', withFile.raw, [], withFile.date);
  await other.append('INBOX', small.raw, [], small.date);
  const db = await world.db();
  const account = world.account(user);
  const ctx = world.ctx(db, account);
  await syncImapAccount(ctx);

  const body = await fetchImapBody(ctx, 'INBOX', 1);
  assert.equal(body.complete, true);
  assert.equal((await unpackSource(body))?.byteLength, withFile.size);
  // The source only is stored; the reader parses it.
  assert.equal(body.text, undefined);
  const readable = await readableBody(body);
  assert.ok(readable.text?.includes(withFile.snippet.slice(0, 30)));
  assert.equal(readable.attachments.length, 1);
  assert.equal(readable.attachments[0]?.filename, withFile.attachment?.filename);
  assert.equal(readable.attachments[0]?.data?.byteLength, withFile.attachment?.size);
  assert.deepEqual(await new BodiesRepo(db).get([account.id, 'INBOX', 1]), body);
  assert.equal((await new MessagesRepo(db).get([account.id, 'INBOX', 1]))?.bodyState, 'full');
  await other.mailboxOpen('INBOX');
  const flags = await other.fetchOne('1', { flags: true }, { uid: true });
  assert.ok(flags, 'message 1 is on the server');
  assert.equal(flags.flags?.has('\\Seen'), false, 'opening does not mark read on the server');

  await assert.rejects(fetchImapBody(ctx, 'INBOX', 1, { maxBytes: 10_000 }), (error: unknown) => {
    assert.ok(error instanceof ImapError);
    assert.equal(error.code, 'too_large');
    assert.equal(error.details.size, withFile.size);
    assert.equal(error.details.limit, 10_000);
    return true;
  });
  // Nothing was downloaded for the refused one: message 2 is still without a body.
  await assert.rejects(fetchImapBody(ctx, 'INBOX', 2, { maxBytes: 100 }), { code: 'too_large' });
  assert.equal(await new BodiesRepo(db).get([account.id, 'INBOX', 2]), undefined);

  // A message expunged elsewhere: a typed error and the row goes.
  await other.messageDelete('2', { uid: true });
  await assert.rejects(fetchImapBody(ctx, 'INBOX', 2), { code: 'message_gone' });
  assert.equal(await new MessagesRepo(db).get([account.id, 'INBOX', 2]), undefined);
});
