/**
 * POP3 must never lose or duplicate mail: sessions cut between DELE and QUIT, a QUIT whose +OK
 * is lost, the relay killed mid-RETR, an aborted sync, a wrong password, a server that answers
 * garbage or lies about sizes, and messages over the size cap. Real Dovecot through the real
 * relay, plus a tiny fake POP3 server (also reached through the relay) for the misbehaviours
 * Dovecot will not show.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type { Account } from '../../extension/accounts.ts';
import { fetchPop3Body } from '../../extension/mail/pop3/body.ts';
import { Pop3Error } from '../../extension/mail/pop3/errors.ts';
import { probePop3Account } from '../../extension/mail/pop3/probe.ts';
import { syncPop3Account } from '../../extension/mail/pop3/sync.ts';
import { BodiesRepo } from '../../extension/store/bodies-repo.ts';
import { unpackSource } from '../../extension/store/body-source.ts';
import { FoldersRepo } from '../../extension/store/folders-repo.ts';
import { MessagesRepo } from '../../extension/store/messages-repo.ts';
import { Pop3Repo } from '../../extension/store/pop3-repo.ts';
import { type BiffDatabase, POP3_FOLDER } from '../../extension/store/schema.ts';
import { startTcpServer, type Upstream } from '../relay/helpers.ts';
import { bareMessages, makeMessage } from '../servers/messages.ts';
import { PASSWORD } from '../support/server-world.ts';
import { asRetrieved, Pop3World, tapping } from './pop3-helpers.ts';

let world: Pop3World;
let fake: Upstream;
/** Every command line the fake server received, per user name it was given. */
const fakeLog: string[] = [];

before(async () => {
  fake = await startTcpServer(fakePop3);
  world = await Pop3World.start({ users: 12, extraPorts: [fake.port] });
});
after(async () => {
  await world?.stop();
  await fake?.close();
});

/**
 * A POP3 server that logs in anybody and then misbehaves as its user name says:
 * `garbage` answers UIDL with a line that is not POP3; `badlist` sends a UIDL listing with a
 * broken line; `dupes` gives two messages the same unique-id; `nouidl` has no UIDL in CAPA;
 * `liar` says its one message is 100 bytes and sends 3 MB; `echo` refuses the login repeating
 * the password. No STLS, no SASL: USER/PASS only.
 */
function fakePop3(socket: Socket): void {
  let user = '';
  let buffer = '';
  const send = (text: string) => socket.write(text, 'latin1');
  send('+OK fake POP3 ready\r\n');
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      fakeLog.push(line);
      const [verb = '', arg = ''] = line.split(' ');
      switch (verb.toUpperCase()) {
        case 'CAPA':
          send(`+OK\r\nUSER\r\nTOP\r\n${user === 'nouidl' ? '' : 'UIDL\r\n'}.\r\n`);
          break;
        case 'USER':
          user = arg;
          send('+OK\r\n');
          break;
        case 'PASS':
          // `echo` repeats the password in its refusal, as some broken servers do.
          send(user === 'echo' ? `-ERR [AUTH] wrong password ${arg} for ${user}\r\n` : '+OK logged in\r\n');
          break;
        case 'UIDL':
          if (user === 'garbage') send('HTTP/1.1 400 Bad Request\r\n');
          else if (user === 'badlist') send('+OK\r\n1 aaa\r\nthis is not a listing line\r\n.\r\n');
          else if (user === 'dupes') send('+OK\r\n1 same-id\r\n2 same-id\r\n.\r\n');
          else if (user === 'nouidl') send('-ERR no UIDL here\r\n');
          else send('+OK\r\n1 liar-1\r\n.\r\n');
          break;
        case 'LIST':
          send(user === 'dupes' ? '+OK\r\n1 100\r\n2 100\r\n.\r\n' : '+OK\r\n1 100\r\n.\r\n');
          break;
        case 'STAT':
          send('+OK 1 100\r\n');
          break;
        case 'RETR': {
          const lines = `${'X'.repeat(998)}\r\n`.repeat(3000);
          send(`+OK\r\nSubject: huge\r\n\r\n${lines}.\r\n`);
          break;
        }
        case 'QUIT':
          send('+OK bye\r\n');
          socket.end();
          break;
        default:
          send('-ERR unknown command\r\n');
      }
    }
  });
}

/** An account on the fake server, in clear (it has no TLS), logging in as `user`. */
function fakeAccount(user: string, security: 'none' | 'starttls' = 'none'): Account {
  return {
    ...world.account(user, {}, security),
    host: '127.0.0.1',
    port: fake.port,
  };
}

