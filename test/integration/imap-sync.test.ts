import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Account } from '../../extension/accounts.ts';
import { SERVER_PREVIEWS_MIN } from '../../extension/mail/imap/fetch-summaries.ts';
import { loadOlderImap } from '../../extension/mail/imap/older.ts';
import { ImapSession } from '../../extension/mail/imap/session.ts';
import { syncImapAccount, syncOnSession } from '../../extension/mail/imap/sync.ts';
import type { SyncContext, SyncResult } from '../../extension/mail/sync-context.ts';
import type { TransportFactory } from '../../extension/relay/transport.ts';
import { FoldersRepo } from '../../extension/store/folders-repo.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import type { BiffDatabase, MessageRow } from '../../extension/store/schema.ts';
import { makeMailbox, makeMessage } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { appendMessages, ImapWorld } from './imap-helpers.ts';

let world: ImapWorld;
let plainWorld: ImapWorld;
/** Without COMPRESS, so the commands the engine sends can be read off the wire; with and without PREVIEW. */
let clearWorlds: { preview: ImapWorld; noPreview: ImapWorld };
before(async () => {
  let preview: ImapWorld;
  let noPreview: ImapWorld;
  [world, plainWorld, preview, noPreview] = await Promise.all([
    ImapWorld.start(),
    ImapWorld.start({ qresync: false }),
    ImapWorld.start({ compress: false, users: 3 }),
    ImapWorld.start({ compress: false, preview: false, users: 2 }),
  ]);
  clearWorlds = { preview, noPreview };
});
after(async () => {
  await Promise.all([
    world?.stop(),
    plainWorld?.stop(),
    clearWorlds?.preview.stop(),
    clearWorlds?.noPreview.stop(),
  ]);
});

/**
 * `open` whose connections show every write to `tap` first, as text (the connection must not be
 * compressed); when `tap` answers "drop", the connection is closed there instead of writing.
 */
function tappingWrites(open: TransportFactory, tap: (sent: string) => 'drop' | undefined): TransportFactory {
  return async (target) => {
    const transport = await open(target);
    return {
      get remote() {
        return transport.remote;
      },
      get tls() {
        return transport.tls;
      },
      onData: (handler) => transport.onData(handler),
      onClose: (handler) => transport.onClose(handler),
      write: (bytes) => {
        if (tap(Buffer.from(bytes).toString('latin1')) === 'drop') {
          transport.close();
          return Promise.resolve();
        }
        return transport.write(bytes);
      },
      startTls: () => transport.startTls(),
      close: () => transport.close(),
    };
  };
}

/** `open` that also keeps what the client writes, as text. */
function recordingCommands(open: TransportFactory, sent: string[]): TransportFactory {
  return tappingWrites(open, (text) => {
    sent.push(text);
    return undefined;
  });
}

async function rows(db: BiffDatabase, account: Account, folder = 'INBOX'): Promise<MessageRow[]> {
  const page = await new MessagesRepo(db).listNewest({ limit: 1000, accountId: account.id, folder });
  return page.rows;
}

