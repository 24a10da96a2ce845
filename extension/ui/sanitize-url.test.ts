import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanUrl, ImagePolicy, linkHref, parseSrcset, remoteUrl, sanitizeSrcset } from './sanitize-url.ts';

test('cleanUrl strips what the URL parser strips', () => {
  assert.equal(cleanUrl(' \u0001\tjava\nscr\ript:x \u0000'), 'javascript:x');
  assert.equal(
    cleanUrl('https://a.example/b c'),
    'https://a.example/b c',
    'inner spaces are the parser’s to encode',
  );
});

test('linkHref keeps http(s), mailto, tel and fragments, and nothing else', () => {
  const cases: Array<[string, string | null]> = [
    ['https://example.org/a?b=1&c=2#d', 'https://example.org/a?b=1&c=2#d'],
    ['HTTP://EXAMPLE.ORG/', 'HTTP://EXAMPLE.ORG/'],
    ['//example.org/x', 'https://example.org/x'],
    ['mailto:a@example.org', 'mailto:a@example.org'],
    ['tel:+1 555', 'tel:+1%20555'],
    ['#top', '#top'],
    ['https://example.org/"onmouseover="x', 'https://example.org/%22onmouseover=%22x'],
    ['javascript:alert(1)', null],
    [' \tjavascript:alert(1)', null],
    ['jav\tascript:alert(1)', null],
    ['vbscript:x', null],
    ['data:text/html,x', null],
    ['file:///etc/passwd', null],
    ['chrome-extension://abc/options.html', null],
    ['blob:https://x/1', null],
    ['cid:part@x', null],
    ['options.html', null],
    ['/popup.html', null],
    ['\\\\evil.example\\x', null],
    ['', null],
  ];
  for (const [input, expected] of cases) assert.equal(linkHref(input), expected, input);
});

test('remoteUrl reads http, https and scheme-relative URLs only', () => {
  assert.equal(remoteUrl('//cdn.example/a.gif'), 'https://cdn.example/a.gif');
  assert.equal(remoteUrl('http://a.example/<x>'), 'http://a.example/%3Cx%3E');
  assert.equal(remoteUrl('ftp://a.example/x'), null);
  assert.equal(remoteUrl('a.gif'), null);
});

test('parseSrcset follows the HTML algorithm (commas in data: URLs, trailing commas, descriptors)', () => {
  assert.deepEqual(parseSrcset('a.gif 1x, b.gif 2x'), [
    { url: 'a.gif', descriptors: '1x' },
    { url: 'b.gif', descriptors: '2x' },
  ]);
  assert.deepEqual(parseSrcset('data:image/png;base64,AAA 1x,data:image/png;base64,BBB 2x'), [
    { url: 'data:image/png;base64,AAA', descriptors: '1x' },
    { url: 'data:image/png;base64,BBB', descriptors: '2x' },
  ]);
  assert.deepEqual(parseSrcset(',,a.gif,, b.gif 100w'), [
    { url: 'a.gif', descriptors: '' },
    { url: 'b.gif', descriptors: '100w' },
  ]);
  assert.deepEqual(parseSrcset('a.gif (x,y) 1x, b.gif'), [
    { url: 'a.gif', descriptors: '(x,y) 1x' },
    { url: 'b.gif', descriptors: '' },
  ]);
  assert.deepEqual(parseSrcset('   '), []);
});

test('sanitizeSrcset applies the image policy to every candidate and drops odd descriptors', () => {
  const blocked = new ImagePolicy(false);
  assert.equal(
    sanitizeSrcset('http://r.example/a.gif 1x, data:image/gif;base64,R0 2x', blocked),
    'data:image/gif;base64,R0 2x',
  );
  assert.equal(blocked.blockedRemote, 1);
  const open = new ImagePolicy(true);
  assert.equal(
    sanitizeSrcset('//r.example/a.gif 640w, javascript:x 2x, b.gif 1x', open),
    'https://r.example/a.gif 640w',
  );
  assert.equal(sanitizeSrcset('https://r.example/a.gif 1x" onerror="x', open), 'https://r.example/a.gif');
});

test('ImagePolicy: data: images only, cid: lookups, remote counted when blocked', () => {
  const cid = new Map([
    ['logo@x', 'data:image/png;base64,AA'],
    ['bad@x', 'https://r.example/x.png'],
  ]);
  const policy = new ImagePolicy(false, cid);
  assert.equal(policy.image('data:image/png;base64,AA AA'), 'data:image/png;base64,AAAA');
  assert.equal(policy.image('data:image/svg+xml,<svg/>'), 'data:image/svg+xml,%3Csvg/%3E');
  assert.equal(policy.image('data:text/html,x'), null);
  assert.equal(policy.image('data:text/html,<svg onload=alert(1)> x'), null);
  assert.equal(policy.image('cid:logo@x'), 'data:image/png;base64,AA');
  assert.equal(policy.image('cid:%3Clogo@x%3E'), 'data:image/png;base64,AA');
  assert.equal(policy.image('cid:LOGO@X'), 'data:image/png;base64,AA');
  assert.equal(policy.image('cid:bad@x'), null, 'a cid target must be a data: image');
  assert.equal(policy.image('cid:%zz'), null);
  assert.equal(policy.blockedRemote, 0);
  assert.equal(policy.image('http://r.example/a.gif'), null);
  assert.equal(policy.image('//r.example/a.gif'), null);
  assert.equal(policy.image('x.gif'), null, 'relative: not remote, not counted');
  assert.equal(policy.blockedRemote, 2);
  assert.equal(policy.allowsEmitted('https://r.example/a.gif'), false);
  assert.equal(new ImagePolicy(true).allowsEmitted('https://r.example/a.gif'), true);
  assert.equal(policy.allowsEmitted('data:font/woff2;base64,AA'), true);
});

test('ImagePolicy: an SVG written into a data: URL keeps its spaces (encoded), base64 drops them', () => {
  const policy = new ImagePolicy(false);
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8" viewBox="0 0 8 8"><rect width="8" height="8" fill="red"/></svg>';
  for (const prefix of [
    'data:image/svg+xml,',
    'data:image/svg+xml;charset=utf-8,',
    'data:image/svg+xml;utf8,',
  ]) {
    const out = policy.image(`${prefix}${svg}`);
    assert.ok(out !== null, prefix);
    assert.doesNotMatch(out, /\s/, 'no raw whitespace leaves: it would split a srcset');
    assert.equal(decodeURIComponent(out.slice(prefix.length)), svg, prefix);
  }
  // A newline or tab inside is what the URL parser removes anyway (cleanUrl).
  assert.equal(
    policy.image('data:image/svg+xml,<svg\n width="1"/>'),
    'data:image/svg+xml,%3Csvg%20width=%221%22/%3E',
  );
  assert.equal(policy.image('data:image/gif;BASE64,R0lG OD\tlh'), 'data:image/gif;BASE64,R0lGODlh');
});
