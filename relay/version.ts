/** The relay's software version, from relay/package.json (esbuild inlines it into the bundles). */
import relayPackage from './package.json' with { type: 'json' };

/** e.g. `0.2.0`; sent to the extension in the `hello` frame (PROTOCOL.md) and printed by `--version`. */
export const RELAY_VERSION: string = relayPackage.version;
