/**
 * The account editor's working copy: what the form shows, as typed (numbers stay text until
 * validated), and the conversions to and from the stored Account. Pure, so the rules are unit
 * tested (account-draft.test.ts); validation is in validate-draft.ts.
 */
import {
  type Account,
  DEFAULT_CHECK_INTERVAL_MINUTES,
  DEFAULT_IMAP,
  DEFAULT_POP3,
  type OAuthSignIn,
  type Protocol,
} from '../extension/accounts.ts';
import { KNOWN_PROVIDERS } from '../extension/mail/oauth/providers.ts';
import {
  providerForEmail,
  type ServerCandidate,
  standardPort,
  usernameFor,
} from '../extension/providers/guess.ts';
import type { TlsMode } from '../extension/relay/transport.ts';
import { checkHost } from './host.ts';
import { CHECK_INTERVAL_MINUTES, DELETE_AFTER_DAYS, PORT, SYNC_WINDOW } from './limits.ts';
import { parseBoundedInt } from './parse-int.ts';

/** "Remove from the server after N days" starts at this when first ticked. */
export const DEFAULT_DELETE_AFTER_DAYS = 14;

export interface AccountDraft {
  /** The stored account this edits (a fresh default one for a new account); unedited fields come from here. */
  base: Account;
  isNew: boolean;
  email: string;
  /** Empty means "unchanged" for an existing account. */
  password: string;
  /** "Sign-in method": a password, or OAuth 2.0 at `issuer` as `clientId`. */
  signInMethod: 'password' | 'oauth2';
  issuer: string;
  /** Empty: the build's client ID for a built-in provider. */
  clientId: string;
  /** A sign-in finished in this editor and not saved yet (the background holds its tokens). */
  signIn: { signInId: string; auth: OAuthSignIn; signedInAs: string } | null;
  name: string;
  color: string;
  protocol: Protocol;
  host: string;
  port: string;
  security: TlsMode;
  username: string;
  pin: string | undefined;
  enabled: boolean;
  checkInterval: string;
  notify: boolean;
  folders: string[];
  syncWindow: string;
  leaveCopy: boolean;
  deleteAfter: boolean;
  deleteAfterDays: string;
  deleteWhenDeletedHere: boolean;
  /** The user changed protocol, server, port or security: guesses no longer overwrite them. */
  serverEdited: boolean;
  /** The user typed a username: it no longer follows the address. */
  usernameEdited: boolean;
}

/** A new account's stored defaults. */
export function defaultAccount(id: string, color: string): Account {
  return {
    id,
    name: '',
    color,
    email: '',
    protocol: 'imap',
    host: '',
    port: standardPort('imap', 'implicit'),
    security: 'implicit',
    username: '',
    enabled: true,
    checkIntervalMinutes: DEFAULT_CHECK_INTERVAL_MINUTES,
    notify: true,
    imap: { ...DEFAULT_IMAP, folders: [...DEFAULT_IMAP.folders] },
    pop3: { ...DEFAULT_POP3 },
  };
}

/** The draft of a stored account (or of a new one, from `defaultAccount`). */
export function draftFromAccount(account: Account, isNew: boolean): AccountDraft {
  return {
    base: account,
    isNew,
    email: account.email,
    password: '',
    signInMethod: account.auth ? 'oauth2' : 'password',
    issuer: account.auth?.issuer ?? '',
    clientId: account.auth?.clientId ?? '',
    signIn: null,
    name: account.name,
    color: account.color,
    protocol: account.protocol,
    host: account.host,
    port: String(account.port),
    security: account.security,
    username: account.username,
    pin: account.pin,
    enabled: account.enabled,
    checkInterval: String(account.checkIntervalMinutes),
    notify: account.notify,
    folders: [...account.imap.folders],
    syncWindow: String(account.imap.syncWindow),
    leaveCopy: account.pop3.leaveCopy,
    deleteAfter: account.pop3.deleteAfterDays !== null,
    deleteAfterDays: String(account.pop3.deleteAfterDays ?? DEFAULT_DELETE_AFTER_DAYS),
    deleteWhenDeletedHere: account.pop3.deleteWhenDeletedHere,
    serverEdited: !isNew,
    usernameEdited: !isNew,
  };
}

/**
 * The Account a draft stands for. Call after `validateDraft` found nothing: a number that does
 * not parse falls back to the stored value here, so a connection test can run while an
 * unrelated field is still wrong, but Save never reaches this with one.
 */
