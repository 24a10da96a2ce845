/**
 * The engine as the background runs it, against a real Dovecot through the real relay: the
 * Engine facade with both protocol drivers, the scheduler, IMAP push and the user's actions.
 * Only the browser is replaced: `ws` as the WebSocket (recording what it sends, so a test can
 * tell which bytes reached the relay and when), fake-indexeddb, and settings in a Map.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { constants, inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { createHandlers } from '../../background/handlers.ts';
import type { Handlers } from '../../background/router.ts';
import { type Account, DEFAULT_IMAP, type ImapSettings } from '../../extension/accounts.ts';
import type { AccountStatus, BackgroundEvent } from '../../extension/contract.ts';
import { Actions, UNDO_HOLDS_KEY } from '../../extension/engine/actions.ts';
import { DeleteHolds } from '../../extension/engine/delete-holds.ts';
import { Engine } from '../../extension/engine/engine.ts';
import { imapDriver } from '../../extension/mail/imap/driver.ts';
import { readableBody } from '../../extension/mail/mime/readable-body.ts';
import { pop3Driver } from '../../extension/mail/pop3/driver.ts';
import { FIRST_SYNC_ANNOUNCE_MAX } from '../../extension/mail/pop3/plan.ts';
import type { WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import { purgeAccount } from '../../extension/store/account-purge.ts';
import { BodiesRepo } from '../../extension/store/bodies-repo.ts';
import { unpackSource } from '../../extension/store/body-source.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { PendingRepo } from '../../extension/store/pending-repo.ts';
import { Pop3Repo } from '../../extension/store/pop3-repo.ts';
import { type BiffDatabase, type MessageRow, POP3_FOLDER } from '../../extension/store/schema.ts';
import { type KeyValueArea, SettingsStore } from '../../extension/store/settings.ts';
import { startRelay } from '../relay/helpers.ts';
import { messageCount, serverInbox } from '../servers/imap-client.ts';
import { bareMessages, makeMessage } from '../servers/messages.ts';
import { memoryArea } from '../support/memory-area.ts';
import { PASSWORD } from '../support/server-world.ts';
import { waitFor } from './engine-world.ts';
import { asRetrieved, Pop3World } from './pop3-helpers.ts';

/** One Dovecot (IMAP and POP3 on the same maildirs) and one relay for the whole file. */
let world: Pop3World;
test.before(async () => {
  world = await Pop3World.start({ users: 30 });
});
test.after(async () => {
  await world?.stop();
});

/**
 * `ws`, recording into `timeline` every connection it opens (`open`) and every chunk Biff sends
 * through the relay (`sent:` and the text). The relay terminates TLS, so this is the IMAP or
 * POP3 conversation in clear, except that imapflow turns on COMPRESS=DEFLATE (RFC 4978) when
 * Dovecot offers it: from then on the chunks are inflated here, synchronously, so each lands
 * in the timeline at the moment it was sent.
 */
function recordingWebSocket(timeline: string[]): WebSocketConstructor {
  class Recording extends WebSocket {
    constructor(url: string, protocols: string[]) {
      super(url, protocols);
      timeline.push(`open:${url}`);
      let deflated: Buffer[] | null = null;
      let inflatedBytes = 0;
      const send = this.send.bind(this) as (...args: unknown[]) => void;
      this.send = ((data: unknown, ...rest: unknown[]) => {
        if (typeof data !== 'string') {
          const chunk = Buffer.from(data as Uint8Array);
          let text: string;
          if (deflated) {
            deflated.push(chunk);
            // Each chunk ends on a sync flush: the stream so far inflates without an end.
            const all = inflateRawSync(Buffer.concat(deflated), { finishFlush: constants.Z_SYNC_FLUSH });
            text = all.subarray(inflatedBytes).toString('latin1');
            inflatedBytes = all.length;
          } else {
            text = chunk.toString('latin1');
            if (/^\S+ COMPRESS DEFLATE\r\n/.test(text)) deflated = [];
          }
          timeline.push(`sent:${text}`);
        }
        send(data, ...rest);
      }) as typeof this.send;
    }
  }
  return Recording as unknown as WebSocketConstructor;
}

interface Harness {
  engine: Engine;
  actions: Actions;
  /** The background's contract handlers over this engine. */
  handlers: Handlers;
  db: BiffDatabase;
  settings: SettingsStore;
  /** storage.local: the settings' and the stored undo windows'. */
  area: KeyValueArea;
  /** Every alarm time Actions asked for (null: no alarm). */
  wakes: (number | null)[];
  /** Everything the engine emitted, in order. */
  events: BackgroundEvent[];
  /** `status:<account>:<unread>` for each status event, interleaved with the socket records. */
  timeline: string[];
  /** What onNewMail received. */
  newMail: MessageRow[];
}

