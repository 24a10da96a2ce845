/**
 * The POP3 stage of "Test connection": connect (STLS when the account says so), log in, and
 * count the maildrop with STAT. Read-only: nothing is retrieved, nothing marked deleted.
 */
import type { ProtocolProbe } from '../driver.ts';
import { NO_UIDL } from './commands/uidl.ts';
import { openPop3Session, withoutSecret } from './connect.ts';
import { Pop3Error } from './errors.ts';

/** Logs in, reads STAT and QUITs; fails with `unsupported` when CAPA says the server has no UIDL. */
export const probePop3Account: ProtocolProbe = (open, account, password, onLoggedIn) =>
  withoutSecret(account, password, async () => {
    const session = await openPop3Session(open, account, password, { onLoggedIn });
    try {
      const { count } = await session.stat();
      // Biff cannot sync without unique-ids: say so now rather than at the first check.
      const caps = session.capabilities;
      if (caps && !caps.uidl) throw new Pop3Error('unsupported', NO_UIDL, { command: 'CAPA' });
      // Nothing was marked deleted: a failed QUIT changes nothing the user needs to hear of.
      await session.quit().catch(() => {});
      return { inboxCount: count };
    } finally {
      session.close();
    }
  });
