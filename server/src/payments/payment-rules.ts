/** The small rules of payments, kept pure so every path (create, notify, reconcile) applies the same ones. */
import { AppError } from '../errors/app-error';
import type { LinkRecord, OrderRecord, PaymentRecord } from '../store/records';

/** How long a friend holds a single-mode link while paying; WeChat refuses to close an order younger than 5 minutes. */
export const PAYMENT_LEASE_MS = 5 * 60 * 1000;
/** Time WeChat may still report a payment made just before `time_expire` (clock skew, queues). */
export const PAYABLE_GRACE_MS = 60 * 1000;
/**
 * How far WeChat's clock may run behind ours: a WeChat order whose close failed is treated as
 * unpayable only this long after its time_expire by our clock.
 */
export const WECHAT_CLOCK_SKEW_MS = 5 * 1000;

/** Why a link cannot take a new payment now, as the problem a friend sees; undefined when it can. */
export function linkRefusal(link: LinkRecord, order: OrderRecord, now: number): AppError | undefined {
  if (link.status === 'paid' || order.status === 'paid') return new AppError('LINK_PAID', 'This order has already been paid.');
  if (link.status === 'revoked') return new AppError('LINK_REVOKED', 'The person who sent this link has withdrawn it.');
  if (link.status === 'void' || order.status === 'cancelled' || order.status === 'closed') return new AppError('LINK_VOID', 'This order can no longer be paid.');
  if (link.status === 'expired' || link.expiresAt <= now || order.payDeadline <= now) return new AppError('LINK_EXPIRED', 'This pay link has expired.');
  return undefined;
}

/** What is still owed: total minus what is paid minus what open payments have reserved. */
export function amountDue(order: OrderRecord, openPayments: readonly PaymentRecord[]): number {
  const reserved = openPayments.reduce((sum, payment) => sum + payment.amount, 0);
  return Math.max(0, order.amountTotal - order.amountPaid - reserved);
}

/** Seconds until a lease ends, at least 1 (for `retry_after`). */
export function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

/** Our order number at WeChat Pay for a payment id (`pay_<16 base62>` -> 20 characters, within 6-32). */
export function outTradeNoFor(paymentId: string): string {
  return paymentId.replace(/^pay_/, 'FP');
}