/** An engine and actions over a fresh database, paired with the world's relay, for `accounts`. */
async function harness(
  t: TestContext,
  accounts: Account[],
  options: {
    push?: boolean;
    undoWindowMs?: number;
    password?: string;
    /** The database and settings of an earlier harness: a worker starting again on its data. */
    restart?: Harness;
    /** Pair with the world's relay before starting (default true). */
    paired?: boolean;
  } = {},
): Promise<Harness> {
  const db = options.restart?.db ?? (await world.db());
  const area = options.restart?.area ?? memoryArea();
  const settings = options.restart?.settings ?? new SettingsStore(area);
  if (!options.restart) {
    if (options.paired !== false) await settings.updateSettings({ relay: world.endpoint });
    for (const account of accounts) await settings.saveAccount(account, options.password ?? PASSWORD);
  }
  const events: BackgroundEvent[] = [];
  const timeline: string[] = [];
  const newMail: MessageRow[] = [];
  const relaySocket = { WebSocket: recordingWebSocket(timeline) };
  const holds = new DeleteHolds();
  const emit = (event: BackgroundEvent) => {
    events.push(event);
    if (event.biffEvent === 'status')
      for (const s of event.accounts) timeline.push(`status:${s.accountId}:${s.unread}`);
  };
  const engine = new Engine({
    db,
    settings,
    drivers: { imap: imapDriver, pop3: pop3Driver },
    holds,
    relaySocket,
    push: options.push ?? false,
    emit,
    persist: () => {},
    onNewMail: (_account, messages) => newMail.push(...messages),
  });
  const wakes: (number | null)[] = [];
  const actions = new Actions(
    { engine, db, holds, emit, area, wake: (at) => wakes.push(at) },
    options.undoWindowMs === undefined ? {} : { undoWindowMs: options.undoWindowMs },
  );
  // As the background starts: the stored undo windows are held before the start-up replay.
  await actions.resumeHolds();
  await engine.start();
  t.after(async () => {
    await actions.commitAll();
    await engine.stop();
    // The checks a committed delete starts run to their end before the next test.
    await new Promise((r) => setImmediate(r));
    await waitFor(() => accounts.every((a) => !engine.scheduler.isRunning(a.id)), 60_000, 'checks over');
  });
  const handlers = createHandlers({ engine, actions, settings, relaySocket });
  return { engine, actions, handlers, db, settings, area, wakes, events, timeline, newMail };
}

/** An IMAP account on the world's Dovecot (IMAPS, certificate pinned). */
function imapAccount(user: string, imap: Partial<ImapSettings> = {}): Account {
  return world.accountFor(user, 'imap', 'implicit', { imap: { ...DEFAULT_IMAP, ...imap } });
}

/** Stored rows of an account (hidden ones included), by uid. */
async function rowsOf(db: BiffDatabase, account: Account): Promise<MessageRow[]> {
  const messages = new MessagesRepo(db);
  const uids = await messages.uidsInFolder(account.id, 'INBOX');
  const rows = await Promise.all(uids.map((uid) => messages.get([account.id, 'INBOX', uid])));
  return rows.filter((r): r is MessageRow => r !== undefined);
}

async function rowBySubject(db: BiffDatabase, account: Account, subject: string): Promise<MessageRow> {
  const row = (await rowsOf(db, account)).find((r) => r.subject === subject);
  assert.ok(row, `a stored row "${subject}"`);
  return row;
}

function statusOf(h: Harness, account: Account): AccountStatus {
  return h.engine.scheduler.status(account.id);
}

/** Commands that change a mailbox: IMAP MOVE, COPY, STORE, EXPUNGE (UID or not), POP3 DELE. */
const DESTRUCTIVE = /\b(MOVE|COPY|STORE|EXPUNGE)\b|\bDELE \d/;

/** Records in `timeline` from index `from` on that are bytes sent and match `pattern`. */
/** The connections opened since `from` (their `open:` records). */
function openedSince(timeline: string[], from: number): string[] {
  return timeline.slice(from).filter((e) => e.startsWith('open:'));
}

function sentSince(timeline: string[], from: number, pattern: RegExp): string[] {
  return timeline.slice(from).filter((e) => e.startsWith('sent:') && pattern.test(e));
}

test('a sync through the scheduler sets statuses and unread counts: IMAP from STATUS beyond the window, POP3 from the store', async (t) => {
  const imapUser = world.newUser();
  const popUser = world.newUser();
  // 8 messages, the first two read: 6 unread, of which the 3-message window holds 3.
  world.seed(imapUser, bareMessages(8, 'Window'), {
    seen: [true, true, false, false, false, false, false, false],
  });
  world.seed(popUser, bareMessages(4, 'Drop'));
  const imap = imapAccount(imapUser, { syncWindow: 3 });
  const pop = world.account(popUser);
  const h = await harness(t, [imap, pop]);

  const before = Date.now();
  const [si, sp] = await h.engine.syncAll('manual');
  assert.equal(si?.state, 'idle', JSON.stringify(si?.error));
  assert.equal(sp?.state, 'idle', JSON.stringify(sp?.error));
  for (const s of [si!, sp!]) {
    assert.ok(s.lastSuccess !== null && s.lastSuccess >= before);
    assert.equal(s.nextCheck, s.lastSuccess + 5 * 60_000, 'the next check is one interval later');
    assert.equal(s.error, undefined);
  }
  assert.equal((await rowsOf(h.db, imap)).length, 3, 'only the window is cached');
  assert.equal(si!.unread, 6, 'STATUS UNSEEN counts the unread mail beyond the window too');
  assert.equal(sp!.unread, 4, 'POP3 counts its stored unread mail');
  assert.equal(h.engine.status().totalUnread, 10);
  const states = h.events
    .filter((e): e is Extract<BackgroundEvent, { biffEvent: 'status' }> => e.biffEvent === 'status')
    .map((e) => e.accounts.find((a) => a.accountId === pop.id)?.state);
  assert.ok(states.includes('syncing') && states.at(-1) === 'idle', `status events: ${states}`);

  // POP3 read state lives in the store: marking one read here is what the count follows.
  const popRow = await rowBySubject(h.db, pop, 'Drop message 0');
  await h.actions.setSeen([popRow.id], true);
  assert.equal(statusOf(h, pop).unread, 3);
  assert.equal((await h.engine.sync(pop.id, 'manual')).unread, 3, 'and a sync keeps it');
});

