/**
 * AUTH XOAUTH2 and AUTH OAUTHBEARER (RFC 7628 §3, over POP3's RFC 5034 AUTH): the access
 * token rides in the initial response. On failure the server does not answer -ERR at once: it
 * sends an error challenge (`+ <base64 JSON>`) and waits for the client's answer to it, an
 * empty line for XOAUTH2, `AQ==` (%x01) for OAUTHBEARER, before the -ERR. A client that waits
 * for the -ERR first waits for ever; oauthAbort() is that answer.
 */

import { type OAuthMechanism, oauthAbortResponse, oauthResponse, type SaslServer } from '../../oauth/sasl.ts';
import { encodeUtf8 } from '../bytes.ts';
import type { Reply } from '../reply-parser.ts';
import type { Command } from './command.ts';
import { type SaslExchange, saslExchange } from './sasl.ts';

/** The AUTH exchange carrying `accessToken` for `user`. */
export function authOAuth(
  mechanism: OAuthMechanism,
  user: string,
  accessToken: string,
  server?: SaslServer,
): SaslExchange {
  return saslExchange(mechanism, oauthResponse(mechanism, user, accessToken, server));
}

/**
 * The client's answer to an error challenge. Its reply is the outcome either way (normally
 * -ERR, with the [AUTH] code), so it is read, not thrown: the caller builds the error with
 * what the challenge said.
 */
export function oauthAbort(mechanism: OAuthMechanism): Command<Reply> {
  return {
    verb: `AUTH ${mechanism}`,
    bytes: encodeUtf8(`${oauthAbortResponse(mechanism)}\r\n`),
    expect: { kind: 'status' },
    timeout: 'auth',
    exclusive: true,
    failure: 'auth_failed',
    parse: (reply) => reply,
    parseError: (reply) => reply,
  };
}
