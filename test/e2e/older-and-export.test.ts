/**
 * biff-browsers: chromium firefox — the same tests in both (test/browser/driver.ts).
 * Older mail and mbox export, end to end with real Dovecot, the real relay and the built
 * extension in the browser:
 * - an IMAP folder of 300 messages synced with a window of 100: scrolling the popup's list to
 *   the bottom fetches the older ones from the server (`loadOlder`) until the oldest shows;
 * - a POP3 account that leaves no copy on the server: "Export … as mbox" on the options page
 *   downloads every message, the only copy left.
 *
 * Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DEFAULT_IMAP, DEFAULT_POP3 } from '../../extension/accounts.ts';
import { BrowserWorld } from '../browser/world.ts';
import { rfc5322Date } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';

const ROW_HEIGHT = 64;
const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 8, 8, 0, 0);

/** Message `i` (1 = oldest) with a subject no other message has, and a body line mboxrd must quote. */
function message(prefix: string, i: number): { raw: string; subject: string; date: Date; messageId: string } {
  const subject = `${prefix} ${String(i).padStart(3, '0')}`;
  const date = new Date(START + i * HOUR);
  const messageId = `<${prefix.toLowerCase().replace(/\W+/g, '-')}-${i}@biff.test>`;
  const raw = [
    `From: Sender ${i} <sender${i}@example.org>`,
    'To: Biff Tester <tester@biff.test>',
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(date, 0)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `This is message ${i}.`,
    'From here on the line starts with the mbox separator word.',
    '',
  ].join('\r\n');
  return { raw, subject, date, messageId };
}

function mailbox(prefix: string, n: number) {
  return Array.from({ length: n }, (_, k) => message(prefix, k + 1));
}

let world: BrowserWorld;

/** Scrolls the popup's list to its end (source-free of named functions, see RECORD_FOOTER). */
const scrollToEnd = () => {
  const el = document.querySelector('.scroller');
  if (el) el.scrollTop = el.scrollHeight;
};

before(async () => {
  world = await BrowserWorld.start({ users: 2 });
});

after(async () => {
  await world?.stop();
});

async function storedSubjects(accountId: string): Promise<string[]> {
  return (await world.storedMessages()).filter((r) => r.accountId === accountId).map((r) => r.subject);
}

/**
 * Records every state the list footer passes through, so short-lived ones are seen too. A
 * string, because tsx names the functions of a callback (`__name`), which the page lacks.
 */
const RECORD_FOOTER = `(() => {
  const seen = [];
  globalThis.footerStates = seen;
  function note() {
    const footer = document.querySelector('.list-end');
    const state = footer ? footer.className + '|' + footer.textContent : '';
    if (state && seen[seen.length - 1] !== state) seen.push(state);
  }
  new MutationObserver(note).observe(document.body, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
  });
  note();
})()`;