test('onNewMail gets the new unread mail of later syncs, never the mail an initial sync finds', async (t) => {
  const imapUser = world.newUser();
  const popUser = world.newUser();
  world.seed(imapUser, bareMessages(3, 'Old'));
  // POP3 announces a first sync only when it brings little mail (plan.ts): this one brings more.
  world.seed(popUser, bareMessages(FIRST_SYNC_ANNOUNCE_MAX + 1, 'Old'));
  const imap = imapAccount(imapUser);
  const pop = world.account(popUser);
  const h = await harness(t, [imap, pop]);

  await h.engine.syncAll('manual');
  assert.equal(h.newMail.length, 0, 'nothing announced by the initial syncs');

  const other = await world.other(imapUser);
  const fresh = makeMessage(1, { size: 'small', seed: 41 });
  const read = makeMessage(2, { size: 'small', seed: 41 });
  await other.append('INBOX', fresh.raw, [], fresh.date);
  await other.append('INBOX', read.raw, ['\\Seen'], read.date);
  world.seed(popUser, bareMessages(2, 'Fresh'));
  const [si, sp] = await h.engine.syncAll('manual');
  assert.deepEqual(
    h.newMail.map((m) => `${m.accountId === imap.id ? 'imap' : 'pop3'}:${m.subject}`).sort(),
    [`imap:${fresh.subject}`, 'pop3:Fresh message 0', 'pop3:Fresh message 1'].sort(),
    'exactly the new unread messages, the read one not',
  );
  assert.equal(si?.unread, 4);
  assert.equal(sp?.unread, FIRST_SYNC_ANNOUNCE_MAX + 3);
  assert.equal(h.engine.newCount(imap.id), 1);
  assert.equal(h.engine.newCount(pop.id), 2);
});

test('badge mode "new": mail new since the popup was opened, and only while it is still unread', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(2, 'Seen before'));
  const imap = imapAccount(user);
  const h = await harness(t, [imap]);
  await h.engine.sync(imap.id, 'manual');
  const other = await world.other(user);
  for (const i of [1, 2, 3]) {
    const m = makeMessage(i, { size: 'small', seed: 43 });
    await other.append('INBOX', m.raw, [], m.date);
  }
  await h.engine.sync(imap.id, 'manual');
  assert.equal(h.engine.newCount(imap.id), 3);

  // Read here (a notification's "Mark as read"): no longer new.
  const [first] = h.newMail;
  await h.actions.setSeen([first!.id], true);
  assert.equal(h.engine.newCount(imap.id), 2);
  // Read in another client: the next sync learns it, and it is no longer new either.
  const second = h.newMail[1]!;
  await other.mailboxOpen('INBOX');
  await other.messageFlagsAdd(String(second.uid), ['\\Seen'], { uid: true });
  await h.engine.sync(imap.id, 'manual');
  assert.equal(h.engine.newCount(imap.id), 1);
  // Deleted here: gone from the count at once.
  await h.actions.deleteMessages([h.newMail[2]!.id]);
  assert.equal(h.engine.newCount(imap.id), 0);
  await h.engine.sync(imap.id, 'manual');
  assert.equal(h.engine.newCount(imap.id), 0);

  const m = makeMessage(4, { size: 'small', seed: 43 });
  await other.append('INBOX', m.raw, [], m.date);
  await h.engine.sync(imap.id, 'manual');
  assert.equal(h.engine.newCount(imap.id), 1);
  h.engine.looked();
  assert.equal(h.engine.newCount(imap.id), 0, 'opening the popup starts again from zero');
});

test('a wrong password is an auth error that is not retried by itself', async (t) => {
  const imap = imapAccount(world.newUser());
  const pop = world.account(world.newUser());
  const h = await harness(t, [imap, pop], { password: 'not the password' });
  for (const account of [imap, pop]) {
    const s = await h.engine.sync(account.id, 'manual');
    assert.equal(s.state, 'error');
    assert.equal(s.error?.kind, 'auth', `${account.protocol}: ${JSON.stringify(s.error)}`);
    assert.equal(s.error?.code, 'auth_failed');
    assert.doesNotMatch(JSON.stringify(s), /not the password/);
    assert.equal(s.nextCheck, null, `${account.protocol}: no next check`);
  }
  const aYearOn = Date.now() + 365 * 24 * 3_600_000;
  assert.deepEqual(h.engine.due(aYearOn), [], 'neither account is ever due by itself');
});

test('a stopped relay is a relay error with a retry time; the retry works once it is back', async (t) => {
  const imap = imapAccount(world.newUser());
  const pop = world.account(world.newUser());
  const h = await harness(t, [imap, pop]);
  await world.stopRelay();
  try {
    for (const account of [imap, pop]) {
      const before = Date.now();
      const s = await h.engine.sync(account.id, 'alarm');
      const after = Date.now();
      assert.equal(s.state, 'error');
      assert.equal(s.error?.kind, 'relay', `${account.protocol}: ${JSON.stringify(s.error)}`);
      assert.equal(s.error?.code, 'relay_unreachable');
      assert.ok(
        s.nextCheck !== null && s.nextCheck >= before + 30_000 && s.nextCheck <= after + 30_000,
        `${account.protocol}: first retry 30 s later (${s.nextCheck! - after})`,
      );
      assert.deepEqual(h.engine.due(s.nextCheck! - 1).includes(account.id), false);
      assert.deepEqual(h.engine.due(s.nextCheck!).includes(account.id), true);
    }
  } finally {
    await world.restartRelay();
  }
  for (const account of [imap, pop]) {
    const s = await h.engine.sync(account.id, 'retry');
    assert.equal(s.state, 'idle', JSON.stringify(s.error));
    assert.equal(h.engine.scheduler.failures(account.id), 0);
  }
});

