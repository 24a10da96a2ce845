import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageStructureObject } from 'imapflow';
import { findTextPart, hasAttachments } from './body-structure.ts';

const plain = (
  part: string | undefined,
  extra: Partial<MessageStructureObject> = {},
): MessageStructureObject => ({
  part,
  type: 'text/plain',
  parameters: { charset: 'ISO-8859-1' },
  encoding: 'quoted-printable',
  size: 120,
  ...extra,
});
const html = (part: string): MessageStructureObject => ({
  part,
  type: 'text/html',
  encoding: 'base64',
  size: 900,
});

test('a single-part message is part 1', () => {
  assert.deepEqual(findTextPart(plain(undefined)), {
    part: '1',
    type: 'text/plain',
    encoding: 'quoted-printable',
    charset: 'iso-8859-1',
    size: 120,
  });
  assert.equal(hasAttachments(plain(undefined)), false);
});

test('alternative prefers text/plain wherever it sits', () => {
  const alt: MessageStructureObject = { type: 'multipart/alternative', childNodes: [html('1'), plain('2')] };
  assert.equal(findTextPart(alt)?.part, '2');
  const htmlOnly: MessageStructureObject = { type: 'multipart/alternative', childNodes: [html('1')] };
  assert.equal(findTextPart(htmlOnly)?.type, 'text/html');
});

test('mixed: the body comes first, attachments and forwarded messages are skipped', () => {
  const mixed: MessageStructureObject = {
    type: 'multipart/mixed',
    childNodes: [
      { part: '1', type: 'application/pdf', disposition: 'attachment', encoding: 'base64', size: 10 },
      {
        part: '2',
        type: 'multipart/related',
        childNodes: [
          { part: '2.1', type: 'multipart/alternative', childNodes: [plain('2.1.1'), html('2.1.2')] },
          { part: '2.2', type: 'image/png', encoding: 'base64', size: 10 },
        ],
      },
    ],
  };
  assert.equal(findTextPart(mixed)?.part, '2.1.1');
  assert.equal(hasAttachments(mixed), true);
  const attachedText = plain('1', { disposition: 'attachment' });
  assert.equal(findTextPart({ type: 'multipart/mixed', childNodes: [attachedText, html('2')] })?.part, '2');
  assert.equal(
    findTextPart({ type: 'multipart/mixed', childNodes: [{ part: '1', type: 'message/rfc822' }] }),
    null,
  );
});

test('inline images of an HTML body are not attachments; a forwarded message is', () => {
  const related: MessageStructureObject = {
    type: 'multipart/related',
    childNodes: [html('1'), { part: '2', type: 'image/png', size: 5 }],
  };
  assert.equal(hasAttachments(related), false);
  const forwarded: MessageStructureObject = {
    type: 'multipart/mixed',
    childNodes: [plain('1'), { part: '2', type: 'message/rfc822' }],
  };
  assert.equal(hasAttachments(forwarded), true);
  const pdfNoDisposition: MessageStructureObject = {
    type: 'multipart/mixed',
    childNodes: [plain('1'), { part: '2', type: 'application/pdf' }],
  };
  assert.equal(hasAttachments(pdfNoDisposition), true);
});
