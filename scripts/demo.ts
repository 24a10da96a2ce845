/**
 * `npm run demo`: Biff with mail in it, without a mail account of your own. Builds the
 * extension, starts a local Dovecot (test/servers/dovecot.ts) with two demo mailboxes of
 * realistic mail (HTML newsletters with remote images, plain text, attachments, non-ASCII
 * subjects and names: test/servers/messages.ts), starts the relay (allowed to reach Dovecot on
 * loopback), and opens Chromium with Biff installed, paired and both accounts configured
 * (through the extension's own contract, as the options page would).
 *
 * With a display (`DISPLAY` set) Chromium opens headed with the options page and the popup in
 * tabs, and everything runs until Ctrl-C. Without one it runs headless, writes screenshots of
 * the popup, the reader and the options page (light and dark) to demo-screenshots/ (or the
 * folder given with `--out DIR`), and exits.
 *
 * Needs the test servers (Dovecot, Chromium; `npm run setup:test-servers`) and root, which the
 * test Dovecot runs as.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright';
import type { Account } from '../extension/accounts.ts';
import { DEFAULT_IMAP, DEFAULT_POP3 } from '../extension/accounts.ts';
import type { MessageName, Reply, Request, Response } from '../extension/contract.ts';
import { RELAY_VERSION } from '../relay/version.ts';
import { type LaunchedExtension, launchExtension } from '../test/browser/extension.ts';
import { POPUP_VIEWPORT } from '../test/browser/user.ts';
import { type RunningRelay, startRelay } from '../test/relay/helpers.ts';
import { type DovecotServer, startDovecot } from '../test/servers/dovecot.ts';
import { type GeneratedMessage, makeMailbox } from '../test/servers/messages.ts';
import { seedMaildir } from '../test/servers/seed.ts';

const root = resolve(import.meta.dirname, '..');
const outAt = process.argv.indexOf('--out');
const OUT = resolve(root, outAt >= 0 ? process.argv[outAt + 1]! : 'demo-screenshots');
const headed = Boolean(process.env.DISPLAY);

/** The demo mailboxes: who, what Biff calls the account, and how much mail. */
const MAILBOXES = [
  { user: 'ada', name: 'Work', color: '#2563eb', protocol: 'imap', count: 36, seed: 7 },
  { user: 'ada.home', name: 'Home', color: '#d97706', protocol: 'pop3', count: 8, seed: 1815 },
] as const;
const PASSWORD = 'demo-Passw0rd';
/** Minutes between demo messages: three dozen span the last two days. */
const SPACING_MINUTES = 80;
/** How long the first sync of the demo accounts may take on a slow machine. */
const SYNC_TIMEOUT_MS = 120_000;

function mailFor(box: (typeof MAILBOXES)[number]): GeneratedMessage[] {
  const start = new Date(Date.now() - (box.count + 0.5) * SPACING_MINUTES * 60_000);
  return makeMailbox(box.count, {
    seed: box.seed,
    start,
    spacingMinutes: SPACING_MINUTES,
    to: `Ada Lovelace <${box.user}@biff.test>`,
  });
}

/** Read or not: the older mail is read, the newest and every fifth message are not. */
const seenAt = (i: number, count: number) => i < count - 7 && i % 5 !== 0;

function account(server: DovecotServer, box: (typeof MAILBOXES)[number]): Account {
  const imap = box.protocol === 'imap';
  return {
    id: `demo-${box.user.replace(/\W/g, '-')}`,
    name: box.name,
    color: box.color,
    email: `${box.user}@biff.test`,
    protocol: box.protocol,
    host: '127.0.0.1',
    port: imap ? server.ports.imaps : server.ports.pop3s,
    security: 'implicit',
    username: box.user,
    // Dovecot's certificate is self-signed: trusted by its fingerprint, as "Trust this
    // certificate" on the options page does.
    pin: server.fingerprint256,
    enabled: true,
    checkIntervalMinutes: 5,
    notify: true,
    imap: { ...DEFAULT_IMAP },
    pop3: { ...DEFAULT_POP3 },
  };
}

/** Sends one contract message from an extension page, like the options page does. */
async function call<K extends MessageName>(page: Page, name: K, request: Request<K>): Promise<Response<K>> {
  const reply = (await page.evaluate(
    ([name, request]) => chrome.runtime.sendMessage({ biff: 1, name, request }),
    [name, request] as const,
  )) as Reply<K>;
  if (!reply.ok) throw new Error(`${name}: ${reply.code}: ${reply.message}`);
  return reply.response;
}