test('previews: the server makes them where it offers PREVIEW (RFC 8970), part 1 is fetched elsewhere', async () => {
  for (const [name, w] of Object.entries(clearWorlds)) {
    const user = w.newUser();
    // Mixed kinds (plain, replies, multipart/alternative, HTML newsletters, attachments), one
    // chunk of enough messages for the server's previews.
    const sent = makeMailbox(SERVER_PREVIEWS_MIN, { seed: 5, size: 'small' });
    seedMaildir(
      w.dovecot,
      user,
      sent.map((m) => m.raw),
    );
    const sentBytes: string[] = [];
    const db = await w.db();
    const account = w.account(user);
    await syncImapAccount(w.ctx(db, account, { open: recordingCommands(w.open, sentBytes) }));
    const fetches = sentBytes
      .join('')
      .split('\r\n')
      .filter((line) => / UID FETCH /.test(line));
    const bodyPeeks = fetches.filter((line) => line.includes('BODY.PEEK['));
    const previewFetches = fetches.filter((line) => / PREVIEW\)/.test(line));
    if (name === 'preview') {
      assert.equal(previewFetches.length, 1, `one PREVIEW fetch: ${fetches.join(' | ')}`);
      assert.deepEqual(bodyPeeks, [], 'no message text downloaded for previews');
    } else {
      assert.deepEqual(previewFetches, [], 'PREVIEW not used where not offered');
      assert.ok(
        bodyPeeks.some((line) => line.includes('BODY.PEEK[1]<0.2048>')),
        fetches.join(' | '),
      );
    }
    const stored = await rows(db, account);
    assert.equal(stored.length, SERVER_PREVIEWS_MIN);
    for (const row of stored) {
      const m = sent[Number(row.uid) - 1]!;
      assert.ok(
        row.preview.includes(m.snippet.slice(0, 30)),
        `${name}: preview of ${row.uid} (${m.kind}) ${JSON.stringify(row.preview)} has ${JSON.stringify(m.snippet.slice(0, 30))}`,
      );
      assert.ok(row.preview.length <= 200, `${name}: ${row.preview.length} characters`);
      assert.doesNotMatch(row.preview, /\s{2}|^\s|\s$/, 'white space collapsed and trimmed');
    }
    // A few new messages come with part 1 on speculation: no extra round trip for them.
    await appendMessages(await w.other(user), 'INBOX', 3);
    sentBytes.length = 0;
    await syncImapAccount(w.ctx(db, account, { open: recordingCommands(w.open, sentBytes) }));
    const later = sentBytes
      .join('')
      .split('\r\n')
      .filter((line) => / UID FETCH /.test(line));
    assert.ok(
      later.some((line) => line.includes('BODY.PEEK[1]<0.2048>')) && !later.some((l) => / PREVIEW\)/.test(l)),
      `${name}: ${later.join(' | ')}`,
    );
    assert.equal((await rows(db, account)).length, SERVER_PREVIEWS_MIN + 3);
  }
});

test('initial sync: newest window, fields, previews, unread from STATUS, nothing announced', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  const sent = await appendMessages(other, 'INBOX', 30);
  const attachment = makeMessage(100, { kind: 'attachment', size: 'small' });
  await other.append('INBOX', attachment.raw, ['\\Flagged'], attachment.date);
  await other.mailboxOpen('INBOX');
  await other.messageFlagsAdd('1:10', ['\\Seen']);
  const db = await world.db();
  const account = world.account(user, { syncWindow: 25 });
  const progress: number[] = [];
  const result = await syncImapAccount(world.ctx(db, account, { onProgress: (done) => progress.push(done) }));

  assert.deepEqual(result.newMessages, [], 'a first sync announces nothing');
  assert.equal(result.unread, 21, 'STATUS UNSEEN counts beyond the window (31 messages, 10 seen)');
  assert.equal(progress.at(-1), 25);
  const stored = await rows(db, account);
  assert.equal(stored.length, 25, 'only the newest window');
  assert.deepEqual(
    stored.map((r) => r.uid).sort((a, b) => Number(a) - Number(b)),
    Array.from({ length: 25 }, (_, i) => i + 7),
  );
  const withAttachment = stored.find((r) => r.uid === 31)!;
  assert.equal(withAttachment.subject, attachment.subject);
  assert.equal(withAttachment.hasAttachments, true);
  assert.equal(withAttachment.flagged, true);
  assert.equal(withAttachment.seen, false);
  // INTERNALDATE has whole seconds (RFC 3501 §9 date-time).
  assert.equal(withAttachment.date, Math.floor(attachment.date.getTime() / 1000) * 1000, 'INTERNALDATE');
  for (const row of stored.filter((r) => Number(r.uid) <= 30)) {
    const m = sent[Number(row.uid) - 1]!;
    assert.equal(row.subject, m.subject);
    assert.equal(row.from?.address, m.from.address);
    assert.equal(row.from?.name, m.from.name);
    assert.equal(row.to[0]?.address, 'tester@biff.test');
    assert.equal(row.messageId, m.messageId);
    assert.equal(row.size, m.size);
    assert.equal(row.seen, Number(row.uid) <= 10);
    assert.equal(row.hasAttachments, m.kind === 'attachment');
    assert.ok(
      row.preview.includes(m.snippet.slice(0, 30)),
      `preview of ${row.uid} (${m.kind}) ${JSON.stringify(row.preview)} has ${JSON.stringify(m.snippet.slice(0, 30))}`,
    );
  }
  const folder = await new FoldersRepo(db).get(account.id, 'INBOX');
  assert.equal(folder?.unseen, 21);
  assert.equal(folder?.messages, 31);
  assert.equal(folder?.uidNext, 32);
  assert.equal(folder?.specialUse, '\\Inbox');

  // Older messages on demand extend the window downward.
  assert.deepEqual(await loadOlderImap(world.ctx(db, account), 'INBOX', 4), { loaded: 4, more: true });
  assert.deepEqual(await loadOlderImap(world.ctx(db, account), 'INBOX', 10), { loaded: 2, more: false });
  assert.equal((await rows(db, account)).length, 31);
});