/** Nothing at all is stored for the account. */
async function assertStoreEmpty(db: BiffDatabase, account: Account): Promise<void> {
  assert.deepEqual(await new MessagesRepo(db).uidsInFolder(account.id, POP3_FOLDER), []);
  assert.equal((await new Pop3Repo(db).knownUidls(account.id)).size, 0);
  assert.deepEqual(await new FoldersRepo(db).listByAccount(account.id), []);
}

/**
 * Every stored message is whole and byte-identical to what was delivered, has its unique-id
 * recorded, and no unique-id is recorded without its message. Returns how many are stored.
 */
async function assertStoreConsistent(
  db: BiffDatabase,
  account: Account,
  delivered: ReadonlyMap<string, Buffer>,
): Promise<number> {
  const uids = (await new MessagesRepo(db).uidsInFolder(account.id, POP3_FOLDER)).map(String);
  const known = await new Pop3Repo(db).knownUidls(account.id);
  assert.deepEqual(
    [...known].sort(),
    [...uids].sort(),
    'a unique-id is recorded exactly for each stored message',
  );
  const bodies = new BodiesRepo(db);
  const seenIds = new Set<string>();
  for (const uid of uids) {
    const row = await new MessagesRepo(db).get([account.id, POP3_FOLDER, uid]);
    const body = await bodies.get([account.id, POP3_FOLDER, uid]);
    assert.equal(row?.bodyState, 'full');
    assert.equal(body?.complete, true);
    const expected = delivered.get(row!.messageId!);
    assert.ok(expected, `${row!.messageId} was delivered`);
    assert.ok(
      Buffer.from((await unpackSource(body!))!).equals(expected),
      `${row!.messageId} is stored intact`,
    );
    assert.ok(!seenIds.has(row!.messageId!), `${row!.messageId} is stored once`);
    seenIds.add(row!.messageId!);
  }
  return uids.length;
}

async function states(db: BiffDatabase, account: Account): Promise<string[]> {
  const pop3 = new Pop3Repo(db);
  const out: string[] = [];
  for (const uid of await pop3.knownUidls(account.id)) out.push((await pop3.get(account.id, uid))!.state);
  return out.sort();
}

test('a connection cut between DELE and QUIT deletes nothing; the next sync finishes without duplicates', async () => {
  const user = world.newUser();
  const mail = Array.from({ length: 6 }, (_, i) => makeMessage(i, { seed: 41 }));
  const delivered = new Map(mail.map((m) => [m.messageId, asRetrieved(m.raw)]));
  world.seed(user, mail);
  const db = await world.db();
  const account = world.account(user, { leaveCopy: false });
  const cutting = tapping(world.open, (command, tap) => {
    if (command !== 'QUIT') return 'send';
    tap.cut();
    return 'swallow';
  });
  await assert.rejects(syncPop3Account(world.ctx(db, account, { open: cutting.open })), {
    name: 'Pop3Error',
    code: 'closed',
  });
  assert.equal(cutting.taps[0]!.count('DELE'), 6, 'every DELE was sent, then the connection died');
  assert.equal(world.maildrop(user).length, 6, 'the server still has every message');
  assert.equal(await assertStoreConsistent(db, account, delivered), 6, 'and so does the store');
  assert.deepEqual(await states(db, account), Array(6).fill('dele-pending'));

  const tap = tapping(world.open);
  const next = await syncPop3Account(world.ctx(db, account, { open: tap.open }));
  assert.deepEqual(next.newMessages, []);
  assert.equal(tap.taps[0]!.count('RETR'), 0, 'nothing is downloaded again');
  assert.equal(tap.taps[0]!.count('DELE'), 6);
  assert.equal(world.maildrop(user).length, 0);
  assert.equal(await assertStoreConsistent(db, account, delivered), 6);
  assert.deepEqual(await states(db, account), Array(6).fill('removed-from-server'));
});

test('a QUIT whose +OK is lost: the server removed the mail, the next sync learns it from UIDL', async () => {
  const user = world.newUser();
  const mail = bareMessages(4, 'Lost');
  const delivered = new Map(mail.map((raw, i) => [`<lost${i}@example.com>`, asRetrieved(raw)]));
  world.seed(user, mail);
  const db = await world.db();
  const account = world.account(user, { leaveCopy: false });
  const muting = tapping(world.open, (command, tap) => {
    // QUIT goes out; its reply never arrives; the server closes the connection after it.
    if (command === 'QUIT') tap.mute();
    return 'send';
  });
  await assert.rejects(syncPop3Account(world.ctx(db, account, { open: muting.open })), { code: 'closed' });
  assert.equal(world.maildrop(user).length, 0, 'the server did commit');
  assert.deepEqual(await states(db, account), Array(4).fill('dele-pending'), 'we could not know');
  assert.equal(await assertStoreConsistent(db, account, delivered), 4);

  const tap = tapping(world.open);
  await syncPop3Account(world.ctx(db, account, { open: tap.open }));
  assert.equal(tap.taps[0]!.count('RETR') + tap.taps[0]!.count('DELE'), 0);
  assert.deepEqual(await states(db, account), Array(4).fill('removed-from-server'));
  assert.equal(await assertStoreConsistent(db, account, delivered), 4);
});

