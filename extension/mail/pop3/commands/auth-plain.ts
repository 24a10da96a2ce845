/**
 * AUTH PLAIN (RFC 5034, SASL PLAIN RFC 4616): authzid NUL authcid NUL password, base64, sent as
 * sasl.ts says. The payload is as good as the password: never log it.
 */
import { bytesToBase64, encodeUtf8 } from '../bytes.ts';
import { type SaslExchange, saslExchange } from './sasl.ts';

/** The SASL PLAIN message for `name` and `password`, base64-encoded, with an empty authzid. */
export function plainResponse(name: string, password: string): string {
  if (name.includes('\0') || password.includes('\0')) {
    throw new TypeError('AUTH PLAIN user name and password must not contain NUL');
  }
  return bytesToBase64(encodeUtf8(`\0${name}\0${password}`));
}

export function authPlain(name: string, password: string): SaslExchange {
  return saslExchange('PLAIN', plainResponse(name, password));
}
