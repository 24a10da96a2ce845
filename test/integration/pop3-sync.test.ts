/**
 * POP3 sync against a real Dovecot through the real relay: new-mail detection by UIDL, the
 * three deletion settings, headers-first download of large messages, STLS, the probe, and
 * POP3 and IMAP agreeing on one mailbox.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Account } from '../../extension/accounts.ts';
import { readableBody } from '../../extension/mail/mime/readable-body.ts';
import { fetchPop3Body } from '../../extension/mail/pop3/body.ts';
import { pop3Driver } from '../../extension/mail/pop3/driver.ts';
import { FIRST_SYNC_ANNOUNCE_MAX } from '../../extension/mail/pop3/plan.ts';
import { probePop3Account } from '../../extension/mail/pop3/probe.ts';
import { syncPop3Account } from '../../extension/mail/pop3/sync.ts';
import { BodiesRepo } from '../../extension/store/bodies-repo.ts';
import { unpackSource } from '../../extension/store/body-source.ts';
import { FoldersRepo } from '../../extension/store/folders-repo.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { Pop3Repo } from '../../extension/store/pop3-repo.ts';
import { type BiffDatabase, type MessageRow, POP3_FOLDER } from '../../extension/store/schema.ts';
import { bareMessages, makeMessage } from '../servers/messages.ts';
import { asRetrieved, Pop3World, tapping } from './pop3-helpers.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

let world: Pop3World;
before(async () => {
  world = await Pop3World.start({ users: 14 });
});
after(async () => {
  await world?.stop();
});

/** Every stored POP3 row of an account, oldest download first. */
async function rows(db: BiffDatabase, account: Account): Promise<MessageRow[]> {
  const page = await new MessagesRepo(db).listNewest({ limit: 1000, accountId: account.id });
  return page.rows;
}

async function uids(db: BiffDatabase, account: Account): Promise<string[]> {
  return (await new MessagesRepo(db).uidsInFolder(account.id, POP3_FOLDER)).map(String);
}

/** The stored raw source of each message, by Message-ID. */
async function storedSources(db: BiffDatabase, account: Account): Promise<Map<string, Buffer>> {
  const bodies = new BodiesRepo(db);
  const out = new Map<string, Buffer>();
  for (const row of await rows(db, account)) {
    const body = await bodies.get([account.id, POP3_FOLDER, row.uid]);
    const source = body && (await unpackSource(body));
    assert.ok(source, `a body for ${row.subject}`);
    out.set(row.messageId!, Buffer.from(source));
  }
  return out;
}

test('new mail is every UIDL the store has not seen, also when the count stays the same', async () => {
  const user = world.newUser();
  world.seed(user, bareMessages(3, 'First'));
  const db = await world.db();
  const account = world.account(user);
  const tap = tapping(world.open);
  const ctx = world.ctx(db, account, { open: tap.open });

  const first = await syncPop3Account(ctx);
  assert.equal(first.newMessages.length, 3, 'a first sync of a few messages announces them');
  assert.equal(first.unread, 3);
  assert.equal(tap.taps[0]!.count('RETR'), 3);
  assert.equal(tap.taps[0]!.count('DELE'), 0, 'leave a copy is on by default');

  world.seed(user, bareMessages(2, 'Second'));
  const second = await syncPop3Account(ctx);
  assert.deepEqual(second.newMessages.map((r) => r.subject).sort(), ['Second message 0', 'Second message 1']);
  assert.equal(tap.taps[1]!.count('RETR'), 2, 'only the new ones are downloaded');
  assert.equal(second.unread, 5);

  // Another client removes two old messages and two new ones arrive: the count stays at 5.
  const imap = await world.other(user);
  await imap.mailboxOpen('INBOX');
  await imap.messageDelete('1:2');
  await imap.mailboxClose();
  world.seed(user, bareMessages(2, 'Third'));
  assert.equal(world.maildrop(user).length, 5);
  const third = await syncPop3Account(ctx);
  assert.deepEqual(third.newMessages.map((r) => r.subject).sort(), ['Third message 0', 'Third message 1']);
  assert.equal(tap.taps[2]!.count('RETR'), 2);

  // Mail removed on the server stays here (POP3: the local copy may be the only one), marked so.
  const all = await rows(db, account);
  assert.equal(all.length, 7);
  const removed = all.filter((r) => r.serverState === 'removed').map((r) => r.subject);
  assert.deepEqual(removed.sort(), ['First message 0', 'First message 1']);
  const pop3 = new Pop3Repo(db);
  for (const row of all) {
    const state = (await pop3.get(account.id, String(row.uid)))?.state;
    assert.equal(state, row.serverState === 'removed' ? 'removed-from-server' : 'stored');
  }

  // Nothing new: nothing downloaded, nothing announced.
  const fourth = await syncPop3Account(ctx);
  assert.deepEqual(fourth.newMessages, []);
  assert.equal(tap.taps[3]!.count('RETR') + tap.taps[3]!.count('TOP'), 0);
  assert.equal(new Set(await uids(db, account)).size, 7);
});