test('an untrusted certificate is a certificate error with its details, not retried by itself', async (t) => {
  const imap = { ...imapAccount(world.newUser()), pin: undefined };
  // POP3 over STLS: the certificate is checked in the middle of the POP3 conversation.
  const pop = { ...world.account(world.newUser(), {}, 'starttls'), pin: undefined };
  const h = await harness(t, [imap, pop]);
  for (const account of [imap, pop]) {
    const s = await h.engine.sync(account.id, 'manual');
    assert.equal(s.error?.kind, 'certificate', `${account.protocol}: ${JSON.stringify(s.error)}`);
    assert.equal(s.error?.code, 'tls_untrusted');
    assert.equal(s.error?.certificate?.fingerprint256, world.dovecot.fingerprint256);
    assert.match(s.error?.certificate?.subject ?? '', /localhost/);
    assert.equal(s.nextCheck, null);
  }
});

test('IMAP push started by engine.start() delivers new mail with no sync asked for; disabling the account stops it', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(2, 'Before push'));
  const imap = imapAccount(user);
  const h = await harness(t, [imap], { push: true });
  await waitFor(() => statusOf(h, imap).push && statusOf(h, imap).unread === 2, 30_000, 'push idle');

  const other = await world.other(user);
  const m = makeMessage(7, { size: 'small', seed: 47 });
  await other.append('INBOX', m.raw, [], m.date);
  await waitFor(() => h.newMail.some((r) => r.subject === m.subject), 20_000, 'the pushed message');
  assert.equal(statusOf(h, imap).unread, 3);
  assert.ok(
    (await rowsOf(h.db, imap)).some((r) => r.subject === m.subject),
    'stored',
  );
  assert.ok(
    h.events.some((e) => e.biffEvent === 'messages-changed' && e.accountIds.includes(imap.id)),
    'pages are told',
  );
  const syncing = h.events.filter(
    (e) =>
      e.biffEvent === 'status' && e.accounts.some((a) => a.accountId === imap.id && a.state === 'syncing'),
  );
  assert.deepEqual(syncing, [], 'the scheduler never ran a sync: push did it all');

  await h.settings.saveAccount({ ...imap, enabled: false });
  await h.engine.reloadAccounts();
  assert.equal(statusOf(h, imap).push, false, 'push stopped with the account disabled');
  await h.settings.saveAccount(imap);
  await h.engine.reloadAccounts();
  await waitFor(() => statusOf(h, imap).push, 30_000, 'push again once re-enabled');
});

test('opening an IMAP message while push is up fetches its body over the push connection: no second login', async (t) => {
  const user = world.newUser();
  const letter = makeMessage(4, { seed: 61, kind: 'plain', size: 5_000 });
  world.seed(user, [letter]);
  const imap = imapAccount(user);
  const h = await harness(t, [imap], { push: true });
  await waitFor(() => statusOf(h, imap).push && statusOf(h, imap).unread === 1, 30_000, 'push idle');
  const row = await rowBySubject(h.db, imap, letter.subject);

  const mark = h.timeline.length;
  await h.actions.loadBody(row.id);
  const body = await new BodiesRepo(h.db).get([imap.id, 'INBOX', row.uid]);
  assert.equal(body?.complete, true);
  assert.ok((await readableBody(body!)).text?.includes(letter.snippet), 'the text part is there');
  assert.deepEqual(openedSince(h.timeline, mark), [], 'no connection opened');
  assert.equal(sentSince(h.timeline, mark, /UID FETCH \d+ \(UID BODY\.PEEK\[\]/).length, 1, 'sent on push');

  // The push connection went back to idling on INBOX: new mail still arrives by itself.
  const other = await world.other(user);
  const m = makeMessage(8, { size: 'small', seed: 67 });
  await other.append('INBOX', m.raw, [], m.date);
  await waitFor(() => h.newMail.some((r) => r.subject === m.subject), 20_000, 'pushed after the body');
  assert.deepEqual(openedSince(h.timeline, mark), [], 'still the one connection');
});

test('"Sync now" while push is up syncs every watched folder over the push connection: no second login', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(1, 'Inbox'));
  const other = await world.other(user);
  await other.mailboxCreate('Work');
  const imap = imapAccount(user, { folders: ['INBOX', 'Work'] });
  const h = await harness(t, [imap], { push: true });
  await waitFor(() => statusOf(h, imap).push && statusOf(h, imap).unread === 1, 30_000, 'push idle');

  // New mail in a watched folder the push connection is not idling on: only a sync sees it.
  const m = makeMessage(9, { size: 'small', seed: 71 });
  await other.append('Work', m.raw, [], m.date);
  const mark = h.timeline.length;
  const started = performance.now();
  const status = await h.engine.sync(imap.id, 'manual');
  console.log(
    `"Sync now" of INBOX and Work over the push connection: ${(performance.now() - started).toFixed(0)} ms`,
  );
  assert.equal(status.state, 'idle');
  assert.equal(status.unread, 2, 'INBOX and Work');
  const work = await new MessagesRepo(h.db).listNewest({ limit: 10, accountId: imap.id, folder: 'Work' });
  assert.deepEqual(
    work.rows.map((r) => r.subject),
    [m.subject],
  );
  assert.deepEqual(openedSince(h.timeline, mark), [], 'no connection opened');
  assert.ok(
    sentSince(h.timeline, mark, /SELECT "?Work"?|EXAMINE "?Work"?|STATUS "?Work"?/).length > 0,
    'Work synced on push',
  );
  assert.ok(
    h.events.some((e) => e.biffEvent === 'sync-progress' && e.accountId === imap.id),
    'progress reported as for any sync',
  );

  // And the push connection went back to idling on INBOX: new mail there still arrives by itself.
  const n = makeMessage(10, { size: 'small', seed: 73 });
  await other.append('INBOX', n.raw, [], n.date);
  await waitFor(() => h.newMail.some((r) => r.subject === n.subject), 20_000, 'pushed after the sync');
  assert.deepEqual(openedSince(h.timeline, mark), [], 'still the one connection');
});

