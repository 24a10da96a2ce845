/**
 * The background's answer to every contract message (extension/contract.ts). Thin: each
 * handler validates what the page sent and calls the engine.
 */
import type { Account } from '../extension/accounts.ts';
import type { GlobalSettings, ProbeReport, RelayStatus } from '../extension/contract.ts';
import type { Actions } from '../extension/engine/actions.ts';
import { testConnection } from '../extension/engine/connection-test.ts';
import type { Engine } from '../extension/engine/engine.ts';
import { EngineError } from '../extension/mail/engine-error.ts';
import { loadOlderImap, MAX_OLDER_BATCH } from '../extension/mail/imap/older.ts';
import { candidatesFor } from '../extension/providers/guess.ts';
import { checkRelay, openRelaySocket, type RelaySocketOptions } from '../extension/relay/relay-socket.ts';
import { TransportError } from '../extension/relay/transport.ts';
import { purgeAccount } from '../extension/store/account-purge.ts';
import { DEFAULT_RELAY_PORT, RELAY_PATH } from '../relay/protocol.ts';
import type { Handlers } from './router.ts';

export const DEFAULT_RELAY_URL = `ws://127.0.0.1:${DEFAULT_RELAY_PORT}${RELAY_PATH}`;
/** Guessed servers are probed this many at a time through the relay. */
const GUESS_PARALLEL = 4;

