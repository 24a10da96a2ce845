/**
 * When things stop, and start again: the relay goes away (the popup says so, with the command
 * that starts it, and still shows the cached mail) and comes back (checks and push resume by
 * themselves); Chrome stops the service worker (the badge, the cache and the counts survive,
 * and the next check and the next pushed message arrive). Real Dovecot, the real relay and
 * Chromium with the built extension; accounts are set up through the contract (the options
 * page flow has its own test, mail-flow.test.ts). The popup is opened as a page.
 *
 * The tests run in order and build on each other. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { AccountStatus } from '../../extension/contract.ts';
import { messageRow, messageRows, OtherClient, openPopup, plainMessage } from '../browser/user.ts';
import { BrowserWorld } from '../browser/world.ts';
import { makeMailbox } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';

const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

let world: BrowserWorld;
let imapOther: OtherClient;
let pop3User: string;
let imapId: string;
let pop3Id: string;
const imapMail = makeMailbox(4, { seed: 31, size: 'small' });
const pop3Mail = makeMailbox(2, { seed: 32, size: 'small' });
/** The first IMAP message is read, so opening it changes no count. */
const imapSeen = [true, false, false, false];
let unread = imapSeen.filter((s) => !s).length + pop3Mail.length;

async function statusOf(id: string): Promise<AccountStatus> {
  const status = (await world.engineStatus()).find((s) => s.accountId === id);
  assert.ok(status, `status of ${id}`);
  return status;
}

async function cachedSubjects(): Promise<string[]> {
  return (await world.storedMessages())
    .filter((m) => !m.deletedLocally)
    .map((m) => m.subject)
    .sort();
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await BrowserWorld.start({ users: 2 });
  const imapUser = world.newUser();
  pop3User = world.newUser();
  seedMaildir(world.dovecot, imapUser, imapMail, { seen: imapSeen, dates: imapMail.map((m) => m.date) });
  seedMaildir(world.dovecot, pop3User, pop3Mail);
  imapOther = await OtherClient.open(world.dovecot, imapUser, PASSWORD);
  const imap = { ...world.accountFor(imapUser, 'imap'), name: 'Work' };
  const pop3 = { ...world.accountFor(pop3User, 'pop3'), name: 'Home' };
  imapId = imap.id;
  pop3Id = pop3.id;
  await world.call('saveAccount', { account: imap, password: PASSWORD });
  await world.call('saveAccount', { account: pop3, password: PASSWORD });
  await world.badgeShows(String(unread));
  await world.until('IMAP push to be live', async () => ((await statusOf(imapId)).push ? true : undefined));
});

after(async () => {
  await imapOther?.close();
  await world?.stop();
});

test('relay stopped: the popup says so, with the command to start it, and still shows cached mail', async () => {
  const cached = await cachedSubjects();
  await world.stopRelay();
  // The accounts' next checks (their alarms) find the relay gone.
  await world.fireCheckAlarm(imapId);
  await world.fireCheckAlarm(pop3Id);
  for (const id of [imapId, pop3Id]) {
    const status = await world.until(`${id} to fail`, async () => {
      const s = await statusOf(id);
      return s.state === 'error' ? s : undefined;
    });
    assert.equal(status.error?.kind, 'relay');
    assert.equal(status.error?.code, 'relay_unreachable');
    assert.ok(status.nextCheck !== null, 'a retry is scheduled');
  }
  await world.badgeShows('!');
  const title = await (await world.worker()).evaluate(() => chrome.action.getTitle({}));
  assert.match(title, /cannot check Work, Home/);

  const popup = await openPopup(world.ext);
  const banner = popup.getByRole('alert').filter({ hasText: 'The Biff relay isn’t running' });
  await banner.waitFor({ timeout: 30_000 });
  assert.equal(await banner.locator('code').textContent(), 'biff-relay');
  await banner.getByRole('button', { name: 'Copy', exact: true }).waitFor();
  // The cached mail is all there and readable.
  await messageRows(popup).first().waitFor();
  assert.equal(await messageRows(popup).count(), cached.length);
  // A read message (so nothing changes on opening it): its body was never fetched, and cannot
  // be now, but what is cached of it shows.
  const message = imapMail[0]!;
  await messageRow(popup, message.from.name || message.from.address, message.subject)
    .first()
    .click();
  await popup.getByRole('heading', { level: 1, name: message.subject, exact: true }).waitFor();
  const preview = (await world.storedMessages()).find((m) => m.subject === message.subject) as
    | { preview?: string }
    | undefined;
  assert.ok(preview?.preview, 'the summary has a preview');
  await popup.getByText(preview.preview.slice(0, 40), { exact: false }).first().waitFor();
  await popup.getByRole('button', { name: 'Back', exact: true }).click();
  await messageRows(popup).first().waitFor();
  await popup.screenshot({ path: join(SHOTS, 'popup-relay-down-light.png') });
  await popup.close();
  assert.deepEqual(await cachedSubjects(), cached, 'nothing was lost');
});

