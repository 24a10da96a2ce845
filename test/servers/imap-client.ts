// "Another client" for tests: a real imapflow session straight to Dovecot over TCP, to APPEND,
// flag or expunge behind Biff's back and check what Biff then sees.
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { DovecotServer } from './dovecot.ts';

/**
 * A connected, logged-in ImapFlow over IMAPS. The test server's self-signed certificate is
 * trusted explicitly (as the only CA), so TLS is still verified. `overrides` go to ImapFlow
 * unchanged, e.g. `{ port: server.ports.imap, secure: false }` for STARTTLS.
 */
export async function imapClient(
  server: Pick<DovecotServer, 'host' | 'ports' | 'certPem'>,
  user: string,
  pass: string,
  overrides: Partial<ImapFlowOptions> = {},
): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.ports.imaps,
    secure: true,
    servername: 'localhost',
    tls: { ca: [server.certPem] },
    auth: { user, pass },
    logger: false,
    // Tests decide when to IDLE; an automatic IDLE would interleave with their commands.
    disableAutoIdle: true,
    ...overrides,
  });
  await client.connect();
  return client;
}

/** Subjects in INBOX and whether each is \Seen, as `client` (another client) sees it now. */
export async function serverInbox(client: ImapFlow): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  const lock = await client.getMailboxLock('INBOX');
  try {
    // Another session's expunges and flag changes reach this one only with a command that may
    // carry them (RFC 3501 §7.4.1: not a FETCH): NOOP.
    await client.noop();
    const box = client.mailbox;
    if (box && box.exists === 0) return out;
    for (const m of await client.fetchAll('1:*', { envelope: true, flags: true }))
      out.set(m.envelope?.subject ?? '', m.flags?.has('\\Seen') ?? false);
  } finally {
    lock.release();
  }
  return out;
}

/** How many messages `folder` holds (STATUS), as `client` sees it now. */
export async function messageCount(client: ImapFlow, folder: string): Promise<number> {
  const status = await client.status(folder, { messages: true });
  if (!status) throw new Error(`STATUS ${folder} failed`);
  return status.messages ?? 0;
}
