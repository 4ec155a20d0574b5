/** "3 min ago", "yesterday", "in 2 days": a time relative to `now`, in the page's language. */
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/**
 * @example
 * relativeTime(Date.now() - 120_000); // '2 minutes ago'
 */
export function relativeTime(ms: number, now = Date.now(), locale?: string): string {
  const diff = ms - now;
  if (Math.abs(diff) < 45_000) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(diff) >= size || unit === 'minute') return rtf.format(Math.round(diff / size), unit);
  }
  return rtf.format(Math.round(diff / 60_000), 'minute');
}
