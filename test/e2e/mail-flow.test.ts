/**
 * What people use, end to end and as a person does it: real Dovecot, the real relay, Chromium
 * with the built extension. The options page pairs the relay and adds an IMAP and a POP3 account
 * (trusting Dovecot's self-signed certificate); the toolbar badge counts their unread mail; new
 * IMAP mail arrives by IDLE push and new POP3 mail at the next alarm, each with a notification;
 * opening a message in the popup marks it read (on the server for IMAP); deleting removes it
 * from the server (IMAP after the undo window; POP3 only with "Remove from the server when I
 * delete it here"); a hostile HTML message opened from the real account runs and loads
 * nothing. Screenshots of the popup, the reader and the options page, light and dark, go to
 * test-results/screenshots/.
 *
 * The tests run in order and build on each other, as one person's session would.
 * Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright';
import { UNDO_WINDOW_MS } from '../../extension/engine/actions.ts';
import { RELAY_VERSION } from '../../relay/version.ts';
import {
  fillAccount,
  messageList,
  messageRow,
  messageRows,
  OtherClient,
  openOptions,
  openPopup,
  pairRelay,
  plainMessage,
  saveAccount,
  testAndTrust,
} from '../browser/user.ts';
import { BrowserWorld } from '../browser/world.ts';
import { hostileHtmlMessage, makeMailbox } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';

const SHOTS = resolve(import.meta.dirname, '../../test-results/screenshots');

let world: BrowserWorld;
let imapUser: string;
let pop3User: string;
/** Another client of each mailbox, straight to Dovecot. */
let imapOther: OtherClient;
let pop3Other: OtherClient;
/** Account ids, as the options page made them. */
let imapId: string;
let pop3Id: string;
let options: Page;

const IMAP_NAME = 'Work';
const POP3_NAME = 'Home';
const imapMail = makeMailbox(6, { seed: 11, size: 'small', start: new Date('2026-11-20T08:00:00Z') });
const imapSeen = [true, false, false, true, false, false];
const pop3Mail = makeMailbox(3, { seed: 12, size: 'small', start: new Date('2026-11-24T08:00:00Z') });
const hostile = hostileHtmlMessage();
/** What the badge should say: unread across both accounts, tracked as the tests change it. */
let unread = imapSeen.filter((s) => !s).length + 1 + pop3Mail.length;

async function statusOf(id: string) {
  const status = (await world.engineStatus()).find((s) => s.accountId === id);
  assert.ok(status, `status of ${id}`);
  return status;
}

async function stored(subject: string) {
  return (await world.storedMessages()).find((m) => m.subject === subject);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  world = await BrowserWorld.start({ users: 2, pair: false });
  imapUser = world.newUser();
  pop3User = world.newUser();
  // INTERNALDATE (what the list shows for IMAP) as a delivery agent would have set it.
  seedMaildir(world.dovecot, imapUser, [...imapMail, hostile], {
    seen: [...imapSeen, false],
    dates: [...imapMail.map((m) => m.date), new Date('2024-03-05T10:15:00Z')],
  });
  seedMaildir(world.dovecot, pop3User, pop3Mail);
  imapOther = await OtherClient.open(world.dovecot, imapUser, PASSWORD);
  pop3Other = await OtherClient.open(world.dovecot, pop3User, PASSWORD);
});

after(async () => {
  await imapOther?.close();
  await pop3Other?.close();
  await world?.stop();
});

test('options: pair with the relay through "Relay URL" and "Pairing token"', async () => {
  options = await openOptions(world.ext);
  await options.getByRole('status').filter({ hasText: 'Not paired yet' }).waitFor();
  await pairRelay(options, world.relay);
  const { settings } = await world.call('getSettings', {});
  assert.deepEqual(settings.relay, { url: world.relay.url, token: world.relay.token });
});

