import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Account } from '../accounts.ts';
import { StoreError } from './errors.ts';
import {
  ACCOUNTS_KEY,
  DEFAULT_SETTINGS,
  type KeyValueArea,
  newAccount,
  SECRETS_KEY,
  SETTINGS_KEY,
  SettingsStore,
  VAULT_KEY,
  validateAccount,
  validateSettings,
} from './settings.ts';

/** An in-memory area that clones like storage.local does and records every call. */
class MemoryArea implements KeyValueArea {
  readonly data = new Map<string, unknown>();
  readonly sets: Record<string, unknown>[] = [];
  failNextSet = false;

  async get(keys: string[]): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const key of keys) if (this.data.has(key)) out[key] = structuredClone(this.data.get(key));
    return out;
  }

  async set(items: Record<string, unknown>): Promise<void> {
    if (this.failNextSet) {
      this.failNextSet = false;
      throw new Error('QUOTA_BYTES quota exceeded');
    }
    this.sets.push(items);
    for (const [key, value] of Object.entries(items)) this.data.set(key, structuredClone(value));
  }

  async remove(keys: string[]): Promise<void> {
    for (const key of keys) this.data.delete(key);
  }
}

const isInvalid = (field: string) => (e: unknown) =>
  e instanceof StoreError && e.code === 'invalid' && e.message.startsWith(`${field}:`);

function work(overrides: Partial<Account> = {}): Account {
  return newAccount({
    id: 'work-1',
    name: 'Work',
    email: 'me@example.org',
    protocol: 'imap',
    host: 'imap.example.org',
    port: 993,
    security: 'implicit',
    username: 'me@example.org',
    ...overrides,
  });
}

test('newAccount fills the documented defaults', () => {
  const account = work();
  assert.deepEqual(account.imap, {
    folders: ['INBOX'],
    syncWindow: 1000,
    deleteToTrash: true,
    useQresync: true,
  });
  assert.deepEqual(account.pop3, {
    leaveCopy: true,
    deleteAfterDays: null,
    deleteWhenDeletedHere: false,
    headersOnlyAboveBytes: 2 * 1024 * 1024,
  });
  assert.equal(account.checkIntervalMinutes, 5);
  assert.equal(account.enabled, true);
});

test('saveAccount writes the account and its password in one set, in separate keys', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  await store.saveAccount(work(), 'hunter2');
  assert.equal(area.sets.length, 1, 'one write: nothing saved half-way');
  assert.deepEqual(Object.keys(area.sets[0]!).sort(), [ACCOUNTS_KEY, SECRETS_KEY]);
  assert.ok(
    !JSON.stringify(area.data.get(ACCOUNTS_KEY)).includes('hunter2'),
    'no password among the accounts',
  );
  assert.deepEqual(area.data.get(SECRETS_KEY), { 'work-1': { password: 'hunter2' } });
  assert.deepEqual(await store.listAccounts(), [work()]);
  assert.equal(await store.getPassword('work-1'), 'hunter2');
  assert.equal(await store.getPassword('nobody'), null);
});

test('saving without a password keeps the stored one and does not touch secrets', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  await store.saveAccount(work(), 'hunter2');
  await store.saveAccount(work({ name: 'Office' }));
  assert.deepEqual(Object.keys(area.sets[1]!), [ACCOUNTS_KEY]);
  assert.equal((await store.getAccount('work-1'))?.name, 'Office');
  assert.equal(await store.getPassword('work-1'), 'hunter2');
  await store.saveAccount(work(), 'new secret');
  assert.equal(await store.getPassword('work-1'), 'new secret');
});

test('accounts keep their order; saving an existing id replaces it in place', async () => {
  const store = new SettingsStore(new MemoryArea());
  await store.saveAccount(work({ id: 'a', name: 'A' }));
  await store.saveAccount(work({ id: 'b', name: 'B' }));
  await store.saveAccount(work({ id: 'a', name: 'A2' }));
  assert.deepEqual(
    (await store.listAccounts()).map((a) => a.name),
    ['A2', 'B'],
  );
});

test('an invalid account or password writes nothing', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  await assert.rejects(store.saveAccount({ ...work(), port: 70000 }, 'pw'), isInvalid('port'));
  await assert.rejects(store.saveAccount(work(), 42 as unknown as string), isInvalid('password'));
  assert.equal(area.sets.length, 0);
  assert.deepEqual(await store.listAccounts(), []);
});

