/** Byte counts as people read them: `512 B`, `1.3 kB`, `4.5 MB` (decimal units, as file managers show). */

const UNITS = ['kilobyte', 'megabyte', 'gigabyte'] as const;

/** A size for attachment lists, in the given locale's number format. */
export function formatSize(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1000) return `${new Intl.NumberFormat(locale).format(Math.round(bytes))} B`;
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: 'short',
    // One decimal while it says something (1.3 kB), none once the number is long (245 kB).
    maximumFractionDigits: value < 10 ? 1 : 0,
  }).format(value);
}