test('options: add an IMAP account — test, trust the self-signed certificate, save', async () => {
  await options.getByRole('button', { name: 'Add account', exact: true }).click();
  const protocol = options.getByRole('combobox', { name: 'Protocol', exact: true });
  const security = options.getByRole('combobox', { name: 'Security', exact: true });
  assert.deepEqual(await protocol.locator('option').allTextContents(), ['IMAP', 'POP3']);
  assert.deepEqual(await security.locator('option').allTextContents(), ['TLS', 'STARTTLS', 'None']);
  await fillAccount(options, {
    email: `${imapUser}@biff.test`,
    password: PASSWORD,
    protocol: 'IMAP',
    security: 'TLS',
    server: '127.0.0.1',
    port: world.dovecot.ports.imaps,
    username: imapUser,
    name: IMAP_NAME,
  });
  const { trusted } = await testAndTrust(options, world.dovecot.fingerprint256);
  assert.equal(trusted, true, 'Dovecot’s self-signed certificate needed trusting');
  // The staged report: every step passed.
  const steps = options.getByRole('list', { name: 'Connection test steps' }).getByRole('listitem');
  assert.equal(await steps.count(), 5);
  for (const text of await steps.allTextContents()) assert.match(text, /^✓?Passed:/);
  await options.screenshot({ path: join(SHOTS, 'options-editor-light.png'), fullPage: true });
  await saveAccount(options, IMAP_NAME);
  const { accounts } = await world.call('getSettings', {});
  const account = accounts.find((a) => a.email === `${imapUser}@biff.test`);
  assert.ok(account, 'the account was stored');
  imapId = account.id;
  assert.equal(account.protocol, 'imap');
  assert.equal(account.port, world.dovecot.ports.imaps);
  assert.equal(account.pin, world.dovecot.fingerprint256, 'the trusted certificate is pinned');
  await world.badgeShows(String(imapSeen.filter((s) => !s).length + 1));
});

test('options: add a POP3 account that leaves a copy on the server', async () => {
  await options.getByRole('button', { name: 'Add account', exact: true }).click();
  await fillAccount(options, {
    email: `${pop3User}@biff.test`,
    password: PASSWORD,
    protocol: 'POP3',
    security: 'TLS',
    server: '127.0.0.1',
    port: world.dovecot.ports.pop3s,
    username: pop3User,
    name: POP3_NAME,
  });
  const leaveCopy = options.getByRole('checkbox', { name: 'Leave a copy on the server', exact: true });
  assert.equal(await leaveCopy.isChecked(), true, 'on by default');
  const deleteHere = options.getByRole('checkbox', {
    name: 'Remove from the server when I delete it here',
    exact: true,
  });
  assert.equal(await deleteHere.isChecked(), false, 'off by default');
  await testAndTrust(options, world.dovecot.fingerprint256);
  await saveAccount(options, POP3_NAME);
  const { accounts } = await world.call('getSettings', {});
  const account = accounts.find((a) => a.email === `${pop3User}@biff.test`);
  assert.ok(account);
  pop3Id = account.id;
  assert.equal(account.protocol, 'pop3');
  assert.equal(account.pop3.leaveCopy, true);
  assert.equal(account.pop3.deleteWhenDeletedHere, false);
  // Each row offers its own removal.
  assert.equal(await options.getByRole('button', { name: 'Remove account', exact: true }).count(), 2);
});

test('the badge counts unread mail across both accounts', async () => {
  await world.badgeShows(String(unread));
  const statuses = await world.engineStatus();
  assert.deepEqual(
    statuses.map((s) => [s.accountId, s.state, s.unread]),
    [
      [imapId, 'idle', imapSeen.filter((s) => !s).length + 1],
      [pop3Id, 'idle', pop3Mail.length],
    ],
  );
  // The tooltip, in the shipped English strings, lists each account with its count (it is set
  // with the badge text; polled so the two calls' order does not matter).
  const lines = [
    /^Biff\n/,
    new RegExp(`\n${IMAP_NAME}: \\d+ unread, checked (just now|\\d+ min ago)`),
    new RegExp(`\n${POP3_NAME}: ${pop3Mail.length} unread, checked (just now|\\d+ min ago)`),
  ];
  let title = '';
  await world
    .until('the tooltip to list both accounts', async () => {
      title = await (await world.worker()).evaluate(() => chrome.action.getTitle({}));
      return lines.every((line) => line.test(title)) ? true : undefined;
    })
    .catch((err: Error) => {
      throw new Error(`${err.message} (it says ${JSON.stringify(title)})`);
    });
});

