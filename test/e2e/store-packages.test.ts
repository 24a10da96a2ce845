/**
 * The store packages of the built extension (dist/, as `npm run build` left it): each zip is
 * named with package.json's version and holds the browser's manifest at its root, and the
 * Firefox add-on passes `web-ext lint` (addons.mozilla.org's own linter) with no errors.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { version, zipExtension } from '../../scripts/package.ts';
import { tempDir } from '../relay/helpers.ts';

const root = join(import.meta.dirname, '../..');

test('the Chrome and Firefox zips are named with the version and start with the manifest', async () => {
  const out = tempDir('biff-packages-');
  const v = version('package.json');
  assert.equal(v, version('manifest.json'), 'package.json and manifest.json agree');
  for (const target of ['chrome', 'firefox'] as const) {
    const zip = await zipExtension(target, v, out);
    assert.equal(zip, join(out, `biff-${target}-${v}.zip`));
    const bytes = readFileSync(zip);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip file');
    // A zip names every file in plain text: the manifest is there, at the root, not in a folder.
    assert.ok(bytes.includes('manifest.json'));
    assert.ok(!bytes.includes(`${target}/manifest.json`), 'not zipped with its parent folder');
  }
});

test('the Firefox add-on passes web-ext lint with no errors', () => {
  let text: string;
  try {
    text = execFileSync(
      process.execPath,
      [
        join(root, 'node_modules/web-ext/bin/web-ext.js'),
        'lint',
        '-s',
        join(root, 'dist/firefox'),
        '-o',
        'json',
        '--no-config-discovery',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    // web-ext exits 1 when it found errors; the report is still on stdout.
    text = (error as { stdout?: string }).stdout ?? '';
  }
  const report = JSON.parse(text) as {
    summary: { errors: number };
    errors: Array<{ code: string; message: string }>;
  };
  assert.deepEqual(
    report.errors.map((e) => `${e.code}: ${e.message}`),
    [],
  );
  assert.equal(report.summary.errors, 0);
});