/** The three ways incremental sync can run: QRESYNC, a server without CONDSTORE/QRESYNC, and QRESYNC turned off. */
interface Mode {
  name: string;
  world: () => ImapWorld;
  useQresync: boolean;
  expectModseq: boolean;
  /** Leaves QRESYNC out of the session's enabled set (CONDSTORE only: expunges found by UID SEARCH). */
  condstoreOnly?: boolean;
}

/** The ways incremental sync can run. */
const modes: Mode[] = [
  { name: 'QRESYNC', world: () => world, useQresync: true, expectModseq: true },
  {
    name: 'CONDSTORE without QRESYNC',
    world: () => world,
    useQresync: true,
    expectModseq: true,
    condstoreOnly: true,
  },
  {
    name: 'server without CONDSTORE/QRESYNC',
    world: () => plainWorld,
    useQresync: true,
    expectModseq: false,
  },
  { name: 'useQresync off', world: () => world, useQresync: false, expectModseq: false },
];

/** One sync as the mode wants it. */
async function syncIn(mode: Mode, ctx: SyncContext): Promise<SyncResult> {
  if (!mode.condstoreOnly) return syncImapAccount(ctx);
  const session = await ImapSession.open(ctx);
  try {
    // As on a server that has CONDSTORE but not QRESYNC: no VANISHED, so no expunges reported.
    session.client.enabled.delete('QRESYNC');
    assert.equal(session.caps.qresync, false);
    assert.equal(session.caps.condstore, true);
    return await syncOnSession(session, ['INBOX']);
  } finally {
    await session.close();
  }
}

