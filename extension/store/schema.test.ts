import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import { StoreError } from './errors.ts';
import { DB_VERSION, openBiffDb } from './schema.ts';
import '../../test/support/store.ts';

/** Opens a raw connection at `version` with no handlers, as a stuck or newer page would hold it. */
function openRaw(factory: IDBFactory, name: string, version: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

test('upgrade from empty creates every store with its key path and indexes', async () => {
  const db = await openBiffDb('schema', new IDBFactory());
  assert.equal(db.version, DB_VERSION);
  assert.deepEqual([...db.objectStoreNames].sort(), ['bodies', 'folders', 'messages', 'pending', 'pop3']);
  const tx = db.transaction(['folders', 'messages', 'bodies', 'pending', 'pop3']);
  const shape = (name: 'folders' | 'messages' | 'bodies' | 'pending' | 'pop3') => {
    const store = tx.objectStore(name);
    const indexes: Record<string, unknown> = {};
    for (const index of store.indexNames) {
      const i = store.index(index);
      indexes[index] = { keyPath: i.keyPath, unique: i.unique, multiEntry: i.multiEntry };
    }
    return { keyPath: store.keyPath, autoIncrement: store.autoIncrement, indexes };
  };
  assert.deepEqual(shape('folders'), { keyPath: ['accountId', 'path'], autoIncrement: false, indexes: {} });
  const plain = { unique: false, multiEntry: false };
  assert.deepEqual(shape('messages'), {
    keyPath: ['accountId', 'folder', 'uid'],
    autoIncrement: false,
    indexes: {
      'by-date': { keyPath: ['shownDate', 'id'], ...plain },
      'by-folder-date': { keyPath: ['accountId', 'folder', 'shownDate', 'id'], ...plain },
      'unread-by-account': { keyPath: ['accountId', 'unread'], ...plain },
    },
  });
  assert.deepEqual(shape('bodies'), {
    keyPath: ['accountId', 'folder', 'uid'],
    autoIncrement: false,
    indexes: { 'by-size': { keyPath: 'size', ...plain }, lru: { keyPath: ['evictAt', 'size'], ...plain } },
  });
  assert.deepEqual(shape('pending'), {
    keyPath: 'id',
    autoIncrement: true,
    indexes: {
      'by-account': { keyPath: 'accountId', ...plain },
      'by-message': { keyPath: ['accountId', 'folder', 'uid'], ...plain },
    },
  });
  assert.deepEqual(shape('pop3'), { keyPath: ['accountId', 'uidl'], autoIncrement: false, indexes: {} });
  await tx.done;
  db.close();
});

test('version 1 is upgraded in place: its account-date index goes, every row stays and lists', async () => {
  const factory = new IDBFactory();
  // The version 1 schema's messages store, as that version created it, with one row.
  const v1 = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open('v1', 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of ['folders', 'bodies', 'pending', 'pop3']) {
        const keyPath =
          name === 'pending'
            ? 'id'
            : name === 'folders'
              ? ['accountId', 'path']
              : ['accountId', 'folder', 'uid'];
        const store = db.createObjectStore(name, {
          keyPath: name === 'pop3' ? ['accountId', 'uidl'] : keyPath,
          autoIncrement: name === 'pending',
        });
        if (name === 'bodies') {
          store.createIndex('by-size', 'size');
          store.createIndex('lru', ['evictAt', 'size']);
        }
        if (name === 'pending') {
          store.createIndex('by-account', 'accountId');
          store.createIndex('by-message', ['accountId', 'folder', 'uid']);
        }
      }
      const messages = db.createObjectStore('messages', { keyPath: ['accountId', 'folder', 'uid'] });
      messages.createIndex('by-date', ['shownDate', 'id']);
      messages.createIndex('by-account-date', ['accountId', 'shownDate', 'id']);
      messages.createIndex('by-folder-date', ['accountId', 'folder', 'shownDate', 'id']);
      messages.createIndex('unread-by-account', ['accountId', 'unread']);
      messages.put({
        accountId: 'a',
        folder: 'INBOX',
        uid: 1,
        id: 'a/INBOX/1',
        date: 5,
        shownDate: 5,
        unread: 0,
      });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  v1.close();
  const db = await openBiffDb('v1', factory);
  assert.equal(db.version, DB_VERSION);
  const tx = db.transaction('messages');
  assert.deepEqual([...tx.store.indexNames].sort(), ['by-date', 'by-folder-date', 'unread-by-account']);
  assert.equal((await tx.store.get(['a', 'INBOX', 1]))?.id, 'a/INBOX/1');
  assert.equal(await tx.store.index('by-folder-date').count(), 1);
  await tx.done;
  db.close();
});

test('reopening an existing database keeps its data (no upgrade runs again)', async () => {
  const factory = new IDBFactory();
  const first = await openBiffDb('reopen', factory);
  await first.put('pop3', { accountId: 'a', uidl: 'u1', state: 'stored', storedAt: 1, firstSeenAt: 1 });
  first.close();
  const second = await openBiffDb('reopen', factory);
  assert.equal((await second.get('pop3', ['a', 'u1']))?.state, 'stored');
  second.close();
});

test('a database from a newer version of the extension fails with `version`', async () => {
  const factory = new IDBFactory();
  (await openRaw(factory, 'newer', DB_VERSION + 1)).close();
  await assert.rejects(
    openBiffDb('newer', factory),
    (e: unknown) => e instanceof StoreError && e.code === 'version',
  );
});

test('our connection closes itself when another page upgrades, so it never blocks', {
  timeout: 5000,
}, async () => {
  const factory = new IDBFactory();
  const db = await openBiffDb('yield', factory, { blockedTimeoutMs: 50 });
  const newer = await openRaw(factory, 'yield', DB_VERSION + 1);
  assert.equal(newer.version, DB_VERSION + 1);
  newer.close();
  await assert.rejects(
    db.get('pop3', ['a', 'b']),
    (e: unknown) => e instanceof Error && e.name === 'InvalidStateError',
  );
});

test('without IndexedDB (e.g. a private window) the open fails with `unavailable`', async (t) => {
  const saved = globalThis.indexedDB;
  t.after(() => {
    globalThis.indexedDB = saved;
  });
  globalThis.indexedDB = undefined as unknown as IDBFactory;
  await assert.rejects(
    openBiffDb('none'),
    (e: unknown) => e instanceof StoreError && e.code === 'unavailable',
  );
});