test('the relay killed mid-RETR: every stored message is whole, the next sync completes with no duplicate', async () => {
  const user = world.newUser();
  const mail = Array.from({ length: 10 }, (_, i) =>
    makeMessage(i, { seed: 43, kind: 'attachment', size: 400_000 }),
  );
  const delivered = new Map(mail.map((m) => [m.messageId, asRetrieved(m.raw)]));
  world.seed(user, mail);
  const db = await world.db();
  const account = world.account(user, { leaveCopy: false, headersOnlyAboveBytes: 10_000_000 });
  // Once RETR 1 is out, let through all of message 1 and half of message 2, then SIGKILL the
  // relay (no goodbye to anyone): the connection dies in the middle of RETR 2.
  const allowance = mail[0]!.size + 1_000 + Math.floor(mail[1]!.size / 2);
  const killing = tapping(world.open, (command, tap) => {
    if (command === 'RETR 1') tap.deliverOnly(allowance, () => void world.stopRelay('SIGKILL'));
    return 'send';
  });
  try {
    await assert.rejects(
      syncPop3Account(world.ctx(db, account, { open: killing.open })),
      (error: unknown) => {
        assert.ok(error instanceof Pop3Error, String(error));
        assert.equal(error.code, 'closed');
        return true;
      },
    );
    await world.relay.exited;
  } finally {
    await world.restartRelay();
  }
  assert.equal(killing.taps[0]!.count('RETR'), 10, 'all RETRs were in flight');
  assert.equal(await assertStoreConsistent(db, account, delivered), 1, 'message 1 stored, message 2 not');
  assert.equal(world.maildrop(user).length, 10, 'nothing was deleted from the server');

  const tap = tapping(world.open);
  const next = await syncPop3Account(world.ctx(db, account, { open: tap.open }));
  assert.equal(tap.taps[0]!.count('RETR'), 9, 'only the missing ones are downloaded');
  assert.equal(next.unread, 10);
  assert.equal(await assertStoreConsistent(db, account, delivered), 10);
  assert.equal(world.maildrop(user).length, 0);
});

test('an aborted sync stops between messages, keeps what it stored and deletes nothing', async () => {
  const user = world.newUser();
  const mail = bareMessages(8, 'Abort');
  const delivered = new Map(mail.map((raw, i) => [`<abort${i}@example.com>`, asRetrieved(raw)]));
  world.seed(user, mail);
  const db = await world.db();
  const account = world.account(user, { leaveCopy: false });
  const controller = new AbortController();
  const tap = tapping(world.open);
  const ctx = world.ctx(db, account, {
    open: tap.open,
    signal: controller.signal,
    onProgress: (done) => {
      if (done === 3) controller.abort();
    },
  });
  await assert.rejects(syncPop3Account(ctx), { name: 'AbortError' });
  assert.equal(await assertStoreConsistent(db, account, delivered), 3);
  assert.equal(tap.taps[0]!.count('DELE'), 0);
  assert.equal(world.maildrop(user).length, 8);
  // Aborted before it starts: not even a connection.
  await assert.rejects(syncPop3Account(ctx), { name: 'AbortError' });
  assert.equal(tap.taps.length, 1);
});

test('a wrong password is a typed auth error without the password, and the store is untouched', async () => {
  const user = world.newUser();
  world.seed(user, bareMessages(2, 'Auth'));
  const db = await world.db();
  const account = world.account(user);
  const wrong = 'definitely not the password';
  await assert.rejects(syncPop3Account(world.ctx(db, account, { password: wrong })), (error: unknown) => {
    assert.ok(error instanceof Pop3Error);
    assert.equal(error.code, 'auth_failed');
    const text = `${error.message} ${error.serverText ?? ''} ${String(error.cause ?? '')}`;
    assert.ok(!text.includes(wrong));
    assert.ok(!text.includes(Buffer.from(`\0${user}\0${wrong}`).toString('base64')));
    return true;
  });
  await assertStoreEmpty(db, account);
  assert.equal(world.maildrop(user).length, 2);
  // The probe reports the same, before the login stage completes.
  let loggedIn = false;
  await assert.rejects(
    probePop3Account(world.open, account, wrong, () => {
      loggedIn = true;
    }),
    { code: 'auth_failed' },
  );
  assert.equal(loggedIn, false);

  // A server that echoes the password in its -ERR: the error keeps the text, not the password.
  const secret = 'hunter2-but-longer';
  for (const attempt of [
    () => syncPop3Account(world.ctx(db, fakeAccount('echo'), { password: secret })),
    () => probePop3Account(world.open, fakeAccount('echo'), secret, () => {}),
  ]) {
    await assert.rejects(attempt(), (error: unknown) => {
      assert.ok(error instanceof Pop3Error);
      assert.equal(error.code, 'auth_failed');
      assert.match(error.message, /wrong password \[redacted\] for echo/);
      assert.ok(!`${error.message} ${error.serverText}`.includes(secret));
      return true;
    });
  }
});

