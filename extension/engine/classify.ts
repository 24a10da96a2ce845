/**
 * Turns any failure of a sync into what the user needs: a kind (auth, certificate, relay,
 * unreachable, timeout, protocol, storage), a stable code and a plain message. The one place
 * that knows the error shapes of the relay, imapflow, our POP3 client and the store.
 * Messages never include secrets: they are built here from codes, not copied from servers.
 */
import type { AccountErrorKind } from '../contract.ts';
import type { EngineErrorCode } from '../mail/engine-error.ts';
import type { ImapErrorCode } from '../mail/imap/errors.ts';
import type { MimeErrorCode } from '../mail/mime/errors.ts';
import type { Pop3ErrorCode } from '../mail/pop3/errors.ts';
import type { CertificateDetails, TransportErrorCode } from '../relay/transport.ts';
import type { StoreErrorCode } from '../store/errors.ts';

export interface ClassifiedError {
  kind: AccountErrorKind;
  code: string;
  message: string;
  certificate?: CertificateDetails;
  /** Whether retrying soon can help (an auth failure retried quickly can lock the account). */
  retry: 'soon' | 'next-check' | 'never';
}

/**
 * What a code means to the user. The tables below are keyed by each error class's closed code
 * union, so a code added to one fails the typecheck until it is classified here; `null` leaves
 * the code to the general rules at the end of classifyError (imapflow's flags, timeouts, closed
 * connections, size, and else "Checking this account failed.").
 */
type Classification = Omit<ClassifiedError, 'code' | 'certificate'>;

const TRANSPORT: Record<TransportErrorCode, Classification> = {
  relay_unreachable: { kind: 'relay', message: 'The Biff relay is not running.', retry: 'soon' },
  relay_refused: {
    kind: 'relay',
    message: 'The relay refused the connection: check the pairing token.',
    retry: 'next-check',
  },
  relay_closed: { kind: 'relay', message: 'The connection to the relay was lost.', retry: 'soon' },
  relay_protocol: { kind: 'relay', message: 'The relay answered something unexpected.', retry: 'next-check' },
  relay_outdated: {
    kind: 'relay',
    message: 'The Biff relay is too old for this version of Biff: install the current biff-relay.',
    retry: 'next-check',
  },
  too_many_sessions: { kind: 'relay', message: 'The relay has too many connections open.', retry: 'soon' },
  bad_request: { kind: 'protocol', message: 'The relay rejected the request.', retry: 'next-check' },
  target_denied: {
    kind: 'unreachable',
    message: 'The relay does not allow this server or port (see its --allow-port and --allow-private flags).',
    retry: 'next-check',
  },
  dns_failed: { kind: 'unreachable', message: 'The server name could not be found.', retry: 'soon' },
  connect_refused: { kind: 'unreachable', message: 'The server refused the connection.', retry: 'soon' },
  connect_timeout: { kind: 'timeout', message: 'The server did not answer in time.', retry: 'soon' },
  idle_timeout: { kind: 'timeout', message: 'The connection was idle for too long.', retry: 'soon' },
  upstream_closed: { kind: 'unreachable', message: 'The server closed the connection.', retry: 'soon' },
  tls_failed: {
    kind: 'certificate',
    message: 'A secure connection to the server could not be set up.',
    retry: 'next-check',
  },
  tls_untrusted: {
    kind: 'certificate',
    message: 'The server’s certificate is not trusted. Review it in the settings.',
    retry: 'never',
  },
};

const IMAP: Record<ImapErrorCode, Classification> = {
  too_large: { kind: 'protocol', message: 'The message is larger than the size limit.', retry: 'next-check' },
  message_gone: {
    kind: 'protocol',
    message: 'The message was deleted on the server meanwhile.',
    retry: 'next-check',
  },
  uidvalidity_changed: {
    kind: 'protocol',
    message: 'The folder was rebuilt on the server; Biff is reloading it.',
    retry: 'soon',
  },
  folder_not_synced: { kind: 'protocol', message: 'The folder has not been checked yet.', retry: 'soon' },
  command_failed: { kind: 'protocol', message: 'The server refused a command.', retry: 'next-check' },
  connection_lost: { kind: 'unreachable', message: 'The connection closed unexpectedly.', retry: 'soon' },
  aborted: { kind: 'protocol', message: 'The check was stopped.', retry: 'soon' },
};

const POP3: Record<Pop3ErrorCode, Classification | null> = {
  auth_failed: { kind: 'auth', message: 'The server rejected the user name or password.', retry: 'never' },
  in_use: {
    kind: 'protocol',
    message: 'The mailbox is in use by another program; trying again shortly.',
    retry: 'soon',
  },
  login_delay: {
    kind: 'protocol',
    message: 'The server asks to wait before logging in again.',
    retry: 'next-check',
  },
  temporary: { kind: 'protocol', message: 'The server reported a temporary problem.', retry: 'soon' },
  permanent: {
    kind: 'protocol',
    message: 'The server reported a problem with the mailbox.',
    retry: 'next-check',
  },
  unsupported: {
    kind: 'protocol',
    message: 'The server does not support what Biff needs (UIDL).',
    retry: 'never',
  },
  protocol: {
    kind: 'protocol',
    message: 'The server sent a reply Biff could not understand.',
    retry: 'next-check',
  },
  timeout: { kind: 'timeout', message: 'The server stopped answering.', retry: 'soon' },
  closed: { kind: 'unreachable', message: 'The connection closed unexpectedly.', retry: 'soon' },
  tls_required: {
    kind: 'certificate',
    message: 'The server does not offer a secure connection.',
    retry: 'never',
  },
  stls_failed: {
    kind: 'certificate',
    message: 'The server refused to start a secure connection.',
    retry: 'next-check',
  },
  too_large: { kind: 'protocol', message: 'A message is larger than the size limit.', retry: 'next-check' },
  // -ERR with no response code that says more; the server's own text is never shown.
  rejected: null,
};

