import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError, toStoreError } from './errors.ts';

test('DOMException names map to store codes, keeping the original as cause', () => {
  const cases: [string, string][] = [
    ['QuotaExceededError', 'quota_exceeded'],
    ['VersionError', 'version'],
    ['ConstraintError', 'conflict'],
    ['DataError', 'invalid'],
    ['DataCloneError', 'invalid'],
    ['NotFoundError', 'not_found'],
    ['AbortError', 'aborted'],
    ['InvalidStateError', 'unavailable'],
    ['UnknownError', 'unavailable'],
    ['SomethingNew', 'unknown'],
  ];
  for (const [name, code] of cases) {
    const original = new DOMException(`the ${name}`, name);
    const mapped = toStoreError(original);
    assert.ok(mapped instanceof StoreError);
    assert.equal(mapped.code, code, name);
    assert.equal(mapped.message, `the ${name}`);
    assert.equal(mapped.cause, original);
  }
});

test('a StoreError passes through; anything else is unknown', () => {
  const own = new StoreError('not_found', 'x');
  assert.equal(toStoreError(own), own);
  assert.equal(toStoreError('boom').code, 'unknown');
  assert.equal(toStoreError(new TypeError('bad')).code, 'unknown');
  assert.equal(toStoreError(null).message, 'null');
  // Errors that only carry a DOMException-like name (as some fakes throw) still map.
  assert.equal(toStoreError({ name: 'QuotaExceededError' }).code, 'quota_exceeded');
});
