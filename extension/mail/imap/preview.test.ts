import assert from 'node:assert/strict';
import { test } from 'node:test';
import { previewFromPart, previewFromText } from './preview.ts';

test('previewFromText drops quotes, the signature and extra whitespace', () => {
  const text = 'Hi Ann,\r\n\r\n  the report is   attached.\r\n> old quoted line\r\n\r\n-- \r\nBob\r\n';
  assert.equal(previewFromText(text), 'Hi Ann, the report is attached.');
  assert.equal(previewFromText('Sure!\nOn Mon, 1 Jan 2024, Ann wrote:\n> question'), 'Sure!');
  assert.equal(previewFromText('x'.repeat(500)).length, 200);
});

test('previewFromPart decodes base64 HTML and renders it as text', () => {
  const html = '<html><head><style>p{color:red}</style></head><body><p>Hello&nbsp;<b>world</b></p></body>';
  const part = { part: '2', type: 'text/html' as const, encoding: 'base64', charset: 'utf-8', size: 100 };
  assert.equal(previewFromPart(part, Buffer.from(Buffer.from(html).toString('base64'))), 'Hello world');
});
