/**
 * The IMAP integration tests' world: the engine's Node set-up (engine-world.ts) with IMAP
 * accounts, and "another client" (imapflow straight to Dovecot, `world.other(user)`) to change
 * the mailbox behind Biff's back.
 */
import type { ImapFlow } from 'imapflow';
import { type Account, DEFAULT_IMAP, type ImapSettings } from '../../extension/accounts.ts';
import { type MessageOptions, makeMailbox } from '../servers/messages.ts';
import { type ServerWorldOptions, startServers } from '../support/server-world.ts';
import { EngineWorld } from './engine-world.ts';

/** A Dovecot and a relay for one test file, with IMAP accounts. */
export class ImapWorld extends EngineWorld {
  static async start(options: ServerWorldOptions = {}): Promise<ImapWorld> {
    return new ImapWorld(await startServers(options));
  }

  /** An IMAP account for `user` over implicit TLS, trusting the test certificate by its pin. */
  account(user: string, imap: Partial<ImapSettings> = {}): Account {
    return this.accountFor(user, 'imap', 'implicit', { imap: { ...DEFAULT_IMAP, ...imap } });
  }
}

/** Appends `n` generated messages (small ones by default) to `folder` through `client`. */
export async function appendMessages(
  client: ImapFlow,
  folder: string,
  n: number,
  opts: MessageOptions & { seen?: boolean } = {},
): Promise<ReturnType<typeof makeMailbox>> {
  const messages = makeMailbox(n, { size: 'small', ...opts });
  for (const m of messages) await client.append(folder, m.raw, opts.seen ? ['\\Seen'] : [], m.date);
  return messages;
}
