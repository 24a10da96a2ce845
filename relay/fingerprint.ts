/**
 * SHA-256 certificate fingerprints as pins. Node's `fingerprint256` writes
 * `AB:CD:…` (32 upper-case hex pairs); users paste them in any case, with or without colons.
 */

/** Upper-case hex without separators, or null when `text` is not a SHA-256 fingerprint. */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : null;
}

/** True when both name the same SHA-256 fingerprint (case and colons ignored). */
export function fingerprintsEqual(a: string, b: string): boolean {
  const x = normaliseFingerprint(a);
  return x !== null && x === normaliseFingerprint(b);
}
