/**
 * What the engine needs of each protocol. IMAP and POP3 implement it in their folders; the
 * engine only talks to drivers through it, so each side can change without the other.
 */
import type { Account } from '../accounts.ts';
import type { TransportFactory } from '../relay/transport.ts';
import type { MessageUid } from '../store/schema.ts';
import type { SyncContext, SyncResult } from './sync-context.ts';

/** What a protocol's probe learns after logging in. */
export interface ProbeOutcome {
  folders?: Array<{ path: string; specialUse: string | null }>;
  inboxCount: number;
}

/** Logs in with the account's settings and looks at INBOX; throws what the protocol throws. */
export type ProtocolProbe = (
  open: TransportFactory,
  account: Account,
  password: string,
  onLoggedIn: () => void,
) => Promise<ProbeOutcome>;

export interface ProtocolDriver {
  /** One full check of the account. */
  sync(ctx: SyncContext): Promise<SyncResult>;
  /** The login-and-look stage of "Test connection". */
  probe: ProtocolProbe;
  /** Makes the full body of a message available in the bodies store. */
  loadBody(ctx: SyncContext, folder: string, uid: MessageUid): Promise<void>;
}