test('leave a copy ON keeps the server full; OFF empties it, and the store holds every message whole', async () => {
  const mail = Array.from({ length: 8 }, (_, i) => makeMessage(i, { seed: 31 }));
  const byId = new Map(mail.map((m) => [m.messageId, asRetrieved(m.raw)]));

  const keeper = world.newUser();
  world.seed(keeper, mail);
  const keepDb = await world.db();
  const keepAccount = world.account(keeper, { leaveCopy: true });
  await syncPop3Account(world.ctx(keepDb, keepAccount));
  assert.equal(world.maildrop(keeper).length, 8, 'the server still has every message');
  assert.equal((await rows(keepDb, keepAccount)).length, 8);

  const taker = world.newUser();
  world.seed(taker, mail);
  const takeDb = await world.db();
  const takeAccount = world.account(taker, { leaveCopy: false });
  const result = await syncPop3Account(world.ctx(takeDb, takeAccount));
  assert.equal(result.newMessages.length, 8);
  assert.equal(world.maildrop(taker).length, 0, 'the server is empty');
  const sources = await storedSources(takeDb, takeAccount);
  assert.equal(sources.size, 8);
  for (const [id, raw] of sources) assert.ok(raw.equals(byId.get(id)!), `${id} intact`);
  for (const row of await rows(takeDb, takeAccount)) {
    assert.equal(row.bodyState, 'full');
    assert.equal(row.serverState, 'removed');
    assert.equal(
      (await new Pop3Repo(takeDb).get(takeAccount.id, String(row.uid)))?.state,
      'removed-from-server',
    );
  }
  // The next sync finds an empty maildrop and changes nothing here.
  const again = await syncPop3Account(world.ctx(takeDb, takeAccount));
  assert.deepEqual(again.newMessages, []);
  assert.equal((await rows(takeDb, takeAccount)).length, 8);
});

test('remove after N days removes only the messages stored N days ago or more', async () => {
  const user = world.newUser();
  world.seed(user, bareMessages(3, 'Old'));
  const db = await world.db();
  const account = world.account(user, { leaveCopy: true, deleteAfterDays: 7 });
  const t0 = Date.UTC(2024, 5, 1, 12);
  await syncPop3Account(world.ctx(db, account, { now: () => t0 }));
  assert.equal(world.maildrop(user).length, 3);

  // Six days later nothing is due yet; new mail arrives.
  world.seed(user, bareMessages(2, 'Young'));
  await syncPop3Account(world.ctx(db, account, { now: () => t0 + 6 * DAY_MS }));
  assert.equal(world.maildrop(user).length, 5);

  // Eight days after the first sync: the three old ones (7+ days) go, the two young (2 days) stay.
  const tap = tapping(world.open);
  await syncPop3Account(world.ctx(db, account, { now: () => t0 + 8 * DAY_MS, open: tap.open }));
  assert.equal(tap.taps[0]!.count('DELE'), 3);
  const left = world.maildrop(user).map((raw) => /Subject: (.*)\r\n/.exec(raw.toString())![1]);
  assert.deepEqual(left.sort(), ['Young message 0', 'Young message 1']);
  const all = await rows(db, account);
  assert.equal(all.length, 5, 'every message is still here');
  assert.deepEqual(
    all
      .filter((r) => r.serverState === 'removed')
      .map((r) => r.subject)
      .sort(),
    ['Old message 0', 'Old message 1', 'Old message 2'],
  );
});

