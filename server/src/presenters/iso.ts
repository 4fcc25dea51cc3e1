/** The one time format on the wire (answers and webhooks alike): RFC 3339 UTC. */

/** 10000-01-01T00:00:00Z: from there on `Date#toISOString` writes six-digit years. */
const YEAR_10000 = 253_402_300_800_000;
const DAY_MS = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * Millisecond timestamps to RFC 3339 UTC, exactly as `new Date(ms).toISOString()` writes them.
 * Worked out with integer arithmetic (the civil date from a day count, H. Hinnant's algorithm)
 * because every friend view writes two and the Date object each one needs costs about four times
 * the arithmetic (measured 0.55-0.73 µs against 0.15-0.19 µs); times before 1970 or from year
 * 10000 on, and fractions of a millisecond, are left to Date.
 */
export function iso(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Days since 0000-03-01, in 400-year eras: a year then ends with February and its leap day.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const marchMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * marchMonth + 2) / 5) + 1;
  const month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(rest - seconds * 1000)}Z`;
}
