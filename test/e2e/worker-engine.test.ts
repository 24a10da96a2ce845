/**
 * The engine where it really runs: in the extension's service worker in Chromium, against real
 * Dovecot through the real relay. What only a browser can show: a POP3 download cut short by
 * Chrome stopping the worker and finished by the next one with no message lost or doubled
 * (and, with "leave a copy" off, none deleted on the server before it was stored); a 10,000
 * message IMAP INBOX behind a 1,000-message window, counted in full; and actions taken with
 * the relay down, sent once it is back. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import type { Page } from 'playwright';
import { BADGE_MAX } from '../../background/badge.ts';
import type { AccountStatus } from '../../extension/contract.ts';
import { BrowserWorld } from '../browser/world.ts';
import { messageCount, serverInbox } from '../servers/imap-client.ts';
import { maildropFiles, seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';

let world: BrowserWorld;
/** An extension page of our own, to read IndexedDB without going through the worker. */
let reader: Page;

before(async () => {
  world = await BrowserWorld.start({ users: 3 });
  reader = await world.ext.openPage('options.html');
});

after(async () => {
  await world?.stop();
});

async function statusOf(id: string): Promise<AccountStatus | undefined> {
  return (await world.engineStatus()).find((s) => s.accountId === id);
}

/** The stored rows of one account. */
async function rowsOf(accountId: string) {
  return (await world.storedMessages()).filter((r) => r.accountId === accountId);
}

/**
 * Size and first bytes of every stored body of an account, by uid: read in an extension page,
 * inflated here when the store deflated it (body-source.ts).
 */
async function storedBodies(accountId: string): Promise<Array<{ uid: string; size: number; head: string }>> {
  const stored = await reader.evaluate(
    (account) =>
      new Promise<Array<{ uid: string; encoding: string | null; base64: string }>>((resolve, reject) => {
        const open = indexedDB.open('biff');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const range = IDBKeyRange.bound([account], [account, []]);
          const get = db.transaction('bodies').objectStore('bodies').getAll(range);
          get.onsuccess = () => {
            db.close();
            // No named functions in here: the test's compiler wraps them in a helper the page lacks.
            const out = [];
            for (const b of get.result as Array<{
              uid: string;
              raw: Uint8Array | null;
              rawEncoding?: string;
            }>) {
              const bytes = b.raw ?? new Uint8Array();
              let binary = '';
              for (let i = 0; i < bytes.length; i += 0x8000) {
                binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
              }
              out.push({ uid: String(b.uid), encoding: b.rawEncoding ?? null, base64: btoa(binary) });
            }
            resolve(out);
          };
          get.onerror = () => reject(get.error);
        };
      }),
    accountId,
  );
  return stored.map(({ uid, encoding, base64 }) => {
    const bytes = Buffer.from(base64, 'base64');
    const raw = encoding === 'deflate-raw' ? inflateRawSync(bytes) : bytes;
    return { uid, size: raw.byteLength, head: raw.subarray(0, 400).toString('utf8') };
  });
}

/** `n` messages of about 30 KB each, every one with its own subject. */
function largeMessages(n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const body = (
      randomBytes(22_000)
        .toString('base64')
        .match(/.{1,76}/g) ?? []
    ).join('\r\n');
    return (
      `From: Sender ${i} <s${i}@example.com>\r\nTo: tester@biff.test\r\nSubject: Large ${i}\r\n` +
      `Date: Mon, 8 Jan 2024 09:00:00 +0000\r\nMessage-ID: <large${i}@example.com>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}\r\n`
    );
  });
}