test('a failed write leaves the previous account and password in place', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  await store.saveAccount(work(), 'old');
  area.failNextSet = true;
  await assert.rejects(store.saveAccount(work({ name: 'New' }), 'new'));
  assert.equal((await store.getAccount('work-1'))?.name, 'Work');
  assert.equal(await store.getPassword('work-1'), 'old');
});

test('validateAccount names the first bad field', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['id', { id: 'has space' }],
    ['id', { id: 'a\u0000b' }],
    ['name', { name: '  ' }],
    ['color', { color: 'red; background: url(x)' }],
    ['email', { email: 'no-at-sign' }],
    ['protocol', { protocol: 'smtp' }],
    ['host', { host: 'imap.example.org/evil' }],
    ['port', { port: 0 }],
    ['port', { port: 993.5 }],
    ['security', { security: 'tls' }],
    ['username', { username: '' }],
    ['pin', { pin: 'AB:CD' }],
    ['enabled', { enabled: 'yes' }],
    ['checkIntervalMinutes', { checkIntervalMinutes: 0 }],
    ['notify', { notify: 1 }],
    ['imap.folders', { imap: { ...work().imap, folders: [] } }],
    ['imap.folders', { imap: { ...work().imap, folders: ['INBOX', 'INBOX'] } }],
    ['imap.syncWindow', { imap: { ...work().imap, syncWindow: 0 } }],
    ['pop3.deleteAfterDays', { pop3: { ...work().pop3, deleteAfterDays: 0 } }],
    ['pop3.headersOnlyAboveBytes', { pop3: { ...work().pop3, headersOnlyAboveBytes: -1 } }],
    ['imap', { imap: null }],
    ['account', { __replace: 'not an object' }],
  ];
  for (const [field, patch] of bad) {
    const value = '__replace' in patch ? patch.__replace : { ...work(), ...patch };
    assert.throws(() => validateAccount(value), isInvalid(field), `${field}: ${JSON.stringify(patch)}`);
  }
  const pinned = validateAccount({ ...work(), pin: Array(32).fill('AB').join(':'), extra: 'dropped' });
  assert.equal(pinned.pin?.length, 95);
  assert.ok(!('extra' in pinned), 'unknown fields are dropped');
  for (const color of ['#abc', '#aabbcc', '#aabbccdd', 'teal', 'rgb(1, 2, 3)', 'hsla(10 20% 30% / 0.5)']) {
    assert.equal(validateAccount({ ...work(), color }).color, color);
  }
});

test('removeAccount removes the account and its password in one write', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  await store.saveAccount(work({ id: 'a' }), 'pa');
  await store.saveAccount(work({ id: 'b' }), 'pb');
  assert.equal(await store.removeAccount('a'), true);
  assert.deepEqual(Object.keys(area.sets.at(-1)!).sort(), [ACCOUNTS_KEY, SECRETS_KEY]);
  assert.deepEqual(
    (await store.listAccounts()).map((a) => a.id),
    ['b'],
  );
  assert.equal(await store.getPassword('a'), null);
  assert.equal(await store.getPassword('b'), 'pb');
  const writes = area.sets.length;
  assert.equal(await store.removeAccount('a'), false);
  assert.equal(area.sets.length, writes, 'nothing to remove: no write');
});

test('corrupt stored accounts are reported, not silently dropped', async () => {
  const area = new MemoryArea();
  area.data.set(ACCOUNTS_KEY, [{ ...work(), port: 'imap' }]);
  await assert.rejects(new SettingsStore(area).listAccounts(), isInvalid('port'));
  area.data.set(ACCOUNTS_KEY, { not: 'a list' });
  await assert.rejects(new SettingsStore(area).listAccounts(), isInvalid(ACCOUNTS_KEY));
});