async function screenshots(ext: LaunchedExtension, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    const popup = await ext.context.newPage();
    await popup.setViewportSize(POPUP_VIEWPORT);
    await popup.emulateMedia({ colorScheme: scheme });
    await popup.goto(`chrome-extension://${ext.extensionId}/popup.html`);
    const rows = popup.getByRole('list', { name: 'Messages', exact: true }).getByRole('listitem');
    await rows.first().waitFor();
    // Let the background's status (unread total) arrive and fonts settle.
    await popup.waitForTimeout(1_500);
    written.push(join(dir, `popup-${scheme}.png`));
    await popup.screenshot({ path: written.at(-1)! });

    // The newest newsletter: HTML, its remote images blocked until asked for. The list only
    // renders the rows in view: move the selection down (j) until it is there.
    const newsletter = rows.filter({ hasText: /Tech Weekly|Travel Deals|Gartenfreunde/ }).first();
    for (let i = 0; i < 60 && (await newsletter.count()) === 0; i++) await popup.keyboard.press('j');
    await newsletter.click();
    await popup.getByRole('button', { name: 'Load remote images', exact: true }).waitFor({ timeout: 60_000 });
    await popup.frameLocator('iframe[title="Message body"]').locator('body').waitFor();
    await popup.waitForTimeout(1_000);
    written.push(join(dir, `reader-${scheme}.png`));
    await popup.screenshot({ path: written.at(-1)! });
    await popup.close();

    const options = await ext.context.newPage();
    await options.setViewportSize({ width: 900, height: 1000 });
    await options.emulateMedia({ colorScheme: scheme });
    await options.goto(`chrome-extension://${ext.extensionId}/options.html`);
    await options
      .getByRole('status')
      .filter({ hasText: `Relay ${RELAY_VERSION} connected` })
      .waitFor({ timeout: 30_000 });
    await options
      .getByText(/unread · checked at/)
      .first()
      .waitFor({ timeout: 30_000 });
    written.push(join(dir, `options-${scheme}.png`));
    await options.screenshot({ path: written.at(-1)!, fullPage: true });
    await options.close();
  }
  return written;
}

async function main(): Promise<void> {
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);

  let dovecot: DovecotServer | undefined;
  let relay: RunningRelay | undefined;
  let ext: LaunchedExtension | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await ext?.close().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await dovecot?.stop().catch(() => undefined);
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

  try {
    dovecot = await startDovecot({ users: MAILBOXES.map((b) => ({ user: b.user, pass: PASSWORD })) });
    for (const box of MAILBOXES) {
      const mail = mailFor(box);
      seedMaildir(dovecot, box.user, mail, {
        seen: mail.map((_, i) => seenAt(i, mail.length)),
        dates: mail.map((m) => m.date),
      });
    }
    const ports = Object.values(dovecot.ports).flatMap((p) => ['--allow-port', String(p)]);
    relay = await startRelay({ allowPrivate: true, args: ports });
    ext = await launchExtension({ headless: !headed });

    const page = await ext.openPage('options.html');
    const { settings } = await call(page, 'getSettings', {});
    await call(page, 'saveSettings', {
      settings: { ...settings, relay: { url: relay.url, token: relay.token } },
    });
    const accounts = MAILBOXES.map((box) => account(dovecot!, box));
    for (const a of accounts) await call(page, 'saveAccount', { account: a, password: PASSWORD });
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    for (;;) {
      const status = await call(page, 'getStatus', {});
      const failed = status.accounts.find((s) => s.state === 'error');
      if (failed) throw new Error(`demo account ${failed.accountId}: ${failed.error?.message}`);
      if (status.accounts.every((s) => s.lastSuccess !== null)) break;
      if (Date.now() > deadline) throw new Error('the demo accounts were not synced in time');
      await new Promise((r) => setTimeout(r, 500));
    }

    console.log(`
Biff demo is running.
  Dovecot   127.0.0.1, IMAPS ${dovecot.ports.imaps}, POP3S ${dovecot.ports.pop3s}
            users ${MAILBOXES.map((b) => b.user).join(', ')}, password ${PASSWORD}
  Relay     ${relay.url}  (pairing token ${relay.token})
  Accounts  ${accounts.map((a) => `${a.name} (${a.protocol.toUpperCase()}, ${a.email})`).join(', ')}
`);

    if (!headed) {
      const written = await screenshots(ext, OUT);
      console.log(`No DISPLAY: ran headless and wrote\n${written.map((p) => `  ${p}`).join('\n')}`);
      await stop(0);
      return;
    }
    const popup = await ext.openPage('popup.html');
    await popup.setViewportSize(POPUP_VIEWPORT);
    await page.bringToFront();
    console.log('Chromium is open with the settings and the popup in tabs (the toolbar button works too).');
    console.log('New mail: append to the demo mailbox with any IMAP client. Ctrl-C stops everything.');
    // Closing the browser ends the demo too; until then the timer keeps Node running.
    ext.context.on('close', () => void stop(0));
    setInterval(() => undefined, 60_000);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    await stop(1);
  }
}

await main();
