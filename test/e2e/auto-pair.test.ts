/**
 * biff-browsers: chromium firefox
 *
 * One-click pairing in Chromium and Firefox ESR, as a new user does it: the options page's "Pair
 * automatically" first finds no relay installed and says how to install it; after
 * `biff-relay install` (run with this test's folders as its HOME/XDG dirs) it asks the
 * registered native host, which starts the relay that was not running, and the page ends at
 * "Relay 0.2.0 connected" with no token typed. Then an IMAP account added in the same page
 * syncs its mail.
 *
 * Where each browser looks for a user's hosts (and where install writes them):
 * - Chromium: <user-data-dir>/NativeMessagingHosts/ (Linux), and its default user data dir is
 *   $XDG_CONFIG_HOME/chromium: so the profile here is $XDG_CONFIG_HOME/chromium of a
 *   temporary config.
 * - Firefox: ~/.mozilla/native-messaging-hosts/ whatever the profile (the per-user path on
 *   Linux, MDN "Native manifests"): Firefox runs here with HOME set to the temporary home.
 *   The manifest allows biff@biff-notifier.org, the add-on ID.
 *
 * The permission prompt of `permissions.request` is browser UI that automation cannot answer,
 * so the loaded copy of the extension has `nativeMessaging` granted up front (moved into
 * `permissions`, in either browser's build); the request then resolves at once, as it does once
 * a user allowed it. The shipped manifests keep it optional (checked below).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { MessageName, Reply, Request, Response } from '../../extension/contract.ts';
import { probeRelay } from '../../relay/probe.ts';
import { RELAY_VERSION } from '../../relay/version.ts';
import { currentBrowser, type Driver, type UiPage } from '../browser/driver.ts';
import { DIST_CHROME, launchExtension } from '../browser/extension.ts';
import { ADDON_ID, DIST_FIREFOX, launchFirefox } from '../browser/firefox.ts';
import {
  fillAccount,
  messageRow,
  openOptions,
  openPopup,
  plainMessage,
  saveAccount,
  testAndTrust,
} from '../browser/user.ts';
import { RELAY_BIN, tempDir } from '../relay/helpers.ts';
import { type DovecotServer, startDovecot } from '../servers/dovecot.ts';
import { freePorts } from '../servers/free-port.ts';
import { processesMentioning, signal, waitGone } from '../servers/process-tree.ts';
import { seedMaildir } from '../servers/seed.ts';

const USER = 'pat';
const PASSWORD = 'pairing-is-one-click';

let dir: string;
let config: string;
let env: NodeJS.ProcessEnv;
let port: number;
let dovecot: DovecotServer;
const browser = currentBrowser();
let ext: Driver;
let options: UiPage;
let installArgs: string[];
const tokenFile = () => join(config, 'biff', 'relay.json');

/** A contract call from the options page, as the popup and options page make them. */
async function call<K extends MessageName>(name: K, request: Request<K>): Promise<Response<K>> {
  const reply = (await options.evaluate(
    ([name, request]) => chrome.runtime.sendMessage({ biff: 1, name, request }),
    [name, request] as const,
  )) as Reply<K>;
  if (!reply.ok) throw new Error(`${name}: ${reply.code}: ${reply.message}`);
  return reply.response;
}

before(async () => {
  dir = tempDir('biff-auto-pair-');
  config = join(dir, 'config');
  [port] = (await freePorts(1)) as [number];
  dovecot = await startDovecot({ users: [{ user: USER, pass: PASSWORD }] });
  env = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    XDG_CONFIG_HOME: config,
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
  };
  installArgs = [
    'install',
    '--port',
    String(port),
    '--allow-private',
    '--allow-port',
    String(dovecot.ports.imaps),
  ];

  const dist = browser === 'firefox' ? DIST_FIREFOX : DIST_CHROME;
  const shipped = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
  assert.deepEqual(shipped.optional_permissions, ['nativeMessaging']);
  assert.ok(!shipped.permissions.includes('nativeMessaging'), 'no install-time nativeMessaging warning');
  const granted = join(dir, 'extension');
  cpSync(dist, granted, { recursive: true });
  writeFileSync(
    join(granted, 'manifest.json'),
    JSON.stringify({ ...shipped, permissions: [...shipped.permissions, 'nativeMessaging'] }),
  );
  if (browser === 'firefox') {
    mkdirSync(env.HOME!, { recursive: true });
    ext = await launchFirefox({ dist: granted, env: { HOME: env.HOME } });
  } else {
    ext = await launchExtension({ dist: granted, profile: join(config, 'chromium') });
  }
  options = await openOptions(ext);
});

after(async () => {
  await ext?.close();
  const relays = existsSync(dir) ? processesMentioning(tokenFile()) : [];
  for (const pid of relays) signal(pid, 'SIGTERM');
  await waitGone(relays, 5_000);
  await dovecot?.stop();
});

