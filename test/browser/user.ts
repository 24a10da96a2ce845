/**
 * What a person does with Biff, as browser steps: pair the relay and add an account on the
 * options page, open the popup. Every control is found by its role and accessible name — the
 * names the acceptance suite relies on (see the "accessible name used by tests" descriptions
 * in options/messages.en.json and popup/messages.en.json) — so a renamed control fails here.
 * Also "another client": reads and writes on the server behind Biff's back.
 */
import type { ImapFlow } from 'imapflow';
import { RELAY_VERSION } from '../../relay/version.ts';
import type { DovecotServer } from '../servers/dovecot.ts';
import { imapClient } from '../servers/imap-client.ts';
import type { Driver, UiPage } from './driver.ts';

/** The popup's own size (popup/popup.css `.popup`). */
export const POPUP_VIEWPORT = { width: 400, height: 560 } as const;

/** What the account editor is filled with. */
export interface AccountForm {
  email: string;
  password: string;
  protocol: 'IMAP' | 'POP3';
  security: 'TLS' | 'STARTTLS' | 'None';
  server: string;
  port: number;
  username: string;
  /** "Account name"; empty keeps the address. */
  name?: string;
}

/** The options page, opened like the browser opens it (a tab on options.html). */
export async function openOptions<P extends UiPage>(
  driver: Driver<P>,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<P> {
  const page = await driver.open('options.html', { viewport: { width: 900, height: 1000 }, colorScheme });
  await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  return page;
}

/** Enters the relay URL and pairing token and saves them; waits for "Relay 0.2.0 connected" (the relay's version). */
export async function pairRelay(page: UiPage, relay: { url: string; token: string }): Promise<void> {
  await page.getByRole('textbox', { name: 'Relay URL', exact: true }).fill(relay.url);
  await page.getByRole('textbox', { name: 'Pairing token', exact: true }).fill(relay.token);
  await page.getByRole('button', { name: 'Save relay settings', exact: true }).click();
  await page
    .getByRole('status')
    .filter({ hasText: `Relay ${RELAY_VERSION} connected` })
    .waitFor({ timeout: 30_000 });
}

/**
 * Fills the account editor (already open) the way a person with a self-hosted server does:
 * address, password, then the server settings by hand.
 */
export async function fillAccount(page: UiPage, form: AccountForm): Promise<void> {
  await page.getByRole('textbox', { name: 'Email address', exact: true }).fill(form.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(form.password);
  await page.getByRole('combobox', { name: 'Protocol', exact: true }).selectOption({ label: form.protocol });
  await page.getByRole('combobox', { name: 'Security', exact: true }).selectOption({ label: form.security });
  await page.getByRole('textbox', { name: 'Server', exact: true }).fill(form.server);
  await page.getByRole('textbox', { name: 'Port', exact: true }).fill(String(form.port));
  await page.getByRole('textbox', { name: 'Username', exact: true }).fill(form.username);
  if (form.name) await page.getByRole('textbox', { name: 'Account name', exact: true }).fill(form.name);
}

/**
 * "Test connection"; when the certificate is not trusted (Dovecot's is self-signed), checks the
 * card shows `fingerprint` and presses "Trust this certificate", which tests again. Resolves once
 * the test passed.
 */
export async function testAndTrust(page: UiPage, fingerprint: string): Promise<{ trusted: boolean }> {
  await page.getByRole('button', { name: 'Test connection', exact: true }).click();
  const passed = page.getByRole('status').filter({ hasText: 'Everything works.' });
  const trust = page.getByRole('button', { name: 'Trust this certificate', exact: true });
  await passed.or(trust).first().waitFor({ timeout: 60_000 });
  if (await passed.isVisible()) return { trusted: false };
  const card = page.getByRole('region', { name: 'The server’s certificate is not trusted' });
  const shown = (await card.locator('code.fingerprint').textContent())?.trim();
  if (shown !== fingerprint) throw new Error(`certificate card shows ${shown}, expected ${fingerprint}`);
  await trust.click();
  await passed.waitFor({ timeout: 60_000 });
  return { trusted: true };
}

/** Presses the account editor's "Save" and waits for the editor to close into the list. */
export async function saveAccount(page: UiPage, listedAs: string): Promise<void> {
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
  await page.getByRole('listitem').filter({ hasText: listedAs }).first().waitFor();
}

/**
 * Adds an account on the options page, as a person does from the account list: "Add account",
 * the form filled by hand (fillAccount), "Test connection" trusting Dovecot's certificate
 * (testAndTrust), "Save"; resolves once it is listed (by its name, else its address).
 */
export async function addAccount(
  page: UiPage,
  form: AccountForm,
  fingerprint: string,
): Promise<{ trusted: boolean }> {
  await page.getByRole('button', { name: 'Add account', exact: true }).click();
  await fillAccount(page, form);
  const tested = await testAndTrust(page, fingerprint);
  await saveAccount(page, form.name || form.email);
  return tested;
}

/**
 * Sets a primary password in the options page's "Primary password" section (none set yet) and
 * waits until the section says the saved passwords are encrypted.
 */
export async function setPrimaryPassword(page: UiPage, password: string): Promise<void> {
  const section = page.getByRole('region', { name: 'Primary password', exact: true });
  await section.getByRole('textbox', { name: 'Primary password', exact: true }).fill(password);
  await section.getByRole('textbox', { name: 'Confirm primary password', exact: true }).fill(password);
  await section.getByRole('button', { name: 'Set primary password', exact: true }).click();
  await section
    .getByRole('status')
    .filter({ hasText: 'Saved passwords are encrypted with your primary password.' })
    .waitFor({ timeout: 30_000 });
}

/** The popup's "Biff is locked" banner. */
export const lockedBanner = (page: UiPage) => page.getByRole('status').filter({ hasText: 'Biff is locked' });

/**
 * Enters the primary password in the popup's locked banner and presses "Unlock". Resolves when
 * the banner is gone, or with the banner's error text when it stays (a wrong password).
 */
export async function unlockInPopup(page: UiPage, password: string): Promise<{ error: string | null }> {
  const banner = lockedBanner(page);
  await banner.getByRole('textbox', { name: 'Primary password', exact: true }).fill(password);
  await banner.getByRole('button', { name: 'Unlock', exact: true }).click();
  const error = banner.getByRole('alert');
  // Deriving the key takes a good part of a second, more on a loaded machine.
  const timeout = 60_000;
  return Promise.race([
    error.waitFor({ timeout }).then(async () => ({ error: (await error.textContent())?.trim() ?? '' })),
    banner.waitFor({ state: 'detached', timeout }).then(() => ({ error: null })),
  ]);
}

/** popup.html in a tab at the popup's size; waits until the cache was opened. */
export async function openPopup<P extends UiPage>(
  driver: Driver<P>,
  colorScheme: 'light' | 'dark' = 'light',
): Promise<P> {
  const page = await driver.open('popup.html', { viewport: POPUP_VIEWPORT, colorScheme });
  const deadline = Date.now() + 30_000;
  while (!(await page.evaluate(() => performance.getEntriesByName('biff-cache-open').length > 0))) {
    if (Date.now() > deadline) throw new Error('the popup never opened its cache');
    await new Promise((r) => setTimeout(r, 50));
  }
  return page;
}

/** The popup's message list and its rows. */
export const messageList = (page: UiPage) => page.getByRole('list', { name: 'Messages', exact: true });
export const messageRows = (page: UiPage) => messageList(page).getByRole('listitem');
/** A row by its accessible name, "sender: subject". */
export const messageRow = (page: UiPage, sender: string, subject: string) =>
  messageList(page).getByRole('listitem', { name: `${sender}: ${subject}`, exact: true });

/** A message on the server as another client sees it. */
export interface ServerMessage {
  uid: number;
  flags: string[];
}

/**
 * "Another client": an IMAP session straight to Dovecot (not through the relay) for one user,
 * to deliver mail and to check what Biff did on the server.
 */
export class OtherClient {
  private constructor(private readonly client: ImapFlow) {}

  static async open(
    server: Pick<DovecotServer, 'host' | 'ports' | 'certPem'>,
    user: string,
    pass: string,
  ): Promise<OtherClient> {
    return new OtherClient(await imapClient(server, user, pass));
  }

  /** APPENDs a message to `folder` (unseen). */
  async append(raw: string, folder = 'INBOX'): Promise<void> {
    await this.client.append(folder, raw, []);
  }

  /** The message with this Message-ID in `folder`, or null; the folder is selected anew, so it is current. */
  async find(messageId: string, folder = 'INBOX'): Promise<ServerMessage | null> {
    await this.client.mailboxOpen(folder);
    const uids = await this.client.search({ header: { 'message-id': messageId } }, { uid: true });
    const uid = Array.isArray(uids) ? uids[0] : undefined;
    if (uid === undefined) return null;
    const message = await this.client.fetchOne(String(uid), { flags: true }, { uid: true });
    return { uid, flags: message ? [...(message.flags ?? [])] : [] };
  }

  /** How many messages `folder` holds. */
  async count(folder = 'INBOX'): Promise<number> {
    const status = await this.client.status(folder, { messages: true });
    if (!status) throw new Error(`STATUS ${folder} failed`);
    return status.messages ?? 0;
  }

  async close(): Promise<void> {
    await this.client.logout().catch(() => this.client.close());
  }
}

let noteCounter = 0;

/** A short plain-text message with a subject no other message has; `messageId` with brackets. */
export function plainMessage(
  subject: string,
  body: string,
  from = { name: 'Ada Lovelace', address: 'ada@example.org' },
  date = new Date(),
): { raw: string; subject: string; messageId: string; from: typeof from; date: Date } {
  noteCounter += 1;
  const messageId = `<note-${process.pid}-${noteCounter}-${Date.now()}@example.org>`;
  const raw = [
    `From: ${from.name} <${from.address}>`,
    'To: Biff Tester <tester@biff.test>',
    `Subject: ${subject}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 7bit',
    '',
    body,
    '',
  ].join('\r\n');
  return { raw, subject, messageId, from, date };
}
