/** `assert` for bundled Node libraries: throws on a false condition, like Node's. */
function assert(value: unknown, message?: string): asserts value {
  if (!value) throw new Error(message ?? 'Assertion failed');
}
assert.ok = assert;
export const ok = assert;
export default assert;
