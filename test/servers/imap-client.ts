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
