import { type Account, DEFAULT_IMAP, DEFAULT_POP3 } from '../../extension/accounts.ts';

/** An account of `protocol` at mail.example.org, enabled, for tests that never connect it. */
export function exampleAccount(
  id: string,
  protocol: Account['protocol'],
  extra: Partial<Account> = {},
): Account {
  return {
    id,
    name: id,
    color: '#123456',
    email: `${id}@example.org`,
    protocol,
    host: 'mail.example.org',
    port: protocol === 'imap' ? 993 : 995,
    security: 'implicit',
    username: id,
    enabled: true,
    checkIntervalMinutes: 5,
    notify: true,
    imap: { ...DEFAULT_IMAP },
    pop3: { ...DEFAULT_POP3 },
    ...extra,
  };
}
