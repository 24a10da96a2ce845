import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRouter, type Handlers } from './router.ts';

const self = {
  id: 'dbonihppoidfekehkoeogfoehelllkbp',
  origin: 'chrome-extension://dbonihppoidfekehkoeogfoehelllkbp/',
};
const page = { id: self.id, url: `${self.origin}popup.html` };

function router(overrides: Partial<Handlers>) {
  return createRouter(overrides as Handlers, self);
}

test('serves a typed request from the extension’s own page', async () => {
  const seen: unknown[] = [];
  const route = router({
    setSeen: async (request) => {
      seen.push(request);
      return { ok: true };
    },
  });
  const reply = await route({ biff: 1, name: 'setSeen', request: { ids: ['a', 'b'], seen: true } }, page);
  assert.deepEqual(reply, { ok: true, response: { ok: true } });
  assert.deepEqual(seen, [{ ids: ['a', 'b'], seen: true }]);
});

test('refuses senders that are not this extension’s pages', async () => {
  const route = router({ popupOpened: async () => ({ ok: true }) });
  const envelope = { biff: 1, name: 'popupOpened', request: {} };
  assert.equal(
    (await route(envelope, { id: 'other-extension', url: 'chrome-extension://other/x.html' }))?.ok,
    false,
  );
  assert.equal((await route(envelope, { id: self.id, url: 'https://evil.example/' }))?.ok, false);
  assert.equal((await route(envelope, { id: self.id }))?.ok, false);
});

test('ignores messages that are not ours and reports unknown names and failures with a code', async () => {
  const route = router({
    syncNow: async () => {
      throw Object.assign(new Error('The Biff relay is not running.'), { code: 'relay_unreachable' });
    },
  });
  assert.equal(route({ hello: 1 }, page), undefined);
  assert.deepEqual(await route({ biff: 1, name: 'nope', request: {} }, page), {
    ok: false,
    code: 'unknown_message',
    message: 'Unknown message nope',
  });
  assert.deepEqual(await route({ biff: 1, name: 'syncNow', request: {} }, page), {
    ok: false,
    code: 'relay_unreachable',
    message: 'The Biff relay is not running.',
  });
});

test('a failure leaves the background with every form of every secret redacted', async () => {
  const password = 'pa"ss\\word %1';
  const token = 'relay-pairing-token-123';
  const plain = Buffer.from(`admin\u0000ann\u0000${password}`).toString('base64');
  const quoted = password.replace(/[\\"]/g, (c) => `\\${c}`);
  const route = createRouter(
    {
      syncNow: async () => {
        throw Object.assign(
          new Error(
            `A1 LOGIN "ann" "${quoted}" / ${encodeURIComponent(password)} / AUTH PLAIN ${plain} / ${token}`,
          ),
          { code: 'command_failed' },
        );
      },
    } as Partial<Handlers> as Handlers,
    self,
    async () => [{ secret: password, user: 'ann' }, { secret: token }],
  );
  const reply = await route({ biff: 1, name: 'syncNow', request: {} }, page);
  assert.deepEqual(reply, {
    ok: false,
    code: 'command_failed',
    message: 'A1 LOGIN "ann" "[redacted]" / [redacted] / AUTH PLAIN [redacted] / [redacted]',
  });
});