test('IMAP: mail another client appends is pushed by IDLE — no check ran — with a notification', async () => {
  await world.until('IMAP push to be live', async () => ((await statusOf(imapId)).push ? true : undefined));
  const before = await statusOf(imapId);
  await world.clearNotifications();
  // Sent three days ago (whole seconds, as a Date header has them), received now.
  const sent = new Date(Math.floor(Date.now() / 1000 - 3 * 86_400) * 1000);
  const note = plainMessage('Pushed: the build is green', 'All 412 tests passed on main.', undefined, sent);
  const started = Date.now();
  await imapOther.append(note.raw);
  unread += 1;
  await world.badgeShows(String(unread));
  const delay = Date.now() - started;
  console.log(`push delay (APPEND by another client → badge): ${delay} ms`);
  const after = await statusOf(imapId);
  assert.equal(after.lastSuccess, before.lastSuccess, 'no scheduled or manual check ran: push delivered it');
  assert.equal(after.push, true);
  assert.ok(await stored(note.subject), 'the message is cached');
  const ids = await world.until('a notification', async () => {
    const ids = await world.notificationIds();
    return ids.length > 0 ? ids : undefined;
  });
  assert.equal(ids.length, 1);
  pushed = note;
});
let pushed: ReturnType<typeof plainMessage>;

test('POP3: new mail is picked up at the account’s next alarm, with a notification', async () => {
  await world.clearNotifications();
  const note = plainMessage('Your parcel is on its way', 'Tracking number 00340434161094.', {
    name: 'Parcel Service',
    address: 'track@parcels.example',
  });
  seedMaildir(world.dovecot, pop3User, [note.raw]);
  assert.equal(await stored(note.subject), undefined, 'POP3 has no push: nothing until a check');
  await world.fireCheckAlarm(pop3Id);
  unread += 1;
  await world.badgeShows(String(unread));
  assert.ok(await stored(note.subject));
  await world.until('a notification', async () =>
    (await world.notificationIds()).length > 0 ? true : undefined,
  );
  parcel = note;
});
let parcel: ReturnType<typeof plainMessage>;

test('popup: "Sync now" fetches new POP3 mail at once', async () => {
  const note = plainMessage('Dinner on Saturday?', 'We could try the new place on Elm Street.', {
    name: 'Grace Hopper',
    address: 'grace@navy.example',
  });
  seedMaildir(world.dovecot, pop3User, [note.raw]);
  const popup = await openPopup(world.ext);
  await messageRows(popup).first().waitFor();
  assert.equal(await messageRow(popup, note.from.name, note.subject).count(), 0, 'not fetched yet');
  await popup.getByRole('button', { name: 'Sync now', exact: true }).click();
  await messageRow(popup, note.from.name, note.subject).waitFor({ timeout: 60_000 });
  unread += 1;
  await world.badgeShows(String(unread));
  await popup.close();
});

test('popup: opening an IMAP message marks it read on the server; Delete removes it after the undo window', async () => {
  const popup = await openPopup(world.ext);
  await popup.getByRole('button', { name: 'Sync now', exact: true }).waitFor();
  const row = messageRow(popup, pushed.from.name, pushed.subject);
  await row.waitFor();
  // Unread rows are described as such.
  assert.equal(await row.getAttribute('aria-describedby'), 'row-unread-description');
  // The popup learns "mark read when opened" from the background; give it its first answers.
  await row.click();
  await popup.getByRole('heading', { level: 1, name: pushed.subject, exact: true }).waitFor();
  await popup.getByText('All 412 tests passed on main.').waitFor();
  // The reader dates it by its Date header (the list by arrival, INTERNALDATE).
  await popup.locator(`.reader-headers time[datetime="${pushed.date.toISOString()}"]`).waitFor();
  for (const name of ['Back', 'Delete', 'Mark as unread'])
    await popup.getByRole('button', { name, exact: true }).waitFor();
  await world.until('\\Seen on the server', async () =>
    (await imapOther.find(pushed.messageId))?.flags.includes('\\Seen') ? true : undefined,
  );
  unread -= 1;
  await world.badgeShows(String(unread));

  // Mark as unread travels too.
  await popup.getByRole('button', { name: 'Mark as unread', exact: true }).click();
  await popup.getByRole('button', { name: 'Mark as read', exact: true }).waitFor();
  await world.until('\\Seen removed on the server', async () => {
    const flags = (await imapOther.find(pushed.messageId))?.flags;
    return flags && !flags.includes('\\Seen') ? true : undefined;
  });
  unread += 1;
  await world.badgeShows(String(unread));

  const deletedAt = Date.now();
  await popup.getByRole('button', { name: 'Delete', exact: true }).click();
  await popup.getByRole('button', { name: 'Undo', exact: true }).waitFor();
  await messageList(popup).waitFor();
  assert.equal(await row.count(), 0, 'gone from the list at once');
  unread -= 1;
  await world.badgeShows(String(unread));
  await world.until('the message to leave INBOX on the server', async () =>
    (await imapOther.find(pushed.messageId)) === null ? true : undefined,
  );
  console.log(
    `IMAP delete reached the server ${Date.now() - deletedAt} ms after Delete (undo window ${UNDO_WINDOW_MS} ms)`,
  );
  assert.ok(await imapOther.find(pushed.messageId, 'Trash'), 'moved to Trash');
  await popup.close();
});