test('deleting here deletes on the server with the setting, and never re-downloads without it', async () => {
  for (const deleteWhenDeletedHere of [true, false]) {
    const user = world.newUser();
    world.seed(user, bareMessages(4, 'Here'));
    const db = await world.db();
    const account = world.account(user, { leaveCopy: true, deleteWhenDeletedHere });
    const tap = tapping(world.open);
    const ctx = world.ctx(db, account, { open: tap.open });
    await syncPop3Account(ctx);
    const gone = (await rows(db, account)).filter((r) => /message [02]$/.test(r.subject));
    assert.equal(gone.length, 2);
    await new Pop3Repo(db).deleteHere(
      account.id,
      gone.map((r) => String(r.uid)),
    );

    await syncPop3Account(ctx);
    const second = tap.taps[1]!;
    assert.equal(second.count('RETR') + second.count('TOP'), 0, 'nothing is downloaded again');
    const onServer = world.maildrop(user).map((raw) => /Subject: (.*)\r\n/.exec(raw.toString())![1]);
    if (deleteWhenDeletedHere) {
      assert.equal(second.count('DELE'), 2);
      assert.deepEqual(onServer.sort(), ['Here message 1', 'Here message 3']);
    } else {
      assert.equal(second.count('DELE'), 0);
      assert.equal(onServer.length, 4, 'the server keeps them');
    }
    const left = (await rows(db, account)).map((r) => r.subject).sort();
    assert.deepEqual(left, ['Here message 1', 'Here message 3']);
    const state = await new Pop3Repo(db).get(account.id, String(gone[0]!.uid));
    assert.equal(state?.state, deleteWhenDeletedHere ? 'removed-from-server' : 'deleted-locally');
    // And a third sync still downloads nothing.
    await syncPop3Account(ctx);
    assert.equal(tap.taps[2]!.count('RETR'), 0);
  }
});

test('a message above the threshold is fetched headers-first; opening it fetches the rest', async () => {
  const user = world.newUser();
  const big = makeMessage(0, { seed: 5, kind: 'attachment', size: 300_000 });
  const small = makeMessage(1, { seed: 5, kind: 'plain', size: 'small' });
  world.seed(user, [big, small]);
  const db = await world.db();
  const account = world.account(user, { leaveCopy: false, headersOnlyAboveBytes: 100_000 });
  const tap = tapping(world.open);
  const ctx = world.ctx(db, account, { open: tap.open });
  await syncPop3Account(ctx);
  assert.equal(tap.taps[0]!.count('TOP'), 1);
  assert.equal(tap.taps[0]!.count('RETR'), 1);

  const bodies = new BodiesRepo(db);
  const row = (await rows(db, account)).find((r) => r.subject === big.subject)!;
  assert.ok(row, 'the big message is listed with its headers');
  assert.equal(row.bodyState, 'headers');
  assert.equal(row.from?.address, big.from.address);
  assert.equal(row.messageId, big.messageId);
  assert.ok(row.size >= big.size, 'the size is the server’s');
  const key = [account.id, POP3_FOLDER, row.uid] as const;
  const head = await bodies.get([...key]);
  assert.equal(head?.complete, false);
  const rawHead = Buffer.from((await unpackSource(head!))!).toString('latin1');
  assert.ok(big.raw.startsWith(rawHead.trimEnd()), 'the header block is stored');
  // Not fully stored: with leave-a-copy off the big one stays on the server, the small one goes.
  assert.equal(world.maildrop(user).length, 1);
  assert.equal(row.serverState, 'on-server');

  // Opening it (the driver's loadBody) downloads the whole message in a new session.
  await pop3Driver.loadBody(ctx, POP3_FOLDER, row.uid);
  const full = await bodies.get([...key]);
  assert.equal(full?.complete, true);
  assert.ok(
    Buffer.from((await unpackSource(full!))!).equals(asRetrieved(big.raw)),
    'byte for byte what was delivered',
  );
  const readable = await readableBody(full!);
  assert.equal(readable.attachments.length, 1);
  assert.equal(readable.attachments[0]!.filename, big.attachment!.filename);
  assert.equal((await new MessagesRepo(db).get([...key]))?.bodyState, 'full');
  const bodySession = tap.taps[1]!;
  assert.deepEqual(
    bodySession.commands.filter((c) => /^(UIDL|LIST|RETR|DELE)/.test(c)).map((c) => c.split(' ')[0]),
    ['UIDL', 'LIST', 'RETR'],
  );
  assert.equal(bodySession.count('DELE'), 0, 'opening never deletes');

  // Now that it is stored whole, the next sync may remove it from the server.
  await syncPop3Account(ctx);
  assert.equal(world.maildrop(user).length, 0);
  assert.equal((await new MessagesRepo(db).get([...key]))?.serverState, 'removed');
});

