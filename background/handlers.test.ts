import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Account } from '../extension/accounts.ts';
import type { Actions } from '../extension/engine/actions.ts';
import { DeleteHolds } from '../extension/engine/delete-holds.ts';
import { Engine } from '../extension/engine/engine.ts';
import { MAX_OLDER_BATCH } from '../extension/mail/driver.ts';
import { imapDriver } from '../extension/mail/imap/driver.ts';
import { pop3Driver } from '../extension/mail/pop3/driver.ts';
import type { RelaySocketOptions } from '../extension/relay/relay-socket.ts';
import type { BiffDatabase } from '../extension/store/schema.ts';
import type { SettingsStore } from '../extension/store/settings.ts';
import { exampleAccount } from '../test/support/accounts.ts';
import { createHandlers } from './handlers.ts';

function account(id: string, protocol: Account['protocol']): Account {
  return exampleAccount(id, protocol);
}

/**
 * Handlers over an engine that knows two accounts and fails the test if it is asked to connect
 * (a connection starts by reading the password) or says that mail changed.
 */
async function handlers() {
  const accounts = [account('pop', 'pop3'), account('imap', 'imap')];
  const settings = {
    listAccounts: async () => accounts,
    getPassword: () => assert.fail('no connection is needed'),
    getSettings: () => assert.fail('no connection is needed'),
  } as unknown as SettingsStore;
  const engine = new Engine({
    db: {} as BiffDatabase,
    settings,
    drivers: { imap: imapDriver, pop3: pop3Driver },
    holds: new DeleteHolds(),
    push: false,
    emit: (event) => {
      if (event.biffEvent !== 'status') assert.fail('nothing changed');
    },
    persist: () => {},
    onNewMail: () => assert.fail('nothing arrived'),
  });
  await engine.reloadAccounts();
  return createHandlers({ engine, actions: {} as Actions, settings });
}

test('loadOlder: a POP3 account has everything locally, so nothing is fetched', async () => {
  assert.deepEqual(await (await handlers()).loadOlder({ accountId: 'pop', folder: 'INBOX', count: 200 }), {
    added: 0,
    exhausted: true,
  });
});

test('loadOlder: refuses unknown accounts and counts outside 1..MAX_OLDER_BATCH before connecting', async () => {
  const h = await handlers();
  await assert.rejects(h.loadOlder({ accountId: 'gone', folder: 'INBOX', count: 10 }), {
    code: 'no_account',
  });
  for (const count of [0, -1, 1.5, Number.NaN, MAX_OLDER_BATCH + 1])
    await assert.rejects(h.loadOlder({ accountId: 'imap', folder: 'INBOX', count }), { code: 'invalid' });
  await assert.rejects(h.loadOlder({ accountId: 'imap', folder: '', count: 10 }), { code: 'invalid' });
});

test('relayStatus: a browser error that quotes the pairing token is redacted before the page sees it', async () => {
  const token = 'pairing token "with" spaces';
  const settings = { getSettings: async () => ({ relay: null }) } as unknown as SettingsStore;
  // What Chrome's WebSocket constructor throws for a subprotocol that is not a token.
  class WebSocket {
    constructor(_url: string, protocols: string[]) {
      throw new SyntaxError(`Failed to construct 'WebSocket': The subprotocol '${protocols[1]}' is invalid.`);
    }
  }
  const status = await createHandlers({
    engine: {} as Engine,
    actions: {} as Actions,
    settings,
    relaySocket: { WebSocket: WebSocket as unknown as NonNullable<RelaySocketOptions['WebSocket']> },
  }).relayStatus({
    url: 'ws://127.0.0.1:6512/v1',
    token,
  });
  assert.equal(status.ok, false);
  assert.ok(!JSON.stringify(status).includes('with'), JSON.stringify(status));
  assert.match(status.message, /\[redacted\]/);
});
