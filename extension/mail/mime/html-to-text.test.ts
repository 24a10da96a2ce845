import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeEntities, NAMED_ENTITIES } from './entities.ts';
import { htmlToText, htmlToTextSliced } from './html-to-text.ts';
import { TimeSlice } from './time-slice.ts';

test('tags go, text stays, blocks get their own lines', () => {
  assert.equal(htmlToText('<p>One <b>bold</b> word</p><p>Two</p>'), 'One bold word\n\nTwo');
  assert.equal(htmlToText('a<br>b<br/>c'), 'a\nb\nc');
  assert.equal(htmlToText('<div>x</div><div><div>y</div></div>'), 'x\ny');
  assert.equal(htmlToText('<ul><li>one</li><li>two</li></ul>after'), '• one\n• two\n\nafter');
  assert.equal(
    htmlToText('<table><tr><td>a</td><td>b</td></tr><tr><th>c</th><td>d</td></tr></table>'),
    'a b\nc d',
  );
  assert.equal(htmlToText('<h1>Title</h1>text<hr>more'), 'Title\n\ntext\n\nmore');
});

test('whitespace collapses as when rendered, except in <pre>', () => {
  assert.equal(htmlToText('  a \n\t b   <span> c </span>  '), 'a b c');
  assert.equal(htmlToText('a<pre>  x\n    y</pre>z'), 'a\n\n  x\n    y\n\nz');
  assert.equal(htmlToText('<pre>  indented\n  two</pre>'), 'indented\n  two');
});

test('script, style, title, template, svg, math, iframe and select content is not text', () => {
  const html =
    '<html><head><title>T</title><STYLE>p{color:red}</STYLE></head><body>' +
    '<script>var a = "</scrip" + "t>";alert(1)</script>' +
    '<Script type="x">alert(2)</sCrIpT >visible' +
    '<template><p>tpl</p></template><svg><text>svgtext</text></svg><math><mi>x</mi></math>' +
    '<iframe>frame</iframe><select><option>opt</option></select>' +
    '<scripts>kept</scripts></body></html>';
  assert.equal(htmlToText(html), 'visiblekept');
});

test('comments, doctype and processing instructions vanish, even unterminated', () => {
  assert.equal(htmlToText('<!DOCTYPE html><?xml version="1.0"?>a<!-- hidden -->b'), 'ab');
  assert.equal(htmlToText('a<!-- never closed <p>b</p>'), 'a');
  assert.equal(htmlToText('a<![CDATA[x]]>b'), 'ab');
});

test('a > inside a quoted attribute does not end the tag', () => {
  assert.equal(htmlToText('<a title="a>b" href=\'x>y\'>link</a> after'), 'link after');
  assert.equal(htmlToText('<img alt="<p>no</p>">'), '');
});

test('a < that does not open a tag is text', () => {
  // `<b` opens a tag that runs to the end of input, as in a browser
  assert.equal(htmlToText('3 < 4 and a<b and x <= y'), '3 < 4 and a');
  assert.equal(htmlToText('1 < 2'), '1 < 2');
  assert.equal(htmlToText('a <3 b'), 'a <3 b');
});

test('never outputs markup that was in the input', () => {
  assert.equal(htmlToText('<img src=x onerror=alert(1)><svg onload=alert(2)>'), '');
  assert.equal(
    htmlToText('&lt;script&gt;alert(1)&lt;/script&gt;'),
    '<script>alert(1)</script>',
    'escaped text is text',
  );
});

test('character references: named, numeric, windows-1252 range, invalid', () => {
  assert.equal(
    decodeEntities('&amp;&lt;&gt;&quot;&apos;&nbsp;&eacute;&Eacute;&euro;&hellip;&mdash;'),
    '&<>"\'\u00a0éÉ€…—',
  );
  assert.equal(decodeEntities('&#65;&#x42;&#X43;&#0067;'), 'ABCC');
  assert.equal(decodeEntities('&#150;&#x80;&#153;'), '–€™', 'C1 code points mean windows-1252');
  assert.equal(decodeEntities('&#0;&#xD800;&#x110000;&#99999999;'), '\ufffd\ufffd\ufffd\ufffd');
  assert.equal(decodeEntities('&#128512;'), '😀');
  assert.equal(
    decodeEntities('&nosuch; &amp &copy &eacute x'),
    '&nosuch; & © &eacute x',
    'only legacy names without ;',
  );
  assert.equal(decodeEntities('no references'), 'no references');
  assert.equal(NAMED_ENTITIES.get('yuml'), 0xff, 'the Latin-1 table is complete and in order');
  assert.equal(NAMED_ENTITIES.get('iexcl'), 0xa1);
  assert.equal(NAMED_ENTITIES.get('times'), 0xd7);
});

// No timing assertion (speed is the benchmarks' business): a quadratic pass over these inputs
// would run for minutes, so the test's timeout is what catches it.
test('hostile input finishes and yields text without markup', { timeout: 120_000 }, () => {
  const cases = [
    `<a title="${'x'.repeat(1_000_000)}`,
    '<'.repeat(500_000),
    `<pre>${' '.repeat(1_000_000)}x</pre>`,
    '<p>'.repeat(300_000),
    `<script>${'<'.repeat(500_000)}`,
    '&amp'.repeat(200_000),
    `<${'a'.repeat(1_000_000)}`,
  ];
  for (const html of cases) {
    const text = htmlToText(html);
    assert.equal(typeof text, 'string');
    assert.doesNotMatch(text, /<script|<pre>|<p>/i, `${html.slice(0, 12)}… left markup behind`);
  }
});

test('htmlToTextSliced gives the same text as htmlToText, with turns of the event loop for a large body', async () => {
  const html = Array.from(
    { length: 20_000 },
    (_, i) => `<div><p>${i} &amp; <b>bold</b></p><pre>  a\n  b</pre><!-- c --><li>x</li></div>`,
  ).join('\n');
  let ms = 0;
  // A clock that moves a millisecond per read: a turn every 5 reads of it.
  const slice = new TimeSlice({ budgetMs: 5, now: () => ++ms });
  let ticks = 0;
  let running = true;
  const tick = () => {
    ticks++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const text = await htmlToTextSliced(html, slice);
  running = false;
  assert.equal(text, htmlToText(html));
  assert.ok(slice.turns >= 10, `${slice.turns} turns`);
  assert.ok(ticks >= slice.turns, `${ticks} ticks for ${slice.turns} turns`);
  for (const small of ['', 'plain', '<p>a</p><p>b</p>', '<pre>x\n\n\n\ny</pre>']) {
    assert.equal(await htmlToTextSliced(small, new TimeSlice({ budgetMs: 0 })), htmlToText(small), small);
  }
});