test('global settings: defaults, partial stored values, validated updates', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  assert.deepEqual(await store.getSettings(), DEFAULT_SETTINGS);
  assert.equal((await store.getSettings()).openMarksRead, true);

  // Stored by an older version without badgeMode: the default fills it in.
  area.data.set(SETTINGS_KEY, { openMarksRead: false });
  assert.deepEqual(await store.getSettings(), { ...DEFAULT_SETTINGS, openMarksRead: false });

  const relay = { url: 'ws://127.0.0.1:6512/v1', token: 'tok' };
  const next = await store.updateSettings({
    relay,
    quietHours: { enabled: true, start: '23:30', end: '06:00' },
  });
  assert.deepEqual(next.relay, relay);
  assert.deepEqual(await store.getSettings(), next);
  await store.updateSettings({ badgeMode: 'new' });
  assert.deepEqual((await store.getSettings()).relay, relay, 'other fields kept');
  // Pairing automatically also keeps the command that starts the installed relay.
  const paired = { ...relay, startCommand: 'systemctl --user start biff-relay' };
  assert.deepEqual((await store.updateSettings({ relay: paired })).relay, paired);
  await store.updateSettings({ relay });

  const writes = area.sets.length;
  await assert.rejects(
    store.updateSettings({ relay: { url: 'http://x/v1', token: 't' } }),
    isInvalid('relay.url'),
  );
  await assert.rejects(
    store.updateSettings({ relay: { url: 'not a url', token: 't' } }),
    isInvalid('relay.url'),
  );
  await assert.rejects(
    store.updateSettings({ relay: { url: 'wss://r.example/v1', token: '' } }),
    isInvalid('relay.token'),
  );
  await assert.rejects(
    store.updateSettings({ relay: { url: 'wss://r.example/v1', token: 't', startCommand: '' } }),
    isInvalid('relay.startCommand'),
  );
  await assert.rejects(
    store.updateSettings({ quietHours: { enabled: true, start: '24:00', end: '07:00' } }),
    isInvalid('quietHours.start'),
  );
  await assert.rejects(
    store.updateSettings({ badgeMode: 'all' as unknown as 'new' }),
    isInvalid('badgeMode'),
  );
  assert.equal(area.sets.length, writes, 'invalid updates write nothing');
  assert.throws(
    () => validateSettings({ ...DEFAULT_SETTINGS, openMarksRead: 'yes' }),
    isInvalid('openMarksRead'),
  );
});

test('clear forgets accounts, secrets and settings', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  await store.saveAccount(work(), 'pw');
  await store.updateSettings({ badgeMode: 'new' });
  await store.clear();
  assert.equal(area.data.size, 0);
  assert.deepEqual(await store.listAccounts(), []);
});

test('reorderAccounts puts accounts in the given order and refuses an order that drops or repeats one', async () => {
  const area = new MemoryArea();
  const store = new SettingsStore(area);
  for (const id of ['a', 'b', 'c']) await store.saveAccount(work({ id, name: id.toUpperCase() }), `pw-${id}`);
  await store.reorderAccounts(['c', 'a', 'b']);
  assert.deepEqual(
    (await store.listAccounts()).map((a) => a.id),
    ['c', 'a', 'b'],
  );
  assert.equal(await store.getPassword('c'), 'pw-c', 'passwords are untouched');
  const writes = area.sets.length;
  await assert.rejects(store.reorderAccounts(['c', 'a']), isInvalid(ACCOUNTS_KEY));
  await assert.rejects(store.reorderAccounts(['c', 'c', 'a']), isInvalid(ACCOUNTS_KEY));
  await assert.rejects(store.reorderAccounts(['c', 'a', 'x']), isInvalid(ACCOUNTS_KEY));
  assert.equal(area.sets.length, writes, 'a refused order writes nothing');
});

