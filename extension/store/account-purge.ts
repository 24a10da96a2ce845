/** Forgetting an account: everything the cache holds for it, in one transaction. */
import { checkKey, prefixRange } from './keys.ts';
import type { BiffDatabase } from './schema.ts';
import { deleteAll, runTx } from './tx.ts';

/**
 * Deletes an account's folders, messages, bodies (POP3 included: the user removed the
 * account), queued actions and POP3 UIDL state. All or nothing.
 */
export async function purgeAccount(db: BiffDatabase, accountId: string): Promise<void> {
  checkKey([accountId, 'INBOX', 1]);
  const range = prefixRange(accountId);
  const tx = db.transaction(['folders', 'messages', 'bodies', 'pending', 'pop3'], 'readwrite');
  await runTx(tx, async () => {
    const pendingIds = await tx.objectStore('pending').index('by-account').getAllKeys(accountId);
    deleteAll(tx.objectStore('folders'), [range]);
    deleteAll(tx.objectStore('messages'), [range]);
    deleteAll(tx.objectStore('bodies'), [range]);
    deleteAll(tx.objectStore('pop3'), [range]);
    deleteAll(tx.objectStore('pending'), pendingIds);
  });
}
