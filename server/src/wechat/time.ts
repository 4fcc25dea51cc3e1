import { WECHAT_TIME_OFFSET } from './consts';

const OFFSET_MS = 8 * 60 * 60 * 1000;

/** Formats epoch ms as WeChat Pay writes times: RFC 3339 in China Standard Time, e.g. `2018-06-08T10:34:56+08:00`. */
export function formatWechatTime(epochMs: number): string {
  const shifted = new Date(Math.floor(epochMs / 1000) * 1000 + OFFSET_MS).toISOString();
  return `${shifted.slice(0, 19)}${WECHAT_TIME_OFFSET}`;
}

/** Parses an RFC 3339 time with offset into epoch ms; undefined when it is not one. */
export function parseWechatTime(text: string): number | undefined {
  const value = Date.parse(text);
  return Number.isNaN(value) ? undefined : value;
}

/** The day (`YYYY-MM-DD`) in China Standard Time of epoch ms: the day a bill counts it in. */
export function chinaDayOf(epochMs: number): string {
  return new Date(epochMs + OFFSET_MS).toISOString().slice(0, 10);
}

/** The epoch ms at which `day` (`YYYY-MM-DD`) starts and ends in China Standard Time; undefined for no such day. */
export function chinaDayRange(day: string): { from: number; to: number } | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const from = Date.parse(`${day}T00:00:00${WECHAT_TIME_OFFSET}`);
  // Date.parse rolls 2026-02-30 over to March: a real day reads back as itself.
  if (Number.isNaN(from) || chinaDayOf(from) !== day) return undefined;
  return { from, to: from + 24 * 60 * 60 * 1000 };
}

/** A bill's time format: `yyyy-MM-dd HH:mm:ss` in China Standard Time. */
export function formatBillTime(epochMs: number): string {
  return formatWechatTime(epochMs).slice(0, 19).replace('T', ' ');
}

/** Reads a bill's `yyyy-MM-dd HH:mm:ss` (China Standard Time) as epoch ms; undefined when it is not one. */
export function parseBillTime(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const value = Date.parse(`${text.replace(' ', 'T')}${WECHAT_TIME_OFFSET}`);
  return Number.isNaN(value) ? undefined : value;
}
