/** The slice of `util` bundled Node libraries use (browserify-zlib: `inherits`). */
export function inherits(ctor: { prototype: object }, superCtor: { prototype: object }): void {
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
  Object.setPrototypeOf(ctor, superCtor);
}
export const TextDecoder = globalThis.TextDecoder;
export const TextEncoder = globalThis.TextEncoder;
export function deprecate<T>(fn: T): T {
  return fn;
}
export default { inherits, TextDecoder, TextEncoder, deprecate };
