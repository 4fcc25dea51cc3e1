/** Where a landing page is being opened, as far as its User-Agent tells. */

/** WeChat's in-app browser, a phone's browser (or another app's web view), or a desktop browser. */
export type Opener = 'wechat' | 'phone' | 'desktop';

/** WeChat's browser on every platform (phone and desktop clients) says `MicroMessenger`. */
const WECHAT_PATTERN = /MicroMessenger/i;
/** Phones and tablets: iOS, Android, and the `Mobile` token other mobile browsers carry. */
const PHONE_PATTERN = /iPhone|iPad|iPod|Android|Mobile|HarmonyOS/i;

/** Classifies a User-Agent header; a missing one counts as a desktop (it gets the code to scan, which works anywhere). */
export function openerOf(userAgent: string | undefined): Opener {
  if (userAgent === undefined) return 'desktop';
  if (WECHAT_PATTERN.test(userAgent)) return 'wechat';
  return PHONE_PATTERN.test(userAgent) ? 'phone' : 'desktop';
}
