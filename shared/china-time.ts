/**
 * Times as people in China read them: Asia/Shanghai, which is UTC+8 all year (no daylight saving
 * since 1991), computed without Intl, which some WeChat JavaScript engines lack. The API itself
 * speaks RFC 3339 UTC; only what a person reads is China time, on the server's pages and in the
 * mini program alike, whatever the time zone of the server or the phone.
 */

const CHINA_OFFSET_MS = 8 * 3600_000;

const pad = (value: number): string => String(value).padStart(2, '0');

/** A moment as epoch milliseconds or an RFC 3339 string. */
export type Moment = number | string;

function toMs(at: Moment): number {
  return typeof at === 'number' ? at : Date.parse(at);
}

/** The China wall-clock fields of a moment, or undefined for an unreadable one. */
function chinaFields(at: Moment): { year: number; month: number; day: number; hour: number; minute: number; second: number } | undefined {
  const ms = toMs(at);
  if (!Number.isFinite(ms)) return undefined;
  // Shifted by eight hours, the UTC fields of the date are China's wall clock.
  const shifted = new Date(ms + CHINA_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

/** `2026-12-03 10:13` in China time ('' for an unreadable moment). */
export function formatChinaDateTime(at: Moment): string {
  const f = chinaFields(at);
  return f === undefined ? '' : `${f.year}-${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}`;
}

/** `12-03 10:13` in China time: enough for something that happened in the last days. */
export function formatChinaShortTime(at: Moment): string {
  const f = chinaFields(at);
  return f === undefined ? '' : `${pad(f.month)}-${pad(f.day)} ${pad(f.hour)}:${pad(f.minute)}`;
}

/** `2026-12-03 10:13:05` in China time: a receipt's time. */
export function formatChinaSecondTime(at: Moment): string {
  const f = chinaFields(at);
  return f === undefined ? '' : `${formatChinaDateTime(at)}:${pad(f.second)}`;
}

/** What to call China time next to a time: `北京时间` / `China time`. */
export const chinaTimeName = { zh: '北京时间', en: 'China time' } as const;
