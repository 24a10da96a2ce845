import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttachmentPart } from '../extension/store/schema.ts';
import { listedAttachments } from './attachments.ts';

function part(fields: Partial<AttachmentPart>): AttachmentPart {
  return {
    filename: null,
    mimeType: 'application/octet-stream',
    size: 10,
    contentId: null,
    disposition: null,
    data: null,
    ...fields,
  };
}

test('parts marked as attachments are listed, named or not', () => {
  const parts = [part({ disposition: 'attachment', filename: 'a.pdf' }), part({ disposition: 'attachment' })];
  assert.equal(listedAttachments(parts).length, 2);
});

test('inline images referenced by Content-ID are part of the body, not attachments', () => {
  const logo = part({ disposition: 'inline', filename: 'logo.png', contentId: '<logo@x>' });
  assert.deepEqual(listedAttachments([logo]), []);
});

test('a named part without Content-ID is listed even when marked inline', () => {
  const photo = part({ disposition: 'inline', filename: 'photo.jpg' });
  assert.deepEqual(listedAttachments([photo]), [photo]);
});

test('an unnamed inline part is not listed', () => {
  assert.deepEqual(listedAttachments([part({ disposition: 'inline' }), part({ filename: '' })]), []);
});