test('scrolling past the cached window while push is up loads older mail over the push connection', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(6, 'Older'));
  const imap = imapAccount(user, { syncWindow: 2 });
  const h = await harness(t, [imap], { push: true });
  await waitFor(() => statusOf(h, imap).push && statusOf(h, imap).unread === 6, 30_000, 'push idle');
  assert.equal((await rowsOf(h.db, imap)).length, 2, 'the window');

  const mark = h.timeline.length;
  assert.deepEqual(await h.handlers.loadOlder({ accountId: imap.id, folder: 'INBOX', count: 3 }), {
    added: 3,
    exhausted: false,
  });
  assert.deepEqual(await h.handlers.loadOlder({ accountId: imap.id, folder: 'INBOX', count: 3 }), {
    added: 1,
    exhausted: true,
  });
  assert.deepEqual(
    (await rowsOf(h.db, imap)).map((r) => r.uid).sort((a, b) => Number(a) - Number(b)),
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(openedSince(h.timeline, mark), [], 'no connection opened');
  assert.equal(sentSince(h.timeline, mark, /UID SEARCH|SEARCH UID/).length, 2, 'searched on push');
});

test('setSeen on IMAP: the unread count drops before anything is sent, then the server has \\Seen', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(3, 'Seen'));
  const imap = imapAccount(user);
  const h = await harness(t, [imap]);
  assert.equal((await h.engine.sync(imap.id, 'manual')).unread, 3);
  const row = await rowBySubject(h.db, imap, 'Seen message 1');

  const mark = h.timeline.length;
  await h.actions.setSeen([row.id], true);
  assert.equal(statusOf(h, imap).unread, 2, 'at once');
  await waitFor(() => sentSince(h.timeline, mark, /UID STORE/).length > 0, 20_000, 'the STORE');
  const dropped = h.timeline.indexOf(`status:${imap.id}:2`, mark);
  const stored = h.timeline.findIndex((e, i) => i >= mark && e.startsWith('sent:') && /UID STORE/.test(e));
  assert.ok(dropped !== -1 && dropped < stored, 'the count dropped before the STORE left');

  const other = await world.other(user);
  await waitFor(
    async () => (await serverInbox(other)).get('Seen message 1') === true,
    20_000,
    '\\Seen on the server',
  );
  assert.equal((await serverInbox(other)).get('Seen message 0'), false, 'the others untouched');
  await waitFor(() => !h.engine.scheduler.isRunning(imap.id), 20_000, 'the follow-up sync');
  assert.equal(statusOf(h, imap).unread, 2);
  assert.deepEqual(await new PendingRepo(h.db).peekAll(imap.id), []);
});

test('setSeen on POP3 stays here: no connection, the count follows the store', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(2, 'Local'));
  const pop = world.account(user);
  const h = await harness(t, [pop]);
  assert.equal((await h.engine.sync(pop.id, 'manual')).unread, 2);
  const row = await rowBySubject(h.db, pop, 'Local message 0');
  const mark = h.timeline.length;
  const eventsMark = h.events.length;
  await h.actions.setSeen([row.id], true);
  assert.equal(statusOf(h, pop).unread, 1);
  assert.equal((await new MessagesRepo(h.db).get([pop.id, POP3_FOLDER, row.uid]))?.seen, true);
  assert.equal(h.engine.scheduler.isRunning(pop.id), false);
  assert.deepEqual(
    h.events.slice(eventsMark).filter((e) => e.biffEvent === 'status' && e.accounts[0]?.state === 'syncing'),
    [],
    'no check was started',
  );
  assert.deepEqual(openedSince(h.timeline, mark), [], 'no connection opened');
  await h.actions.setSeen([row.id], false);
  assert.equal(statusOf(h, pop).unread, 2);
});

test('delete then undo within the window: IMAP sends nothing (even when a sync runs meanwhile), POP3 gets its row back', async (t) => {
  const imapUser = world.newUser();
  const popUser = world.newUser();
  world.seed(imapUser, bareMessages(3, 'Keep'));
  world.seed(popUser, bareMessages(3, 'Keep'));
  const imap = imapAccount(imapUser);
  const pop = world.account(popUser, { deleteWhenDeletedHere: true });
  // A window long enough for a whole sync to run inside it on a slow machine.
  const h = await harness(t, [imap, pop], { undoWindowMs: 120_000 });
  await h.engine.syncAll('manual');
  const imapRow = await rowBySubject(h.db, imap, 'Keep message 1');
  const popRow = await rowBySubject(h.db, pop, 'Keep message 1');

  const mark = h.timeline.length;
  const undo = await h.actions.deleteMessages([imapRow.id, popRow.id]);
  assert.equal((await new MessagesRepo(h.db).get([imap.id, 'INBOX', imapRow.uid]))?.deletedLocally, true);
  assert.equal((await new MessagesRepo(h.db).get([pop.id, POP3_FOLDER, popRow.uid]))?.deletedLocally, true);
  assert.equal(statusOf(h, imap).unread, 2);
  assert.equal(statusOf(h, pop).unread, 2);

  // Checks while the delete can still be taken back: they must leave it alone.
  const [si, sp] = await h.engine.syncAll('manual');
  assert.equal(si?.state, 'idle', JSON.stringify(si?.error));
  assert.equal(sp?.state, 'idle', JSON.stringify(sp?.error));
  assert.equal(si?.unread, 2, 'the hidden message does not count, although the server still has it unread');
  assert.equal(sp?.unread, 2);
  assert.deepEqual(sentSince(h.timeline, mark, DESTRUCTIVE), [], 'nothing sent');

  assert.equal(await h.actions.undoDelete(undo), true);
  assert.equal((await new MessagesRepo(h.db).get([imap.id, 'INBOX', imapRow.uid]))?.deletedLocally, false);
  assert.equal((await new MessagesRepo(h.db).get([pop.id, POP3_FOLDER, popRow.uid]))?.deletedLocally, false);
  assert.equal((await new Pop3Repo(h.db).get(pop.id, String(popRow.uid)))?.state, 'stored');
  assert.equal(statusOf(h, imap).unread, 3);
  assert.equal(statusOf(h, pop).unread, 3);
  assert.deepEqual(await new PendingRepo(h.db).peekAll(imap.id), []);

  const [si2, sp2] = await h.engine.syncAll('manual');
  assert.equal(si2?.unread, 3);
  assert.equal(sp2?.unread, 3);
  assert.deepEqual(sentSince(h.timeline, mark, DESTRUCTIVE), [], 'still nothing sent');
  const other = await world.other(imapUser);
  assert.equal((await serverInbox(other)).size, 3);
  assert.equal(world.maildrop(popUser).length, 3);
  assert.equal(await h.actions.undoDelete(undo), false, 'an undo is used once');
});

