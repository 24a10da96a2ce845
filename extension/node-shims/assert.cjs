// `assert` for bundled Node libraries (browserify-zlib). CommonJS on purpose: they call the
// required module itself (`require('assert')(x)`), which an ES module namespace cannot be.
function assert(value, message) {
  if (!value) throw new Error(message || 'Assertion failed');
}
assert.ok = assert;
// Node's assert.equal is loose equality by definition; browserify-zlib checks its state with it.
// biome-ignore lint/suspicious/noDoubleEquals: see above
assert.equal = (actual, expected, message) => assert(actual == expected, message);
module.exports = assert;
