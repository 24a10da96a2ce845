/**
 * biff-browsers: chromium firefox — the same tests in both (test/browser/driver.ts).
 * The popup in the real browser with the built extension: the cached list paints from IndexedDB,
 * stays virtualised with 10,000 messages, pages to the oldest, answers the keyboard, opens the
 * reader, and shows the no-accounts state. The cache is seeded with the raw IndexedDB API from
 * the popup's own page, row for row as extension/store/schema.ts defines it (the popup bundle
 * exposes no repository). The background's handlers are not needed: where `send()` fails the
 * popup must still work from the cache.
 *
 * Screenshots (light and dark, list and reader) go to test-results/popup/ (Firefox's to
 * test-results/popup/firefox/).
 *
 * Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Driver, UiPage } from '../browser/driver.ts';
import { BrowserWorld } from '../browser/world.ts';

type Page = UiPage;

const SHOTS = resolve(
  import.meta.dirname,
  '../../test-results/popup',
  process.env.BIFF_BROWSER === 'firefox' ? 'firefox' : '',
);
const DAY = 86_400_000;

/** Accounts as the options page stores them (extension/accounts.ts, valid for store/settings.ts). */
const ACCOUNTS = [
  account({ id: 'work', name: 'Work', color: '#2563eb', email: 'ada@work.example', protocol: 'imap' }),
  account({ id: 'home', name: 'Home', color: '#d97706', email: 'ada@home.example', protocol: 'pop3' }),
];

function account(fields: {
  id: string;
  name: string;
  color: string;
  email: string;
  protocol: 'imap' | 'pop3';
}) {
  return {
    ...fields,
    host: `${fields.protocol}.example.org`,
    port: fields.protocol === 'imap' ? 993 : 995,
    security: 'implicit',
    username: fields.email,
    enabled: true,
    checkIntervalMinutes: 5,
    notify: true,
    imap: { folders: ['INBOX', 'Lists/dev'], syncWindow: 1000, deleteToTrash: true, useQresync: true },
    pop3: {
      leaveCopy: true,
      deleteAfterDays: null,
      deleteWhenDeletedHere: false,
      headersOnlyAboveBytes: 2_097_152,
    },
  };
}

interface SeedSpec {
  count: number;
  /** Date of the newest message, ms. */
  newest: number;
  /** ms between consecutive messages. */
  step: number;
  accountIds: string[];
  /** Every `readEvery`-th message is read. */
  readEvery: number;
  senders: Array<{ name: string; address: string }>;
  /** Subjects cycled through; message k (1 = oldest) gets `${subject} ${k padded to 5}` when `numbered`. */
  subjects: string[];
  previews: string[];
  numbered: boolean;
}

/** Writes `spec.count` message rows into the popup's `biff` database, exactly as schema.ts lays them out. */
async function seedMessages(page: Page, spec: SeedSpec): Promise<void> {
  await page.evaluate(async (s) => {
    const db = await new Promise<IDBDatabase>((ok, fail) => {
      const req = indexedDB.open('biff');
      req.onsuccess = () => ok(req.result);
      req.onerror = () => fail(req.error);
    });
    const tx = db.transaction('messages', 'readwrite');
    const store = tx.objectStore('messages');
    for (let i = 0; i < s.count; i++) {
      const k = s.count - i; // 1 = oldest
      const accountId = s.accountIds[i % s.accountIds.length]!;
      const uid = accountId === 'home' ? `uidl-${k}` : k;
      const date = s.newest - i * s.step;
      const seen = i % s.readEvery === s.readEvery - 1;
      const subject = s.numbered
        ? `${s.subjects[i % s.subjects.length]} ${String(k).padStart(5, '0')}`
        : s.subjects[i % s.subjects.length]!;
      store.put({
        accountId,
        folder: 'INBOX',
        uid,
        date,
        from: s.senders[i % s.senders.length],
        to: [{ name: 'Ada Lovelace', address: 'ada@work.example' }],
        cc: [],
        subject,
        preview: s.previews[i % s.previews.length],
        size: 2000 + i,
        seen,
        flagged: false,
        answered: false,
        hasAttachments: i % 5 === 1,
        messageId: `<${k}@example.org>`,
        id: `${accountId}\u0000INBOX\u0000${uid}`,
        deletedLocally: false,
        bodyState: 'none',
        unread: seen ? 0 : 1,
        shownDate: date,
      });
    }
    await new Promise<void>((ok, fail) => {
      tx.oncomplete = () => ok();
      tx.onerror = () => fail(tx.error);
    });
    db.close();
  }, spec);
}

