import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JSDOM } from 'jsdom';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { readerFrameCsp } from './frame-document.ts';
import { ReaderBody } from './reader-body.tsx';

// Preact renders into jsdom here; test/e2e/reader-safety.test.ts renders the same component in Chromium.
const dom = new JSDOM('<!doctype html><html><body></body></html>');
Object.assign(globalThis, { window: dom.window, document: dom.window.document });

const HOSTILE =
  '<p>Visible words</p><script>alert(1)</script><img src="http://r.example/a.gif" onerror="alert(2)">' +
  '<a href="javascript:alert(3)">x</a><div style="background:url(http://r.example/b.gif)">y</div>';

function mount(props: Partial<Parameters<typeof ReaderBody>[0]> & { onBlockedRemote(n: number): void }) {
  const root = dom.window.document.createElement('div');
  dom.window.document.body.append(root);
  act(() => render(<ReaderBody text={null} allowRemoteImages={false} {...props} />, root));
  return root;
}

/** Lets Preact run pending effects (they are scheduled after paint otherwise). */
const settle = () => act(() => {});

/** Waits until `done()` holds (an effect has reported), at most a second. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('HTML goes into a sandboxed srcdoc frame behind the CSP, sanitised', async () => {
  const counts: number[] = [];
  const root = mount({ html: HOSTILE, onBlockedRemote: (n) => counts.push(n), frameTitle: 'Message body' });
  await waitFor(() => counts.length >= 1);
  const frame = root.querySelector('iframe')!;
  assert.ok(frame, 'an iframe');
  assert.equal(frame.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
  assert.equal(frame.getAttribute('title'), 'Message body');
  assert.equal(frame.getAttribute('referrerpolicy'), 'no-referrer');
  assert.equal(root.querySelector('script'), null);
  const srcdoc = frame.getAttribute('srcdoc')!;
  assert.ok(srcdoc.includes(`content="${readerFrameCsp(false)}"`));
  assert.ok(srcdoc.includes('<p>Visible words</p>'));
  assert.doesNotMatch(srcdoc, /<script|onerror|javascript:|r\.example/);
  assert.deepEqual(counts, [2]);
});

test('allowing remote images re-renders with them and a CSP that lets them load', async () => {
  const counts: number[] = [];
  const root = dom.window.document.createElement('div');
  dom.window.document.body.append(root);
  const onBlockedRemote = (n: number) => counts.push(n);
  render(
    <ReaderBody html={HOSTILE} text={null} allowRemoteImages={false} onBlockedRemote={onBlockedRemote} />,
    root,
  );
  await settle();
  render(
    <ReaderBody html={HOSTILE} text={null} allowRemoteImages={true} onBlockedRemote={onBlockedRemote} />,
    root,
  );
  await waitFor(() => counts.length >= 2);
  const srcdoc = root.querySelector('iframe')!.getAttribute('srcdoc')!;
  assert.ok(srcdoc.includes(`content="${readerFrameCsp(true)}"`));
  assert.ok(srcdoc.includes('src="http://r.example/a.gif"'));
  assert.doesNotMatch(srcdoc, /<script|onerror|javascript:/);
  assert.deepEqual(counts, [2, 0]);
});

test('cid: images use the inline parts passed in', async () => {
  const dot = 'data:image/png;base64,iVBORw==';
  const root = mount({
    html: '<img src="cid:dot@x">',
    cidUrls: new Map([['dot@x', dot]]),
    onBlockedRemote: () => {},
  });
  await settle();
  assert.ok(root.querySelector('iframe')!.getAttribute('srcdoc')!.includes(`src="${dot}"`));
});

test('text is shown as text, with http(s) and mail links only', async () => {
  const counts: number[] = [];
  const root = mount({
    text: 'Hi <b>there</b>\nsee https://example.org/x and javascript:alert(1)\n\n> quoted',
    onBlockedRemote: (n) => counts.push(n),
  });
  await settle();
  assert.equal(root.querySelector('iframe'), null);
  const pre = root.querySelector('pre')!;
  assert.equal(
    pre.textContent,
    'Hi <b>there</b>\nsee https://example.org/x and javascript:alert(1)\n\n> quoted',
  );
  assert.equal(pre.querySelector('b'), null, 'markup in text is not markup');
  const links = Array.from(pre.querySelectorAll('a'), (a) => [
    a.getAttribute('href'),
    a.getAttribute('target'),
    a.getAttribute('rel'),
  ]);
  assert.deepEqual(links, [['https://example.org/x', '_blank', 'noopener noreferrer']]);
  assert.deepEqual(counts, [0]);
});

test('an empty HTML part falls back to the text', async () => {
  const root = mount({ html: '', text: 'plain', onBlockedRemote: () => {} });
  await settle();
  assert.equal(root.querySelector('pre')!.textContent, 'plain');
});