test('IMAP: scrolling to the end of a 100-message window loads the 200 older messages from the server', async () => {
  const user = world.newUser();
  const mail = mailbox('Archive item', 300);
  seedMaildir(
    world.dovecot,
    user,
    mail.map((m) => m.raw),
    { dates: mail.map((m) => m.date), seen: true },
  );
  const account = world.accountFor(user, 'imap', 'implicit', {
    name: 'Archive',
    imap: { ...DEFAULT_IMAP, syncWindow: 100 },
  });
  await world.call('saveAccount', { account, password: PASSWORD });
  assert.equal((await world.call('syncNow', { accountId: account.id })).ok, true);

  const cached = await storedSubjects(account.id);
  assert.equal(cached.length, 100, 'the first sync stores the window only');
  const oldest = mail[0]!.subject;
  assert.ok(!cached.includes(oldest), 'the oldest message is not cached before scrolling');

  const popup = await world.driver.open('popup.html', { viewport: { width: 400, height: 600 } });
  const errors: string[] = [];
  popup.on('pageerror', (e) => errors.push(e.message));
  const list = popup.getByRole('list', { name: 'Messages', exact: true });
  await list.getByRole('listitem').first().waitFor();
  await popup.evaluate(RECORD_FOOTER);

  const oldestRow = list.getByRole('listitem', { name: `Sender 1: ${oldest}`, exact: true });
  const deadline = Date.now() + 90_000;
  // Read straight from the DOM in the loop (a role query per step is slow in Firefox's
  // driver); the row found is then checked by its accessible name.
  for (;;) {
    const now = await popup.evaluate(
      (subject) => ({
        height: document.querySelector('ul.virtual-list')?.getBoundingClientRect().height ?? 0,
        oldest: [...document.querySelectorAll('ul.virtual-list li')].some((li) =>
          li.getAttribute('aria-label')?.endsWith(subject),
        ),
      }),
      oldest,
    );
    if (now.oldest) break;
    const rows = now.height / ROW_HEIGHT;
    assert.ok(Date.now() < deadline, `the oldest message appeared in time (${rows} rows listed)`);
    await popup.evaluate(scrollToEnd);
    await popup.waitForTimeout(100);
  }
  await oldestRow.waitFor();
  // At the very end the server has nothing older left, and the footer says so.
  await popup.evaluate(scrollToEnd);
  await popup.getByText('No older messages', { exact: true }).waitFor();

  assert.equal(
    await popup.evaluate(() => document.querySelector('ul.virtual-list')?.getBoundingClientRect().height),
    300 * ROW_HEIGHT,
  );
  const stored = await storedSubjects(account.id);
  assert.equal(stored.length, 300);
  assert.deepEqual(new Set(stored), new Set(mail.map((m) => m.subject)));
  const states = await popup.evaluate(
    () => (globalThis as unknown as { footerStates: string[] }).footerStates,
  );
  assert.ok(
    states.some((s) => s.includes('list-end-older') && s.includes('Loading older messages…')),
    `the footer said it was loading older messages: ${JSON.stringify(states)}`,
  );
  assert.deepEqual(errors, []);
  await popup.close();
  await world.call('removeAccount', { accountId: account.id });
});

test('POP3 without a copy on the server: "Export as mbox" downloads every message', async () => {
  const user = world.newUser();
  const mail = mailbox('Only copy', 12);
  seedMaildir(
    world.dovecot,
    user,
    mail.map((m) => m.raw),
    { dates: mail.map((m) => m.date) },
  );
  const account = world.accountFor(user, 'pop3', 'implicit', {
    name: 'Home',
    pop3: { ...DEFAULT_POP3, leaveCopy: false },
  });
  await world.call('saveAccount', { account, password: PASSWORD });
  assert.equal((await world.call('syncNow', { accountId: account.id })).ok, true);
  assert.equal((await storedSubjects(account.id)).length, 12);
  const probe = await world.call('testConnection', { account, password: PASSWORD });
  assert.equal(probe.inboxCount, 0, 'the server kept no copy: Biff holds the only one');

  const options = await world.driver.open('options.html');
  const button = options.getByRole('button', { name: 'Export Home as mbox', exact: true });
  const download = await world.driver.download(options, () => button.click());
  assert.match(download.name, /^biff-Home-\d{4}-\d{2}-\d{2}\.mbox$/);
  const mbox = readFileSync(download.path, 'utf8');

  // Separators start a line; the body line "From here on…" of each message is quoted (mboxrd).
  const separators = mbox.split('\n').filter((line) => line.startsWith('From '));
  assert.equal(separators.length, 12, 'one separator per message');
  assert.ok(
    separators.every((line) =>
      /^From sender\d+@example\.org \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.test(line),
    ),
  );
  assert.equal(
    mbox.split('\n').filter((line) => line === '>From here on the line starts with the mbox separator word.')
      .length,
    12,
  );
  for (const m of mail) {
    assert.ok(mbox.includes(`Subject: ${m.subject}\n`), `${m.subject} is in the file`);
    assert.ok(mbox.includes(`Message-ID: ${m.messageId}\n`), `${m.messageId} is in the file`);
  }
  assert.ok(!mbox.includes('\r\n'), 'LF line ends');
  await options.getByText('Messages exported: 12', { exact: true }).waitFor();
  assert.equal(await options.getByText('Not included').count(), 0, 'nothing was left out');
  await options.close();
});