for (const mode of modes) {
  test(`incremental (${mode.name}): new mail, flags and expunges by another client`, async () => {
    const w = mode.world();
    const user = w.newUser();
    const other = await w.other(user);
    await appendMessages(other, 'INBOX', 12);
    const db = await w.db();
    const account = w.account(user, { useQresync: mode.useQresync });
    const ctx = w.ctx(db, account);
    await syncIn(mode, ctx);
    const folders = new FoldersRepo(db);
    assert.equal((await folders.get(account.id, 'INBOX'))?.highestModseq !== null, mode.expectModseq);

    // Nothing changed: nothing announced, nothing rewritten.
    const quiet = await syncIn(mode, ctx);
    assert.deepEqual(quiet.newMessages, []);
    assert.equal(quiet.unread, 12);

    // New mail: two unread and one already read.
    const fresh = await appendMessages(other, 'INBOX', 2, { seed: 7 });
    await appendMessages(other, 'INBOX', 1, { seed: 8, seen: true });
    const withNew = await syncIn(mode, ctx);
    assert.deepEqual(withNew.newMessages.map((m) => m.uid).sort(), [13, 14]);
    assert.deepEqual(withNew.newMessages.map((m) => m.subject).sort(), fresh.map((m) => m.subject).sort());
    assert.equal(withNew.unread, 14);
    assert.equal((await rows(db, account)).length, 15);
    const again = await syncIn(mode, ctx);
    assert.deepEqual(again.newMessages, [], 'announced once');

    // Another client reads one, flags one, unflags nothing, and expunges two.
    await other.mailboxOpen('INBOX');
    await other.messageFlagsAdd('2', ['\\Seen'], { uid: true });
    await other.messageFlagsAdd('3', ['\\Flagged'], { uid: true });
    await other.messageFlagsRemove('15', ['\\Seen'], { uid: true });
    await other.messageDelete('5,7', { uid: true });
    const changed = await syncIn(mode, ctx);
    assert.deepEqual(changed.newMessages, [], 'flag changes are not new mail');
    assert.equal(changed.unread, 12);
    const after = new Map((await rows(db, account)).map((r) => [r.uid, r]));
    assert.equal(after.size, 13);
    assert.equal(after.has(5), false);
    assert.equal(after.has(7), false);
    assert.equal(after.get(2)?.seen, true);
    assert.equal(after.get(3)?.flagged, true);
    assert.equal(after.get(15)?.seen, false);
    assert.equal(after.get(4)?.seen, false);
    assert.equal(await new MessagesRepo(db).countUnread(account.id), 12);
  });
}

/** A small message without a Message-ID header (some automated mail has none). */
function withoutMessageId(n: number): { raw: Buffer; subject: string; date: Date } {
  const subject = `Robot report ${n}`;
  const date = new Date(Date.UTC(2026, 0, 1, 8, n));
  const raw = Buffer.from(
    [
      'From: Robot <robot@biff.test>',
      'To: tester@biff.test',
      `Subject: ${subject}`,
      `Date: ${date.toUTCString()}`,
      '',
      `Report number ${n}.`,
      '',
    ].join('\r\n'),
  );
  return { raw, subject, date };
}

/**
 * A Work folder Biff has cached (3 messages with a Message-ID, 1 without, all unread), then
 * deleted and recreated by another client (new UIDVALIDITY) holding the same 4 again plus mail
 * that arrived around the change: 2 unread and 1 read with a Message-ID, 1 unread without.
 * Returns the subjects the rebuild must announce.
 */
async function renumberedWork(w: ImapWorld, user: string, ctx: SyncContext) {
  const other = await w.other(user);
  await other.mailboxCreate('Work');
  const old = await appendMessages(other, 'Work', 3, { seed: 21 });
  const robot = withoutMessageId(1);
  await other.append('Work', robot.raw, [], robot.date);
  assert.deepEqual((await syncImapAccount(ctx)).newMessages, [], 'a first sync announces nothing');
  const cached = await rows(ctx.db, ctx.account, 'Work');
  assert.equal(cached.length, 4);
  const before = await new FoldersRepo(ctx.db).get(ctx.account.id, 'Work');

  // Delete and recreate: same name, new UIDVALIDITY, UIDs start at 1 again.
  await other.mailboxDelete('Work');
  await other.mailboxCreate('Work');
  for (const m of old) await other.append('Work', m.raw, [], m.date);
  await other.append('Work', robot.raw, [], robot.date);
  const fresh = await appendMessages(other, 'Work', 2, { seed: 22 });
  await appendMessages(other, 'Work', 1, { seed: 23, seen: true });
  const robotNew = withoutMessageId(2);
  await other.append('Work', robotNew.raw, [], robotNew.date);
  await other.logout();
  return { before, cached, expected: [...fresh.map((m) => m.subject), robotNew.subject].sort() };
}