/** A cached body for the message with IMAP uid `uid` of `work` (schema.ts BodyRow). */
async function seedBody(
  page: Page,
  uid: number,
  body: { text: string | null; html: string | null; attachment?: { name: string; bytes: number[] } },
) {
  await page.evaluate(
    async ({ uid, body }) => {
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const req = indexedDB.open('biff');
        req.onsuccess = () => ok(req.result);
        req.onerror = () => fail(req.error);
      });
      const tx = db.transaction('bodies', 'readwrite');
      const attachments = body.attachment
        ? [
            {
              filename: body.attachment.name,
              mimeType: 'application/pdf',
              size: body.attachment.bytes.length,
              contentId: null,
              disposition: 'attachment',
              data: new Uint8Array(body.attachment.bytes),
            },
          ]
        : [];
      tx.objectStore('bodies').put({
        accountId: 'work',
        folder: 'INBOX',
        uid,
        raw: null,
        complete: true,
        text: body.text,
        html: body.html,
        attachments,
        size:
          (body.attachment?.bytes.length ?? 0) + 2 * ((body.text?.length ?? 0) + (body.html?.length ?? 0)),
        fetchedAt: Date.now(),
        lastOpenedAt: Date.now(),
        evictAt: Date.now(),
      });
      await new Promise<void>((ok, fail) => {
        tx.oncomplete = () => ok();
        tx.onerror = () => fail(tx.error);
      });
      db.close();
    },
    { uid, body },
  );
}

/** Empties the cache and the stored accounts (the popup's own connection closes on versionchange). */
async function clearAll(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await (globalThis as unknown as ChromeStorage).chrome.storage.local.clear();
    await new Promise<void>((ok, fail) => {
      const req = indexedDB.deleteDatabase('biff');
      req.onsuccess = () => ok();
      req.onerror = () => fail(req.error);
    });
  });
}

/** The extension API as the page sees it; @types/chrome is not installed. */
interface ChromeStorage {
  chrome: {
    storage: { local: { clear(): Promise<void>; set(items: Record<string, unknown>): Promise<void> } };
  };
}

async function setAccounts(page: Page, accounts: unknown[]): Promise<void> {
  await page.evaluate(
    (list) => (globalThis as unknown as ChromeStorage).chrome.storage.local.set({ accounts: list }),
    accounts,
  );
}