export function createHandlers(
  engine: Engine,
  actions: Actions,
  relaySocket: RelaySocketOptions = {},
): Handlers {
  const settingsStore = engine.deps.settings;

  async function contractSettings(): Promise<GlobalSettings> {
    const s = await settingsStore.getSettings();
    return { ...s, relay: s.relay ?? { url: DEFAULT_RELAY_URL, token: '' } };
  }

  async function relayStatus(url?: string, token?: string): Promise<RelayStatus> {
    const saved = (await contractSettings()).relay;
    const endpoint = { url: url ?? saved.url, token: token ?? saved.token };
    if (!endpoint.token)
      return { ok: false, code: 'relay_refused', message: 'Enter the pairing token the relay printed' };
    try {
      const version = await checkRelay(endpoint, relaySocket);
      return { ok: true, message: `Relay connected (protocol ${version})`, version };
    } catch (err) {
      const code = err instanceof TransportError ? err.code : 'relay_unreachable';
      return { ok: false, code, message: err instanceof Error ? err.message : 'The relay is not reachable' };
    }
  }

  return {
    getStatus: async () => ({ ...engine.status(), relay: await relayStatus() }),
    syncNow: async ({ accountId }) => {
      const statuses = accountId ? [await engine.sync(accountId, 'manual')] : await engine.syncAll('manual');
      return { ok: statuses.every((s) => s.state !== 'error') };
    },
    setSeen: async ({ ids, seen }) => {
      await actions.setSeen(ids, seen);
      return { ok: true };
    },
    setFlagged: async ({ ids, flagged }) => {
      await actions.setFlagged(ids, flagged);
      return { ok: true };
    },
    deleteMessages: async ({ ids }) => ({ undo: await actions.deleteMessages(ids) }),
    undoDelete: async ({ undo }) => ({ ok: await actions.undoDelete(undo) }),
    loadBody: async ({ id }) => {
      await actions.loadBody(id);
      return { ok: true };
    },
    loadOlder: async ({ accountId, folder, count }) => {
      const account = engine.account(accountId);
      if (!account) throw new EngineError('no_account', 'The account no longer exists');
      if (typeof folder !== 'string' || folder === '')
        throw new EngineError('invalid', 'Which folder to extend is missing');
      if (!Number.isInteger(count) || count < 1 || count > MAX_OLDER_BATCH)
        throw new EngineError('invalid', `count must be an integer in 1..${MAX_OLDER_BATCH}`);
      // POP3 downloads every message it sees: there is nothing older on the server to fetch.
      if (account.protocol !== 'imap') return { added: 0, exhausted: true };
      // Over the push connection when it is up, else over a connection of its own.
      const { loaded, more } =
        (await engine.loadOlderOnPush(accountId, folder, count)) ??
        (await loadOlderImap(await engine.context(account), folder, count));
      if (loaded > 0) engine.deps.emit({ biffEvent: 'messages-changed', accountIds: [accountId] });
      return { added: loaded, exhausted: !more };
    },
    popupOpened: async () => {
      engine.looked();
      return { ok: true };
    },
    getSettings: async () => ({
      settings: await contractSettings(),
      accounts: await settingsStore.listAccounts(),
    }),
    saveSettings: async ({ settings }) => {
      const before = await settingsStore.getSettings();
      await settingsStore.updateSettings(settings);
      if (before.relay?.url !== settings.relay.url || before.relay?.token !== settings.relay.token) {
        await engine.stop();
        await engine.reloadAccounts();
        void engine.syncAll('manual');
      }
      return { ok: true };
    },
    saveAccount: async ({ account, password }) => {
      await settingsStore.saveAccount(account, password);
      await engine.restartPush(account.id);
      // Saving a disabled account must not check it.
      if (account.enabled) void engine.sync(account.id, 'manual');
      return { ok: true };
    },
    removeAccount: async ({ accountId }) => {
      await settingsStore.removeAccount(accountId);
      await engine.reloadAccounts();
      await purgeAccount(engine.deps.db, accountId);
      return { ok: true };
    },
    reorderAccounts: async ({ ids }) => {
      await settingsStore.reorderAccounts(ids);
      await engine.reloadAccounts();
      return { ok: true };
    },
    testConnection: async ({ account, password }): Promise<ProbeReport> => {
      const secret = password ?? (await settingsStore.getPassword(account.id));
      if (secret === null) throw new EngineError('no_password', 'Enter the password first');
      const relay = (await contractSettings()).relay;
      const open = (target: Parameters<typeof openRelaySocket>[1]) =>
        openRelaySocket(relay, target, relaySocket);
      return testConnection(
        relay,
        (endpoint) => checkRelay(endpoint, relaySocket),
        open,
        engine.deps.drivers[account.protocol].probe,
        account,
        secret,
      );
    },
    guessSettings: async ({ email }) => {
      const candidates = candidatesFor(email);
      const table = candidates.filter((c) => c.source === 'table');
      if (table.length > 0)
        return {
          candidates: table.map(({ protocol, host, port, security }) => ({
            protocol,
            host,
            port,
            security,
            source: 'table' as const,
          })),
        };
      const relay = (await contractSettings()).relay;
      const found: Array<Pick<Account, 'protocol' | 'host' | 'port' | 'security'> & { source: 'probe' }> = [];
      for (let i = 0; i < candidates.length; i += GUESS_PARALLEL) {
        const batch = candidates.slice(i, i + GUESS_PARALLEL);
        const answers = await Promise.all(batch.map((c) => answers_(relay, c)));
        batch.forEach((c, j) => {
          if (answers[j])
            found.push({
              protocol: c.protocol,
              host: c.host,
              port: c.port,
              security: c.security,
              source: 'probe',
            });
        });
      }
      return { candidates: found };
    },
    relayStatus: ({ url, token }) => relayStatus(url, token),
  };

  /** Whether a server answers at a candidate address (an untrusted certificate still counts). */
  async function answers_(
    relay: { url: string; token: string },
    c: { host: string; port: number; security: Account['security'] },
  ): Promise<boolean> {
    try {
      const socket = await openRelaySocket(
        relay,
        { host: c.host, port: c.port, tls: c.security },
        relaySocket,
      );
      socket.close();
      return true;
    } catch (err) {
      return err instanceof TransportError && err.code === 'tls_untrusted';
    }
  }
}

export type { Account };