const MIME: Record<MimeErrorCode, Classification | null> = {
  too_large: null,
  malformed: null,
  invalid_input: null,
};

const ENGINE: Record<EngineErrorCode, Classification | null> = {
  no_password: { kind: 'auth', message: 'No password is stored for this account.', retry: 'never' },
  no_account: null,
  not_found: null,
  too_late: null,
  invalid: null,
};

/** Every store failure but a full quota: nothing the user can do but wait for the next check. */
const STORE_FAILED: Classification = {
  kind: 'storage',
  message: 'Biff could not write its mail cache.',
  retry: 'next-check',
};

const STORE: Record<StoreErrorCode, Classification> = {
  quota_exceeded: {
    kind: 'storage',
    message: 'The browser has no room left for Biff’s mail cache.',
    retry: 'next-check',
  },
  not_found: STORE_FAILED,
  invalid: STORE_FAILED,
  conflict: STORE_FAILED,
  version: STORE_FAILED,
  blocked: STORE_FAILED,
  unavailable: STORE_FAILED,
  aborted: STORE_FAILED,
  unknown: STORE_FAILED,
  // The engine checks nothing while locked (Engine.setLocked); these are for a check that
  // raced the lock. The unlock checks every account again, so none retries by itself.
  locked: { kind: 'auth', message: 'Biff is locked: enter the primary password.', retry: 'never' },
  wrong_password: { kind: 'auth', message: 'Biff is locked: enter the primary password.', retry: 'never' },
  tampered: {
    kind: 'storage',
    message: 'The encrypted passwords could not be read: reset the primary password in the settings.',
    retry: 'never',
  },
};

/** Whether `code` is a key of `table` (its own, not one inherited from Object). */
function isCodeOf<K extends string>(table: Record<K, Classification | null>, code: string): code is K {
  return Object.hasOwn(table, code);
}

/** The entry of `code` in `table`, or null when it has none or leaves it to the general rules. */
function entry<K extends string>(
  table: Record<K, Classification | null>,
  code: string,
): Classification | null {
  return isCodeOf(table, code) ? table[code] : null;
}

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[name] : undefined;
}

/** Classifies a sync failure; unknown errors become `protocol` with a generic message. */
export function classifyError(err: unknown): ClassifiedError {
  const name = field(err, 'name');
  const code = String(field(err, 'code') ?? '');
  // A POP3 `closed` or `stls_failed` (and any other wrapper) caused by the relay says more
  // through its cause: the relay went away, or the certificate is not trusted (with the
  // details the settings page shows before "Trust this certificate").
  const cause = field(err, 'cause');
  if (name !== 'TransportError' && field(cause, 'name') === 'TransportError') {
    if (isCodeOf(TRANSPORT, String(field(cause, 'code')))) return classifyError(cause);
  }
  if (name === 'TransportError' && isCodeOf(TRANSPORT, code)) {
    const certificate = field(err, 'certificate') as CertificateDetails | undefined;
    return { ...TRANSPORT[code], code, ...(certificate ? { certificate } : {}) };
  }
  const specific =
    (name === 'Pop3Error' && entry(POP3, code)) ||
    (name === 'ImapError' && entry(IMAP, code)) ||
    (name === 'MimeError' && entry(MIME, code)) ||
    (name === 'EngineError' && entry(ENGINE, code));
  if (specific) return { ...specific, code };
  if (name === 'StoreError') {
    return { ...(isCodeOf(STORE, code) ? STORE[code] : STORE_FAILED), code: code || 'store' };
  }
  // imapflow: https://github.com/postalsys/imapflow — errors carry these flags and codes
  if (field(err, 'authenticationFailed') === true || code === 'AUTHENTICATIONFAILED') {
    return { kind: 'auth', code: 'auth_failed', message: POP3.auth_failed!.message, retry: 'never' };
  }
  if (field(err, 'tlsFailed') === true) {
    return {
      kind: 'certificate',
      code: 'tls_failed',
      message: TRANSPORT.tls_failed.message,
      retry: 'next-check',
    };
  }
  if (
    code === 'ETIMEOUT' ||
    code === 'ETIMEDOUT' ||
    code === 'CONNECT_TIMEOUT' ||
    code === 'GREETING_TIMEOUT'
  ) {
    return { kind: 'timeout', code: 'timeout', message: 'The server stopped answering.', retry: 'soon' };
  }
  if (
    (name === 'ImapError' && code === 'connection_lost') ||
    code === 'NoConnection' ||
    code === 'EConnectionClosed' ||
    code === 'ClosedAfterConnectTLS' ||
    code === 'ECONNRESET'
  ) {
    return { kind: 'unreachable', code: 'closed', message: POP3.closed!.message, retry: 'soon' };
  }
  if (code === 'too_large')
    return { kind: 'protocol', code, message: POP3.too_large!.message, retry: 'next-check' };
  return {
    kind: 'protocol',
    code: code || 'unknown',
    message: 'Checking this account failed.',
    retry: 'next-check',
  };
}

/** Delay before the n-th consecutive retry (1-based), capped by the account's interval. */
export function retryDelayMs(attempt: number, intervalMs: number): number {
  const steps = [30_000, 60_000, 2 * 60_000, 5 * 60_000, 15 * 60_000];
  return Math.min(steps[Math.min(attempt, steps.length) - 1]!, intervalMs);
}
