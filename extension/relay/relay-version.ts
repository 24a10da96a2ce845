/**
 * Which relay this extension needs. The relay names its software version in its answer to
 * `hello` (relay/PROTOCOL.md); relays before 0.2.0 do not know `hello` at all.
 */

/**
 * The oldest relay this extension works with: 0.2.0 is the first that answers `hello` and
 * pairs by native messaging. Raise it when the extension starts relying on something newer.
 */
export const MIN_RELAY_VERSION = '0.2.0';

/** `1.2.3` as numbers; anything after the third number (`-beta`) is ignored. Null if not a version. */
function parts(version: string): [number, number, number] | null {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

/** Whether `version` is at least MIN_RELAY_VERSION (or `min`). Unparseable versions are too old. */
export function relayVersionSupported(version: string, min: string = MIN_RELAY_VERSION): boolean {
  const have = parts(version);
  const need = parts(min)!;
  if (!have) return false;
  for (let i = 0; i < 3; i++) {
    if (have[i]! !== need[i]!) return have[i]! > need[i]!;
  }
  return true;
}