test('STLS on the POP3 port; the probe logs in and counts; the driver syncs', async () => {
  const user = world.newUser();
  world.seed(user, bareMessages(4, 'Stls'));
  const account = world.account(user, {}, 'starttls');
  const tap = tapping(world.open);
  let loggedIn = false;
  const outcome = await probePop3Account(
    tap.open,
    account,
    world.ctx(await world.db(), account).password,
    () => {
      loggedIn = true;
    },
  );
  assert.deepEqual(outcome, { inboxCount: 4 });
  assert.equal(loggedIn, true);
  const commands = tap.taps[0]!.commands.map((c) => c.split(' ')[0]);
  assert.deepEqual(commands.slice(0, 2), ['CAPA', 'STLS'], 'STLS before any credential');
  assert.ok(commands.indexOf('STLS') < commands.indexOf('AUTH'));
  assert.ok(tap.taps[0]!.tls?.authorized === false && tap.taps[0]!.tls?.protocol, 'TLS via the pinned cert');
  assert.equal(commands.at(-1), 'QUIT');
  assert.equal(tap.taps[0]!.count('RETR') + tap.taps[0]!.count('DELE'), 0, 'the probe only looks');

  const db = await world.db();
  const result = await pop3Driver.sync(world.ctx(db, account));
  assert.equal(result.newMessages.length, 4);
  assert.equal(result.unread, 4);
  const folder = await new FoldersRepo(db).get(account.id, POP3_FOLDER);
  assert.equal(folder?.messages, 4);
  assert.ok(folder?.lastSync);
});

test('a first sync of a large maildrop announces nothing; later mail is announced', async () => {
  const user = world.newUser();
  const n = FIRST_SYNC_ANNOUNCE_MAX + 5;
  world.seed(user, bareMessages(n, 'Many'));
  const db = await world.db();
  const account = world.account(user);
  const progress: Array<[number, number]> = [];
  const first = await syncPop3Account(
    world.ctx(db, account, { onProgress: (d, t) => progress.push([d, t]) }),
  );
  assert.deepEqual(first.newMessages, []);
  assert.equal(first.unread, n);
  assert.deepEqual(progress.at(-1), [n, n]);
  assert.deepEqual(progress[0], [0, n]);
  world.seed(user, bareMessages(1, 'Later'));
  const second = await syncPop3Account(world.ctx(db, account));
  assert.deepEqual(
    second.newMessages.map((r) => r.subject),
    ['Later message 0'],
  );
  assert.equal(second.unread, n + 1);

  // Read state lives here: a message marked read stays read; the count follows.
  const messages = new MessagesRepo(db);
  await messages.setFlags([account.id, POP3_FOLDER, second.newMessages[0]!.uid], { seen: true });
  const third = await syncPop3Account(world.ctx(db, account));
  assert.equal(third.unread, n);
});

