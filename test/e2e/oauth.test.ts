/**
 * biff-browsers: chromium firefox
 *
 * OAuth 2.0 sign-in end to end, as a person does it on the options page: the account editor's
 * "Sign-in method" set to "OAuth 2.0", the test authorization server (oidc-provider, which registers Biff's redirect URIs of both browsers)
 * as "Authorization server", "Sign in" opening the browser's sign-in window (launchWebAuthFlow:
 * in headless Chromium an ordinary page of the context, in Firefox a window of its own; the
 * driver's `browserWindow` finds either), whose login form is filled and sent.
 * Dovecot accepts the JWT access tokens (passdb oauth2); the IMAP and POP3 accounts read mail
 * with them through the relay; access tokens live 12 s and mail keeps arriving after they
 * expire; a revoked sign-in turns into "Sign in again" with the warning badge and one
 * notification, and signing in again restores the account. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SIGN_IN_AGAIN_MESSAGE } from '../../extension/engine/classify.ts';
import { revokeToken } from '../../extension/mail/oauth/tokens.ts';
import type { UiLocator, UiPage } from '../browser/driver.ts';
import { openOptions, saveAccount, testAndTrust } from '../browser/user.ts';
import { BrowserWorld } from '../browser/world.ts';
import { makeMailbox } from '../servers/messages.ts';
import {
  CHROME_REDIRECT_URI,
  FIREFOX_REDIRECT_URI,
  type OAuthServer,
  SIGNING_KID,
  startOAuthServer,
} from '../servers/oauth-server.ts';
import { seedMaildir } from '../servers/seed.ts';

/** Short enough that the tests see tokens expire and get refreshed; long enough for a sync. */
const ACCESS_TOKEN_TTL_S = 12;
const IDP_PASSWORD = 'idp pass 4567';

let idp: OAuthServer;
let world: BrowserWorld;
let options: UiPage;
let imapUser: string;
let pop3User: string;

before(async () => {
  idp = await startOAuthServer({ users: [], accessTokenTtl: ACCESS_TOKEN_TTL_S });
  world = await BrowserWorld.start({
    users: 2,
    dovecot: { oauth2: { issuer: idp.issuer, kid: SIGNING_KID, publicKeyPem: idp.publicKeyPem } },
  });
  imapUser = world.newUser();
  pop3User = world.newUser();
  idp.addUser(imapUser, IDP_PASSWORD);
  idp.addUser(pop3User, IDP_PASSWORD);
  seedMaildir(world.dovecot, imapUser, makeMailbox(2, { seed: 21, size: 'small' }));
  seedMaildir(world.dovecot, pop3User, makeMailbox(3, { seed: 22, size: 'small' }));
});

after(async () => {
  await world?.stop();
  await idp?.stop();
});

/**
 * Presses `button` (the editor's "Sign in") and completes the sign-in window as `user` (or
 * presses its "Cancel").
 */
