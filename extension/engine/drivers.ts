/**
 * What the engine needs of each protocol. IMAP and POP3 implement it in their folders; the
 * engine never imports protocol internals, so each side can change without the other.
 */
import type { MessageUid } from '../store/schema.ts';
import type { ProtocolProbe } from './connection-test.ts';
import type { SyncContext, SyncResult } from './types.ts';

export interface ProtocolDriver {
  /** One full check of the account. */
  sync(ctx: SyncContext): Promise<SyncResult>;
  /** The login-and-look stage of "Test connection". */
  probe: ProtocolProbe;
  /** Makes the full body of a message available in the bodies store. */
  loadBody(ctx: SyncContext, folder: string, uid: MessageUid): Promise<void>;
}
