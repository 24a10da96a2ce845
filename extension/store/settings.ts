/**
 * Accounts, their passwords and the global settings, in a key-value area (browser.storage.local
 * in the extension, a Map in tests; platform.ts passes the real one).
 *
 * Layout of the area:
 * - `accounts`: Account[] in display order, without passwords, so settings can be logged,
 *   exported or shown without leaking them;
 * - `secrets`: `{ [accountId]: { password } | { oauth: OAuthTokens } }`: a password, or the
 *   OAuth tokens (refresh and access) of an account that signs in with OAuth 2.0;
 * - `settings`: GlobalSettings.
 *
 * Everything is validated before anything is written, and an account and its password are
 * written in one `set` call, which storage.local applies as a whole: nothing is saved half-way.
 * storage.local has no transactions, so two pages saving at the same instant can lose one
 * write; only the options page writes accounts and settings, so that is accepted.
 */
import {
  type Account,
  DEFAULT_CHECK_INTERVAL_MINUTES,
  DEFAULT_IMAP,
  DEFAULT_POP3,
  type OAuthSignIn,
  type OAuthTokens,
} from '../accounts.ts';
import { StoreError } from './errors.ts';

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

/** Where the companion relay listens and the token that pairs us with it. */
export interface RelaySettings {
  /** `ws://` or `wss://` URL, e.g. `ws://127.0.0.1:6512/v1`. */
  url: string;
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
/** Longer than any real token: Microsoft's access tokens are ~2-3 KB, Google's refresh tokens ~100 characters. */
export const TOKEN_MAX_CHARS = 16_384;
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
  if (a.auth !== undefined) account.auth = validateSignIn(a.auth);
  return account;
}

/**
 * An endpoint a token may be sent to: https, or plain http on a loopback address (an
 * authorization server on this computer, as RFC 8252 allows for redirects).
 */
function endpointUrl(value: unknown, path: string): string {
  const url = text(value, path, undefined, 2000);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    fail(path, 'is not a URL');
  }
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    fail(path, 'must be an https URL');
  }
  return url;
}

function validateSignIn(value: unknown): OAuthSignIn {
  const a = object(value, 'auth');
  oneOf(a.method, 'auth.method', ['oauth2']);
  return {
    method: 'oauth2',
    issuer: endpointUrl(a.issuer, 'auth.issuer'),
    clientId: nonEmpty(a.clientId, 'auth.clientId', 500),
    tokenEndpoint: endpointUrl(a.tokenEndpoint, 'auth.tokenEndpoint'),
    revocationEndpoint:
      a.revocationEndpoint === null ? null : endpointUrl(a.revocationEndpoint, 'auth.revocationEndpoint'),
  };
}

function timestamp(value: unknown, path: string): number {
  return integer(value, path, [0, Number.MAX_SAFE_INTEGER]);
}

/** A checked copy of stored OAuth tokens; throws `invalid` naming the first bad field. */
export function validateTokens(value: unknown, path = 'oauth'): OAuthTokens {
  const t = object(value, path);
  return {
    accessToken: nonEmpty(t.accessToken, `${path}.accessToken`, TOKEN_MAX_CHARS),
    issuedAt: timestamp(t.issuedAt, `${path}.issuedAt`),
    expiresAt: timestamp(t.expiresAt, `${path}.expiresAt`),
    refreshToken:
      t.refreshToken === null ? null : nonEmpty(t.refreshToken, `${path}.refreshToken`, TOKEN_MAX_CHARS),
    scope: t.scope === null ? null : text(t.scope, `${path}.scope`, undefined, 4000),
  };
}

