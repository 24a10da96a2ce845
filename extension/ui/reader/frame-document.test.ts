import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JSDOM } from 'jsdom';
import {
  frameDocument,
  READER_FRAME_SANDBOX,
  readerFrameCsp,
  withoutPreloadHazards,
} from './frame-document.ts';

/** Raw (unsanitised) markup that names srcset, imagesrcset or srcdoc in every way a parser allows. */
const HOSTILE = [
  '<img srcset="http://r.example/a.gif 1x">',
  '<IMG SRCSET="http://r.example/b.gif 1x">',
  '<img\tsrcSet=http://r.example/c.gif>',
  '<img/srcset="http://r.example/d.gif">',
  '<img alt="x"srcset="http://r.example/e.gif">',
  '<img srcset\n=\n"http://r.example/f.gif">',
  '<picture><source srcset="http://r.example/g.gif"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></picture>',
  '<picture><SOURCE SrcSet="http://r.example/h.gif" type="image/gif"></picture>',
  '<link rel="preload" as="image" imagesrcset="http://r.example/i.gif 1x" href="http://r.example/j.gif">',
  '<link rel=preload as=image IMAGESRCSET=http://r.example/k.gif>',
  '<svg><image srcset="http://r.example/l.gif"/></svg>',
  '<iframe srcdoc="<img src&#115;et=\'http://r.example/n.gif 1x\'>"></iframe>',
  '<iframe SRCDOC="&lt;img srcset=http://r.example/o.gif&gt;"></iframe>',
  '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" srcset="http://r.example/p.gif 2x">',
  // last: in some parsers the rest is raw text of the <style>
  '<math><mtext><table><mglyph><style><img srcset="http://r.example/m.gif">',
].join('\n');

/** Every element's attribute names, as a browser's parser builds them from `html`. */
function attributeNames(html: string): string[] {
  const { document } = new JSDOM(`<!doctype html><body>${html}`).window;
  return [...document.querySelectorAll('*')].flatMap((el) => [...el.getAttributeNames()]);
}

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

test('with remote images blocked, no srcset, imagesrcset or srcdoc attribute survives raw hostile HTML', () => {
  // The pass must hold on its own (sanitiser bypassed): the raw HTML does have them.
  const before = attributeNames(HOSTILE).map((n) => n.toLowerCase());
  for (const name of ['srcset', 'imagesrcset', 'srcdoc']) assert.ok(before.includes(name), name);

  const after = attributeNames(withoutPreloadHazards(HOSTILE)).map((n) => n.toLowerCase());
  assert.deepEqual(
    after.filter((n) => /srcset|srcdoc/.test(n)),
    [],
    'no attribute named srcset, imagesrcset or srcdoc',
  );
  // Nor does the frame's whole document have one, and nothing in it spells them any more.
  const doc = frameDocument(HOSTILE, false);
  assert.deepEqual(
    attributeNames(doc).filter((n) => /srcset|srcdoc/i.test(n)),
    [],
  );
  assert.doesNotMatch(doc, /src(set|doc)/i);
  // The rest is untouched: the data: image still has its src.
  assert.ok(doc.includes('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '));
});

test('the pass leaves text looking the same, and is off once remote images are allowed', () => {
  const { document } = new JSDOM(
    `<!doctype html><body>${withoutPreloadHazards('<p>Use srcset and SRCDOC</p>')}`,
  ).window;
  assert.equal(document.body.textContent?.replace(/\u200C/g, ''), 'Use srcset and SRCDOC');
  assert.equal(
    frameDocument('<img srcset="https://r.example/a.gif 1x">', true).includes(
      '<img srcset="https://r.example/a.gif 1x">',
    ),
    true,
  );
});