test('a server answering garbage is a clear protocol error and the store is untouched', async () => {
  for (const [user, pattern] of [
    ['garbage', /HTTP\/1\.1 400/],
    ['badlist', /malformed UIDL line/],
    ['dupes', /twice/],
  ] as const) {
    const db = await world.db();
    const account = fakeAccount(user);
    await assert.rejects(syncPop3Account(world.ctx(db, account)), (error: unknown) => {
      assert.ok(error instanceof Pop3Error, String(error));
      assert.equal(error.code, 'protocol', `${user}: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    });
    await assertStoreEmpty(db, account);
  }
});

test('a server without UIDL is "server unsupported", in a sync and in Test connection', async () => {
  const db = await world.db();
  const account = fakeAccount('nouidl');
  await assert.rejects(syncPop3Account(world.ctx(db, account)), (error: unknown) => {
    assert.ok(error instanceof Pop3Error);
    assert.equal(error.code, 'unsupported');
    assert.match(error.message, /server unsupported: no UIDL/);
    return true;
  });
  await assertStoreEmpty(db, account);
  await assert.rejects(
    probePop3Account(world.open, account, PASSWORD, () => {}),
    { code: 'unsupported' },
  );
});

test('security STLS against a server without STLS fails before any credential is sent', async () => {
  const db = await world.db();
  const account = fakeAccount('nostls', 'starttls');
  const before = fakeLog.length;
  await assert.rejects(syncPop3Account(world.ctx(db, account)), (error: unknown) => {
    assert.ok(error instanceof Pop3Error);
    assert.equal(error.code, 'tls_required');
    assert.match(error.message, /STLS/);
    return true;
  });
  assert.deepEqual(fakeLog.slice(before), ['CAPA'], 'nothing but CAPA went out in clear');
  await assertStoreEmpty(db, account);
});

test('messages over the size cap: a clear too_large error, refused before RETR when the size is known', async () => {
  // A server whose LIST lies: RETR is cut off at the cap mid-transfer.
  const liarDb = await world.db();
  const liar = fakeAccount('liar');
  await assert.rejects(
    syncPop3Account(
      world.ctx(liarDb, { ...liar, pop3: { ...liar.pop3, headersOnlyAboveBytes: 10_000_000 } }),
      {
        maxMessageBytes: 1_000_000,
      },
    ),
    (error: unknown) => {
      assert.ok(error instanceof Pop3Error);
      assert.equal(error.code, 'too_large');
      return true;
    },
  );
  await assertStoreEmpty(liarDb, liar);

  // Dovecot: a 300 KB message is listed from its headers; opening it with a 100 KB cap is refused
  // before a byte of it is sent, and the headers stay.
  const user = world.newUser();
  const big = makeMessage(0, { seed: 47, kind: 'attachment', size: 300_000 });
  world.seed(user, [big]);
  const db = await world.db();
  const account = world.account(user, { headersOnlyAboveBytes: 1_000_000 });
  const tap = tapping(world.open);
  const ctx = world.ctx(db, account, { open: tap.open });
  await syncPop3Account(ctx, { maxMessageBytes: 100_000 });
  assert.equal(tap.taps[0]!.count('TOP'), 1, 'over the cap: headers only, whatever the threshold');
  assert.equal(tap.taps[0]!.count('RETR'), 0);
  const [uid] = await new MessagesRepo(db).uidsInFolder(account.id, POP3_FOLDER);
  await assert.rejects(fetchPop3Body(ctx, String(uid), { maxBytes: 100_000 }), (error: unknown) => {
    assert.ok(error instanceof Pop3Error);
    assert.equal(error.code, 'too_large');
    assert.match(error.message, /over the 100000-byte limit/);
    return true;
  });
  assert.equal(tap.taps[1]!.count('RETR'), 0, 'refused before RETR');
  assert.equal((await new BodiesRepo(db).get([account.id, POP3_FOLDER, uid!]))?.complete, false);
  // Within the cap it opens.
  const body = await fetchPop3Body(ctx, String(uid));
  assert.ok(Buffer.from((await unpackSource(body))!).equals(asRetrieved(big.raw)));
});
