/**
 * Whole numbers typed into text fields: digits only (no sign, exponent or decimals, which
 * `Number()` would accept), within the given bounds.
 */

/** The integer in `text` if it is only digits and within `bounds`, else null. */
export function parseBoundedInt(text: string, bounds: { min: number; max: number }): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,9}$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= bounds.min && value <= bounds.max ? value : null;
}