/** A checked copy of the global settings; throws `invalid` naming the first bad field. */
export function validateSettings(value: unknown): GlobalSettings {
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
    relay = { url, token: nonEmpty(r.token, 'relay.token', 512) };
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

/** What the secrets area keeps for one account: its password, or its OAuth tokens. */
export type AccountSecret = { password: string } | { oauth: OAuthTokens };

type Secrets = Record<string, AccountSecret>;

/** The secret's check, before it is written. */
function validateSecret(secret: string | AccountSecret, path: string): AccountSecret {
  if (typeof secret === 'object' && secret !== null && 'oauth' in secret) {
    return { oauth: validateTokens(secret.oauth, `${path}.oauth`) };
  }
  const password = typeof secret === 'object' && secret !== null ? secret.password : secret;
  return { password: text(password, 'password', undefined, PASSWORD_MAX_CHARS) };
}

/** Accounts, passwords and global settings over a key-value area. */
export class SettingsStore {
  constructor(private readonly area: KeyValueArea) {}

  /** Every account in display order. Stored data that fails validation is an `invalid` error, not silently dropped. */
  async listAccounts(): Promise<Account[]> {
    const stored = (await this.area.get([ACCOUNTS_KEY]))[ACCOUNTS_KEY];
    if (stored === undefined) return [];
    if (!Array.isArray(stored)) fail(ACCOUNTS_KEY, 'stored value is not a list');
    return stored.map(validateAccount);
  }

  /** One account; undefined when there is none with that id. */
  async getAccount(id: string): Promise<Account | undefined> {
    return (await this.listAccounts()).find((a) => a.id === id);
  }

  /**
   * Adds or replaces an account (matched by id) and, when `secret` is given, its password (a
   * string) or OAuth tokens, in one write. Without `secret` the stored one is kept. Returns
   * the account as stored.
   */
  async saveAccount(account: Account, secret?: string | AccountSecret): Promise<Account> {
    const checked = validateAccount(account);
    const entry = secret === undefined ? undefined : validateSecret(secret, 'secret');
    if (entry && 'oauth' in entry !== (checked.auth !== undefined)) {
      fail(
        'secret',
        checked.auth
          ? 'an OAuth account keeps tokens, not a password'
          : 'a password account keeps a password',
      );
    }
    const accounts = await this.listAccounts();
    const index = accounts.findIndex((a) => a.id === checked.id);
    if (index === -1) accounts.push(checked);
    else accounts[index] = checked;
    const items: Record<string, unknown> = { [ACCOUNTS_KEY]: accounts };
    if (entry) items[SECRETS_KEY] = { ...(await this.secrets()), [checked.id]: entry };
    await this.area.set(items);
    return checked;
  }

  /**
   * Replaces an OAuth account's tokens (a refresh, with the rotated refresh token) in one
   * write. False, and nothing written, when the account is gone (removed during the refresh).
   */
  async saveTokens(id: string, tokens: OAuthTokens): Promise<boolean> {
    const entry = validateSecret({ oauth: tokens }, 'secret');
    if (!(await this.getAccount(id))?.auth) return false;
    await this.area.set({ [SECRETS_KEY]: { ...(await this.secrets()), [id]: entry } });
    return true;
  }

  /** An OAuth account's tokens; null when none are stored (or the account has a password). */
  async getTokens(id: string): Promise<OAuthTokens | null> {
    const entry = (await this.secrets())[id];
    return entry && 'oauth' in entry ? entry.oauth : null;
  }

  /** Removes an account and its password in one write. False when there was no such account. */
  async removeAccount(id: string): Promise<boolean> {
    const accounts = await this.listAccounts();
    const remaining = accounts.filter((a) => a.id !== id);
    const secrets = await this.secrets();
    const hadSecret = id in secrets;
    delete secrets[id];
    if (remaining.length === accounts.length && !hadSecret) return false;
    await this.area.set({ [ACCOUNTS_KEY]: remaining, [SECRETS_KEY]: secrets });
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

  /** The account's password; null when none is stored (or the account signs in with OAuth). */
  async getPassword(id: string): Promise<string | null> {
    const entry = (await this.secrets())[id];
    return entry && 'password' in entry ? entry.password : null;
  }

  /** The global settings, defaults filled in for fields not stored yet. */
  async getSettings(): Promise<GlobalSettings> {
    const stored = (await this.area.get([SETTINGS_KEY]))[SETTINGS_KEY];
    if (stored === undefined) return structuredClone(DEFAULT_SETTINGS);
    return validateSettings({ ...DEFAULT_SETTINGS, ...object(stored, SETTINGS_KEY) });
  }

  /** Changes some global settings (each given field replaced whole); returns the result. */
  async updateSettings(patch: Partial<GlobalSettings>): Promise<GlobalSettings> {
    const next = validateSettings({ ...(await this.getSettings()), ...patch });
    await this.area.set({ [SETTINGS_KEY]: next });
    return next;
  }

  /** Forgets every account, password and setting. */
  async clear(): Promise<void> {
    await this.area.remove([ACCOUNTS_KEY, SECRETS_KEY, SETTINGS_KEY]);
  }

  private async secrets(): Promise<Secrets> {
    const stored = (await this.area.get([SECRETS_KEY]))[SECRETS_KEY];
    if (stored === undefined) return {};
    const map = object(stored, SECRETS_KEY);
    const secrets: Secrets = {};
    for (const [id, entry] of Object.entries(map)) {
      const path = `${SECRETS_KEY}.${id}`;
      const stored = object(entry, path);
      secrets[id] =
        stored.oauth !== undefined
          ? { oauth: validateTokens(stored.oauth, `${path}.oauth`) }
          : { password: text(stored.password, `${path}.password`, undefined, PASSWORD_MAX_CHARS) };
    }
    return secrets;
  }
}
