/**
 * Bounds the options page enforces on numbers, each with its reason (STYLE.md convention 7).
 * Validation rejects values outside them rather than clamping, so a typo is seen, not obeyed.
 */

/** Minutes between checks: alarms fire at most once a minute in practice; a day is the longest sensible wait. */
export const CHECK_INTERVAL_MINUTES = { min: 1, max: 1440 } as const;
/** Summaries fetched per folder at first sync: at least one; more than 100,000 would fill the store for nothing. */
export const SYNC_WINDOW = { min: 1, max: 100_000 } as const;
/** "Remove from the server after N days": from a day to ten years. */
export const DELETE_AFTER_DAYS = { min: 1, max: 3650 } as const;
/** TCP ports. */
export const PORT = { min: 1, max: 65_535 } as const;
/** Account names appear in the popup's narrow column; longer names would only be cut off. */
export const MAX_NAME_LENGTH = 64;
