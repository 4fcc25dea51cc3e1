/** Turning numbers and times into what people read, and what they type back into fen. */
import { formatChinaShortTime } from '@shared/china-time';
import type { Messages } from './i18n/messages';

const pad = (value: number): string => String(value).padStart(2, '0');

/** `90061000` ms -> `1天 01:01:01` (zh) / `1d 01:01:01` (en); never negative. */
export function formatCountdown(ms: number, t: Messages): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  return `${days > 0 ? t.days(days) : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
}

/** An RFC 3339 time as `MM-DD HH:mm` in China time, as the server's pages show it (shared/china-time.ts). */
export function formatShortTime(iso: string): string {
  return formatChinaShortTime(iso);
}

/**
 * What a friend typed as yuan (`12`, `12.3`, `12.34`, `¥12.34`) -> fen, or undefined when it is
 * not an amount. Parsed as text, never through floats, so `0.29` is 29 fen and not 28.
 */
export function parseYuanInput(text: string): number | undefined {
  const match = /^\s*[¥￥]?\s*(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(text);
  if (match === null) return undefined;
  const [, yuan = '0', cents = ''] = match;
  return Number(yuan) * 100 + Number(cents.padEnd(2, '0'));
}