test('IMAP: a 10,000-message INBOX syncs in the worker with a 1,000-message window, and counts all 10,000 unread', async () => {
  const user = world.newUser();
  const n = 10_000;
  seedMaildir(
    world.dovecot,
    user,
    Array.from(
      { length: n },
      (_, i) =>
        `From: s${i}@example.com\r\nSubject: Bulk ${i}\r\nDate: Mon, 8 Jan 2024 08:00:00 +0000\r\n` +
        `Message-ID: <bulk${i}@example.com>\r\n\r\nMessage ${i}.\r\n`,
    ),
  );
  const account = world.accountFor(user, 'imap', 'implicit', {
    imap: { folders: ['INBOX'], syncWindow: 1_000, deleteToTrash: true, useQresync: true },
  });
  await world.call('saveAccount', { account, password: PASSWORD });
  const status = await world.until(
    'the first check',
    async () => {
      const s = await statusOf(account.id);
      return s?.lastSuccess && s.state === 'idle' ? s : undefined;
    },
    240_000,
  );
  assert.equal(status.unread, n, 'STATUS UNSEEN: every unread message, beyond the window too');
  const rows = await rowsOf(account.id);
  assert.equal(rows.length, 1_000, 'the window');
  assert.deepEqual(
    rows.map((r) => Number(r.uid)).sort((a, b) => a - b),
    Array.from({ length: 1_000 }, (_, i) => n - 999 + i),
    'the newest 1,000',
  );
  assert.equal((await world.call('getStatus', {})).totalUnread, n);
  assert.equal(await world.badgeText(), `${BADGE_MAX}+`);

  // Reading one of the cached ones counts down from the full number, at once.
  const newest = rows.find((r) => r.uid === n)!;
  await world.call('setSeen', { ids: [`${account.id}\u0000INBOX\u0000${newest.uid}`], seen: true });
  assert.equal((await statusOf(account.id))?.unread, n - 1);
  await world.call('removeAccount', { accountId: account.id });
});

test('offline: mark read and delete with the relay down reach the server once it is back', async () => {
  const user = world.newUser();
  seedMaildir(
    world.dovecot,
    user,
    [0, 1, 2].map(
      (i) =>
        `From: s${i}@example.com\r\nSubject: Away ${i}\r\nDate: Mon, 8 Jan 2024 08:0${i}:00 +0000\r\n` +
        `Message-ID: <away${i}@example.com>\r\n\r\nAway ${i}.\r\n`,
    ),
  );
  const account = world.accountFor(user, 'imap');
  await world.call('saveAccount', { account, password: PASSWORD });
  await world.until('the first check', async () =>
    (await rowsOf(account.id)).length === 3 ? true : undefined,
  );
  const rows = await rowsOf(account.id);
  const id = (subject: string) => {
    const row = rows.find((r) => r.subject === subject);
    assert.ok(row, subject);
    return `${account.id}\u0000INBOX\u0000${row.uid}`;
  };
  const client = await world.other(user);
  const trashBefore = await messageCount(client, 'Trash');

  await world.stopRelay();
  try {
    await world.call('setSeen', { ids: [id('Away 0')], seen: true });
    await world.call('deleteMessages', { ids: [id('Away 2')] });
    assert.equal((await statusOf(account.id))?.unread, 1, 'both show at once');
    // The undo window closes with the relay still down: the delete is committed, not sent.
    await world.until('the undo window to close', async () =>
      (await world.worker()).evaluate(async () => {
        const handle = (
          globalThis as unknown as { biff: { ready: Promise<{ actions: { undoable: number } }> } }
        ).biff;
        return (await handle.ready).actions.undoable === 0 ? true : undefined;
      }),
    );
    await world.until('the check to fail on the relay', async () =>
      (await statusOf(account.id))?.error?.kind === 'relay' ? true : undefined,
    );
    const server = await serverInbox(client);
    assert.equal(server.get('Away 0'), false, 'not sent yet');
    assert.ok(server.has('Away 2'), 'not sent yet');
    const local = await rowsOf(account.id);
    assert.equal(local.find((r) => r.subject === 'Away 0')?.seen, true);
    assert.equal(local.find((r) => r.subject === 'Away 2')?.deletedLocally, true);
  } finally {
    await world.restartRelay();
  }

  const { ok } = await world.call('syncNow', { accountId: account.id });
  if (!ok) assert.fail(`the check failed: ${JSON.stringify(await statusOf(account.id))}`);
  const server = await serverInbox(client);
  assert.equal(server.get('Away 0'), true, 'marked read on the server');
  assert.equal(server.has('Away 2'), false, 'deleted on the server');
  assert.equal(server.get('Away 1'), false, 'the third untouched');
  assert.equal(await messageCount(client, 'Trash'), trashBefore + 1, 'moved to Trash');
  assert.deepEqual((await rowsOf(account.id)).map((r) => r.subject).sort(), ['Away 0', 'Away 1']);
  assert.equal((await statusOf(account.id))?.unread, 1);
});

