import { trimOws } from './header-value.js';

/**
 * HTTP-date (RFC 9110 5.6.7): IMF-fixdate, and the obsolete rfc850-date and asctime-date that a
 * recipient "MUST accept". Nothing else: `Date.parse` takes ISO strings, numbers-as-years,
 * lower-case names and local time zones, and a cache that reads `Expires: 2030` as a date would
 * serve for years. "HTTP-date is case sensitive", so `sun, 06 nov 1994 ...` and `... gmt` fail.
 * Calendar checks: day within the month (leap years), hour 0-23, minute 0-59, second 0-60 (60
 * for a leap second, as the grammar allows). The day-name is checked against the grammar only:
 * it is redundant with the date and the RFC gives no rule for a mismatch.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const DAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const DAY_L = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

// IMF-fixdate = day-name "," SP day SP month SP year SP time-of-day SP "GMT"
const IMF = new RegExp(`^(?:${DAY}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
// rfc850-date = day-name-l "," SP day "-" month "-" 2DIGIT SP time-of-day SP "GMT"
const RFC850 = new RegExp(`^(?:${DAY_L}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
// asctime-date = day-name SP month SP ( 2DIGIT / ( SP DIGIT ) ) SP time-of-day SP year
const ASCTIME = new RegExp(`^(?:${DAY}) (${MONTH}) ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * Epoch ms, or null when `s` is not an HTTP-date. `nowMs` places an rfc850 two-digit year:
 * 5.6.7 says a year that "appears to be more than 50 years in the future" is "the most recent
 * year in the past that had the same last two digits". Without `nowMs` (this module reads no
 * clock) the POSIX pivot applies: 69 and below are 20xx, 70 and above 19xx.
 */
export function parseHttpDate(s: string, nowMs?: number): number | null {
  const v = trimOws(s);
  let m = IMF.exec(v);
  if (m) return build(num(m[3]), m[2]!, num(m[1]), m[4]!, m[5]!, m[6]!);
  m = ASCTIME.exec(v);
  if (m) return build(num(m[6]), m[1]!, num(m[2]!.trim()), m[3]!, m[4]!, m[5]!);
  m = RFC850.exec(v);
  if (!m) return null;
  const yy = num(m[3]);
  if (nowMs === undefined) return build(yy < 70 ? 2000 + yy : 1900 + yy, m[2]!, num(m[1]), m[4]!, m[5]!, m[6]!);
  // The latest year ending in yy that is not more than 50 years ahead of now; chosen on the
  // unvalidated instant so that 29-Feb of a non-leap candidate is refused, not skipped.
  const limit = new Date(nowMs);
  limit.setUTCFullYear(limit.getUTCFullYear() + 50);
  const nowYear = new Date(nowMs).getUTCFullYear();
  let year = nowYear - (nowYear % 100) + yy + 100;
  const timeMs = ((num(m[4]) * 60 + num(m[5])) * 60 + num(m[6])) * 1000;
  while (instant(year, MONTHS.indexOf(m[2]!), num(m[1]), timeMs) > limit.getTime()) year -= 100;
  return build(year, m[2]!, num(m[1]), m[4]!, m[5]!, m[6]!);
}

function num(s: string | undefined): number {
  return Number.parseInt(s!, 10);
}

function build(year: number, monthName: string, day: number, hh: string, mm: string, ss: string): number | null {
  const month = MONTHS.indexOf(monthName);
  const h = num(hh);
  const mi = num(mm);
  const sec = num(ss);
  if (h > 23 || mi > 59 || sec > 60 || day < 1 || day > daysInMonth(year, month)) return null;
  return instant(year, month, day, ((h * 60 + mi) * 60 + sec) * 1000);
}

/**
 * Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not. Day and time are added after,
 * so a leap second (23:59:60) rolls into the next day instead of being lost.
 */
function instant(year: number, month: number, day: number, timeMs: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 1);
  return d.getTime() + (day - 1) * 86_400_000 + timeMs;
}

function daysInMonth(year: number, month: number): number {
  if (month === 1) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month]!;
}
