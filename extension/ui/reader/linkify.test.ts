import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkify, MAX_LINKS } from './linkify.ts';

test('web and mail addresses become links; the rest stays text', () => {
  assert.deepEqual(linkify('See https://example.org/menu for the menu, or mail bob@example.net.'), [
    { text: 'See ' },
    { text: 'https://example.org/menu', href: 'https://example.org/menu' },
    { text: ' for the menu, or mail ' },
    { text: 'bob@example.net', href: 'mailto:bob@example.net' },
    { text: '.' },
  ]);
  assert.deepEqual(linkify('www.example.org'), [
    { text: 'www.example.org', href: 'https://www.example.org' },
  ]);
  assert.deepEqual(linkify('no links here'), [{ text: 'no links here' }]);
  assert.deepEqual(linkify(''), []);
});

test('trailing punctuation and unmatched brackets are not part of the link', () => {
  const href = (s: string) => linkify(s).find((r) => r.href)?.href;
  assert.equal(href('(see https://example.org/a)'), 'https://example.org/a');
  assert.equal(href('https://en.example.org/wiki/Foo_(bar)'), 'https://en.example.org/wiki/Foo_(bar)');
  assert.equal(href('"https://example.org/q?a=1&b=2",'), 'https://example.org/q?a=1&b=2');
  assert.equal(href('Go to https://example.org/!'), 'https://example.org/');
  assert.equal(href('<https://example.org/x>'), 'https://example.org/x');
});

test('only http(s) and mailto become links; script URLs stay text', () => {
  const runs = linkify('javascript:alert(1) data:text/html,x file:///etc/passwd vbscript:x');
  assert.ok(
    runs.every((r) => r.href === undefined),
    JSON.stringify(runs),
  );
  const quoted = linkify('https://example.org/"onmouseover="alert(1)');
  assert.equal(quoted[0]!.href, 'https://example.org/');
});

test('markup in text is text', () => {
  assert.deepEqual(linkify('<img src=x onerror=alert(1)>'), [{ text: '<img src=x onerror=alert(1)>' }]);
});

test('at most MAX_LINKS links, the rest plain', () => {
  const text = Array.from({ length: MAX_LINKS + 10 }, (_, i) => `https://e.example/${i}`).join(' ');
  const runs = linkify(text);
  assert.equal(runs.filter((r) => r.href).length, MAX_LINKS);
  assert.equal(runs.map((r) => r.text).join(''), text, 'no text lost');
});