async function signInWindow(
  page: UiPage,
  user: string | null,
  button: UiLocator = page.getByRole('button', { name: 'Sign in', exact: true }),
): Promise<void> {
  await button.click();
  const window = await world.driver.browserWindow(idp.issuer);
  assert.ok(window, 'the sign-in window opened');
  if (user === null) {
    await window.getByRole('button', { name: 'Cancel', exact: true }).click();
    return;
  }
  await window.getByRole('textbox', { name: 'Username', exact: true }).fill(user);
  await window.getByRole('textbox', { name: 'Password', exact: true }).fill(IDP_PASSWORD);
  await window.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Opens "Add account" and fills it for an OAuth sign-in at the test server. */
async function fillOAuthAccount(page: UiPage, user: string, protocol: 'IMAP' | 'POP3', name: string) {
  await page.getByRole('button', { name: 'Add account', exact: true }).click();
  await page.getByRole('textbox', { name: 'Email address', exact: true }).fill(`${user}@biff.test`);
  const method = page.getByRole('combobox', { name: 'Sign-in method', exact: true });
  assert.deepEqual(await method.locator('option').allTextContents(), ['Password', 'OAuth 2.0']);
  await method.selectOption({ label: 'OAuth 2.0' });
  await page.getByRole('textbox', { name: 'Authorization server', exact: true }).fill(idp.issuer);
  await page.getByRole('textbox', { name: 'Client ID', exact: true }).fill(idp.clientId);
  await page.getByRole('combobox', { name: 'Protocol', exact: true }).selectOption({ label: protocol });
  await page.getByRole('combobox', { name: 'Security', exact: true }).selectOption({ label: 'TLS' });
  await page.getByRole('textbox', { name: 'Server', exact: true }).fill('127.0.0.1');
  const port = protocol === 'IMAP' ? world.dovecot.ports.imaps : world.dovecot.ports.pop3s;
  await page.getByRole('textbox', { name: 'Port', exact: true }).fill(String(port));
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(user);
  await page.getByRole('textbox', { name: 'Account name', exact: true }).fill(name);
}

async function accountId(name: string): Promise<string> {
  const { accounts } = await world.call('getSettings', {});
  const found = accounts.find((a) => a.name === name);
  assert.ok(found, `account ${name}`);
  return found.id;
}

async function status(id: string) {
  const found = (await world.engineStatus()).find((s) => s.accountId === id);
  assert.ok(found, `status of ${id}`);
  return found;
}

async function unreadIs(id: string, count: number): Promise<void> {
  await world.until(
    `${count} unread in ${id}`,
    async () => ((await status(id)).unread === count ? true : undefined),
    60_000,
  );
}

/** How many token requests (sign-ins and refreshes) the authorization server answered. */
const tokenRequests = () => idp.requests.filter((r) => r.method === 'POST' && r.path === '/token').length;

test('a cancelled sign-in or an unknown client ID says so and saves nothing', async () => {
  const exchanged = tokenRequests();
  options = await openOptions(world.driver);
  await fillOAuthAccount(options, imapUser, 'IMAP', 'Cancelled');
  await signInWindow(options, null);
  await options
    .getByRole('alert')
    .filter({
      hasText:
        'Sign-in failed: the authorization server refused the sign-in: access_denied (the user cancelled)',
    })
    .waitFor();
  await options.getByRole('button', { name: 'Save', exact: true }).click();
  await options.getByRole('alert').filter({ hasText: 'Sign in first' }).first().waitFor();
  // A client ID the server does not know: its error page never redirects. Chrome ends the flow
  // itself when the page fails to load, or shows it and the user closes it; Firefox shows it.
  // Either way the message names what to check, with this browser's redirect URI.
  await options.getByRole('textbox', { name: 'Client ID', exact: true }).fill('not-registered');
  const redirectUri = world.browser === 'firefox' ? FIREFOX_REDIRECT_URI : CHROME_REDIRECT_URI;
  const failed = options.getByRole('alert').filter({
    hasText: `the Client ID and that the redirect URI ${redirectUri} is registered for it`,
  });
  await options.getByRole('button', { name: 'Sign in', exact: true }).click();
  const shown = await Promise.race([
    world.driver.browserWindow(idp.issuer),
    failed.waitFor({ timeout: 30_000 }).then(() => null),
  ]);
  if (shown) await shown.close();
  await failed.waitFor();
  await options.getByRole('button', { name: 'Cancel', exact: true }).click();
  const { accounts } = await world.call('getSettings', {});
  assert.equal(accounts.length, 0);
  assert.equal(tokenRequests(), exchanged, 'no code was exchanged');
  assert.doesNotMatch(await world.storedSettingsJson(), /accessToken|refreshToken/);
});

test('IMAP and POP3 accounts sign in with OAuth 2.0 and read their mail through the relay', async () => {
  for (const [user, protocol, name, count] of [
    [imapUser, 'IMAP', 'Work OAuth', 2],
    [pop3User, 'POP3', 'Home OAuth', 3],
  ] as const) {
    await fillOAuthAccount(options, user, protocol, name);
    await signInWindow(options, user);
    await options
      .getByRole('status')
      .filter({ hasText: `Signed in as ${user}` })
      .waitFor({ timeout: 30_000 });
    await testAndTrust(options, world.dovecot.fingerprint256);
    await saveAccount(options, name);
    await unreadIs(await accountId(name), count);
  }
  const secrets = JSON.stringify(await world.call('getSettings', {}));
  assert.ok(!/accessToken|refreshToken/.test(secrets), 'no token reaches the page');
});

test('access tokens expire and are refreshed; mail keeps arriving', async () => {
  const imapId = await accountId('Work OAuth');
  const pop3Id = await accountId('Home OAuth');
  const before = tokenRequests();
  // Each account refreshes ahead of expiry, at half of each 12 s lifetime: four refreshes for
  // the two of them mean the tokens they signed in with have expired.
  await world.until('four refreshes', async () => (tokenRequests() >= before + 4 ? true : undefined), 60_000);
  // IMAP mail comes by push (IDLE on the connection logged in with the first token), POP3 mail
  // by a check that logs in with a refreshed one.
  seedMaildir(world.dovecot, imapUser, makeMailbox(1, { seed: 23, size: 'small' }));
  await unreadIs(imapId, 3);
  seedMaildir(world.dovecot, pop3User, makeMailbox(1, { seed: 24, size: 'small' }));
  await world.call('syncNow', { accountId: pop3Id });
  await unreadIs(pop3Id, 4);
  assert.equal((await status(imapId)).state, 'idle');
  assert.equal((await status(pop3Id)).state, 'idle');
});

test('a revoked sign-in: "Sign in again", the warning badge, one notification; signing in again restores it', async () => {
  const pop3Id = await accountId('Home OAuth');
  await world.clearNotifications();
  const stored = JSON.parse(await world.storedSettingsJson()) as {
    secrets: Record<string, { oauth?: { refreshToken: string } }>;
  };
  const refreshToken = stored.secrets[pop3Id]?.oauth?.refreshToken;
  assert.ok(refreshToken);
  await revokeToken(fetch, `${idp.issuer}/token/revocation`, idp.clientId, refreshToken);
  await world.until(
    'the POP3 account to need a sign-in',
    async () => ((await status(pop3Id)).error?.code === 'sign_in_again' ? true : undefined),
    60_000,
  );
  const failed = await status(pop3Id);
  assert.equal(failed.error?.kind, 'auth');
  assert.equal(failed.nextCheck, null);
  assert.match(await world.badgeText(), /!/);
  const asked = tokenRequests();
  await world.call('syncNow', { accountId: pop3Id }).catch(() => undefined);
  await world.call('syncNow', { accountId: pop3Id }).catch(() => undefined);
  assert.equal(tokenRequests(), asked, 'no retry loop');
  const notes = (await world.notificationIds()).filter((id) => id.startsWith('biff-signin-'));
  assert.deepEqual(notes, [`biff-signin-${pop3Id}`]);
  // The account's row offers "Sign in again": one click, the sign-in window, and the new
  // sign-in is saved for the account as it is, with no editor.
  await options.reload();
  const row = options.getByRole('listitem').filter({ hasText: 'Home OAuth' });
  await row.getByText(SIGN_IN_AGAIN_MESSAGE).waitFor();
  const before = tokenRequests();
  await signInWindow(options, pop3User, row.getByRole('button', { name: 'Sign in again', exact: true }));
  await row.getByRole('button', { name: 'Sign in again', exact: true }).waitFor({ state: 'detached' });
  assert.equal(await options.getByRole('heading', { name: 'Accounts', exact: true }).count(), 1, 'no editor');
  assert.ok(tokenRequests() > before, 'the code was exchanged');
  const renewed = JSON.parse(await world.storedSettingsJson()) as typeof stored;
  assert.notEqual(renewed.secrets[pop3Id]?.oauth?.refreshToken, refreshToken, 'new tokens saved');
  await world.until(
    'the POP3 account to check again',
    async () => ((await status(pop3Id)).state === 'idle' ? true : undefined),
    60_000,
  );
});