test('POP3 and IMAP agree on one mailbox: UIDL is the IMAP UID and UIDVALIDITY, DELE+QUIT expunges', async () => {
  const user = world.newUser();
  world.seed(user, bareMessages(5, 'Both'));
  const imap = await world.other(user);
  const mailbox = await imap.mailboxOpen('INBOX');
  const uidValidity = Number(mailbox.uidValidity);
  const imapUids = new Map<string, number>();
  for await (const msg of imap.fetch('1:*', { uid: true, envelope: true })) {
    imapUids.set(msg.envelope!.subject!, msg.uid);
  }
  await imap.mailboxClose();

  const db = await world.db();
  const account = world.account(user, { leaveCopy: true, deleteWhenDeletedHere: true });
  await syncPop3Account(world.ctx(db, account));
  // %08Xu%08Xv, Dovecot's default pop3_uidl_format (it writes the hex digits in lower case).
  const hex = (v: number) => v.toString(16).padStart(8, '0');
  for (const row of await rows(db, account)) {
    assert.equal(row.uid, `${hex(imapUids.get(row.subject)!)}${hex(uidValidity)}`, row.subject);
  }

  // IMAP expunges one: POP3 sees it gone. POP3 deletes two: IMAP sees them expunged.
  await imap.mailboxOpen('INBOX');
  await imap.messageDelete(String(imapUids.get('Both message 4')), { uid: true });
  await imap.mailboxClose();
  const toDelete = (await rows(db, account)).filter((r) => /message [01]$/.test(r.subject));
  await new Pop3Repo(db).deleteHere(
    account.id,
    toDelete.map((r) => String(r.uid)),
  );
  await syncPop3Account(world.ctx(db, account));
  const status = await imap.status('INBOX', { messages: true });
  assert.ok(status, 'STATUS answered');
  assert.equal(status.messages, 2);
  await imap.mailboxOpen('INBOX');
  const left: string[] = [];
  for await (const msg of imap.fetch('1:*', { envelope: true })) left.push(msg.envelope!.subject!);
  await imap.mailboxClose();
  assert.deepEqual(left.sort(), ['Both message 2', 'Both message 3']);
  const states = new Map<string, string | undefined>();
  const pop3 = new Pop3Repo(db);
  for (const [subject, uid] of imapUids) {
    states.set(subject, (await pop3.get(account.id, `${hex(uid)}${hex(uidValidity)}`))?.state);
  }
  assert.deepEqual(Object.fromEntries(states), {
    'Both message 0': 'removed-from-server',
    'Both message 1': 'removed-from-server',
    'Both message 2': 'stored',
    'Both message 3': 'stored',
    'Both message 4': 'removed-from-server',
  });
});

test('fetchPop3Body of a message deleted on the server meanwhile says so and marks it removed', async () => {
  const user = world.newUser();
  world.seed(user, [makeMessage(0, { seed: 9, size: 50_000 })]);
  const db = await world.db();
  const account = world.account(user, { headersOnlyAboveBytes: 10_000 });
  await syncPop3Account(world.ctx(db, account));
  const [row] = await rows(db, account);
  assert.equal(row?.bodyState, 'headers');
  const imap = await world.other(user);
  await imap.mailboxOpen('INBOX');
  await imap.messageDelete('1:*');
  await imap.mailboxClose();
  await assert.rejects(fetchPop3Body(world.ctx(db, account), String(row!.uid)), {
    name: 'EngineError',
    code: 'not_found',
  });
  assert.equal((await new MessagesRepo(db).get([account.id, POP3_FOLDER, row!.uid]))?.serverState, 'removed');
  assert.equal((await new BodiesRepo(db).get([account.id, POP3_FOLDER, row!.uid]))?.complete, false);
});

test('a message deleted here while its body downloads leaves no orphan body behind', async () => {
  const user = world.newUser();
  world.seed(user, [makeMessage(0, { seed: 11, size: 50_000 })]);
  const db = await world.db();
  const account = world.account(user, { headersOnlyAboveBytes: 10_000 });
  await syncPop3Account(world.ctx(db, account));
  const [uid] = await uids(db, account);
  const key = [account.id, POP3_FOLDER, uid!] as const;
  // The user deletes it just after the download began (deletes do not wait for the POP3 lock).
  const open = async (target: Parameters<typeof world.open>[0]) => {
    await new Pop3Repo(db).deleteHere(account.id, [uid!]);
    return world.open(target);
  };
  await assert.rejects(fetchPop3Body(world.ctx(db, account, { open }), uid!), { code: 'not_found' });
  assert.equal(await new BodiesRepo(db).get([...key]), undefined);
  assert.equal(await new MessagesRepo(db).get([...key]), undefined);
  assert.equal((await new Pop3Repo(db).get(account.id, uid!))?.state, 'deleted-locally');
});
