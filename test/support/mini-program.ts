/** Helpers for tests of how links reach the mini program: raw image answers and what their QR codes say. */
import { decodeQrPng } from './platform-sandbox';

/** An HTTP answer with its body as bytes (a PNG must not go through text). */
export interface BytesAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** GETs `url` and keeps the body's bytes. */
export async function fetchBytes(url: string, headers: Record<string, string> = {}): Promise<BytesAnswer> {
  const response = await fetch(url, { headers, redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** The text of the QR code in a served PNG; throws when the image holds none, so a test says why. */
export function qrTextOf(png: Buffer): string {
  const text = decodeQrPng(png);
  if (text === undefined) throw new Error(`no QR code found in the ${png.length}-byte image`);
  return text;
}

/** Where the sandbox's mini program code of a link leads: the H5 pay page with `scene` = the link's code. */
export function sandboxCodeTarget(serverUrl: string, code: string): string {
  return `${serverUrl}/app/#/pages/pay/index?scene=${encodeURIComponent(code)}`;
}

/** A phone browser outside WeChat (iOS Safari). */
export const PHONE_USER_AGENT = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
/** WeChat's in-app browser on Android. */
export const WECHAT_USER_AGENT =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.120 Mobile Safari/537.36 XWEB/1220099 MMWEBSDK/20240301 MMWEBID/1234 MicroMessenger/8.0.49.2600(0x28003133) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';
/** A desktop browser. */
export const DESKTOP_USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
