/** POP3 as the engine sees it (mail/driver.ts). */

import { MessagesRepo } from '../../store/messages-repo.ts';
import { POP3_FOLDER } from '../../store/schema.ts';
import type { ProtocolDriver } from '../driver.ts';
import { EngineError } from '../engine-error.ts';
import { fetchPop3Body } from './body.ts';
import { probePop3Account } from './probe.ts';
import { syncPop3Account } from './sync.ts';

export const pop3Driver: ProtocolDriver = {
  sync: (ctx) => syncPop3Account(ctx),
  probe: probePop3Account,
  async loadBody(ctx, folder, uid) {
    if (typeof uid !== 'string' || folder !== POP3_FOLDER) {
      throw new EngineError('invalid', 'A POP3 message is identified by its UIDL in INBOX');
    }
    await fetchPop3Body(ctx, uid);
  },
  // No loadOlder: POP3 downloads every message it lists, so there is nothing older to fetch.
  // No push: POP3 has no way to announce new mail; the scheduler polls.
  /** Read state is kept here (RFC 1939 has no flags), so the stored rows are the count. */
  unread: (db, account) => new MessagesRepo(db).countUnread(account.id),
};
