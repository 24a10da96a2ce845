/** The account colour swatches offered before the free colour picker. */

/** A swatch: its CSS colour and the i18n key of its name (for screen readers and tooltips). */
export interface Swatch {
  color: string;
  nameKey: string;
}

/** Distinct on light and dark backgrounds, and apart for the common colour-vision deficiencies. */
export const SWATCHES: readonly Swatch[] = [
  { color: '#2563eb', nameKey: 'options_colorBlue' },
  { color: '#d97706', nameKey: 'options_colorOrange' },
  { color: '#059669', nameKey: 'options_colorGreen' },
  { color: '#db2777', nameKey: 'options_colorPink' },
  { color: '#7c3aed', nameKey: 'options_colorPurple' },
  { color: '#0891b2', nameKey: 'options_colorTeal' },
];

/** The first swatch no account uses yet (cycling when all are taken), for a new account. */
export function nextColor(used: readonly string[]): string {
  const taken = new Set(used.map((c) => c.toLowerCase()));
  const free = SWATCHES.find((s) => !taken.has(s.color));
  return (free ?? SWATCHES[used.length % SWATCHES.length]!).color;
}
