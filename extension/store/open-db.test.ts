import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import type { DBSchema } from 'idb';
import { StoreError } from './errors.ts';
import { openDatabase, type Upgrade } from './open-db.ts';
import '../../test/support/store.ts';

interface TinyDB extends DBSchema {
  notes: { key: string; value: { id: string; text: string } };
  tags: { key: string; value: { id: string } };
}

/** Version 1 has `notes`; version 2 adds `tags` and copies note ids into it. */
const upgrade: Upgrade<TinyDB> = (db, oldVersion, tx) => {
  if (oldVersion < 1) db.createObjectStore('notes', { keyPath: 'id' });
  if (oldVersion < 2 && db.version >= 2) {
    const tags = db.createObjectStore('tags', { keyPath: 'id' });
    void tx
      .objectStore('notes')
      .getAllKeys()
      .then((ids) => {
        for (const id of ids) tags.put({ id });
      });
  }
};

const open = (factory: IDBFactory, version: number, blockedTimeoutMs = 1000) =>
  openDatabase<TinyDB>({ factory, name: 'tiny', version, upgrade, blockedTimeoutMs });

test('upgrades step by step from the version on disk, with data carried over', async () => {
  const factory = new IDBFactory();
  const v1 = await open(factory, 1);
  assert.deepEqual([...v1.objectStoreNames], ['notes']);
  await v1.put('notes', { id: 'n1', text: 'hi' });
  v1.close();
  const v2 = await open(factory, 2);
  assert.deepEqual([...v2.objectStoreNames].sort(), ['notes', 'tags']);
  assert.deepEqual(await v2.getAll('tags'), [{ id: 'n1' }]);
  assert.equal((await v2.get('notes', 'n1'))?.text, 'hi');
  v2.close();
});

test('an old connection that will not close fails the upgrade with `blocked`, and the late open is released', {
  timeout: 5000,
}, async () => {
  const factory = new IDBFactory();
  const stuck = await new Promise<IDBDatabase>((resolve) => {
    // A raw connection without a versionchange handler, as a hung page would hold it.
    const request = factory.open('tiny', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('notes', { keyPath: 'id' });
    request.onsuccess = () => resolve(request.result);
  });
  await assert.rejects(open(factory, 2, 20), (e: unknown) => e instanceof StoreError && e.code === 'blocked');
  stuck.close();
  // The abandoned open completes now and must be closed by openDatabase, or this would block too.
  const v3 = await open(factory, 3, 1000);
  assert.equal(v3.version, 3);
  v3.close();
});

test('a connection opened here yields to a newer version opened elsewhere', { timeout: 5000 }, async () => {
  const factory = new IDBFactory();
  const v1 = await open(factory, 1);
  const v2 = await open(factory, 2, 50);
  assert.equal(v2.version, 2);
  v2.close();
  await assert.rejects(
    v1.get('notes', 'x'),
    (e: unknown) => e instanceof Error && e.name === 'InvalidStateError',
  );
});

test('a database newer than the code fails with `version`', async () => {
  const factory = new IDBFactory();
  (await open(factory, 5)).close();
  await assert.rejects(open(factory, 4), (e: unknown) => e instanceof StoreError && e.code === 'version');
});