test('popup: POP3 delete keeps the server copy unless "Remove from the server when I delete it here" is on', async () => {
  const popup = await openPopup(world.ext);
  const row = messageRow(popup, parcel.from.name, parcel.subject);
  await row.click();
  await popup.getByRole('heading', { level: 1, name: parcel.subject, exact: true }).waitFor();
  await popup.getByText('Tracking number 00340434161094.').waitFor();
  unread -= 1;
  await world.badgeShows(String(unread));
  const onServer = await pop3Other.count();
  await popup.getByRole('button', { name: 'Delete', exact: true }).click();
  await popup.getByRole('button', { name: 'Undo', exact: true }).waitFor();
  // Past the undo window the delete is committed here (the cached row goes), then the next
  // check: with the option off it sends no DELE.
  await world.until('the delete to be committed here', async () =>
    (await stored(parcel.subject)) === undefined ? true : undefined,
  );
  const before = (await statusOf(pop3Id)).lastSuccess;
  await world.fireCheckAlarm(pop3Id);
  await world.until('the POP3 check after the delete', async () =>
    (await statusOf(pop3Id)).lastSuccess !== before ? true : undefined,
  );
  assert.equal(await pop3Other.count(), onServer, 'the server still has every message');
  assert.equal(await row.count(), 0, 'but it is gone from the popup');
  await popup.close();

  // Switch the option on in the account's editor.
  await options.bringToFront();
  const rowInOptions = options.getByRole('listitem').filter({ hasText: POP3_NAME });
  await rowInOptions.getByRole('button', { name: 'Edit', exact: true }).click();
  const deleteHere = options.getByRole('checkbox', {
    name: 'Remove from the server when I delete it here',
    exact: true,
  });
  await deleteHere.check();
  await saveAccount(options, POP3_NAME);
  const { accounts } = await world.call('getSettings', {});
  assert.equal(accounts.find((a) => a.id === pop3Id)?.pop3.deleteWhenDeletedHere, true);

  const popup2 = await openPopup(world.ext);
  const victim = pop3Mail[pop3Mail.length - 1]!;
  const victimRow = messageRow(popup2, victim.from.name || victim.from.address, victim.subject).first();
  await victimRow.click();
  await popup2.getByRole('heading', { level: 1, name: victim.subject, exact: true }).waitFor();
  unread -= 1;
  await popup2.getByRole('button', { name: 'Delete', exact: true }).click();
  await world.badgeShows(String(unread));
  // Both messages deleted here leave the server at the session after the undo window.
  await world.until(
    'both deleted messages to leave the server',
    async () => ((await pop3Other.count()) === onServer - 2 ? true : undefined),
    60_000,
  );
  await popup2.close();
});