test('UIDVALIDITY change: the rebuild announces exactly the unread mail that was not cached before', async () => {
  const user = world.newUser();
  const db = await world.db();
  const account = world.account(user, { folders: ['INBOX', 'Work'] });
  const ctx = world.ctx(db, account);
  const { before, cached, expected } = await renumberedWork(world, user, ctx);

  const result = await syncImapAccount(ctx);
  assert.deepEqual(result.newMessages.map((m) => m.subject).sort(), expected);
  assert.ok(result.newMessages.every((m) => m.folder === 'Work' && !m.seen));
  assert.equal(result.unread, 7);
  const folder = await new FoldersRepo(db).get(account.id, 'Work');
  assert.notEqual(folder?.uidValidity, before?.uidValidity);
  assert.equal(folder?.knownBefore, undefined, 'the rebuild is over');
  const now = await rows(db, account, 'Work');
  assert.equal(now.length, 8);
  assert.deepEqual(
    now.filter((r) => r.uid === 1 || r.uid === 2).length,
    2,
    'rows are keyed by the new UIDs, the old ones are gone',
  );
  // Each old id of the 4 unread messages found again is paired with its new one.
  const subjectOf = new Map([...cached, ...now].map((r) => [r.id, r.subject]));
  assert.equal(result.rebuilt?.length, 1);
  assert.equal(result.rebuilt?.[0]?.folder, 'Work');
  const pairs = result.rebuilt?.[0]?.renumbered ?? [];
  assert.deepEqual(pairs.map(([from]) => from).sort(), cached.map((r) => r.id).sort());
  for (const [from, to] of pairs) assert.equal(subjectOf.get(to), subjectOf.get(from), `${from} -> ${to}`);
  const again = await syncImapAccount(ctx);
  assert.deepEqual(again.newMessages, [], 'announced once');
  assert.equal(again.rebuilt, undefined);
});

/** `open` whose connections drop (closed under the sync) at the first write `when` picks. */
function droppingAt(open: TransportFactory, when: (sent: string) => boolean): TransportFactory {
  let dropped = false;
  return tappingWrites(open, (text) => {
    if (dropped || !when(text)) return undefined;
    dropped = true;
    return 'drop';
  });
}

test('UIDVALIDITY change: a rebuild cut short by a dropped connection and resumed announces each new message once', async () => {
  // Uncompressed, so the commands can be read off the wire.
  const w = clearWorlds.preview;
  for (const cut of ['before the summaries are fetched', 'after every row is stored'] as const) {
    const user = w.newUser();
    const db = await w.db();
    const account = w.account(user, { folders: ['INBOX', 'Work'] });
    const { expected } = await renumberedWork(w, user, w.ctx(db, account));

    // Drop the connection in the middle of the rebuild: at its first UID FETCH (nothing stored
    // yet), or at the STATUS after its last one (every row stored, nothing announced yet).
    let fetched = false;
    const open = droppingAt(w.open, (sent) => {
      if (/ UID FETCH /.test(sent)) {
        if (cut === 'before the summaries are fetched') return true;
        fetched = true;
      }
      return fetched && / STATUS "?Work"? /.test(sent);
    });
    await assert.rejects(syncImapAccount(w.ctx(db, account, { open })), `${cut}: the sync fails`);
    const halfway = await new FoldersRepo(db).get(account.id, 'Work');
    assert.equal(halfway?.uidNext, null, `${cut}: the rebuild is not over`);
    assert.equal(halfway?.knownBefore?.length, 4, `${cut}: what was cached is remembered`);
    const storedHalfway = await rows(db, account, 'Work');
    assert.equal(storedHalfway.length, cut === 'after every row is stored' ? 8 : 0, cut);

    const resumed = await syncImapAccount(w.ctx(db, account));
    assert.deepEqual(resumed.newMessages.map((m) => m.subject).sort(), expected, cut);
    assert.equal((await rows(db, account, 'Work')).length, 8, cut);
    assert.deepEqual((await syncImapAccount(w.ctx(db, account))).newMessages, [], `${cut}: announced once`);
  }
});

