/**
 * The engine's Node set-up on top of the servers (test/support/server-world.ts): connections
 * through the relay with `ws` as the WebSocket, as the extension opens them, fake-indexeddb
 * for the store, and sync contexts. The IMAP and POP3 worlds (imap-helpers.ts, pop3-helpers.ts)
 * add their protocol's accounts and tools.
 */
import 'fake-indexeddb/auto';
import WebSocket from 'ws';
import type { Account } from '../../extension/accounts.ts';
import type { SyncContext } from '../../extension/mail/sync-context.ts';
import { relayTransportFactory, type WebSocketConstructor } from '../../extension/relay/relay-socket.ts';
import type { TransportFactory } from '../../extension/relay/transport.ts';
import { type BiffDatabase, openBiffDb } from '../../extension/store/schema.ts';
import { PASSWORD, ServerWorld, unique } from '../support/server-world.ts';

/** Dovecot, the relay, and the engine's Node side for one test file. */
export class EngineWorld extends ServerWorld {
  private readonly dbs: BiffDatabase[] = [];

  /** Opens connections through the relay, as the extension does, with `ws` as the WebSocket. */
  get open(): TransportFactory {
    return relayTransportFactory(this.endpoint, { WebSocket: WebSocket as unknown as WebSocketConstructor });
  }

  /** A fresh database of its own (closed at stop()). */
  async db(): Promise<BiffDatabase> {
    const db = await openBiffDb(unique('biff-test-'));
    this.dbs.push(db);
    return db;
  }

  /** A sync context for `account` on `db`. */
  ctx(db: BiffDatabase, account: Account, extra: Partial<SyncContext> = {}): SyncContext {
    return { db, account, password: PASSWORD, open: this.open, now: () => Date.now(), ...extra };
  }

  override async stop(): Promise<void> {
    for (const db of this.dbs) db.close();
    await super.stop();
  }
}

/** Resolves once `check` returns true, polling; rejects after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