test('popup: a hostile HTML message from the real account shows its text and runs and loads nothing', async () => {
  const requests: string[] = [];
  const dialogs: string[] = [];
  const onRequest = (r: { url(): string }) => requests.push(r.url());
  world.ext.context.on('request', onRequest);
  const popup = await openPopup(world.ext);
  popup.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const errors: string[] = [];
  popup.on('pageerror', (e) => errors.push(e.message));
  try {
    await messageRow(popup, 'Finance', hostile.subject).click();
    await popup.getByRole('heading', { level: 1, name: hostile.subject, exact: true }).waitFor();
    const body = popup.frameLocator('iframe[title="Message body"]');
    for (const text of hostile.visibleText) await body.getByText(text).waitFor({ timeout: 30_000 });
    await popup.getByRole('button', { name: 'Load remote images', exact: true }).waitFor();
    // Give anything that would fire (onload, meta refresh, autofocus, timers) the time to.
    await body.getByText('Focusable').hover();
    await popup.waitForTimeout(2_000);
    for (const frame of popup.frames()) {
      const pwned = await frame
        .evaluate(() => (window as unknown as { __biffPwned?: string }).__biffPwned ?? null)
        .catch(() => null);
      assert.equal(pwned, null, `a script ran in ${frame.url()}`);
    }
    assert.ok(
      requests.some((u) => u.endsWith('/popup.html')),
      'the request log sees the popup’s own requests',
    );
    const remote = requests.filter((u) => !/^(chrome-extension|data|blob|about):/.test(u));
    assert.deepEqual(remote, [], 'nothing was requested from the network');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
    await world.until('\\Seen on the server', async () =>
      (await imapOther.find(hostile.messageId))?.flags.includes('\\Seen') ? true : undefined,
    );
    unread -= 1;
    await world.badgeShows(String(unread));

    // Asked for, remote images load — and still nothing else does, and nothing runs.
    await popup.getByRole('button', { name: 'Load remote images', exact: true }).click();
    await world.until('the remote image to be requested', async () =>
      requests.includes(hostile.autoLoadUrls['img-src']!) ? true : undefined,
    );
    await popup.waitForTimeout(1_000);
    const active = [
      'script-src',
      'iframe-src',
      'meta-refresh',
      'object-data',
      'embed-src',
      'prefetch',
      'css-clip-path',
    ];
    for (const vector of active)
      assert.ok(!requests.includes(hostile.autoLoadUrls[vector]!), `${vector} was not requested`);
    assert.deepEqual(
      requests.filter((u) => u.includes('/exec/') || u.includes('form-action')),
      [],
      'no script ran, no form was sent',
    );
    assert.deepEqual(dialogs, []);
  } finally {
    world.ext.context.off('request', onRequest);
    await popup.close();
  }
});

test('screenshots: popup list, reader and options, light and dark', async () => {
  for (const scheme of ['light', 'dark'] as const) {
    const popup = await openPopup(world.ext, scheme);
    await settled(popup);
    await popup.screenshot({ path: join(SHOTS, `popup-list-${scheme}.png`) });
    // Open a read message so the shot leaves the server state alone.
    const opened = imapMail.findLastIndex((_, i) => imapSeen[i]);
    const message = imapMail[opened]!;
    await messageRow(popup, message.from.name || message.from.address, message.subject)
      .first()
      .click();
    await popup.getByRole('heading', { level: 1, name: message.subject, exact: true }).waitFor();
    await popup.getByText('Loading message…').waitFor({ state: 'detached', timeout: 30_000 });
    await popup.screenshot({ path: join(SHOTS, `reader-${scheme}.png`) });
    await popup.getByRole('button', { name: 'Back', exact: true }).click();
    await messageList(popup).waitFor();
    await popup.close();

    const page = await openOptions(world.ext, scheme);
    await page
      .getByRole('status')
      .filter({ hasText: `Relay ${RELAY_VERSION} connected` })
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, `options-${scheme}.png`), fullPage: true });
    await page.close();
  }
});

test('options: "Remove account" removes the POP3 account and its mail; the badge follows', async () => {
  await options.bringToFront();
  await options.reload();
  const dialogs: string[] = [];
  options.once('dialog', (d) => {
    dialogs.push(d.message());
    void d.accept();
  });
  const row = options.getByRole('listitem').filter({ hasText: POP3_NAME });
  await row.getByRole('button', { name: 'Remove account', exact: true }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal(dialogs.length, 1, 'asked first');
  assert.match(dialogs[0]!, /Nothing is deleted on the server/);
  const { accounts } = await world.call('getSettings', {});
  assert.deepEqual(
    accounts.map((a) => a.id),
    [imapId],
  );
  const pop3Unread = (await world.storedMessages()).filter((m) => m.accountId === pop3Id);
  assert.deepEqual(pop3Unread, [], 'its cached mail is gone');
  const imapUnread = imapSeen.filter((s) => !s).length;
  await world.badgeShows(String(imapUnread));
});

/** Lets the popup settle for a screenshot: the background's unread total arrives, fonts load. */
async function settled(popup: Page): Promise<void> {
  await popup.getByRole('button', { name: 'Sync now', exact: true }).waitFor();
  await messageRows(popup).first().waitFor();
  await popup.waitForTimeout(1_000);
}
