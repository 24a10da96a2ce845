import assert from 'node:assert/strict';
import { test } from 'node:test';
import { frameDocument, READER_FRAME_SANDBOX, readerFrameCsp } from './frame-document.ts';

test('the sandbox never allows scripts, same-origin, forms or top navigation', () => {
  const tokens = READER_FRAME_SANDBOX.split(' ');
  assert.deepEqual(tokens, ['allow-popups', 'allow-popups-to-escape-sandbox']);
});

test('the CSP allows only data: images until remote images are allowed', () => {
  assert.equal(
    readerFrameCsp(false),
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'",
  );
  assert.equal(
    readerFrameCsp(true),
    "default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'; font-src data:; base-uri 'none'; form-action 'none'",
  );
  for (const csp of [readerFrameCsp(false), readerFrameCsp(true)]) {
    assert.doesNotMatch(csp, /script-src|unsafe-eval|\*/);
  }
});

test('the CSP meta is the first thing in the document, before any mail content', () => {
  const doc = frameDocument('<p>mail</p>', false);
  const csp = doc.indexOf('http-equiv="Content-Security-Policy"');
  assert.ok(csp > 0 && csp < doc.indexOf('<style>') && csp < doc.indexOf('<p>mail</p>'));
  assert.ok(
    doc.startsWith(
      '<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy"',
    ),
  );
  assert.ok(doc.includes(`content="${readerFrameCsp(false)}"`));
  assert.ok(doc.includes('<meta name="referrer" content="no-referrer">'));
  assert.ok(doc.endsWith('<body><p>mail</p></body></html>'));
});