test('a watched folder deleted and made again, looked at in between: the new mail in it is announced, the old not', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await other.mailboxCreate('Work');
  const old = await appendMessages(other, 'Work', 2, { seed: 51 });
  const db = await world.db();
  const account = world.account(user, { folders: ['INBOX', 'Work'] });
  const ctx = world.ctx(db, account);
  await syncImapAccount(ctx);
  await other.mailboxDelete('Work');
  const between = await syncImapAccount(ctx);
  assert.equal(between.unread, 0, 'nothing counted for a folder that is gone');
  assert.equal((await rows(db, account, 'Work')).length, 0);

  await other.mailboxCreate('Work');
  for (const m of old) await other.append('Work', m.raw, [], m.date);
  const fresh = await appendMessages(other, 'Work', 1, { seed: 52 });
  const back = await syncImapAccount(ctx);
  assert.deepEqual(
    back.newMessages.map((m) => m.subject),
    fresh.map((m) => m.subject),
  );
  assert.equal(back.unread, 3);
  assert.deepEqual((await syncImapAccount(ctx)).newMessages, [], 'announced once');
});

test('mail another client moves between watched folders is not announced again; new mail with it is', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  await other.mailboxCreate('Work');
  const inbox = await appendMessages(other, 'INBOX', 3, { seed: 41 });
  const robot = withoutMessageId(3);
  await other.append('INBOX', robot.raw, [], robot.date);
  const db = await world.db();
  const account = world.account(user, { folders: ['INBOX', 'Work'] });
  const ctx = world.ctx(db, account);
  await syncImapAccount(ctx);

  // INBOX is synced first: it sees two of them gone before Work sees them arrive.
  await other.mailboxOpen('INBOX');
  await other.messageMove('1,4', 'Work', { uid: true });
  const fresh = await appendMessages(other, 'Work', 1, { seed: 42 });
  const moved = await syncImapAccount(ctx);
  assert.deepEqual(
    moved.newMessages.map((m) => m.subject),
    fresh.map((m) => m.subject),
  );
  assert.deepEqual(
    (await rows(db, account, 'Work')).map((r) => r.subject).sort(),
    [inbox[0]!.subject, robot.subject, fresh[0]!.subject].sort(),
  );

  // And back: INBOX, synced first, finds them while Work still holds them.
  await other.mailboxOpen('Work');
  await other.messageMove('1:*', 'INBOX', { uid: true });
  const back = await syncImapAccount(ctx);
  assert.deepEqual(back.newMessages, []);
  assert.equal((await rows(db, account, 'INBOX')).length, 5);
  assert.equal((await rows(db, account, 'Work')).length, 0);

  // Seen gone by one sync, seen arriving by a later one: push syncs only INBOX on an EXPUNGE,
  // and Work is synchronised at the next check.
  await other.mailboxOpen('INBOX');
  await other.messageMove('1:*', 'Work', { uid: true });
  const session = await ImapSession.open(ctx);
  try {
    assert.deepEqual((await syncOnSession(session, ['INBOX'])).newMessages, []);
  } finally {
    await session.close();
  }
  assert.equal((await rows(db, account, 'INBOX')).length, 0, 'INBOX saw them go');
  assert.deepEqual((await syncImapAccount(ctx)).newMessages, [], 'Work: still known');
  assert.equal((await rows(db, account, 'Work')).length, 5);
  await other.logout();
});

test('mail in Junk is counted but not announced', async () => {
  const user = world.newUser();
  const other = await world.other(user);
  const db = await world.db();
  const account = world.account(user, { folders: ['INBOX', 'Junk'] });
  const ctx = world.ctx(db, account);
  await syncImapAccount(ctx);
  await appendMessages(other, 'Junk', 2, { seed: 31 });
  await appendMessages(other, 'INBOX', 1, { seed: 32 });
  const result = await syncImapAccount(ctx);
  assert.deepEqual(
    result.newMessages.map((m) => m.folder),
    ['INBOX'],
  );
  assert.equal(result.unread, 3);
});
