/**
 * Accounts, their secrets and the global settings, in a key-value area (browser.storage.local
 * in the extension, a Map in tests; platform.ts passes the real one).
 *
 * Layout of the area:
 * - `accounts`: Account[] in display order, without passwords, so settings can be logged,
 *   exported or shown without leaking them;
 * - `settings`: GlobalSettings;
 * - without a primary password: `secrets`: `{ [accountId]: { password } }`, and the relay's
 *   pairing token in `settings.relay.token`;
 * - with a primary password: `vault` (secret-box.ts), which seals the whole secrets map,
 *   whatever its entries hold, and the pairing token; `settings.relay` then has no token and
 *   `secrets` is gone. Nothing secret is readable in the area.
 *
 * The vault's key is derived from the primary password once per browser session (`unlock`)
 * and held in memory and in `session` (storage.session: never written to disk, emptied when
 * the browser closes, so a worker Chrome stopped starts again unlocked). Until then the store
 * is locked: accounts and settings read as usual (the pairing token reads empty), secrets are
 * `locked` errors.
 *
 * Everything is validated before anything is written, and an account and its password are
 * written in one `set` call, which storage.local applies as a whole: nothing is saved half-way.
 * storage.local has no transactions, so two pages saving at the same instant can lose one
 * write; only the options page writes accounts and settings, so that is accepted.
 */
import { type Account, DEFAULT_CHECK_INTERVAL_MINUTES, DEFAULT_IMAP, DEFAULT_POP3 } from '../accounts.ts';
import { StoreError } from './errors.ts';
import {
  createVault,
  decodeKey,
  encodeKey,
  openVault,
  PRIMARY_PASSWORD_MAX_CHARS,
  type RawKey,
  sealVault,
  unlockVault,
  type Vault,
  validateVault,
} from './secret-box.ts';

/** The subset of browser.storage.StorageArea the settings need. */
export interface KeyValueArea {
  get(keys: string[]): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string[]): Promise<void>;
}

/** Storage key of Account[]. */
export const ACCOUNTS_KEY = 'accounts';
/** Storage key of the passwords by account id. */
export const SECRETS_KEY = 'secrets';
/** Storage key of GlobalSettings. */
export const SETTINGS_KEY = 'settings';
/** Storage key of the sealed secrets while a primary password is set. */
export const VAULT_KEY = 'vault';
/** storage.session key of the unlocked vault's key: `{ salt, key }`, the salt naming the vault it opens. */
export const SESSION_KEY = 'primaryKey';

/** Whether a primary password protects the secrets, and whether it was entered this session. */
export type PrimaryPasswordState = 'none' | 'locked' | 'unlocked';

/** Where the companion relay listens and the token that pairs us with it. */
export interface RelaySettings {
  /** `ws://` or `wss://` URL, e.g. `ws://127.0.0.1:6512/v1`. */
  url: string;
  /** Empty while the primary password is locked (the token is sealed in the vault). */
  token: string;
  /**
   * The shell command that starts the relay as installed, from the native host when Biff paired
   * automatically; the popup shows it when the relay is down.
   */
  startCommand?: string;
}

/** No notifications between `start` and `end` (local time, "HH:MM"; may span midnight). */
export interface QuietHours {
  enabled: boolean;
  start: string;
  end: string;
}

/** What the badge counts. */
export type BadgeMode = 'unread' | 'new';

/** Settings that are not per account. */
export interface GlobalSettings {
  /** null until the relay is paired. */
  relay: RelaySettings | null;
  quietHours: QuietHours;
  /** Opening a message in the popup marks it read. */
  openMarksRead: boolean;
  badgeMode: BadgeMode;
}

/** Defaults of the global settings; a stored value missing a field gets it from here. */
export const DEFAULT_SETTINGS: GlobalSettings = {
  relay: null,
  quietHours: { enabled: false, start: '22:00', end: '07:00' },
  openMarksRead: true,
  badgeMode: 'unread',
};

