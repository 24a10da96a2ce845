/**
 * biff-browsers: chromium firefox — the same tests in both (test/browser/driver.ts).
 * The primary password as a person uses it, end to end: pair the relay and add an IMAP account
 * on the options page, set a primary password there (nothing secret stays readable in
 * storage.local), quit and start the browser again on the same profile (Biff comes back locked:
 * a lock on the badge, one banner in the popup, cached mail still listed, no account failing),
 * unlock from the popup (a wrong password is refused there), and mail is checked again: a new
 * message reaches the popup and the badge. Then the options page changes the primary password
 * and removes it, and the account keeps working. Real Dovecot, the real relay, the browser with the
 * built extension; every step goes through test/browser/user.ts by accessible names. After a
 * restart Biff starts with the browser by itself (Firefox starts an event page at its start
 * only for a runtime.onStartup listener, and forgets its alarms: without one, nothing was
 * checked and no lock shown until the popup was opened).
 *
 * The tests run in order and build on each other. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { LOCKED_BADGE } from '../../background/badge.ts';
import type { UiPage } from '../browser/driver.ts';
import {
  addAccount,
  lockedBanner,
  messageRow,
  OtherClient,
  openOptions,
  openPopup,
  pairRelay,
  plainMessage,
  setPrimaryPassword,
  unlockInPopup,
} from '../browser/user.ts';
import { BrowserWorld } from '../browser/world.ts';
import { PASSWORD } from '../support/server-world.ts';

const SHOTS = resolve(
  import.meta.dirname,
  '../../test-results/screenshots',
  process.env.BIFF_BROWSER === 'firefox' ? 'firefox' : '',
);

/** Full of what quoting and escaping get wrong. */
const PRIMARY = 'pr1m "ary" \\ pass ✓ %41';
const ACCOUNT_NAME = 'Locked Work';
const first = plainMessage('Before the restart', 'Cached while unlocked.');

let world: BrowserWorld;
let user: string;
let other: OtherClient;

/** storage.local as JSON must not contain any secret in plain. */
async function assertNothingReadable(secrets: Record<string, string>): Promise<void> {
  const stored = await world.storedSettingsJson();
  assert.ok(stored.includes('"vault"'), 'the secrets are in the vault');
  for (const [what, secret] of Object.entries(secrets))
    assert.ok(
      !stored.includes(secret) && !stored.includes(JSON.stringify(secret).slice(1, -1)),
      `${what} is not readable in storage.local`,
    );
}

/**
 * Right after a restart, before any page of Biff opened: the browser started Biff's background
 * by itself (nothing here wakes it), so the lock shows and due accounts are checked without the
 * popup being opened.
 */
async function backgroundStartsWithTheBrowser(): Promise<void> {
  await world.until('the background to start with the browser', async () =>
    (await world.driver.backgroundRunning()) ? true : undefined,
  );
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await BrowserWorld.start({ users: 1, pair: false });
  user = world.newUser();
  other = await OtherClient.open(world.dovecot, user, PASSWORD);
  await other.append(first.raw);
});

after(async () => {
  await other?.close();
  await world?.stop();
});

test('set a primary password on the options page: no password or token stays readable at rest', async () => {
  const options = await openOptions(world.driver);
  await pairRelay(options, world.relay);
  await addAccount(
    options,
    {
      email: `${user}@biff.test`,
      password: PASSWORD,
      protocol: 'IMAP',
      security: 'TLS',
      server: '127.0.0.1',
      port: world.dovecot.ports.imaps,
      username: user,
      name: ACCOUNT_NAME,
    },
    world.dovecot.fingerprint256,
  );
  await world.badgeShows('1');
  assert.ok((await world.storedSettingsJson()).includes(PASSWORD), 'before: the password is stored in plain');

  await setPrimaryPassword(options, PRIMARY);
  await assertNothingReadable({
    'the account password': PASSWORD,
    'the pairing token': world.relay.token,
    'the primary password': PRIMARY,
  });
  // Still unlocked in this session: nothing changes for the user.
  await world.badgeShows('1');
  await options.close();
});

test('after a browser restart Biff is locked: a lock on the badge, one banner, cached mail readable, no account failing', async () => {
  await world.restartBrowser();
  await backgroundStartsWithTheBrowser();
  await world.badgeShows(LOCKED_BADGE);
  assert.match(await world.badgeTitle(), /^Biff is locked/);
  const statuses = await world.engineStatus();
  assert.equal(statuses.length, 1);
  assert.notEqual(statuses[0]!.state, 'error', 'the account is not failing: it waits');
  // The status the last worker saved said "push"; no connection runs while locked.
  assert.equal(statuses[0]!.push, false, 'no push while locked');

  const popup = await openPopup(world.driver);
  await lockedBanner(popup).waitFor();
  await messageRow(popup, first.from.name, first.subject).waitFor();
  assert.equal(
    await popup.evaluate(() => document.activeElement?.getAttribute('autocomplete')),
    'current-password',
    'the primary password field has the focus: asked once, ready to type',
  );
  assert.equal(await popup.getByRole('alert').count(), 0, 'no error banner next to the lock');
  await popup.screenshot({ path: join(SHOTS, 'popup-locked.png') });
  await popup.close();

  // The options page comes up too, the lock first, the relay saying why it is not checked.
  const options = await openOptions(world.driver);
  const section = options.getByRole('region', { name: 'Primary password', exact: true });
  await section.getByRole('button', { name: 'Unlock', exact: true }).waitFor();
  await options
    .getByRole('status')
    .filter({ hasText: 'Locked: the pairing token is encrypted with your primary password.' })
    .waitFor();
  await options.close();
});

