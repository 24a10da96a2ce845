/**
 * Entry point `reader.js` of the build. The reader needs no page of its own: mail HTML is shown
 * in a sandboxed srcdoc iframe created by extension/ui/reader/reader-body.tsx inside the popup,
 * and that frame runs no script at all. Kept as an empty module so the build entry stays valid.
 */
export {};
