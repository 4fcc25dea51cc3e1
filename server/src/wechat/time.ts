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
