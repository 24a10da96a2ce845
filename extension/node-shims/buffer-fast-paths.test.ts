import assert from 'node:assert/strict';
import { test } from 'node:test';
// The npm package the bundle uses for `buffer` (a path inside it, not Node's built-in).
import { Buffer as PackageBuffer } from 'buffer/index.js';
import { installBufferFastPaths } from './buffer-fast-paths.ts';

const line =
  '* 12 FETCH (UID 4242 FLAGS (\\Seen) ENVELOPE ("Tue, 12 Mar 2024" "Grüße aus Köln, 東京 🎉" NIL) BODY[1]<0> {2048}';

/** Every way the tests decode a few buffers, through whatever toString the package has now. */
function decodings(): string[][] {
  return [line, `\ufeff${line}`, 'short', ''].map((s) => {
    const b = PackageBuffer.from(s);
    return [
      b.toString(),
      b.toString('utf8'),
      b.toString('utf-8'),
      b.toString('latin1'),
      b.toString('utf8', 2, 20),
    ];
  });
}

test('whole-buffer UTF-8 gives what the package gave, BOM kept', () => {
  const before = decodings();
  installBufferFastPaths(PackageBuffer);
  installBufferFastPaths(PackageBuffer);
  const after = decodings();
  assert.deepEqual(after, before);
  assert.equal(PackageBuffer.from(line).toString(), line);
});

test('malformed UTF-8 is replaced as Node replaces it', () => {
  installBufferFastPaths(PackageBuffer);
  const bytes = [...Buffer.from(line), 0xe2, 0x82, 0x41, 0xff, 0xc3];
  assert.equal(PackageBuffer.from(bytes).toString(), Buffer.from(bytes).toString());
});
