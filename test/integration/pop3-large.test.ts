/**
 * A maildrop of 1,000 realistic messages (~20 KB each, ~20 MB in all) downloaded through the
 * relay, parsed and stored one transaction per message, then deleted from the server: every
 * message arrives intact exactly once, and the time taken is reported.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { syncPop3Account } from '../../extension/mail/pop3/sync.ts';
import { BodiesRepo } from '../../extension/store/bodies-repo.ts';
import { unpackSource } from '../../extension/store/body-source.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { POP3_FOLDER } from '../../extension/store/schema.ts';
import { makeMailbox } from '../servers/messages.ts';
import { asRetrieved, Pop3World, tapping } from './pop3-helpers.ts';

const COUNT = 1000;

let world: Pop3World;
before(async () => {
  world = await Pop3World.start({ users: 2 });
});
after(async () => {
  await world?.stop();
});

test(`${COUNT} messages of ~20 KB: downloaded, stored intact once each, removed from the server`, async () => {
  const mail = makeMailbox(COUNT, { seed: 1000 });
  const totalBytes = mail.reduce((sum, m) => sum + m.size, 0);
  const user = world.newUser();
  world.seed(user, mail);
  const db = await world.db();
  const account = world.account(user, { leaveCopy: false });
  const tap = tapping(world.open);
  let downloaded = 0;
  let downloadMs = 0;
  const started = performance.now();
  const result = await syncPop3Account(
    world.ctx(db, account, {
      open: tap.open,
      onProgress: (done) => {
        downloaded = done;
        downloadMs = performance.now() - started;
      },
    }),
  );
  const totalMs = performance.now() - started;
  console.log(
    `POP3 sync of ${COUNT} messages (${(totalBytes / 1e6).toFixed(1)} MB) through the relay: ` +
      `download+parse+store ${(downloadMs / 1000).toFixed(1)} s ` +
      `(${(totalBytes / 1e6 / (downloadMs / 1000)).toFixed(1)} MB/s), ` +
      `with ${COUNT} DELE and QUIT ${(totalMs / 1000).toFixed(1)} s`,
  );
  assert.equal(downloaded, COUNT);
  assert.deepEqual(result.newMessages, [], 'a first sync of a full maildrop announces nothing');
  assert.equal(result.unread, COUNT);
  assert.equal(tap.taps.length, 1, 'one session');
  assert.equal(tap.taps[0]!.count('RETR'), COUNT);
  assert.equal(tap.taps[0]!.count('DELE'), COUNT);
  assert.equal(world.maildrop(user).length, 0);

  const expected = new Map(mail.map((m) => [m.messageId, asRetrieved(m.raw)]));
  const messages = new MessagesRepo(db);
  const bodies = new BodiesRepo(db);
  const uids = await messages.uidsInFolder(account.id, POP3_FOLDER);
  assert.equal(uids.length, COUNT);
  const seen = new Set<string>();
  for (const uid of uids) {
    const row = await messages.get([account.id, POP3_FOLDER, uid]);
    const body = await bodies.get([account.id, POP3_FOLDER, uid]);
    assert.equal(row?.serverState, 'removed');
    assert.ok(!seen.has(row!.messageId!), 'stored once');
    seen.add(row!.messageId!);
    const source = await unpackSource(body!);
    assert.ok(Buffer.from(source!).equals(expected.get(row!.messageId!)!), `${row!.messageId} intact`);
  }
});
