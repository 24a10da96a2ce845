/**
 * biff-browsers: chromium firefox
 *
 * The foundation, end to end: the built extension's background (Chromium's service worker,
 * Firefox's event page) opens the relay socket and speaks IMAP (imapflow, over IMAPS and over
 * STARTTLS) and POP3 (over STLS) to real Dovecot — through the same contract the options page
 * and popup use. The relay logs the extension's own origin (chrome-extension://<id> or
 * moz-extension://<uuid>) as the one that got through.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BrowserWorld } from '../browser/world.ts';
import { makeMailbox } from '../servers/messages.ts';
import { seedMaildir } from '../servers/seed.ts';
import { PASSWORD } from '../support/server-world.ts';

let world: BrowserWorld;
let user: string;
const mailbox = makeMailbox(5, { seed: 7, size: 'small' });

before(async () => {
  world = await BrowserWorld.start({ users: 2 });
  user = world.newUser();
  seedMaildir(
    world.dovecot,
    user,
    mailbox.map((m) => m.raw),
  );
});

after(async () => {
  await world?.stop();
});

test('IMAPS: the worker logs in through the relay, lists mailboxes and counts INBOX', async () => {
  const report = await world.call('testConnection', {
    account: world.accountFor(user, 'imap', 'implicit'),
    password: PASSWORD,
  });
  assert.equal(report.ok, true, JSON.stringify(report.failed));
  assert.deepEqual(
    report.stages.map((s) => [s.stage, s.ok]),
    [
      ['relay', true],
      ['server', true],
      ['tls', true],
      ['login', true],
      ['inbox', true],
    ],
  );
  assert.equal(report.inboxCount, 5);
  const paths = report.folders?.map((f) => f.path) ?? [];
  for (const path of ['INBOX', 'Trash', 'Junk', 'Sent'])
    assert.ok(paths.includes(path), `${path} in ${paths}`);
  assert.equal(report.folders?.find((f) => f.path === 'Trash')?.specialUse, '\\Trash');
  assert.equal(
    report.tls?.fingerprint256,
    world.dovecot.fingerprint256,
    'the pinned certificate was presented',
  );
  const origin = world.driver.origin.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  await world.relayLogged(new RegExp(`origin=${origin} target=127\\.0\\.0\\.1`));
});

test('IMAP over STARTTLS: the upgrade happens through the relay and the session works', async () => {
  const report = await world.call('testConnection', {
    account: world.accountFor(user, 'imap', 'starttls'),
    password: PASSWORD,
  });
  assert.equal(report.ok, true, JSON.stringify(report.failed));
  assert.equal(report.inboxCount, 5);
  assert.ok(report.tls, 'TLS is up after STARTTLS');
  await world.relayLogged(new RegExp(`target=127\\.0\\.0\\.1:${world.dovecot.ports.imap}\\b.*tls="starttls`));
});

test('the worker fetches envelopes into IndexedDB with a real sync', async () => {
  const account = world.accountFor(user, 'imap', 'implicit');
  await world.call('saveAccount', { account, password: PASSWORD });
  const { ok } = await world.call('syncNow', { accountId: account.id });
  assert.equal(ok, true);
  const rows = (await world.storedMessages()).filter((r) => r.accountId === account.id);
  assert.deepEqual(rows.map((r) => r.subject).sort(), mailbox.map((m) => m.subject).sort());
  await world.call('removeAccount', { accountId: account.id });
});

test('POP3 over STLS: CAPA, STLS, login and STAT from the worker', async () => {
  const report = await world.call('testConnection', {
    account: world.accountFor(user, 'pop3', 'starttls'),
    password: PASSWORD,
  });
  assert.equal(report.ok, true, JSON.stringify(report.failed));
  assert.equal(report.inboxCount, 5, 'STAT counts the seeded messages');
  assert.ok(report.tls, 'TLS is up after STLS');
  await world.relayLogged(new RegExp(`target=127\\.0\\.0\\.1:${world.dovecot.ports.pop3}\\b.*tls="starttls`));
});

test('a wrong password fails at the login stage with a plain reason, and the password appears nowhere', async () => {
  const secret = 'wrong-password-never-logged';
  const report = await world.call('testConnection', {
    account: world.accountFor(user, 'imap', 'implicit'),
    password: secret,
  });
  assert.equal(report.ok, false);
  assert.equal(report.failed?.stage, 'login');
  assert.equal(report.failed?.code, 'auth_failed');
  assert.doesNotMatch(JSON.stringify(report), new RegExp(secret));
  assert.doesNotMatch(world.relay.logs(), new RegExp(secret));
});

test('an unpinned self-signed certificate stops at TLS with the details to review', async () => {
  const account = { ...world.accountFor(user, 'imap', 'implicit'), pin: undefined };
  const report = await world.call('testConnection', { account, password: PASSWORD });
  assert.equal(report.ok, false);
  assert.equal(report.failed?.stage, 'tls');
  assert.equal(report.certificate?.fingerprint256, world.dovecot.fingerprint256);
  assert.match(report.certificate?.subject ?? '', /localhost/);
});
