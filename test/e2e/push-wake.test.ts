/**
 * A stopped background gets push back by itself (issue 15; biff-browsers: chromium firefox):
 * with IMAP push on and the account's check interval an hour (so no check alarm comes), the
 * browser stops the background, nothing touches the extension, and mail delivered to the server
 * still reaches the toolbar badge, because the `push-watch` alarm (background/push-watch.ts,
 * every 30 s while push is wanted) wakes it and its start-up starts push again. Without that
 * alarm the badge does not move within the same wait (checked in both browsers). Firefox keeps
 * its event page loaded while push is on (background/keep-alive.ts, firefox-background.test.ts),
 * so there only a crash or an update stops it; the test stops it all the same, and the alarm
 * brings it back as in Chromium. Real Dovecot, the real relay, the built extension. Needs
 * `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AccountStatus } from '../../extension/contract.ts';
import type { UiPage } from '../browser/driver.ts';
import { OtherClient, plainMessage } from '../browser/user.ts';
import { BrowserWorld } from '../browser/world.ts';
import { makeMailbox } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';

/** Long enough that no check alarm fires during the test: only push can bring the mail. */
const CHECK_EVERY_MINUTES = 60;
/**
 * How long the badge may take once the worker stopped and the mail is on the server: the alarm's
 * 30 s period, a worker start, a relay connection, a login and a sync, with a wide margin for a
 * machine shared by several test runs. An outcome deadline, not a timing assertion.
 */
const WAKE_DEADLINE_MS = 120_000;

let world: BrowserWorld;
let other: OtherClient;
let accountId: string;
/**
 * An extension page opened while the worker runs, to read the badge afterwards: a call to
 * `chrome.action` from a page goes to the browser and does not start the worker (BrowserWorld's
 * badgeText() runs in the worker, and would start it).
 */
let page: UiPage;

async function statusOf(id: string): Promise<AccountStatus> {
  const status = (await world.engineStatus()).find((s) => s.accountId === id);
  assert.ok(status, `status of ${id}`);
  return status;
}

/** Whether the background's push-watch alarm is set (read in the worker: starts it if stopped). */
async function pushWatchSet(): Promise<boolean> {
  const all = await world.driver.inBackground(async (s) => s.chrome.alarms.getAll());
  return all.some((a) => a.name === 'push-watch');
}

before(async () => {
  world = await BrowserWorld.start({ users: 1 });
  const user = world.newUser();
  seedMaildir(world.dovecot, user, makeMailbox(2, { seed: 15, size: 'small' }));
  other = await OtherClient.open(world.dovecot, user, PASSWORD);
  const account = world.accountFor(user, 'imap', 'implicit', { checkIntervalMinutes: CHECK_EVERY_MINUTES });
  accountId = account.id;
  await world.call('saveAccount', { account, password: PASSWORD });
  await world.badgeShows('2');
  page = await world.driver.open('options.html');
  // Its start-up asks the background for the accounts: once it lists this one, that is answered,
  // and from then on the page sends nothing by itself.
  await page.getByText(account.name).first().waitFor();
});

after(async () => {
  await other?.close();
  await world?.stop();
});

test('push on, the background stopped, nothing touched: delivered mail reaches the badge', async () => {
  await world.until('IMAP push to be live', async () =>
    (await statusOf(accountId)).push ? true : undefined,
  );
  assert.ok(await pushWatchSet(), 'the push-watch alarm is set while push is wanted');

  await world.stopWorker();
  const stopped = Date.now();
  const note = plainMessage('While the worker was stopped', 'Delivered with no worker running.');
  await other.append(note.raw);
  await world.until(
    'the badge to show 3 (only the push-watch alarm can wake the background)',
    async () => ((await page.evaluate(() => chrome.action.getBadgeText({}))) === '3' ? true : undefined),
    WAKE_DEADLINE_MS,
  );
  console.log(`background stop + delivery → badge: ${Date.now() - stopped} ms`);
  // The stored row says the mail came through the worker's own sync, not a test shortcut.
  const stored = (await world.storedMessages()).find((m) => m.subject === note.subject);
  assert.ok(stored, 'the mail is stored');
  assert.equal((await statusOf(accountId)).push, true, 'push is back');
});

test('removing the only push account clears the push-watch alarm', async () => {
  await world.call('removeAccount', { accountId });
  await world.until('the push-watch alarm to go', async () => ((await pushWatchSet()) ? undefined : true));
});
