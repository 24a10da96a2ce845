/**
 * What the popup needs to know of each account (name, colour, protocol, watched folders), from
 * validated accounts or, leniently, from whatever storage holds (see use-accounts.ts).
 */
import type { Account } from '../extension/accounts.ts';

/** An account as the popup shows it. */
export interface AccountInfo {
  id: string;
  name: string;
  color: string;
  email: string;
  protocol: 'imap' | 'pop3';
  /** IMAP: the watched folders; POP3: just INBOX. */
  folders: string[];
}

/** A fallback colour for an account whose colour is missing or not a plain CSS colour. */
export const DEFAULT_ACCOUNT_COLOR = '#8a94a6';

/**
 * Only hex, rgb()/hsl() and named colours: the colour goes into a style attribute, and a stored
 * value must not be able to smuggle other declarations or url() loads in.
 */
const SAFE_COLOR = /^(#[0-9a-f]{3,8}|(rgb|hsl)a?\([\d\s.,%/+-]+\)|[a-z]{3,20})$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/** One account from a full `Account` or from whatever storage holds; null when it has no id. */
export function toAccountInfo(value: unknown): AccountInfo | null {
  if (!isRecord(value) || typeof value.id !== 'string' || value.id === '') return null;
  const protocol = value.protocol === 'pop3' ? 'pop3' : 'imap';
  const color = stringOr(value.color, '').trim();
  const email = stringOr(value.email, '');
  const imap = isRecord(value.imap) ? value.imap : {};
  const folders =
    protocol === 'imap' && Array.isArray(imap.folders)
      ? imap.folders.filter((f): f is string => typeof f === 'string' && f !== '')
      : [];
  return {
    id: value.id,
    name: stringOr(value.name, '').trim() || email || value.id,
    color: SAFE_COLOR.test(color) ? color : DEFAULT_ACCOUNT_COLOR,
    email,
    protocol,
    folders: folders.length > 0 ? folders : ['INBOX'],
  };
}

/** Accounts as stored under settings.ts `ACCOUNTS_KEY`, in the user's order; [] for nothing stored. */
export function parseStoredAccounts(value: unknown): AccountInfo[] {
  if (!Array.isArray(value)) return [];
  const seen = new Set<string>();
  const out: AccountInfo[] = [];
  for (const item of value) {
    const info = toAccountInfo(item);
    if (info && !seen.has(info.id)) {
      seen.add(info.id);
      out.push(info);
    }
  }
  return out;
}

/** Accounts from a `getSettings` reply. */
export function fromAccounts(accounts: readonly Account[]): AccountInfo[] {
  return parseStoredAccounts(accounts);
}