/** A page showing popup.html at popup size, after the popup created the database. */
async function openPopup(driver: Driver, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await driver.open('popup.html', {
    viewport: { width: 400, height: 600 },
    colorScheme,
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { biffErrors?: string[] }).biffErrors = errors;
  await waitForDatabase(page);
  return page;
}

/** Polls `probe` in the page until it returns true (Playwright's waitForFunction, in both browsers). */
async function waitInPage<A>(
  page: Page,
  probe: (arg: A) => boolean,
  arg: A,
  timeout = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await page.evaluate(probe, arg))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${probe}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForDatabase(page: Page): Promise<void> {
  await waitInPage(page, () => performance.getEntriesByName('biff-cache-open').length > 0, null);
}

function pageErrors(page: Page): string[] {
  return (page as Page & { biffErrors?: string[] }).biffErrors ?? [];
}

const messagesList = (page: Page) => page.getByRole('list', { name: 'Messages', exact: true });
const items = (page: Page) => messagesList(page).getByRole('listitem');
const selected = (page: Page) => messagesList(page).locator('[aria-current="true"]');

/**
 * Waits until the selected row's name matches (a key press re-renders on the
 * next frame, not synchronously), then asserts it, so a miss reports the row
 * that is selected instead of a bare timeout.
 */
async function expectSelected(page: Page, name: RegExp): Promise<void> {
  const label = () =>
    page.evaluate(() => document.querySelector('li[aria-current="true"]')?.getAttribute('aria-label') ?? '');
  const deadline = Date.now() + 5_000;
  while (!name.test(await label()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.match(await label(), name);
}

/** Same for the focused element: focus follows the selection a frame later. */
async function expectFocused(page: Page, name: RegExp): Promise<void> {
  await waitInPage(
    page,
    (src) => new RegExp(src).test(document.activeElement?.getAttribute('aria-label') ?? ''),
    name.source,
    5_000,
  ).catch(() => undefined);
  assert.match((await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '', name);
}

describe('popup list', () => {
  let world: BrowserWorld;
  let ext: Driver;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // No servers are needed (nothing is checked), only the browser; the world brings both.
    world = await BrowserWorld.start({ users: 1, pair: false });
    ext = world.driver;
  });
  after(async () => {
    await world?.stop();
  });

  test('with no accounts and nothing cached it offers "Add an account"', async () => {
    const page = await openPopup(ext);
    await clearAll(page);
    await page.reload();
    await page.getByRole('button', { name: 'Add an account', exact: true }).waitFor();
    assert.equal(await messagesList(page).count(), 0);
    await page.screenshot({ path: join(SHOTS, 'no-accounts-light.png') });
    assert.deepEqual(pageErrors(page), []);
    await page.close();
  });

  describe('with 10,000 cached messages', () => {
    let page: Page;
    const COUNT = 10_000;
    before(async () => {
      page = await openPopup(ext);
      await clearAll(page);
      await page.reload();
      await waitForDatabase(page);
      await setAccounts(page, ACCOUNTS);
      await seedMessages(page, {
        count: COUNT,
        newest: Date.now() - 60_000,
        step: 37 * 60_000,
        accountIds: ['work', 'home'],
        readEvery: 3,
        senders: [
          { name: 'Grace Hopper', address: 'grace@navy.example' },
          { name: '', address: 'noreply@builds.example' },
        ],
        subjects: ['Report'],
        previews: ['Numbers for the week, attached as usual.'],
        numbered: true,
      });
    });
    after(async () => {
      await page?.close();
    });

    test('paints the newest first from the cache, with a small DOM', async () => {
      // Best of three loads: the first after seeding pays for the database settling its writes.
      const samples: Array<{ fromNavigation: number; fromScript: number }> = [];
      for (let i = 0; i < 3; i++) {
        await page.reload();
        await items(page).first().waitFor();
        const marks = await page.evaluate(() => ({
          script: performance.getEntriesByName('biff-script-start')[0]?.startTime ?? Number.NaN,
          row: performance.getEntriesByName('biff-first-row')[0]?.startTime ?? Number.NaN,
        }));
        samples.push({ fromNavigation: marks.row, fromScript: marks.row - marks.script });
      }
      const best = samples.reduce((a, b) => (b.fromNavigation < a.fromNavigation ? b : a));
      console.log(
        `first row with ${COUNT} cached: ${samples.map((s) => `${s.fromNavigation.toFixed(0)} ms (${s.fromScript.toFixed(0)} ms after script start)`).join(', ')}`,
      );
      // How quickly is logged above and measured by the benchmark (popup-open), not asserted.
      assert.ok(Number.isFinite(best.fromNavigation), 'the first-row mark was set');
      assert.match(
        (await items(page).nth(0).getAttribute('aria-label')) ?? '',
        /^Grace Hopper: Report 10000$/,
      );
      assert.match(
        (await items(page).nth(1).getAttribute('aria-label')) ?? '',
        /^noreply@builds\.example: Report 09999$/,
      );
      assert.ok((await items(page).count()) < 40, 'only the visible window is rendered');
      // Unread rows say so (description), read ones do not.
      assert.equal(await items(page).nth(0).getAttribute('aria-describedby'), 'row-unread-description');
      assert.equal(await items(page).nth(2).getAttribute('aria-describedby'), null);
      assert.deepEqual(pageErrors(page), []);
    });

    test('scrolling to the bottom pages down to the oldest message while the DOM stays small', async () => {
      await page.reload();
      await items(page).first().waitFor();
      // The oldest (k = 1) is the 10,000th row: Home's, from the sender with no name.
      const oldest = messagesList(page).getByRole('listitem', {
        name: 'noreply@builds.example: Report 00001',
        exact: true,
      });
      const deadline = Date.now() + 60_000;
      let maxRendered = 0;
      // Read straight from the DOM in the loop (a role query per scroll step is slow in
      // Firefox's driver); the row found is then checked by its accessible name.
      const rendered = () =>
        page.evaluate(() => ({
          rows: document.querySelectorAll('ul.virtual-list li').length,
          oldest: [...document.querySelectorAll('ul.virtual-list li')].some((li) =>
            li.getAttribute('aria-label')?.endsWith('Report 00001'),
          ),
        }));
      for (;;) {
        const now = await rendered();
        maxRendered = Math.max(maxRendered, now.rows);
        if (now.oldest) break;
        assert.ok(Date.now() < deadline, 'reached the oldest message in time');
        await page.evaluate(() => {
          const el = document.querySelector('.scroller');
          if (el) el.scrollTop = el.scrollHeight;
        });
        await page.waitForTimeout(30);
      }
      await oldest.waitFor();
      assert.ok(maxRendered < 60, `at most ${maxRendered} rows were in the DOM`);
      await page.getByText('No older messages cached').waitFor();
      // Every message was loaded once: the scroll height covers all of them.
      const height = await page.evaluate(
        () => document.querySelector('ul.virtual-list')?.getBoundingClientRect().height,
      );
      assert.equal(height, COUNT * 64);
    });

    test('j/k move the selection, Enter opens the reader, Esc comes back to the same row', async () => {
      await page.reload();
      await items(page).first().waitFor();
      await expectSelected(page, /Report 10000$/);
      await page.keyboard.press('j');
      await page.keyboard.press('j');
      await page.keyboard.press('ArrowDown');
      await expectSelected(page, /Report 09997$/);
      await page.keyboard.press('k');
      await expectSelected(page, /Report 09998$/);
      // The selected row has focus, so a screen reader follows it.
      await expectFocused(page, /Report 09998$/);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Report 09998', exact: true }).waitFor();
      assert.equal(await messagesList(page).count(), 0);
      await page.getByRole('button', { name: 'Back', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Delete', exact: true }).waitFor();
      await page
        .getByRole('button', { name: 'Mark as read', exact: true })
        .or(page.getByRole('button', { name: 'Mark as unread', exact: true }))
        .first()
        .waitFor();
      await page.keyboard.press('Escape');
      await items(page).first().waitFor();
      await expectSelected(page, /Report 09998$/);
      await expectFocused(page, /Report 09998$/);
    });

    test('keyboard selection far down keeps the selected row in view', async () => {
      await page.reload();
      await items(page).first().waitFor();
      for (let i = 0; i < 30; i++) await page.keyboard.press('j');
      await expectSelected(page, /Report 09970$/);
      const row = selected(page);
      const box = await row.boundingBox();
      const view = await page.locator('.scroller').boundingBox();
      assert.ok(box && view, 'row and scroller are laid out');
      assert.ok(
        box.y >= view.y - 0.5 && box.y + box.height <= view.y + view.height + 0.5,
        'selected row is fully visible',
      );
    });

    test('the account filter shows one account only', async () => {
      await page.reload();
      await items(page).first().waitFor();
      await page.getByRole('combobox', { name: 'Account' }).selectOption({ label: 'Home' });
      await waitInPage(
        page,
        () =>
          document
            .querySelector('[role="listitem"], li[data-id]')
            ?.getAttribute('data-id')
            ?.startsWith('home') === true,
        null,
      );
      const ids = await page.evaluate(() =>
        [...document.querySelectorAll('ul.virtual-list li[data-id]')].map(
          (e) => e.getAttribute('data-id') ?? '',
        ),
      );
      assert.ok(ids.length > 0 && ids.every((id) => id.startsWith('home\u0000')), 'only Home rows');
      // POP3: no folder filter.
      assert.equal(await page.getByRole('combobox', { name: 'Folder' }).count(), 0);
      await page.getByRole('combobox', { name: 'Account' }).selectOption({ label: 'Work' });
      await page.getByRole('combobox', { name: 'Folder' }).waitFor();
    });

    test('offline: says so, and the cached list stays readable', async () => {
      await page.reload();
      await items(page).first().waitFor();
      await ext.setOffline(true);
      try {
        await page.getByRole('heading', { name: 'You’re offline' }).waitFor();
        assert.ok((await items(page).count()) > 0, 'the list still shows');
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { level: 1, name: 'Report 10000' }).waitFor();
        await page.keyboard.press('Escape');
      } finally {
        await ext.setOffline(false);
      }
      await page.getByRole('heading', { name: 'You’re offline' }).waitFor({ state: 'detached' });
    });

    test('deleting hides the row at once, even when the background does not answer', async () => {
      await page.reload();
      await items(page).first().waitFor();
      await page.keyboard.press('j');
      await expectSelected(page, /Report 09999$/);
      const name = (await selected(page).getAttribute('aria-label')) ?? '';
      await page.keyboard.press('#');
      // Either the delete went through (Undo offered) or it failed and the row came back with a notice.
      await page
        .getByRole('button', { name: 'Undo', exact: true })
        .or(page.getByRole('button', { name: 'Dismiss', exact: true }))
        .waitFor();
      if ((await page.getByRole('button', { name: 'Dismiss', exact: true }).count()) > 0) {
        await messagesList(page).getByRole('listitem', { name, exact: true }).waitFor();
      } else {
        assert.equal(await messagesList(page).getByRole('listitem', { name, exact: true }).count(), 0);
      }
      assert.deepEqual(pageErrors(page), []);
    });
  });

  test('screenshots: ~50 messages and the reader, light and dark', async () => {
    const setup = await openPopup(ext);
    await clearAll(setup);
    await setup.reload();
    await waitForDatabase(setup);
    await setAccounts(setup, ACCOUNTS);
    const now = Date.now();
    await seedMessages(setup, {
      count: 50,
      newest: now - 5 * 60_000,
      step: 0.7 * DAY,
      accountIds: ['work', 'work', 'home'],
      readEvery: 2,
      senders: [
        { name: 'Grace Hopper', address: 'grace@navy.example' },
        { name: 'Linus', address: 'linus@kernel.example' },
        { name: '', address: 'billing@utility.example' },
        { name: 'Margaret Hamilton', address: 'margaret@apollo.example' },
        { name: 'Team calendar', address: 'calendar@work.example' },
      ],
      subjects: [
        'Quarterly numbers, final version',
        'Re: patch v3 for the scheduler',
        'Your invoice for March is ready',
        'Lunch on Thursday?',
        'Reminder: design review at 14:00',
        'A rather long subject line that certainly does not fit into the popup width at all',
      ],
      previews: [
        'Hi Ada, attached are the final numbers. The totals match what we discussed on Monday.',
        'Looks good to me. One nit: the lock is taken twice in the error path, see line 212.',
        'Your invoice of 42.10 EUR is available in your account. No action is needed.',
        'There is a new place around the corner that does great soup. 12:30?',
        'This is a reminder for the design review. Agenda: popup, options, relay.',
        '',
      ],
      numbered: false,
    });
    // The newest message (uid 50 of work) with a cached body and an attachment.
    await seedBody(setup, 50, {
      text: 'Hi Ada,\n\nattached are the final numbers for the quarter. The totals match what we discussed on Monday; the only change is the travel line, which Finance corrected.\n\nCould you have a look before Friday?\n\nThanks,\nGrace',
      html: null,
      attachment: { name: 'q3-numbers.pdf', bytes: Array.from({ length: 48_213 }, (_, i) => i % 251) },
    });
    // The second newest (uid 49 of work): HTML with a tracking pixel, which must stay blocked until asked for.
    await seedBody(setup, 49, {
      text: null,
      html: '<p>Looks good to me. <b>One nit:</b> the lock is taken twice in the error path, see <a href="https://git.example/sched/212">line 212</a>.</p><blockquote>+ spin_lock(&rq-&gt;lock);</blockquote><p>Linus</p><img src="https://tracker.example/open.png" width="1" height="1" alt="">',
    });
    await setup.close();

    for (const scheme of ['light', 'dark'] as const) {
      const page = await openPopup(ext, scheme);
      await items(page).first().waitFor();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, `list-${scheme}.png`) });
      await items(page).first().click();
      await page.getByRole('heading', { level: 1, name: 'Quarterly numbers, final version' }).waitFor();
      await page.getByText('Could you have a look before Friday?', { exact: false }).waitFor();
      const link = page.getByRole('link', { name: 'Download q3-numbers.pdf' });
      assert.equal(await link.getAttribute('download'), 'q3-numbers.pdf');
      const href = (await link.getAttribute('href')) ?? '';
      assert.ok(href.startsWith(`blob:${ext.origin}`), `a blob of the extension: ${href}`);
      await page.getByText('48 kB', { exact: false }).waitFor();
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(SHOTS, `reader-${scheme}.png`) });
      // The HTML message: remote content blocked, offered for this message only.
      await page.keyboard.press('j');
      await page.getByRole('heading', { level: 1, name: 'Re: patch v3 for the scheduler' }).waitFor();
      const loadRemote = page.getByRole('button', { name: 'Load remote images', exact: true });
      await loadRemote.waitFor();
      const frame = page.frameLocator('iframe[title="Message body"]');
      await frame.getByText('One nit:').waitFor();
      await page.waitForTimeout(200);
      await page.screenshot({ path: join(SHOTS, `reader-html-${scheme}.png`) });
      await loadRemote.click();
      await loadRemote.waitFor({ state: 'detached' });
      // Back to the first message: its choice does not carry over, and it has nothing remote.
      await page.keyboard.press('k');
      await page.getByRole('heading', { level: 1, name: 'Quarterly numbers, final version' }).waitFor();
      assert.equal(await loadRemote.count(), 0);
      await page.keyboard.press('j');
      await page.getByRole('heading', { level: 1, name: 'Re: patch v3 for the scheduler' }).waitFor();
      await loadRemote.waitFor();
      assert.deepEqual(pageErrors(page), []);
      await page.close();
    }
  });
});
