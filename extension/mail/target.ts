import type { Account } from '../accounts.ts';
import type { Target } from '../relay/transport.ts';

/** Where the relay should connect for this account, with the certificate pin the user chose. */
export function targetOf(account: Account): Target {
  return {
    host: account.host,
    port: account.port,
    tls: account.security,
    ...(account.pin ? { pin: account.pin } : {}),
  };
}
