/**
 * Dates as the popup shows them. The list shows the shortest form that is still unambiguous
 * (today: time; this year: day and month; older: the full date); the reader shows date and time.
 * Pure: the clock, locale and time zone come in as arguments so tests pin them.
 */

type Style = 'day-key' | 'time' | 'day-month' | 'date' | 'full';

const OPTIONS: Record<Style, Intl.DateTimeFormatOptions> = {
  // Parts compared to tell "today" and "this year" in the reader's own time zone.
  'day-key': { year: 'numeric', month: 'numeric', day: 'numeric' },
  // HH:MM whatever the locale's default clock: the list column has room for five characters.
  time: { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' },
  'day-month': { day: 'numeric', month: 'short' },
  date: { dateStyle: 'medium' },
  // The same 24-hour clock as the list, so a time reads the same in both places.
  full: {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  },
};

/** Building a DateTimeFormat costs far more than using one, and every row formats a date. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(
  style: Style,
  locale: string | undefined,
  timeZone: string | undefined,
): Intl.DateTimeFormat {
  const key = `${style}|${locale ?? ''}|${timeZone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, timeZone ? { ...OPTIONS[style], timeZone } : OPTIONS[style]);
    formatters.set(key, f);
  }
  return f;
}

function dayParts(ms: number, locale: string | undefined, timeZone: string | undefined) {
  const parts = formatter('day-key', locale, timeZone).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return { year: get('year'), month: get('month'), day: get('day') };
}

/** Where the list shows a date: `14:05` today, `5 Mar` this year, `5 Mar 2023` before. */
export function formatListTime(date: number, now: number, locale?: string, timeZone?: string): string {
  const d = dayParts(date, locale, timeZone);
  const n = dayParts(now, locale, timeZone);
  if (d.year === n.year && d.month === n.month && d.day === n.day)
    return formatter('time', locale, timeZone).format(date);
  if (d.year === n.year) return formatter('day-month', locale, timeZone).format(date);
  return formatter('date', locale, timeZone).format(date);
}

/** Date and time for the reader's header, e.g. `5 Mar 2024, 14:05`. */
export function formatFullDate(date: number, locale?: string, timeZone?: string): string {
  return formatter('full', locale, timeZone).format(date);
}
