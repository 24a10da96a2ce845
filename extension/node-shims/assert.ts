/** `assert` for bundled Node libraries: throws on a false condition, like Node's. */
function assert(value: unknown, message?: string): asserts value {
  if (!value) throw new Error(message ?? 'Assertion failed');
}
assert.ok = assert;
assert.equal = (a: unknown, b: unknown, message?: string) => assert(a == b, message);
assert.notEqual = (a: unknown, b: unknown, message?: string) => assert(a != b, message);
export const ok = assert;
export default assert;
