import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inlineImageUrls, MAX_INLINE_IMAGE_BYTES } from './inline-images.ts';

test('image parts with a Content-ID become data: URLs keyed by the bare id', () => {
  const urls = inlineImageUrls([
    { contentId: '<dot@x>', mimeType: 'IMAGE/PNG', data: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) },
    { contentId: 'logo@x', mimeType: 'image/svg+xml', data: new TextEncoder().encode('<svg/>') },
    { contentId: null, mimeType: 'image/png', data: new Uint8Array([1]) },
    { contentId: 'doc@x', mimeType: 'text/html', data: new TextEncoder().encode('<script>') },
    { contentId: 'meta@x', mimeType: 'image/png', data: null },
  ]);
  assert.deepEqual(
    [...urls],
    [
      ['dot@x', 'data:image/png;base64,iVBORw=='],
      ['logo@x', 'data:image/svg+xml;base64,PHN2Zy8+'],
    ],
  );
});

test('large parts are encoded in chunks, and oversized ones left out', () => {
  const big = new Uint8Array(200_000).fill(65);
  const url = inlineImageUrls([{ contentId: 'big@x', mimeType: 'image/gif', data: big }]).get('big@x')!;
  assert.equal(Buffer.from(url.split(',')[1]!, 'base64').length, 200_000);
  const huge = new Uint8Array(MAX_INLINE_IMAGE_BYTES + 1);
  assert.equal(inlineImageUrls([{ contentId: 'huge@x', mimeType: 'image/gif', data: huge }]).size, 0);
});
