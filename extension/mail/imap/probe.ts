/**
 * A read-only look at an IMAP account: log in, list folders, peek at INBOX. Used by the
 * options page's "Test connection" and by the browser tests of the transport.
 */
import type { Account } from '../../accounts.ts';
import type { Target, TransportFactory } from '../../relay/transport.ts';
import type { ProtocolProbe } from '../driver.ts';
import { targetOf } from '../target.ts';
import { createImapClient, type ImapCredentials } from './client.ts';

export interface ImapProbeResult {
  capabilities: string[];
  tls: { authorized: boolean; protocol: string } | null;
  mailboxes: Array<{ path: string; specialUse: string | null }>;
  inbox: { exists: number; envelopes: Array<{ uid: number; subject: string; from: string }> };
}

/** Connects, lists mailboxes and reads the newest `peek` envelopes of INBOX. */
export async function probeImap(
  open: TransportFactory,
  target: Target,
  auth: ImapCredentials,
  options: { peek?: number; onLoggedIn?: () => void } = {},
): Promise<ImapProbeResult> {
  const peek = options.peek ?? 10;
  const client = createImapClient(open, target, auth);
  await client.connect();
  options.onLoggedIn?.();
  try {
    const capabilities = [...client.capabilities.keys()].sort();
    const mailboxes = (await client.list()).map((m) => ({ path: m.path, specialUse: m.specialUse ?? null }));
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    const envelopes: ImapProbeResult['inbox']['envelopes'] = [];
    let exists = 0;
    try {
      exists = client.mailbox ? client.mailbox.exists : 0;
      if (exists > 0 && peek > 0) {
        const from = Math.max(1, exists - peek + 1);
        for await (const msg of client.fetch(`${from}:*`, { uid: true, envelope: true })) {
          envelopes.push({
            uid: msg.uid,
            subject: msg.envelope?.subject ?? '',
            from: msg.envelope?.from?.[0]?.address ?? '',
          });
        }
      }
    } finally {
      lock.release();
    }
    const tls = client.tls
      ? { authorized: Boolean(client.tls.authorized), protocol: String(client.tls.version ?? '') }
      : null;
    return { capabilities, tls, mailboxes, inbox: { exists, envelopes } };
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** The IMAP stage of "Test connection": log in, list folders, count INBOX. */
export const probeImapAccount: ProtocolProbe = async (open, account: Account, password, onLoggedIn) => {
  const result = await probeImap(
    open,
    targetOf(account),
    { user: account.username, pass: password },
    { peek: 0, onLoggedIn },
  );
  return { folders: result.mailboxes, inboxCount: result.inbox.exists };
};
