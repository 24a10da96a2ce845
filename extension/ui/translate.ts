/**
 * The shape of a UI-string lookup, apart from where the strings come from: pages and the
 * worker pass `t` (i18n.ts, the browser's `i18n.getMessage`); unit tests of pure code pass a
 * `translator` over the same `messages.en.json` files, so they check the shipped English text.
 */

/** The localised string for `key`, with `$1`… filled from `substitutions`. */
export type Translate = (key: string, ...substitutions: Array<string | number>) => string;

/** A `messages.json`-shaped table. */
export type MessageTable = Record<string, { message: string; description?: string }>;

/**
 * `$1`…`$9` replaced by the substitutions and `$$` by `$`, as `i18n.getMessage` does for
 * messages without named placeholders; a missing key is shown as `⟦key⟧`, like `t`.
 */
export function translator(table: MessageTable): Translate {
  return (key, ...substitutions) => {
    const entry = table[key];
    if (!entry) return `⟦${key}⟧`;
    return entry.message.replace(/\$(\$|[1-9])/g, (_, which: string) =>
      which === '$' ? '$' : String(substitutions[Number(which) - 1] ?? ''),
    );
  };
}
