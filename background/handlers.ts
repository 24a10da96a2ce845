/**
 * The background's answer to every contract message (extension/contract.ts). Mail work goes
 * to the engine or its actions, settings to the settings store; what stays here is what
 * only the pages ask about: the relay's state, and which servers answer for an address.
 */
import type { Account } from '../extension/accounts.ts';
import type { GlobalSettings, ProbeReport, RelayStatus } from '../extension/contract.ts';
import type { Actions } from '../extension/engine/actions.ts';
import type { Engine } from '../extension/engine/engine.ts';
import { EngineError } from '../extension/mail/engine-error.ts';
import { redactText } from '../extension/mail/redact.ts';
import { candidatesFor } from '../extension/providers/guess.ts';
import { checkRelay, openRelaySocket, type RelaySocketOptions } from '../extension/relay/relay-socket.ts';
import { TransportError } from '../extension/relay/transport.ts';
import type { SettingsStore } from '../extension/store/settings.ts';
import { DEFAULT_RELAY_PORT, RELAY_PATH } from '../relay/protocol.ts';
import type { Handlers } from './router.ts';

export const DEFAULT_RELAY_URL = `ws://127.0.0.1:${DEFAULT_RELAY_PORT}${RELAY_PATH}`;
/** Guessed servers are probed this many at a time through the relay. */
const GUESS_PARALLEL = 4;

/** What the handlers work with. */
export interface HandlerDeps {
  engine: Engine;
  actions: Actions;
  /** Accounts, passwords and global settings, as the options page edits them. */
  settings: SettingsStore;
  /** WebSocket implementation and timeouts for relay checks (Node tests pass `ws`). */
  relaySocket?: RelaySocketOptions;
}

export function createHandlers({
  engine,
  actions,
  settings: settingsStore,
  relaySocket = {},
}: HandlerDeps): Handlers {
  async function contractSettings(): Promise<GlobalSettings> {
    const s = await settingsStore.getSettings();
    return { ...s, relay: s.relay ?? { url: DEFAULT_RELAY_URL, token: '' } };
  }

  async function relayStatus(url?: string, token?: string): Promise<RelayStatus> {
    // The saved token is sealed until the primary password is entered; a token typed on the
    // options page can still be checked.
    if (token === undefined && engine.locked)
      return { ok: false, code: 'locked', message: 'Biff is locked: enter the primary password' };
    const saved = (await contractSettings()).relay;
    const endpoint = { url: url ?? saved.url, token: token ?? saved.token };
    if (!endpoint.token)
      return { ok: false, code: 'relay_refused', message: 'Enter the pairing token the relay printed' };
    try {
      const version = await checkRelay(endpoint, relaySocket);
      return { ok: true, message: `Relay ${version} connected`, version };
    } catch (err) {
      const code = err instanceof TransportError ? err.code : 'relay_unreachable';
      // A browser's own error (a WebSocket constructor refusing the subprotocol) can quote the token.
      const message = err instanceof Error ? err.message : 'The relay is not reachable';
      return { ok: false, code, message: redactText(message, [{ secret: endpoint.token }]) };
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
      const { loaded, more } = await engine.loadOlder(accountId, folder, count);
      return { added: loaded, exhausted: !more };
    },
    popupOpened: async () => {
      engine.looked();
      return { ok: true };
    },
    getSettings: async () => ({
      settings: await contractSettings(),
      accounts: await settingsStore.listAccounts(),
      primaryPassword: await settingsStore.primaryPassword(),
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
      await engine.removeAccount(accountId);
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
      return engine.testConnection((await contractSettings()).relay, account, secret);
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
    unlock: async ({ password }) => {
      await settingsStore.unlock(password);
      await unlocked();
      return { ok: true };
    },
    setPrimaryPassword: async ({ password, current }) => {
      await settingsStore.setPrimaryPassword(password, current);
      await unlocked();
      return { ok: true };
    },
    removePrimaryPassword: async ({ current }) => {
      await settingsStore.removePrimaryPassword(current);
      await unlocked();
      return { ok: true };
    },
    forgetPrimaryPassword: async () => {
      await settingsStore.forgetPrimaryPassword();
      // Without their passwords the accounts now say so, one by one: that is the truth.
      await unlocked();
      return { ok: true };
    },
  };

  /** The secrets can be read (again): push starts, and mail that came while locked is fetched. */
  async function unlocked(): Promise<void> {
    if (!engine.locked) return;
    await engine.setLocked(false);
    void engine.syncAll('manual');
  }

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