test('delete past the window: IMAP moves to Trash, POP3 ("remove from the server when deleted here") sends DELE', async (t) => {
  const imapUser = world.newUser();
  const popUser = world.newUser();
  world.seed(imapUser, bareMessages(3, 'Gone'));
  world.seed(popUser, bareMessages(3, 'Gone'));
  const imap = imapAccount(imapUser);
  const pop = world.account(popUser, { deleteWhenDeletedHere: true });
  const h = await harness(t, [imap, pop], { undoWindowMs: 300 });
  await h.engine.syncAll('manual');
  const imapRow = await rowBySubject(h.db, imap, 'Gone message 1');
  const popRow = await rowBySubject(h.db, pop, 'Gone message 1');
  const other = await world.other(imapUser);
  const trashBefore = await messageCount(other, 'Trash');

  const mark = h.timeline.length;
  const undo = await h.actions.deleteMessages([imapRow.id, popRow.id]);
  await waitFor(
    async () => !(await serverInbox(other)).has('Gone message 1'),
    30_000,
    'IMAP: gone from INBOX',
  );
  assert.equal(await messageCount(other, 'Trash'), trashBefore + 1, 'moved to Trash');
  await waitFor(() => world.maildrop(popUser).length === 2, 30_000, 'POP3: DELE committed');
  assert.ok(
    world.maildrop(popUser).every((m) => !m.toString('latin1').includes('Subject: Gone message 1')),
    'the deleted one is what went',
  );
  assert.equal(await h.actions.undoDelete(undo), false, 'too late to undo');
  const sent = sentSince(h.timeline, mark, DESTRUCTIVE).join('');
  assert.match(sent, /UID MOVE \d+ Trash/, 'the recording sees what is sent');
  assert.match(sent, /DELE \d/);
  await waitFor(
    () => !h.engine.scheduler.isRunning(imap.id) && !h.engine.scheduler.isRunning(pop.id),
    30_000,
    'checks done',
  );
  assert.deepEqual((await rowsOf(h.db, imap)).map((r) => r.subject).sort(), [
    'Gone message 0',
    'Gone message 2',
  ]);
  assert.equal((await new Pop3Repo(h.db).get(pop.id, String(popRow.uid)))?.state, 'removed-from-server');
  assert.equal(statusOf(h, imap).unread, 2);
  assert.equal(statusOf(h, pop).unread, 2);
});

test('loadBody: an IMAP body, and the whole of a POP3 message first fetched headers-only', async (t) => {
  const imapUser = world.newUser();
  const popUser = world.newUser();
  const letter = makeMessage(3, { seed: 53, kind: 'plain', size: 6_000 });
  const big = makeMessage(9, { seed: 59, kind: 'attachment', size: 120_000 });
  assert.notEqual(letter.subject, big.subject);
  world.seed(imapUser, [letter]);
  world.seed(popUser, [letter, big]);
  const imap = imapAccount(imapUser);
  const pop = world.account(popUser, { headersOnlyAboveBytes: 50_000 });
  const h = await harness(t, [imap, pop]);
  await h.engine.syncAll('manual');
  const bodies = new BodiesRepo(h.db);

  const imapRow = await rowBySubject(h.db, imap, letter.subject);
  await h.actions.loadBody(imapRow.id);
  const imapBody = await bodies.get([imap.id, 'INBOX', imapRow.uid]);
  assert.equal(imapBody?.complete, true);
  assert.ok((await readableBody(imapBody!)).text?.includes(letter.snippet), 'the text part is there');

  const bigRow = await rowBySubject(h.db, pop, big.subject);
  assert.equal(bigRow.bodyState, 'headers', 'the large message came headers-first');
  await h.actions.loadBody(bigRow.id);
  const popBody = await bodies.get([pop.id, POP3_FOLDER, bigRow.uid]);
  assert.equal(popBody?.complete, true);
  assert.deepEqual(Buffer.from((await unpackSource(popBody!))!), asRetrieved(big.raw), 'byte for byte');
  assert.equal((await new MessagesRepo(h.db).get([pop.id, POP3_FOLDER, bigRow.uid]))?.bodyState, 'full');
});