test('relay back: checks and push resume by themselves, without any help', async () => {
  const failedAt = Date.now();
  await world.restartRelay();
  // The retry the failure scheduled (30 s after it, an alarm) runs the checks again.
  for (const id of [imapId, pop3Id]) {
    await world.until(
      `${id} to be checked again`,
      async () => {
        const s = await statusOf(id);
        return s.state === 'idle' && (s.lastSuccess ?? 0) > failedAt ? true : undefined;
      },
      150_000,
    );
  }
  console.log(`both accounts checked again ${Date.now() - failedAt} ms after the relay came back`);
  await world.badgeShows(String(unread));
  // The push connection reconnected by itself: new mail arrives without a check.
  await world.until(
    'IMAP push to be live again',
    async () => ((await statusOf(imapId)).push ? true : undefined),
    120_000,
  );
  const before = (await statusOf(imapId)).lastSuccess;
  const note = plainMessage('Back online', 'The relay is running again.');
  await imapOther.append(note.raw);
  unread += 1;
  await world.badgeShows(String(unread));
  assert.equal((await statusOf(imapId)).lastSuccess, before, 'push delivered it, not a check');

  const popup = await openPopup(world.ext);
  await messageRow(popup, note.from.name, note.subject).waitFor();
  assert.equal(await popup.getByRole('alert').filter({ hasText: 'The Biff relay isn’t running' }).count(), 0);
  await popup.close();
});

test('service worker stopped: badge, cache and counts survive; the next check and pushed mail arrive', async () => {
  const badge = await world.badgeText();
  const cached = await cachedSubjects();
  const statuses = await world.engineStatus();
  await world.stopWorker();
  const stoppedAt = Date.now();

  // The popup paints from the cache without the worker, then wakes it.
  const popup = await openPopup(world.ext);
  await messageRows(popup).first().waitFor();
  const started = await (await world.worker()).evaluate(() => performance.timeOrigin);
  assert.ok(started >= stoppedAt - 1000, 'a new worker runs');
  assert.equal(await world.badgeText(), badge, 'the badge is unchanged');
  assert.deepEqual(await cachedSubjects(), cached, 'the cache is intact');
  const after = await world.engineStatus();
  assert.deepEqual(
    after.map((s) => [s.accountId, s.unread, s.lastSuccess]),
    statuses.map((s) => [s.accountId, s.unread, s.lastSuccess]),
    'counts and last checks were restored',
  );
  await popup.close();

  // Push comes back with the new worker…
  await world.until(
    'IMAP push to be live again',
    async () => ((await statusOf(imapId)).push ? true : undefined),
    60_000,
  );
  const pushed = plainMessage('After the restart', 'Pushed to a worker that was stopped a moment ago.');
  await imapOther.append(pushed.raw);
  unread += 1;
  await world.badgeShows(String(unread));
  // …and so does the POP3 check at its alarm.
  const note = plainMessage('Also after the restart', 'Picked up by POP3.');
  seedMaildir(world.dovecot, pop3User, [note.raw]);
  await world.fireCheckAlarm(pop3Id);
  unread += 1;
  await world.badgeShows(String(unread));
  const subjects = await cachedSubjects();
  assert.ok(subjects.includes(pushed.subject) && subjects.includes(note.subject));
  assert.equal(subjects.length, cached.length + 2);
});

test('a message opened the moment the popup opens, while the worker is still starting, is marked read too', async () => {
  await world.stopWorker();

  // The popup paints from the cache at once; its settings come from the worker, which is only
  // now being woken. The click does not wait for them.
  const message = imapMail[2]!;
  const popup = await openPopup(world.ext);
  await messageRow(popup, message.from.name || message.from.address, message.subject)
    .first()
    .click();
  await popup.getByRole('heading', { level: 1, name: message.subject, exact: true }).waitFor();
  await world.until('\\Seen on the server', async () =>
    (await imapOther.find(message.messageId))?.flags.includes('\\Seen') ? true : undefined,
  );
  unread -= 1;
  await world.badgeShows(String(unread));
  await popup.close();
});
