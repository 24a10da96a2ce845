/**
 * A delete outlives the background that took it (biff-browsers: chromium firefox, through
 * test/browser/driver.ts): the message is deleted, the browser stops the background inside the
 * undo window (Chromium's service worker, Firefox's event page, as each does when idle), and
 * the delete still reaches the server when the window ends, with nothing else happening: the
 * alarm set for the window's end wakes the background (engine/actions.ts, background/index.ts).
 * The accounts check only once an hour, so no check alarm can be what woke it.
 * Real Dovecot, the real relay and the browser with the built extension. Needs `npm run build`.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AccountStatus } from '../../extension/contract.ts';
import { UNDO_WINDOW_MS } from '../../extension/engine/actions.ts';
import { messageId } from '../../extension/store/keys.ts';
import { POP3_FOLDER } from '../../extension/store/schema.ts';
import { OtherClient } from '../browser/user.ts';
import { BrowserWorld } from '../browser/world.ts';
import { makeMailbox } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';

/** Long enough that no check alarm fires during the test: only the undo alarm wakes the background. */
const CHECK_EVERY_MINUTES = 60;
/**
 * How long the delete may take to reach the server after the window: the alarm (Chromium fires
 * an unpacked extension's short alarms, Firefox any), the background's start and a session.
 */
const AFTER_WINDOW_MS = 90_000;

let world: BrowserWorld;
let imapOther: OtherClient;
let pop3User: string;
let imapId: string;
let pop3Id: string;
const imapMail = makeMailbox(2, { seed: 41, size: 'small' });
const pop3Mail = makeMailbox(2, { seed: 42, size: 'small' });

async function statusOf(id: string): Promise<AccountStatus> {
  const status = (await world.engineStatus()).find((s) => s.accountId === id);
  assert.ok(status, `status of ${id}`);
  return status;
}

/** Messages in the POP3 user's maildrop (Dovecot's Maildir: new/ and cur/). */
function maildropSize(): number {
  const root = world.dovecot.maildir(pop3User);
  return readdirSync(join(root, 'new')).length + readdirSync(join(root, 'cur')).length;
}

before(async () => {
  world = await BrowserWorld.start({ users: 2 });
  const imapUser = world.newUser();
  pop3User = world.newUser();
  seedMaildir(world.dovecot, imapUser, imapMail, { dates: imapMail.map((m) => m.date) });
  seedMaildir(world.dovecot, pop3User, pop3Mail);
  imapOther = await OtherClient.open(world.dovecot, imapUser, PASSWORD);
  const imap = world.accountFor(imapUser, 'imap', 'implicit', { checkIntervalMinutes: CHECK_EVERY_MINUTES });
  const base = world.accountFor(pop3User, 'pop3', 'implicit', { checkIntervalMinutes: CHECK_EVERY_MINUTES });
  // "Remove from the server when I delete it here": the delete ends in a DELE.
  const pop3 = { ...base, pop3: { ...base.pop3, deleteWhenDeletedHere: true } };
  imapId = imap.id;
  pop3Id = pop3.id;
  await world.call('saveAccount', { account: imap, password: PASSWORD });
  await world.call('saveAccount', { account: pop3, password: PASSWORD });
  await world.badgeShows(String(imapMail.length + pop3Mail.length));
  for (const id of [imapId, pop3Id])
    await world.until(`${id} checked`, async () => ((await statusOf(id)).lastSuccess ? true : undefined));
});

after(async () => {
  await imapOther?.close();
  await world?.stop();
});

test('the background stopped inside the undo window: the alarm at its end wakes it and the deletes reach the servers', async () => {
  const stored = await world.storedMessages();
  const imapRow = stored.find((m) => m.accountId === imapId && m.subject === imapMail[1]!.subject);
  const pop3Row = stored.find((m) => m.accountId === pop3Id && m.subject === pop3Mail[1]!.subject);
  assert.ok(imapRow && pop3Row, 'both messages cached');
  assert.ok(await imapOther.find(imapMail[1]!.messageId), 'on the IMAP server before');
  assert.equal(maildropSize(), pop3Mail.length);

  const deletedAt = Date.now();
  await world.call('deleteMessages', {
    ids: [messageId(imapId, 'INBOX', imapRow.uid), messageId(pop3Id, POP3_FOLDER, pop3Row.uid)],
  });
  await world.stopWorker();
  // Otherwise the background's own timer applied the deletes and this test proves nothing.
  assert.ok(
    Date.now() < deletedAt + UNDO_WINDOW_MS,
    `the background stopped inside the window (${Date.now() - deletedAt} ms after the delete)`,
  );

  // Nothing touches the extension from here: only its alarm can wake the background.
  await world.until(
    'the IMAP delete to reach the server',
    async () => ((await imapOther.find(imapMail[1]!.messageId)) === null ? true : undefined),
    UNDO_WINDOW_MS + AFTER_WINDOW_MS,
  );
  await world.until(
    'the POP3 DELE',
    async () => (maildropSize() === pop3Mail.length - 1 ? true : undefined),
    AFTER_WINDOW_MS,
  );
  console.log(
    `both deletes on the servers ${Date.now() - deletedAt} ms after Delete (window ${UNDO_WINDOW_MS} ms)`,
  );
  assert.ok(await imapOther.find(imapMail[1]!.messageId, 'Trash'), 'moved to Trash');
  assert.ok(await imapOther.find(imapMail[0]!.messageId), 'the other message stays');
  const left = (await world.storedMessages()).map((m) => m.subject).sort();
  assert.deepEqual(left, [imapMail[0]!.subject, pop3Mail[0]!.subject].sort(), 'gone from the cache too');
  assert.equal(await world.badgeText(), '2');
  assert.match(await world.storedSettingsJson(), /"undoHolds":\[\]/, 'no undo window left stored');
});