// Last in the file: after it, Playwright may still list the stopped worker (see BrowserWorld.stopWorker).
test('POP3: a download cut short by stopping the worker is finished by the next sync, nothing lost or doubled', async () => {
  const user = world.newUser();
  // "Leave a copy" off: the server deletes what Biff has stored, so a mistake here loses mail.
  const account = world.accountFor(user, 'pop3', 'implicit', {
    pop3: {
      leaveCopy: false,
      deleteAfterDays: null,
      deleteWhenDeletedHere: false,
      headersOnlyAboveBytes: 2 << 20,
    },
  });
  await world.call('saveAccount', { account, password: PASSWORD });
  await world.until('the first (empty) check', async () =>
    (await statusOf(account.id))?.lastSuccess ? true : undefined,
  );

  const messages = largeMessages(400);
  const bySubject = new Map(messages.map((raw, i) => [`Large ${i}`, raw]));
  seedMaildir(world.dovecot, user, messages);
  const sync = world.call('syncNow', { accountId: account.id });
  sync.catch(() => undefined); // the worker answering it is about to be stopped
  await world.until('the first messages stored', async () =>
    (await rowsOf(account.id)).length > 0 ? true : undefined,
  );
  await world.stopWorker();

  const cut = await rowsOf(account.id);
  assert.ok(cut.length < messages.length, `the worker stopped mid-download (${cut.length} stored)`);
  assert.equal(
    maildropFiles(world.dovecot, user).length,
    messages.length,
    'the server deleted nothing: no session got as far as QUIT',
  );
  // Whatever was stored, was stored whole: row and body together.
  const cutBodies = new Map((await storedBodies(account.id)).map((b) => [b.uid, b]));
  for (const row of cut) {
    assert.equal(row.bodyState, 'full', `${row.subject}`);
    assert.equal(cutBodies.get(String(row.uid))?.size, Buffer.byteLength(bySubject.get(row.subject)!));
  }

  // Any message to the extension wakes a new worker; this one also runs the next check.
  const { ok } = await world.call('syncNow', { accountId: account.id });
  assert.equal(ok, true, 'the check after the restart succeeded');
  const rows = await rowsOf(account.id);
  assert.equal(rows.length, messages.length, 'every message, once');
  assert.deepEqual(new Set(rows.map((r) => r.subject)), new Set(bySubject.keys()));
  const bodies = new Map((await storedBodies(account.id)).map((b) => [b.uid, b]));
  for (const row of rows) {
    const body = bodies.get(String(row.uid));
    assert.equal(row.bodyState, 'full');
    assert.equal(body?.size, Buffer.byteLength(bySubject.get(row.subject)!), `${row.subject}: size`);
    assert.match(
      body?.head ?? '',
      new RegExp(`Subject: ${row.subject}\\r\\n`),
      `${row.subject}: its own body`,
    );
  }
  // Only now, with everything stored, has the server let go of it.
  assert.deepEqual(
    maildropFiles(world.dovecot, user).map((f) => readFileSync(f, 'latin1')),
    [],
    'leave-a-copy off: deleted on the server once stored',
  );
  await world.call('removeAccount', { accountId: account.id });
});