test('actions taken with the relay down are kept and carried out once it is back', async (t) => {
  const imapUser = world.newUser();
  const popUser = world.newUser();
  world.seed(imapUser, bareMessages(3, 'Offline'));
  world.seed(popUser, bareMessages(2, 'Offline'));
  const imap = imapAccount(imapUser);
  const pop = world.account(popUser, { deleteWhenDeletedHere: true });
  const h = await harness(t, [imap, pop], { undoWindowMs: 200 });
  await h.engine.syncAll('manual');
  const read = await rowBySubject(h.db, imap, 'Offline message 0');
  const gone = await rowBySubject(h.db, imap, 'Offline message 2');
  const popGone = await rowBySubject(h.db, pop, 'Offline message 1');
  const other = await world.other(imapUser);
  const trashBefore = await messageCount(other, 'Trash');

  await world.stopRelay();
  try {
    await h.actions.setSeen([read.id], true);
    await h.actions.deleteMessages([gone.id, popGone.id]);
    assert.equal(statusOf(h, imap).unread, 1, 'the count reflects both at once');
    assert.equal(statusOf(h, pop).unread, 1);
    // The window passes, the delete is committed, and the checks it starts fail on the relay.
    await waitFor(
      () => statusOf(h, imap).error?.kind === 'relay' && statusOf(h, pop).error?.kind === 'relay',
      30_000,
      'both checks failed on the relay',
    );
    await waitFor(() => !h.engine.scheduler.isRunning(imap.id), 30_000, 'IMAP check over');
    assert.deepEqual(
      (await new PendingRepo(h.db).peekAll(imap.id)).map((op) => op.kind).sort(),
      ['delete', 'seen'],
      'both IMAP actions still queued',
    );
    assert.equal(statusOf(h, imap).unread, 1, 'and still shown');
    const inbox = await serverInbox(other);
    assert.equal(inbox.get('Offline message 0'), false);
    assert.ok(inbox.has('Offline message 2'));
  } finally {
    await world.restartRelay();
  }

  const [si, sp] = await h.engine.syncAll('retry');
  assert.equal(si?.state, 'idle', JSON.stringify(si?.error));
  assert.equal(sp?.state, 'idle', JSON.stringify(sp?.error));
  const inbox = await serverInbox(other);
  assert.equal(inbox.get('Offline message 0'), true, 'marked read on the server');
  assert.equal(inbox.has('Offline message 2'), false, 'deleted on the server');
  assert.equal(await messageCount(other, 'Trash'), trashBefore + 1);
  assert.deepEqual(await new PendingRepo(h.db).peekAll(imap.id), []);
  assert.equal(si?.unread, 1);
  assert.equal(world.maildrop(popUser).length, 1, 'POP3: the DELE went at the first session back');
  assert.equal(sp?.unread, 1);
});

/** A worker stopped inside an undo window: its timers and memory go, the database and storage stay. */
async function stopWorker(h: Harness): Promise<void> {
  h.actions.stopTimers();
  await h.engine.stop();
}

// Until the undo windows were stored, such a delete was undone at the next start (the message
// shown again, the user's delete lost); now the window outlives the worker and is applied.
test('a POP3 delete whose undo window ended while the worker was stopped is applied at the next start', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(2, 'Restart'));
  const pop = world.account(user, { deleteWhenDeletedHere: true });
  const first = await harness(t, [pop], { undoWindowMs: 200 });
  await first.engine.sync(pop.id, 'manual');
  const row = await rowBySubject(first.db, pop, 'Restart message 0');
  const before = Date.now();
  await first.actions.deleteMessages([row.id]);
  assert.equal(statusOf(first, pop).unread, 1);
  const alarm = first.wakes.at(-1);
  assert.ok(typeof alarm === 'number' && alarm >= before + 200, 'an alarm at the end of the window');

  await stopWorker(first);
  await waitFor(() => Date.now() > alarm, 10_000, 'the window over');
  const next = await harness(t, [pop], { restart: first });
  await next.actions.restoreUnfinishedDeletes();
  assert.equal(
    await new MessagesRepo(next.db).get([pop.id, POP3_FOLDER, row.uid]),
    undefined,
    'deleted here',
  );
  assert.equal((await new Pop3Repo(next.db).get(pop.id, String(row.uid)))?.state, 'deleted-locally');
  assert.equal(statusOf(next, pop).unread, 1);
  assert.equal(next.wakes.at(-1), null, 'no alarm left');
  assert.deepEqual((await next.area.get([UNDO_HOLDS_KEY]))[UNDO_HOLDS_KEY], []);
  // "Remove from the server when I delete it here": the check the delete started sends DELE.
  await waitFor(() => world.maildrop(user).length === 1, 30_000, 'the DELE on the server');
});

test('an IMAP delete still in its window when the worker stops stays held and undoable after the start; one whose window ended is sent', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(3, 'Held'));
  const imap = imapAccount(user);
  const first = await harness(t, [imap], { undoWindowMs: 600_000 });
  await first.engine.sync(imap.id, 'manual');
  const kept = await rowBySubject(first.db, imap, 'Held message 0');
  const undo = await first.actions.deleteMessages([kept.id]);
  await stopWorker(first);

  // The start-up replay and a check run while the window is open: the delete stays unsent.
  const next = await harness(t, [imap], { restart: first, undoWindowMs: 200 });
  await next.actions.restoreUnfinishedDeletes();
  assert.equal(next.actions.undoable, 1);
  const mark = next.timeline.length;
  assert.equal((await next.engine.sync(imap.id, 'manual')).state, 'idle');
  assert.deepEqual(sentSince(next.timeline, mark, DESTRUCTIVE), [], 'nothing sent');
  const other = await world.other(user);
  assert.equal((await serverInbox(other)).size, 3);
  // The page still holds the token from before the stop: "Undo" still works.
  assert.equal(await next.actions.undoDelete(undo), true);
  assert.equal((await new MessagesRepo(next.db).get([imap.id, 'INBOX', kept.uid]))?.deletedLocally, false);
  assert.deepEqual(await new PendingRepo(next.db).peekAll(imap.id), []);
  assert.equal(next.wakes.at(-1), null);

  // A delete whose window ends while the worker is stopped goes to the server at the next start.
  const gone = await rowBySubject(next.db, imap, 'Held message 1');
  await next.actions.deleteMessages([gone.id]);
  const alarm = next.wakes.at(-1);
  assert.ok(typeof alarm === 'number');
  await stopWorker(next);
  await waitFor(() => Date.now() > alarm, 10_000, 'the window over');
  const third = await harness(t, [imap], { restart: next });
  await third.actions.restoreUnfinishedDeletes();
  await waitFor(
    async () => !(await serverInbox(other)).has('Held message 1'),
    30_000,
    'deleted on the server',
  );
  assert.equal((await serverInbox(other)).size, 2);
  assert.deepEqual(await new PendingRepo(third.db).peekAll(imap.id), []);
  assert.equal(third.wakes.at(-1), null);
});