export function draftToAccount(draft: AccountDraft): Account {
  const { base } = draft;
  const email = draft.email.trim();
  const host = checkHost(draft.host);
  const account: Account = {
    ...base,
    name: draft.name.trim() || email,
    color: draft.color.toLowerCase(),
    email,
    protocol: draft.protocol,
    host: host.ok ? host.host : draft.host.trim(),
    port: parseBoundedInt(draft.port, PORT) ?? base.port,
    security: draft.security,
    username: draft.username.trim(),
    enabled: draft.enabled,
    checkIntervalMinutes:
      parseBoundedInt(draft.checkInterval, CHECK_INTERVAL_MINUTES) ?? base.checkIntervalMinutes,
    notify: draft.notify,
    imap: {
      ...base.imap,
      folders: [...draft.folders],
      syncWindow: parseBoundedInt(draft.syncWindow, SYNC_WINDOW) ?? base.imap.syncWindow,
    },
    pop3: {
      ...base.pop3,
      leaveCopy: draft.leaveCopy,
      deleteAfterDays: draft.deleteAfter
        ? (parseBoundedInt(draft.deleteAfterDays, DELETE_AFTER_DAYS) ?? base.pop3.deleteAfterDays)
        : null,
      deleteWhenDeletedHere: draft.deleteWhenDeletedHere,
    },
  };
  if (draft.pin) account.pin = draft.pin;
  else delete account.pin;
  const auth = draft.signInMethod === 'oauth2' ? (draft.signIn?.auth ?? base.auth) : undefined;
  if (auth) account.auth = auth;
  else delete account.auth;
  return account;
}

/** Whether the draft can sign in: a password account always; an OAuth one once signed in. */
export function hasSignIn(draft: AccountDraft): boolean {
  return draft.signInMethod === 'password' || draft.signIn !== null || draft.base.auth !== undefined;
}

/** The sign-in to name with saveAccount/testConnection: only one finished in this editor. */
export function signInToSend(draft: AccountDraft): string | undefined {
  return draft.signInMethod === 'oauth2' ? draft.signIn?.signInId : undefined;
}

/** Switches the sign-in method; OAuth 2.0 fills in a built-in provider's issuer when the address has one. */
export function withSignInMethod(draft: AccountDraft, method: AccountDraft['signInMethod']): AccountDraft {
  const next = { ...draft, signInMethod: method };
  if (method === 'oauth2' && next.issuer.trim() === '') {
    const known = providerForEmail(draft.email)?.oauth;
    if (known) next.issuer = KNOWN_PROVIDERS[known.provider].issuer;
  }
  return next;
}

/** The password to send with saveAccount/testConnection: only a new or changed one. */
export function passwordToSend(draft: AccountDraft): string | undefined {
  return draft.password === '' ? undefined : draft.password;
}

/** The fields that decide where Biff connects. */
export type ServerPatch = Partial<Pick<AccountDraft, 'protocol' | 'host' | 'port' | 'security'>>;

/**
 * Applies a change to the server settings. The port follows protocol and security while it is
 * the standard port of the old combination (993 → 995 when IMAP becomes POP3, 993 → 143 when
 * TLS becomes STARTTLS); a port the user chose stays. A trusted certificate belongs to the
 * server it came from, so the pin is dropped when the host or port changes.
 */
export function withServerChange(draft: AccountDraft, patch: ServerPatch, byUser = true): AccountDraft {
  const next: AccountDraft = { ...draft, ...patch, serverEdited: draft.serverEdited || byUser };
  const oldStandard = String(standardPort(draft.protocol, draft.security));
  if (patch.port === undefined && (draft.port.trim() === oldStandard || draft.port.trim() === '')) {
    next.port = String(standardPort(next.protocol, next.security));
  }
  const sameServer =
    next.host.trim().toLowerCase() === draft.host.trim().toLowerCase() &&
    next.port.trim() === draft.port.trim();
  if (!sameServer) next.pin = undefined;
  return next;
}

/** Fills the server settings from a guessed candidate (not a user edit: later guesses may replace it). */
export function applyCandidate(
  draft: AccountDraft,
  candidate: Pick<ServerCandidate, 'protocol' | 'host' | 'port' | 'security'>,
): AccountDraft {
  const next = withServerChange(
    draft,
    {
      protocol: candidate.protocol,
      host: candidate.host,
      port: String(candidate.port),
      security: candidate.security,
    },
    false,
  );
  return draft.usernameEdited
    ? next
    : { ...next, username: usernameFor(draft.email, providerForEmail(draft.email)) };
}

/** A change of address: the username follows it until the user types one. */
export function withEmail(draft: AccountDraft, email: string): AccountDraft {
  const provider = providerForEmail(email);
  let next: AccountDraft = { ...draft, email };
  if (!draft.usernameEdited) next.username = usernameFor(email, provider);
  // A new account of a provider that signs in with OAuth starts on OAuth 2.0 with its issuer
  // (Microsoft: passwords no longer work; Google: offered first, an app password still works).
  if (draft.isNew && draft.signIn === null && provider?.oauth) {
    next = withSignInMethod({ ...next, issuer: KNOWN_PROVIDERS[provider.oauth.provider].issuer }, 'oauth2');
  }
  return next;
}