/**
 * Account ids become part of IndexedDB keys and of `MessageRow.id`, where NUL separates the
 * parts: restricting them to URL-safe characters (what crypto.randomUUID gives) keeps ids unambiguous.
 */
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** chrome.alarms' minimum period was 1 minute before Chrome 120; a day is the longest sensible interval. */
export const CHECK_INTERVAL_RANGE = [1, 24 * 60] as const;
/** The newest N messages per folder summarised at first sync; beyond 100,000 the list is no longer a quick view. */
export const SYNC_WINDOW_RANGE = [1, 100_000] as const;
/** "Remove from the server after N days": up to ten years. */
export const DELETE_AFTER_DAYS_RANGE = [1, 3650] as const;
/** SHA-256 fingerprint as Node's `fingerprint256` writes it. */
const FINGERPRINT = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/i;
/** Hex, named, or rgb()/hsl() colours: what a colour picker or a palette produces, and nothing that can break out of a style value. */
const COLOR = /^(#[0-9a-f]{3,4}|#[0-9a-f]{6}|#[0-9a-f]{8}|[a-z]{3,30}|(rgb|hsl)a?\([0-9.,%\s/]+\))$/i;
/** Longer than any real password; bounds what a bug or a paste can put in storage. */
export const PASSWORD_MAX_CHARS = 4096;
/** The relay writes 43-character tokens; 512 leaves room for hand-made ones. */
const RELAY_TOKEN_MAX_CHARS = 512;
const HOST = /^[^\s/@]{1,253}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

type Json = Record<string, unknown>;

function fail(path: string, message: string): never {
  throw new StoreError('invalid', `${path}: ${message}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  return value as Json;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value;
}

function text(value: unknown, path: string, pattern?: RegExp, max = 1000): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  if (value.length > max) fail(path, `longer than ${max} characters`);
  if (pattern && !pattern.test(value)) fail(path, `${JSON.stringify(value)} is not valid here`);
  return value;
}

function nonEmpty(value: unknown, path: string, max?: number): string {
  const s = text(value, path, undefined, max);
  if (s.trim() === '') fail(path, 'must not be empty');
  return s;
}

function integer(value: unknown, path: string, [min, max]: readonly [number, number]): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
  if (!options.includes(value as T)) fail(path, `must be one of ${options.join(', ')}`);
  return value as T;
}

/** A checked copy of an account, unknown fields dropped; throws `invalid` naming the first bad field. */
export function validateAccount(value: unknown): Account {
  const a = object(value, 'account');
  const imap = object(a.imap, 'imap');
  const pop3 = object(a.pop3, 'pop3');
  if (!Array.isArray(imap.folders) || imap.folders.length === 0)
    fail('imap.folders', 'must list at least one folder');
  const folders = imap.folders.map((f, i) => nonEmpty(f, `imap.folders[${i}]`));
  if (new Set(folders).size !== folders.length) fail('imap.folders', 'lists a folder twice');
  const account: Account = {
    id: text(a.id, 'id', ACCOUNT_ID),
    name: nonEmpty(a.name, 'name', 100),
    color: text(a.color, 'color', COLOR),
    email: text(a.email, 'email', EMAIL, 320),
    protocol: oneOf(a.protocol, 'protocol', ['imap', 'pop3']),
    host: text(a.host, 'host', HOST),
    port: integer(a.port, 'port', [1, 65535]),
    security: oneOf(a.security, 'security', ['implicit', 'starttls', 'none']),
    username: nonEmpty(a.username, 'username', 320),
    enabled: bool(a.enabled, 'enabled'),
    checkIntervalMinutes: integer(a.checkIntervalMinutes, 'checkIntervalMinutes', CHECK_INTERVAL_RANGE),
    notify: bool(a.notify, 'notify'),
    imap: {
      folders,
      syncWindow: integer(imap.syncWindow, 'imap.syncWindow', SYNC_WINDOW_RANGE),
      deleteToTrash: bool(imap.deleteToTrash, 'imap.deleteToTrash'),
      useQresync: bool(imap.useQresync, 'imap.useQresync'),
    },
    pop3: {
      leaveCopy: bool(pop3.leaveCopy, 'pop3.leaveCopy'),
      deleteAfterDays:
        pop3.deleteAfterDays === null
          ? null
          : integer(pop3.deleteAfterDays, 'pop3.deleteAfterDays', DELETE_AFTER_DAYS_RANGE),
      deleteWhenDeletedHere: bool(pop3.deleteWhenDeletedHere, 'pop3.deleteWhenDeletedHere'),
      headersOnlyAboveBytes: integer(pop3.headersOnlyAboveBytes, 'pop3.headersOnlyAboveBytes', [
        0,
        Number.MAX_SAFE_INTEGER,
      ]),
    },
  };
  if (a.pin !== undefined) account.pin = text(a.pin, 'pin', FINGERPRINT);
  return account;
}

/**
 * A checked copy of the global settings; throws `invalid` naming the first bad field.
 * `tokenMayBeEmpty`: the pairing token is sealed and not known here (locked).
 */
export function validateSettings(value: unknown, tokenMayBeEmpty = false): GlobalSettings {
  const s = object(value, 'settings');
  let relay: RelaySettings | null = null;
  if (s.relay !== null) {
    const r = object(s.relay, 'relay');
    const url = nonEmpty(r.url, 'relay.url', 2000);
    let protocol = '';
    try {
      protocol = new URL(url).protocol;
    } catch {
      fail('relay.url', 'is not a URL');
    }
    if (protocol !== 'ws:' && protocol !== 'wss:') fail('relay.url', 'must be a ws:// or wss:// URL');
    const token =
      tokenMayBeEmpty && r.token === '' ? '' : nonEmpty(r.token, 'relay.token', RELAY_TOKEN_MAX_CHARS);
    relay = { url, token };
    if (r.startCommand !== undefined)
      relay.startCommand = nonEmpty(r.startCommand, 'relay.startCommand', 4096);
  }
  const q = object(s.quietHours, 'quietHours');
  return {
    relay,
    quietHours: {
      enabled: bool(q.enabled, 'quietHours.enabled'),
      start: text(q.start, 'quietHours.start', TIME),
      end: text(q.end, 'quietHours.end', TIME),
    },
    openMarksRead: bool(s.openMarksRead, 'openMarksRead'),
    badgeMode: oneOf(s.badgeMode, 'badgeMode', ['unread', 'new']),
  };
}

/** A new account with every default filled in, for the options page's "Add account". */
export function newAccount(
  fields: Pick<Account, 'id' | 'name' | 'email' | 'protocol' | 'host' | 'port' | 'security' | 'username'> &
    Partial<Account>,
): Account {
  return validateAccount({
    color: '#3b82f6',
    enabled: true,
    checkIntervalMinutes: DEFAULT_CHECK_INTERVAL_MINUTES,
    notify: true,
    imap: { ...DEFAULT_IMAP, folders: [...DEFAULT_IMAP.folders] },
    pop3: { ...DEFAULT_POP3 },
    ...fields,
  });
}

type Secrets = Record<string, { password: string }>;

/**
 * What the vault seals: the secrets map as stored (whatever its entries hold: passwords today,
 * other credentials tomorrow) and the relay's pairing token.
 */
interface SecretPayload {
  secrets: Json;
  relayToken: string | null;
}

/** Everything the secrets depend on, read in one `get`. */
interface Stored {
  accounts: unknown;
  secrets: unknown;
  settings: unknown;
  vault: Vault | null;
}

function lockedError(): StoreError {
  return new StoreError('locked', 'Biff is locked: enter the primary password to use the saved passwords');
}

/** Every entry of a stored secrets map, checked (each must hold a password). */
function parseSecrets(map: Json): Secrets {
  const secrets: Secrets = {};
  for (const [id, entry] of Object.entries(map)) {
    secrets[id] = {
      password: text(
        object(entry, `${SECRETS_KEY}.${id}`).password,
        `${SECRETS_KEY}.${id}.password`,
        undefined,
        PASSWORD_MAX_CHARS,
      ),
    };
  }
  return secrets;
}

function parsePayload(value: unknown): SecretPayload {
  const p = object(value, VAULT_KEY);
  const token = p.relayToken;
  return {
    secrets: object(p.secrets ?? {}, `${VAULT_KEY}.secrets`),
    relayToken: token === null || token === undefined ? null : text(token, `${VAULT_KEY}.relayToken`),
  };
}

/** Settings as stored in vault mode: the relay without its token. */
function withoutToken(settings: GlobalSettings): Json {
  return { ...settings, relay: settings.relay ? { url: settings.relay.url } : null };
}

/** Accounts, their secrets and global settings over a key-value area. */
export class SettingsStore {
  /** The unlocked vault's key, and the salt of the vault it belongs to. */
  private held: { salt: string; key: RawKey } | null = null;

  /**
   * @param area where everything is kept (storage.local)
   * @param session where an unlocked key survives a worker restart but not the browser
   *   (storage.session); without it, the key lives only in this object
   */
  constructor(
    private readonly area: KeyValueArea,
    private readonly session?: KeyValueArea,
  ) {}

  /** Every account in display order. Stored data that fails validation is an `invalid` error, not silently dropped. */
  async listAccounts(): Promise<Account[]> {
    return this.accountsFrom((await this.area.get([ACCOUNTS_KEY]))[ACCOUNTS_KEY]);
  }

  /** One account; undefined when there is none with that id. */
  async getAccount(id: string): Promise<Account | undefined> {
    return (await this.listAccounts()).find((a) => a.id === id);
  }

  /**
   * Adds or replaces an account (matched by id) and, when `password` is given, its password,
   * in one write. Without `password` the stored one is kept. Returns the account as stored.
   * A new password while the primary password is locked is a `locked` error, and nothing is written.
   */
  async saveAccount(account: Account, password?: string): Promise<Account> {
    const checked = validateAccount(account);
    if (password !== undefined) text(password, 'password', undefined, PASSWORD_MAX_CHARS);
    const stored = await this.read();
    const accounts = this.accountsFrom(stored.accounts);
    const index = accounts.findIndex((a) => a.id === checked.id);
    if (index === -1) accounts.push(checked);
    else accounts[index] = checked;
    let items: Record<string, unknown> = { [ACCOUNTS_KEY]: accounts };
    if (password !== undefined) {
      const payload = await this.payload(stored);
      payload.secrets = { ...payload.secrets, [checked.id]: { password } };
      items = { ...items, ...(await this.secretItems(stored, payload, accounts)) };
    }
    await this.area.set(items);
    return checked;
  }

  /**
   * Removes an account and its secrets in one write. False when there was no such account.
   * While locked, the account goes and its sealed secrets with the vault's next write.
   */
  async removeAccount(id: string): Promise<boolean> {
    const stored = await this.read();
    const accounts = this.accountsFrom(stored.accounts);
    const remaining = accounts.filter((a) => a.id !== id);
    if (stored.vault && !(await this.key(stored.vault))) {
      if (remaining.length === accounts.length) return false;
      await this.area.set({ [ACCOUNTS_KEY]: remaining });
      return true;
    }
    const payload = await this.payload(stored);
    const hadSecret = id in payload.secrets;
    delete payload.secrets[id];
    if (remaining.length === accounts.length && !hadSecret) return false;
    await this.area.set({
      [ACCOUNTS_KEY]: remaining,
      ...(await this.secretItems(stored, payload, remaining)),
    });
    return remaining.length !== accounts.length;
  }

  /**
   * Puts the accounts in the order of `ids` (the options page's up/down buttons). `ids` must
   * name every account exactly once, so a stale page cannot drop or duplicate one.
   */
  async reorderAccounts(ids: readonly string[]): Promise<Account[]> {
    const accounts = await this.listAccounts();
    const byId = new Map(accounts.map((a) => [a.id, a]));
    if (
      ids.length !== accounts.length ||
      new Set(ids).size !== ids.length ||
      !ids.every((id) => byId.has(id))
    ) {
      fail(ACCOUNTS_KEY, 'the new order must name every account once');
    }
    const ordered = ids.map((id) => byId.get(id)!);
    await this.area.set({ [ACCOUNTS_KEY]: ordered });
    return ordered;
  }

  /** The account's password; null when none is stored; `locked` while the primary password is not entered. */
  async getPassword(id: string): Promise<string | null> {
    const payload = await this.payload(await this.read());
    return parseSecrets(payload.secrets)[id]?.password ?? null;
  }

  /** The global settings, defaults filled in for fields not stored yet; the pairing token is '' while locked. */
  async getSettings(): Promise<GlobalSettings> {
    return this.settingsFrom(await this.read());
  }

  /**
   * Changes some global settings (each given field replaced whole); returns the result. While
   * locked, the pairing token can be left as it is ('', as read) but not changed (`locked`).
   */
  async updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings> {
    const stored = await this.read();
    const current = await this.settingsFrom(stored);
    const merged = { ...current, ...patch };
    const tokenBefore = current.relay?.token ?? '';
    const tokenAfter = merged.relay?.token ?? '';
    if (!stored.vault) {
      const next = validateSettings(merged);
      await this.area.set({ [SETTINGS_KEY]: next });
      return next;
    }
    const next = validateSettings(merged, tokenAfter === tokenBefore);
    let items: Record<string, unknown> = { [SETTINGS_KEY]: withoutToken(next) };
    if (tokenAfter !== tokenBefore) {
      const payload = await this.payload(stored);
      payload.relayToken = next.relay?.token || null;
      items = { ...items, ...(await this.secretItems(stored, payload, this.accountsFrom(stored.accounts))) };
    }
    await this.area.set(items);
    return next;
  }

  /** Forgets every account, secret and setting (the vault and an unlocked key too). */
  async clear(): Promise<void> {
    await this.area.remove([ACCOUNTS_KEY, SECRETS_KEY, SETTINGS_KEY, VAULT_KEY]);
    await this.dropKey();
  }

  /** Whether a primary password is set, and whether it was entered in this browser session. */
  async primaryPassword(): Promise<PrimaryPasswordState> {
    const { vault } = await this.read();
    if (!vault) return 'none';
    return (await this.key(vault)) ? 'unlocked' : 'locked';
  }

  /**
   * Enters the primary password for this browser session. `wrong_password` when it is not
   * the one; `tampered` when it is but the secrets no longer decrypt; `invalid` when none is set.
   */
  async unlock(password: string): Promise<void> {
    const { vault } = await this.read();
    if (!vault) throw new StoreError('invalid', 'No primary password is set');
    const key = await unlockVault(vault, password);
    parsePayload(await openVault(vault, key));
    await this.holdKey(vault.kdf.salt, key);
  }

  /** Forgets the key: secrets are `locked` until `unlock` (the browser closing does the same). */
  async lock(): Promise<void> {
    await this.dropKey();
  }

  /**
   * Sets the primary password (`current` absent) or changes it (`current` required, checked):
   * the secrets and the pairing token are sealed anew under a key from a fresh salt, in one
   * write that also empties the plain secrets. The new key is held: the store stays unlocked.
   */
  async setPrimaryPassword(next: string, current?: string): Promise<void> {
    if (typeof next !== 'string' || next.trim() === '') fail('primary password', 'must not be empty');
    text(next, 'primary password', undefined, PRIMARY_PASSWORD_MAX_CHARS);
    const stored = await this.read();
    let payload: SecretPayload;
    if (stored.vault) {
      if (current === undefined) fail('current primary password', 'is needed to change it');
      payload = parsePayload(await openVault(stored.vault, await unlockVault(stored.vault, current)));
    } else {
      payload = await this.payload(stored);
    }
    const settings = await this.settingsFrom(stored);
    const accounts = this.accountsFrom(stored.accounts);
    const { vault, key } = await createVault(next, this.pruned(payload, accounts));
    // One set: the vault arrives and the plain copies go together (`secrets` emptied here,
    // removed after), so no moment has both the password's protection and a plain secret.
    await this.area.set({
      [VAULT_KEY]: vault,
      [SETTINGS_KEY]: withoutToken(settings),
      [SECRETS_KEY]: {},
    });
    await this.holdKey(vault.kdf.salt, key);
    await this.area.remove([SECRETS_KEY]);
  }

  /**
   * Removes the primary password (`current` checked): the secrets and the pairing token are
   * stored in plain again, as without one.
   */
  async removePrimaryPassword(current: string): Promise<void> {
    const stored = await this.read();
    if (!stored.vault) throw new StoreError('invalid', 'No primary password is set');
    const payload = parsePayload(await openVault(stored.vault, await unlockVault(stored.vault, current)));
    const settings = await this.settingsFrom(stored);
    const relay =
      settings.relay && payload.relayToken ? { ...settings.relay, token: payload.relayToken } : null;
    // Until the vault is removed it stays authoritative: a stop in between leaves the store
    // locked behind the same password, with nothing lost.
    await this.area.set({
      [SECRETS_KEY]: this.pruned(payload, this.accountsFrom(stored.accounts)).secrets,
      [SETTINGS_KEY]: { ...settings, relay },
    });
    await this.area.remove([VAULT_KEY]);
    await this.dropKey();
  }

  /**
   * "Forgot primary password": the sealed secrets are dropped (account passwords and the
   * pairing token must be entered again); accounts, settings and cached mail stay.
   */
  async forgetPrimaryPassword(): Promise<void> {
    const stored = await this.read();
    if (!stored.vault) return;
    const settings = await this.settingsFrom(stored);
    await this.area.set({ [SECRETS_KEY]: {}, [SETTINGS_KEY]: { ...settings, relay: null } });
    await this.area.remove([VAULT_KEY]);
    await this.dropKey();
  }

  private async read(): Promise<Stored> {
    const got = await this.area.get([ACCOUNTS_KEY, SECRETS_KEY, SETTINGS_KEY, VAULT_KEY]);
    return {
      accounts: got[ACCOUNTS_KEY],
      secrets: got[SECRETS_KEY],
      settings: got[SETTINGS_KEY],
      vault: got[VAULT_KEY] === undefined ? null : validateVault(got[VAULT_KEY]),
    };
  }

  private accountsFrom(stored: unknown): Account[] {
    if (stored === undefined) return [];
    if (!Array.isArray(stored)) fail(ACCOUNTS_KEY, 'stored value is not a list');
    return stored.map(validateAccount);
  }

  private async settingsFrom(stored: Stored): Promise<GlobalSettings> {
    if (stored.settings === undefined) return structuredClone(DEFAULT_SETTINGS);
    const merged = { ...DEFAULT_SETTINGS, ...object(stored.settings, SETTINGS_KEY) };
    if (!stored.vault) return validateSettings(merged);
    const key = await this.key(stored.vault);
    const token = key ? (parsePayload(await openVault(stored.vault, key)).relayToken ?? '') : '';
    const relay = merged.relay === null ? null : { ...object(merged.relay, 'relay'), token };
    return validateSettings({ ...merged, relay }, true);
  }

  /** The secrets, opened when sealed; `locked` when sealed and not unlocked. */
  private async payload(stored: Stored): Promise<SecretPayload> {
    if (stored.vault) {
      const key = await this.key(stored.vault);
      if (!key) throw lockedError();
      return parsePayload(await openVault(stored.vault, key));
    }
    const secrets = stored.secrets === undefined ? {} : object(stored.secrets, SECRETS_KEY);
    parseSecrets(secrets);
    const relay = stored.settings === undefined ? null : object(stored.settings, SETTINGS_KEY).relay;
    const token = typeof relay === 'object' && relay !== null ? (relay as Json).token : null;
    return { secrets, relayToken: typeof token === 'string' ? token : null };
  }

  /** The storage items that write `payload` the way the store keeps secrets now. */
  private async secretItems(
    stored: Stored,
    payload: SecretPayload,
    accounts: readonly Account[],
  ): Promise<Record<string, unknown>> {
    if (!stored.vault) return { [SECRETS_KEY]: payload.secrets };
    const key = await this.key(stored.vault);
    if (!key) throw lockedError();
    return { [VAULT_KEY]: await sealVault(key, stored.vault.kdf, this.pruned(payload, accounts)) };
  }

  /** The payload without secrets of accounts that no longer exist (removed while locked). */
  private pruned(payload: SecretPayload, accounts: readonly Account[]): SecretPayload {
    const ids = new Set(accounts.map((a) => a.id));
    return {
      ...payload,
      secrets: Object.fromEntries(Object.entries(payload.secrets).filter(([id]) => ids.has(id))),
    };
  }

  /** The vault's key when unlocked in this browser session (memory, else storage.session), else null. */
  private async key(vault: Vault): Promise<RawKey | null> {
    if (this.held?.salt === vault.kdf.salt) return this.held.key;
    if (!this.session) return null;
    const saved = (await this.session.get([SESSION_KEY]))[SESSION_KEY] as
      | { salt?: unknown; key?: unknown }
      | undefined;
    if (saved?.salt !== vault.kdf.salt || typeof saved.key !== 'string') return null;
    this.held = { salt: vault.kdf.salt, key: decodeKey(saved.key) };
    return this.held.key;
  }

  private async holdKey(salt: string, key: RawKey): Promise<void> {
    this.held = { salt, key };
    await this.session?.set({ [SESSION_KEY]: { salt, key: encodeKey(key) } });
  }

  private async dropKey(): Promise<void> {
    this.held = null;
    await this.session?.remove([SESSION_KEY]);
  }
}
