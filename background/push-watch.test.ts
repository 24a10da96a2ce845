import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Account } from '../extension/accounts.ts';
import { DeleteHolds } from '../extension/engine/delete-holds.ts';
import { Engine } from '../extension/engine/engine.ts';
import type { ProtocolDriver, PushSession } from '../extension/mail/driver.ts';
import { imapDriver } from '../extension/mail/imap/driver.ts';
import { pop3Driver } from '../extension/mail/pop3/driver.ts';
import type { BiffDatabase } from '../extension/store/schema.ts';
import type { SettingsStore } from '../extension/store/settings.ts';
import { exampleAccount } from '../test/support/accounts.ts';
import { PUSH_WATCH_ALARM, PUSH_WATCH_PERIOD_MINUTES, PushWatch, type WatchAlarms } from './push-watch.ts';

function account(id: string, protocol: Account['protocol'], extra: Partial<Account> = {}): Account {
  return exampleAccount(id, protocol, { checkIntervalMinutes: 60, ...extra });
}

/** The browser's alarms, in a map, counting what was asked of them. */
function fakeAlarms() {
  const set = new Map<string, number>();
  const calls = { every: 0, clear: 0 };
  const alarms: WatchAlarms = {
    every: (name, period) => {
      calls.every += 1;
      set.set(name, period);
    },
    clear: async (name) => {
      calls.clear += 1;
      return set.delete(name);
    },
    all: async () => [...set].map(([name, periodInMinutes]) => ({ name, periodInMinutes })),
  };
  return { set, calls, alarms };
}

/**
 * An engine over `accounts` whose IMAP push sessions are counted and never connect (a
 * connection would start by reading the password, which fails the test).
 */
function engineOver(accounts: Account[]) {
  const pushes = { started: 0, stopped: 0 };
  let listed = 0;
  const settings = {
    listAccounts: async () => {
      listed += 1;
      return accounts.slice();
    },
    getPassword: () => assert.fail('no connection is needed'),
    getSettings: () => assert.fail('no connection is needed'),
  } as unknown as SettingsStore;
  const imap: ProtocolDriver = {
    ...imapDriver,
    push: (): PushSession => ({
      start: () => {
        pushes.started += 1;
      },
      stop: async () => {
        pushes.stopped += 1;
      },
      runJob: async () => null,
    }),
  };
  const engine = new Engine({
    db: {} as BiffDatabase,
    settings,
    drivers: { imap, pop3: pop3Driver },
    holds: new DeleteHolds(),
    emit: () => {},
    persist: () => {},
    onNewMail: () => assert.fail('nothing arrived'),
  });
  return { engine, pushes, listed: () => listed };
}

test('the push-watch alarm is set iff some account wants push, once, at the least period', async () => {
  const cases: Array<[string, Account[], boolean]> = [
    ['no account', [], false],
    ['POP3 only', [account('p', 'pop3')], false],
    ['IMAP disabled', [account('i', 'imap', { enabled: false })], false],
    ['IMAP', [account('i', 'imap')], true],
    ['POP3 and IMAP', [account('p', 'pop3'), account('i', 'imap')], true],
  ];
  for (const [name, accounts, wanted] of cases) {
    const { engine } = engineOver(accounts);
    await engine.reloadAccounts();
    const { set, calls, alarms } = fakeAlarms();
    const watch = new PushWatch(alarms);
    // Status changes come in bursts: the alarm is created once, not again at each (that would
    // restart its period and keep it from ever firing).
    await Promise.all([1, 2, 3].map(() => watch.follow(engine.wantsPush())));
    await watch.follow(engine.wantsPush());
    assert.equal(set.has(PUSH_WATCH_ALARM), wanted, name);
    if (wanted) assert.equal(set.get(PUSH_WATCH_ALARM), PUSH_WATCH_PERIOD_MINUTES, name);
    assert.equal(calls.every, wanted ? 1 : 0, name);
    await engine.stop();
  }
});

test('locked by the primary password, no push is wanted and the alarm goes; unlocked, it is back', async () => {
  const { engine } = engineOver([account('i', 'imap')]);
  await engine.reloadAccounts();
  const { set, alarms } = fakeAlarms();
  const watch = new PushWatch(alarms);
  await watch.follow(engine.wantsPush());
  assert.ok(set.has(PUSH_WATCH_ALARM));
  await engine.setLocked(true);
  await watch.follow(engine.wantsPush());
  assert.ok(!set.has(PUSH_WATCH_ALARM));
  await engine.setLocked(false);
  await watch.follow(engine.wantsPush());
  assert.ok(set.has(PUSH_WATCH_ALARM));
  await engine.stop();
});

test('a new background finds the alarm set and leaves it alone; one with another period is replaced', async () => {
  const { engine } = engineOver([account('i', 'imap')]);
  await engine.reloadAccounts();
  const { set, calls, alarms } = fakeAlarms();
  set.set(PUSH_WATCH_ALARM, PUSH_WATCH_PERIOD_MINUTES);
  await new PushWatch(alarms).follow(engine.wantsPush());
  assert.equal(calls.every, 0, 'the running period is not restarted');
  set.set(PUSH_WATCH_ALARM, 5);
  await new PushWatch(alarms).follow(engine.wantsPush());
  assert.equal(set.get(PUSH_WATCH_ALARM), PUSH_WATCH_PERIOD_MINUTES);
  await engine.stop();
});

test('the alarm firing with push running does nothing: no push started, no account read', async () => {
  const { engine, pushes, listed } = engineOver([account('p', 'pop3'), account('i', 'imap')]);
  await engine.reloadAccounts();
  assert.equal(pushes.started, 1, 'the IMAP account push is running');
  const reads = listed();
  const watch = new PushWatch(fakeAlarms().alarms);
  for (let i = 0; i < 3; i++) assert.equal(watch.fired(engine), 0);
  assert.equal(pushes.started, 1);
  assert.equal(pushes.stopped, 0);
  assert.equal(listed(), reads, 'no storage read');
  await engine.stop();
});

test('the alarm firing where push is wanted and not running starts it', async () => {
  const { engine, pushes } = engineOver([account('i', 'imap')]);
  await engine.reloadAccounts();
  await engine.stop();
  assert.equal(pushes.stopped, 1);
  assert.equal(new PushWatch(fakeAlarms().alarms).fired(engine), 1);
  assert.equal(pushes.started, 2);
  await engine.stop();
});

test('removing the last push account clears the alarm; removing one of two keeps it', async () => {
  const accounts = [account('a', 'imap'), account('b', 'imap'), account('p', 'pop3')];
  const { engine } = engineOver(accounts);
  await engine.reloadAccounts();
  const { set, alarms } = fakeAlarms();
  const watch = new PushWatch(alarms);
  await watch.follow(engine.wantsPush());
  assert.ok(set.has(PUSH_WATCH_ALARM));
  accounts.splice(0, 1);
  await engine.reloadAccounts();
  await watch.follow(engine.wantsPush());
  assert.ok(set.has(PUSH_WATCH_ALARM), 'one push account is left');
  accounts.splice(0, 1);
  await engine.reloadAccounts();
  await watch.follow(engine.wantsPush());
  assert.ok(!set.has(PUSH_WATCH_ALARM), 'only POP3 is left');
  await engine.stop();
});