test('with no relay installed, "Pair automatically" says how to install it and manual pairing stays', async () => {
  await options.getByRole('button', { name: 'Pair automatically', exact: true }).click();
  const status = options.getByRole('status').filter({ hasText: 'not installed for this browser' });
  await status.waitFor({ timeout: 30_000 });
  assert.deepEqual(await status.locator('code').allTextContents(), [
    'npm install -g ./biff-relay-0.2.0.tgz',
    'biff-relay install',
  ]);
  for (const name of ['Relay URL', 'Pairing token']) {
    assert.ok(await options.getByRole('textbox', { name, exact: true }).isVisible());
  }
  assert.ok(await options.getByRole('button', { name: 'Save relay settings', exact: true }).isEnabled());
});

test('after biff-relay install, "Pair automatically" starts the relay and pairs with no token typed', async () => {
  const printed = execFileSync(process.execPath, [RELAY_BIN, ...installArgs], { env, encoding: 'utf8' });
  const manifest =
    browser === 'firefox'
      ? join(env.HOME!, '.mozilla', 'native-messaging-hosts', 'biff_relay.json')
      : join(config, 'chromium', 'NativeMessagingHosts', 'biff_relay.json');
  assert.ok(printed.includes(`wrote ${manifest}`), printed);
  if (browser === 'firefox') {
    const host = JSON.parse(readFileSync(manifest, 'utf8')) as { allowed_extensions: string[] };
    assert.deepEqual(host.allowed_extensions, [ADDON_ID]);
  }
  assert.equal(await probeRelay('127.0.0.1', port), 'none', 'the relay is not running before the click');

  await options.getByRole('button', { name: 'Pair automatically', exact: true }).click();
  await options
    .getByRole('status')
    .filter({ hasText: `Relay ${RELAY_VERSION} connected` })
    .waitFor({ timeout: 60_000 });
  const { token } = JSON.parse(readFileSync(tokenFile(), 'utf8')) as { token: string };
  const { settings } = await call('getSettings', {});
  assert.equal(settings.relay.url, `ws://127.0.0.1:${port}/v1`);
  assert.equal(settings.relay.token, token);
  assert.match(settings.relay.startCommand ?? '', /biff-relay\.js --port \d+ --allow-private/);
  assert.equal(
    await options.getByRole('textbox', { name: 'Pairing token', exact: true }).inputValue(),
    token,
  );
  assert.equal(processesMentioning(tokenFile()).length, 1, 'the host started one relay, still running');
  assert.equal(await probeRelay('127.0.0.1', port), 'biff');
});

test('an IMAP account added after pairing syncs through the relay the host started', async () => {
  const note = plainMessage('Paired in one click', 'Mail through the relay the native host started.');
  seedMaildir(dovecot, USER, [note.raw]);
  await options.getByRole('button', { name: 'Add account', exact: true }).click();
  await fillAccount(options, {
    email: `${USER}@biff.test`,
    password: PASSWORD,
    protocol: 'IMAP',
    security: 'TLS',
    server: '127.0.0.1',
    port: dovecot.ports.imaps,
    username: USER,
    name: 'Paired',
  });
  const { trusted } = await testAndTrust(options, dovecot.fingerprint256);
  assert.equal(trusted, true);
  await saveAccount(options, 'Paired');
  const popup = await openPopup(ext);
  await messageRow(popup, note.from.name, note.subject).waitFor({ timeout: 60_000 });
  await popup.close();
  if (browser === 'firefox') {
    // The relay pinned the add-on that paired: no other moz-extension:// origin gets through.
    const saved = JSON.parse(readFileSync(tokenFile(), 'utf8')) as { firefoxOrigin?: string };
    assert.equal(saved.firefoxOrigin, ext.origin.replace(/\/$/, ''));
  }
});

test('with the relay down, the popup gives the command that starts this installation, and it works', async () => {
  const { settings } = await call('getSettings', {});
  const command = settings.relay.startCommand!;
  const relays = processesMentioning(tokenFile());
  for (const pid of relays) signal(pid, 'SIGTERM');
  assert.ok(await waitGone(relays, 10_000), 'the relay stopped');

  const popup = await openPopup(ext);
  const banner = popup.getByRole('alert').filter({ hasText: 'The Biff relay isn’t running' });
  await banner.waitFor({ timeout: 30_000 });
  assert.equal(await banner.locator('code').textContent(), command);
  await popup.close();

  // Run it as a user would paste it into a terminal: the relay comes back on the paired port.
  const shell = spawn('/bin/sh', ['-c', command], { env, stdio: 'ignore' });
  try {
    let state = await probeRelay('127.0.0.1', port);
    while (state !== 'biff' && shell.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await probeRelay('127.0.0.1', port);
    }
    assert.equal(state, 'biff', 'the banner’s command starts the relay');
  } finally {
    shell.kill('SIGTERM');
  }
});