test('unlocking from the popup: a wrong password is refused there; the right one brings new mail', async () => {
  const popup: UiPage = await openPopup(world.driver);
  assert.deepEqual(await unlockInPopup(popup, 'not the primary password'), {
    error: 'That is not the primary password',
  });
  assert.equal(await world.badgeText(), LOCKED_BADGE, 'still locked');
  assert.deepEqual(await unlockInPopup(popup, PRIMARY), { error: null });

  // The unlock starts push and checks the account; as in recovery.test.ts, new mail is
  // delivered once push is live (the status says so only for a running connection).
  await world.until('IMAP push to be live after the unlock', async () => {
    const [status] = await world.engineStatus();
    return status?.push && status.state === 'idle' ? true : undefined;
  });
  const second = plainMessage('After the unlock', 'Checked again.');
  await other.append(second.raw);
  await messageRow(popup, second.from.name, second.subject).waitFor({ timeout: 60_000 });
  await world.badgeShows('2');
  const [status] = await world.engineStatus();
  assert.equal(status?.state === 'error' ? status.error?.message : 'ok', 'ok');
  await popup.close();

  // The browser stopping the idle background is not a browser restart: the key waits in
  // storage.session (the key, never the password), and the next background starts unlocked.
  const session = await world.sessionJson();
  assert.ok(
    session.includes('primaryKey') && !session.includes(PRIMARY),
    'storage.session holds the key only',
  );
  await world.stopWorker();
  // The popup wakes the next background (tests then talk only to that one, see BrowserWorld.stopWorker).
  const woken = await openPopup(world.driver);
  await messageRow(woken, second.from.name, second.subject).waitFor();
  const locked = await world.driver.inBackground(
    async (s) => ((await s.biff.ready).engine as unknown as { locked: boolean }).locked,
  );
  assert.equal(locked, false, 'the new background found the key: unlocked');
  await woken.close();
  await world.until('IMAP push to be live again', async () =>
    (await world.engineStatus())[0]?.push ? true : undefined,
  );
  const third = plainMessage('After the worker stopped', 'Still unlocked.');
  await other.append(third.raw);
  await world.badgeShows('3');
});

test('change, then remove, the primary password on the options page; the account keeps working', async () => {
  const options = await openOptions(world.driver);
  const section = options.getByRole('region', { name: 'Primary password', exact: true });
  const encrypted = section
    .getByRole('status')
    .filter({ hasText: 'Saved passwords are encrypted with your primary password.' });
  await encrypted.waitFor();
  const next = 'a n3w primary password';
  await section.getByRole('textbox', { name: 'Current primary password', exact: true }).fill('wrong one');
  await section.getByRole('textbox', { name: 'New primary password', exact: true }).fill(next);
  await section.getByRole('textbox', { name: 'Confirm new primary password', exact: true }).fill(next);
  await section.getByRole('button', { name: 'Change primary password', exact: true }).click();
  await section
    .getByRole('alert')
    .filter({ hasText: 'That is not the primary password' })
    .waitFor({ timeout: 30_000 });

  await section.getByRole('textbox', { name: 'Current primary password', exact: true }).fill(PRIMARY);
  await section.getByRole('button', { name: 'Change primary password', exact: true }).click();
  await section
    .getByRole('status')
    .filter({ hasText: 'Primary password changed.' })
    .waitFor({ timeout: 30_000 });
  await assertNothingReadable({ 'the account password': PASSWORD, 'the new primary password': next });

  await section.getByRole('textbox', { name: 'Current primary password', exact: true }).fill(next);
  await section.getByRole('button', { name: 'Remove primary password', exact: true }).click();
  await section
    .getByRole('status')
    .filter({ hasText: 'No primary password: saved passwords are not encrypted.' })
    .waitFor({ timeout: 30_000 });
  const stored = await world.storedSettingsJson();
  assert.ok(!stored.includes('"vault"') && stored.includes(PASSWORD), 'stored in plain again');

  const fourth = plainMessage('After removing it', 'Still checked.');
  await other.append(fourth.raw);
  await world.badgeShows('4');
  await options.close();
});

test('"Forgot primary password" after a restart: the secrets go, accounts and every cached message stay', async () => {
  const options = await openOptions(world.driver);
  await setPrimaryPassword(options, PRIMARY);
  await options.close();
  const cached = (await world.storedMessages()).map((m) => m.subject).sort();
  assert.equal(cached.length, 4);
  await world.restartBrowser();
  await backgroundStartsWithTheBrowser();
  await world.badgeShows(LOCKED_BADGE);

  const page = await openOptions(world.driver);
  const section = page.getByRole('region', { name: 'Primary password', exact: true });
  await section.getByRole('button', { name: 'Forgot primary password', exact: true }).click();
  await section.getByRole('button', { name: 'Reset primary password', exact: true }).click();
  await section
    .getByRole('status')
    .filter({ hasText: 'Primary password reset: enter the account passwords and the pairing token again.' })
    .waitFor({ timeout: 30_000 });
  await page.getByRole('listitem').filter({ hasText: ACCOUNT_NAME }).first().waitFor();
  await page.getByRole('status').filter({ hasText: 'Not paired yet' }).waitFor();
  await page.close();

  const stored = await world.storedSettingsJson();
  assert.ok(!stored.includes('"vault"'), 'the vault is gone');
  assert.ok(stored.includes(ACCOUNT_NAME), 'the account is kept');
  assert.ok(!stored.includes(PASSWORD) && !stored.includes(world.relay.token), 'no secret came back');
  assert.deepEqual(
    (await world.storedMessages()).map((m) => m.subject).sort(),
    cached,
    'no cached mail lost',
  );
  assert.notEqual(await world.badgeText(), LOCKED_BADGE);
  const popup = await openPopup(world.driver);
  await messageRow(popup, first.from.name, first.subject).waitFor();
  await popup.close();
});