describe('primary password', () => {
  const PRIMARY = 'pr1mary "pass" \\ ✓';
  const TOKEN = 'relay-pairing-token-0123456789';
  const RELAY = { url: 'ws://127.0.0.1:6512/v1', token: TOKEN };
  const hasCode = (code: string) => (e: unknown) => e instanceof StoreError && e.code === code;

  /** Every stored value as JSON, for scanning: nothing secret may be readable in it. */
  const dump = (area: MemoryArea) => JSON.stringify([...area.data.entries()]);

  /** A store with two accounts and a paired relay, primary password set; `session` plays storage.session. */
  async function protectedStore() {
    const area = new MemoryArea();
    const session = new MemoryArea();
    const store = new SettingsStore(area, session);
    await store.saveAccount(work({ id: 'a' }), 'password-of-a');
    await store.saveAccount(work({ id: 'b' }), 'password-of-b');
    await store.updateSettings({ relay: RELAY, badgeMode: 'new' });
    assert.equal(await store.primaryPassword(), 'none');
    await store.setPrimaryPassword(PRIMARY);
    return { area, session, store };
  }

  /** The same storage.local after a browser restart: storage.session is empty again. */
  const restarted = (area: MemoryArea) => new SettingsStore(area, new MemoryArea());

  test('setting it seals every secret: no password or token is readable anywhere in storage', async () => {
    const { area, session, store } = await protectedStore();
    assert.deepEqual([...area.data.keys()].sort(), [ACCOUNTS_KEY, SETTINGS_KEY, VAULT_KEY]);
    const stored = dump(area);
    for (const secret of ['password-of-a', 'password-of-b', TOKEN, PRIMARY])
      assert.ok(!stored.includes(secret), `${secret} is not in storage.local`);
    assert.ok(!dump(session).includes(PRIMARY), 'storage.session holds the key, not the password');
    assert.deepEqual(area.data.get(SETTINGS_KEY), {
      ...DEFAULT_SETTINGS,
      badgeMode: 'new',
      relay: { url: RELAY.url },
    });
    assert.equal(await store.primaryPassword(), 'unlocked');
    assert.equal(await store.getPassword('a'), 'password-of-a');
    assert.deepEqual((await store.getSettings()).relay, RELAY);
    // Writes while unlocked stay sealed.
    await store.saveAccount(work({ id: 'c' }), 'password-of-c');
    await store.updateSettings({ relay: { ...RELAY, token: 'a-new-token' } });
    assert.ok(!dump(area).includes('password-of-c') && !dump(area).includes('a-new-token'));
    assert.equal(await store.getPassword('c'), 'password-of-c');
    assert.equal((await store.getSettings()).relay?.token, 'a-new-token');
  });

  test('locked after a browser restart: settings readable, secrets a typed error, one unlock opens all', async () => {
    const { area } = await protectedStore();
    const session = new MemoryArea();
    const store = new SettingsStore(area, session);
    assert.equal(await store.primaryPassword(), 'locked');
    assert.deepEqual(
      (await store.listAccounts()).map((a) => a.id),
      ['a', 'b'],
    );
    assert.deepEqual((await store.getSettings()).relay, { url: RELAY.url, token: '' });
    await assert.rejects(store.getPassword('a'), hasCode('locked'));
    await assert.rejects(store.unlock('not it'), hasCode('wrong_password'));
    assert.equal(await store.primaryPassword(), 'locked');
    await store.unlock(PRIMARY);
    assert.equal(await store.primaryPassword(), 'unlocked');
    assert.equal(await store.getPassword('b'), 'password-of-b');
    assert.deepEqual((await store.getSettings()).relay, RELAY);
    // A worker Chrome stopped and started again shares storage.session: still unlocked.
    const worker = new SettingsStore(area, session);
    assert.equal(await worker.getPassword('a'), 'password-of-a');
    await worker.lock();
    assert.equal(await new SettingsStore(area, session).primaryPassword(), 'locked');
  });

  test('while locked: preferences save and keep the token; a new password or token is refused, nothing written', async () => {
    const { area } = await protectedStore();
    const store = restarted(area);
    const settings = await store.getSettings();
    await store.updateSettings({ ...settings, openMarksRead: false });
    const writes = area.sets.length;
    await assert.rejects(store.saveAccount(work({ id: 'a' }), 'typed while locked'), hasCode('locked'));
    await assert.rejects(store.updateSettings({ relay: { ...RELAY, token: 'other' } }), hasCode('locked'));
    assert.equal(area.sets.length, writes);
    await store.saveAccount(work({ id: 'a', name: 'Renamed' }));
    await store.unlock(PRIMARY);
    assert.equal((await store.getSettings()).openMarksRead, false);
    assert.deepEqual((await store.getSettings()).relay, RELAY);
    assert.equal(await store.getPassword('a'), 'password-of-a');
  });

  test('an account removed while locked loses its sealed password at the next write', async () => {
    const { area } = await protectedStore();
    const store = restarted(area);
    assert.equal(await store.removeAccount('a'), true);
    assert.deepEqual(
      (await store.listAccounts()).map((a) => a.id),
      ['b'],
    );
    await store.unlock(PRIMARY);
    await store.saveAccount(work({ id: 'b' }), 'new-password-of-b');
    const again = restarted(area);
    await again.unlock(PRIMARY);
    await again.saveAccount(work({ id: 'a' }));
    assert.equal(
      await again.getPassword('a'),
      null,
      'the removed account’s password went with the vault’s next write',
    );
    assert.equal(await again.getPassword('b'), 'new-password-of-b');
  });

  test('changing it re-encrypts under the new one; the current one is checked first', async () => {
    const { area, store } = await protectedStore();
    const before = structuredClone(area.data.get(VAULT_KEY)) as { box: { data: string } };
    await assert.rejects(store.setPrimaryPassword('next one'), isInvalid('current primary password'));
    await assert.rejects(store.setPrimaryPassword('next one', 'wrong'), hasCode('wrong_password'));
    assert.deepEqual(area.data.get(VAULT_KEY), before, 'refused changes write nothing');
    await store.setPrimaryPassword('next one', PRIMARY);
    assert.notEqual((area.data.get(VAULT_KEY) as { box: { data: string } }).box.data, before.box.data);
    assert.equal(await store.getPassword('a'), 'password-of-a', 'still unlocked, with the new key');
    const after = restarted(area);
    await assert.rejects(after.unlock(PRIMARY), hasCode('wrong_password'));
    await after.unlock('next one');
    assert.equal(await after.getPassword('b'), 'password-of-b');
    assert.deepEqual((await after.getSettings()).relay, RELAY);
    for (const secret of ['password-of-a', TOKEN, 'next one']) assert.ok(!dump(area).includes(secret));
  });

  test('removing it stores the secrets in plain again, as before it was set', async () => {
    const { area } = await protectedStore();
    const store = restarted(area);
    await assert.rejects(store.removePrimaryPassword('wrong'), hasCode('wrong_password'));
    await store.removePrimaryPassword(PRIMARY);
    assert.equal(await store.primaryPassword(), 'none');
    assert.ok(!area.data.has(VAULT_KEY));
    assert.deepEqual(area.data.get(SECRETS_KEY), {
      a: { password: 'password-of-a' },
      b: { password: 'password-of-b' },
    });
    assert.deepEqual((area.data.get(SETTINGS_KEY) as { relay: unknown }).relay, RELAY);
    assert.equal(await restarted(area).getPassword('a'), 'password-of-a');
  });

  test('forgetting it drops the secrets only: accounts and settings stay, passwords must be entered again', async () => {
    const { area } = await protectedStore();
    const store = restarted(area);
    await store.forgetPrimaryPassword();
    assert.equal(await store.primaryPassword(), 'none');
    assert.ok(!area.data.has(VAULT_KEY));
    assert.deepEqual(
      (await store.listAccounts()).map((a) => a.id),
      ['a', 'b'],
    );
    assert.equal(await store.getPassword('a'), null);
    const settings = await store.getSettings();
    assert.equal(settings.relay, null, 'the pairing token was sealed too: pair again');
    assert.equal(settings.badgeMode, 'new');
    await store.saveAccount(work({ id: 'a' }), 'entered again');
    assert.equal(await store.getPassword('a'), 'entered again');
  });

  test('a changed vault is a typed tampered error at unlock, and an invalid one at read', async () => {
    const { area } = await protectedStore();
    const vault = structuredClone(area.data.get(VAULT_KEY)) as { box: { data: string } };
    const bytes = Buffer.from(vault.box.data, 'base64');
    bytes[0]! ^= 0x80;
    area.data.set(VAULT_KEY, { ...vault, box: { ...vault.box, data: bytes.toString('base64') } });
    await assert.rejects(restarted(area).unlock(PRIMARY), hasCode('tampered'));
    area.data.set(VAULT_KEY, { ...vault, v: 9 });
    await assert.rejects(restarted(area).primaryPassword(), isInvalid('vault.v'));
  });

  test('an empty primary password is refused', async () => {
    const store = new SettingsStore(new MemoryArea());
    await assert.rejects(store.setPrimaryPassword('   '), isInvalid('primary password'));
    assert.equal(await store.primaryPassword(), 'none');
  });
});
