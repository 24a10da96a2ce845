/** `assert` for bundled Node libraries: throws on a false condition, like Node's. */
function assert(value: unknown, message?: string): asserts value {
  if (!value) throw new Error(message ?? 'Assertion failed');
}
assert.ok = assert;
/** browserify-zlib's binding checks its own state with loose equality. */
assert.equal = (actual: unknown, expected: unknown, message?: string) => {
  // biome-ignore lint/suspicious/noDoubleEquals: Node's assert.equal is loose equality by definition
  assert(actual == expected, message);
};
export const ok = assert;
export default assert;
