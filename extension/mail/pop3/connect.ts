/**
 * Opening a logged-in POP3 session for an account: the one place that turns the account's
 * security setting into STLS and the login's plaintext permission. Sync, body download and
 * "Test connection" all start here.
 */
import type { Account } from '../../accounts.ts';
import type { TransportFactory } from '../../relay/transport.ts';
import { redactSecret } from '../redact.ts';
import { targetOf } from '../target.ts';
import { Pop3Session, type Pop3SessionOptions } from './session.ts';

/** Options of `openPop3Session`. */
export interface OpenOptions {
  /** Called once the server accepted the credentials (the probe's "login" stage). */
  onLoggedIn?: () => void;
  /** Timeouts and caps of the session; tests shorten them. */
  session?: Pop3SessionOptions;
}

/**
 * Connects through `open`, reads the greeting, switches to TLS with STLS when the account says
 * `starttls` (`tls_required` when the server does not offer it: nothing is sent in clear), and
 * logs in (AUTH PLAIN when offered, else USER/PASS). The password may travel in clear only when
 * the user chose `security: 'none'`. On any failure the connection is closed.
 */
export async function openPop3Session(
  open: TransportFactory,
  account: Account,
  password: string,
  options: OpenOptions = {},
): Promise<Pop3Session> {
  const transport = await open(targetOf(account));
  // Pop3Session.open closes the transport itself when the greeting fails.
  const session = await Pop3Session.open(transport, options.session);
  try {
    // RFC 2595 §4: STLS before anything that carries a secret.
    if (account.security === 'starttls') await session.stls();
    await session.login({
      user: account.username,
      pass: password,
      mechanism: 'auto',
      allowPlaintext: account.security === 'none',
    });
  } catch (error) {
    session.close();
    throw redactSecret(error, password, account.username);
  }
  options.onLoggedIn?.();
  return session;
}

/**
 * Runs `job` and removes the password from whatever it throws. Our POP3 client never puts the
 * password in an error, but a server may echo it in an -ERR text, which errors carry (for logs
 * and `lastError`); the IMAP side applies the same scrub (imap/errors.ts).
 */
export async function withoutSecret<T>(
  account: Account,
  password: string,
  job: () => Promise<T>,
): Promise<T> {
  try {
    return await job();
  } catch (error) {
    throw redactSecret(error, password, account.username);
  }
}
