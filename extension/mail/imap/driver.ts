/** IMAP as the engine sees it (mail/driver.ts). */
import type { ProtocolDriver } from '../driver.ts';
import { EngineError } from '../engine-error.ts';
import { fetchImapBody } from './body.ts';
import { ImapPush } from './idle.ts';
import { loadOlderImap } from './older.ts';
import { probeImapAccount } from './probe.ts';
import { syncImapAccount } from './sync.ts';
import { imapUnread } from './unread.ts';

export const imapDriver: ProtocolDriver = {
  sync: syncImapAccount,
  probe: probeImapAccount,
  async loadBody(ctx, folder, uid) {
    if (typeof uid !== 'number')
      throw new EngineError('invalid', 'An IMAP message is identified by a number');
    await fetchImapBody(ctx, folder, uid);
  },
  loadOlder: loadOlderImap,
  unread: imapUnread,
  push: (options) => new ImapPush(options),
};