test('removing an account waits for its running check, so its purged mail stays purged', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(80, 'Purge'));
  const pop = world.account(user);
  const h = await harness(t, [pop]);
  const running = h.engine.sync(pop.id, 'manual');
  await waitFor(async () => (await rowsOf(h.db, pop)).length > 0, 30_000, 'the download under way');
  await h.settings.removeAccount(pop.id);
  await h.engine.reloadAccounts();
  await purgeAccount(h.db, pop.id);
  await running;
  assert.deepEqual(await rowsOf(h.db, pop), [], 'no row written after the purge');
  assert.equal(h.engine.status().accounts.length, 0);
});

test('saving a new relay in the settings moves checks and push to it', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(2, 'Relay'));
  const imap = imapAccount(user);
  // Accounts made before the relay was paired: push and checks can only fail.
  const h = await harness(t, [imap], { push: true, paired: false });
  const unpaired = await h.engine.sync(imap.id, 'manual');
  assert.equal(unpaired.error?.kind, 'relay');
  assert.equal(statusOf(h, imap).push, false);

  const { settings } = await h.handlers.getSettings({});
  await h.handlers.saveSettings({ settings: { ...settings, relay: world.endpoint } });
  await waitFor(() => statusOf(h, imap).push && statusOf(h, imap).lastSuccess !== null, 30_000, 'paired');
  assert.equal(statusOf(h, imap).unread, 2);

  // Another relay, and the user switches to it.
  const ports = Object.values(world.dovecot.ports).flatMap((p) => ['--allow-port', String(p)]);
  const { token } = world.endpoint;
  const second = await startRelay({ token, args: ['--port', '0', '--quiet', ...ports] });
  t.after(() => second.stop());
  await h.handlers.saveSettings({
    settings: { ...settings, relay: { url: second.url, token } },
  });
  await waitFor(() => statusOf(h, imap).push, 30_000, 'push on the new relay');
  assert.ok(h.timeline.includes(`open:${second.url}`), 'connections go to the new relay');

  // The old relay goes away: push, on the new one, does not even notice.
  const mark = h.events.length;
  await world.stopRelay();
  try {
    const other = await world.other(user);
    const m = makeMessage(5, { size: 'small', seed: 61 });
    await other.append('INBOX', m.raw, [], m.date);
    await waitFor(() => h.newMail.some((r) => r.subject === m.subject), 20_000, 'the pushed message');
    const dropped = h.events
      .slice(mark)
      .some((e) => e.biffEvent === 'status' && e.accounts.some((a) => a.accountId === imap.id && !a.push));
    assert.equal(dropped, false, 'the push connection never dropped: it was not on the old relay');
  } finally {
    await world.restartRelay();
  }
});

test('locked by the primary password: no check or push opens a connection and no account fails; unlocking through the contract resumes both', async (t) => {
  const user = world.newUser();
  world.seed(user, bareMessages(2, 'Before the lock'));
  const imap = imapAccount(user);
  const h = await harness(t, [imap], { push: true });
  await waitFor(() => statusOf(h, imap).push && statusOf(h, imap).unread === 2, 30_000, 'push idle');
  const primary = 'the primary password';
  await h.settings.setPrimaryPassword(primary);
  // What a browser restart leaves: the vault, and no key (the background locks the engine).
  await h.settings.lock();
  await h.engine.setLocked(true);
  assert.equal(statusOf(h, imap).push, false, 'push stopped');
  const before = statusOf(h, imap);

  const mark = h.timeline.length;
  const other = await world.other(user);
  const m = makeMessage(9, { size: 'small', seed: 59 });
  await other.append('INBOX', m.raw, [], m.date);
  assert.deepEqual(await h.engine.sync(imap.id, 'manual'), before, 'a check while locked changes nothing');
  assert.deepEqual(await h.handlers.syncNow({}), { ok: true });
  assert.deepEqual(h.engine.due(Date.now() + 24 * 3600_000), [], 'nothing is due while locked');
  const status = await h.handlers.getStatus({});
  assert.equal(status.locked, true);
  assert.equal(status.relay.code, 'locked', 'the pairing token is sealed: the relay is not tried');
  assert.equal(status.accounts[0]?.state, 'idle', 'the account waits, it does not fail');
  assert.equal(status.accounts[0]?.push, false, 'no push while locked');
  assert.deepEqual(openedSince(h.timeline, mark), [], 'no connection opened while locked');
  assert.equal((await h.handlers.getSettings({})).primaryPassword, 'locked');

  await assert.rejects(h.handlers.unlock({ password: 'not it' }), { code: 'wrong_password' });
  assert.equal(h.engine.locked, true);
  await h.handlers.unlock({ password: primary });
  assert.equal(h.engine.locked, false);
  await waitFor(
    () => statusOf(h, imap).push && statusOf(h, imap).unread === 3,
    30_000,
    'push and the new mail',
  );
  assert.ok(
    (await rowsOf(h.db, imap)).some((r) => r.subject === m.subject),
    'mail from the locked time stored',
  );
  assert.equal((await h.handlers.getStatus({})).relay.ok, true);
});
