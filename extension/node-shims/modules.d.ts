declare module 'browserify-zlib' {
  const zlib: Record<string, unknown>;
  export = zlib;
}
