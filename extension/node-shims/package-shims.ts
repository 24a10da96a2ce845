/**
 * npm packages the service-worker bundle replaces with a shim of its own (scripts/build.ts
 * aliases them): both carry large code tables for what the browser's TextDecoder already does.
 */
export const PACKAGE_SHIMS: Readonly<Record<string, string>> = {
  'iconv-lite': 'iconv-lite.ts',
  'encoding-japanese': 'encoding-japanese.ts',
};
