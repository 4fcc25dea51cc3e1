/**
 * `FriendPay-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, the way Stripe signs
 * webhooks. The verifier sits beside the signer so shops (and our tests) check it the same way.
 */
import crypto from 'node:crypto';

/** The header name. */
export const SIGNATURE_HEADER = 'FriendPay-Signature';
/** How old a delivery may be when verified. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** Signs a webhook body. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** True when the header signs `body` with `secret` and is fresh: parse, HMAC, constant-time compare, window. */
export function verifyWebhook(secret: string, body: string, header: string | undefined, nowSeconds: number, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS): boolean {
  if (header === undefined) return false;
  const parts = new Map(header.split(',').map((part) => {
    const eq = part.indexOf('=');
    return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
  }));
  const t = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(given)) return false;
  const expected = crypto.createHmac('sha256', secret).update(`${t}.${body}`).digest();
  if (!crypto.timingSafeEqual(expected, Buffer.from(given, 'hex'))) return false;
  return Math.abs(nowSeconds - t) <= toleranceSeconds;
}
