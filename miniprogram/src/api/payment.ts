/** Paying: idempotency keys, WeChat's pay sheet in production builds, and waiting for the result. */
import Taro from '@tarojs/taro';
import type { PaymentView, RequestPaymentParams } from '@shared/api-types';
import type { PaymentStatus } from '@shared/states';
import { ApiError } from './http';

/** A fresh `Idempotency-Key`: one per pay attempt, reused when that same attempt is retried. */
export function newIdempotencyKey(now: number = Date.now()): string {
  const random = () => Math.floor(Math.random() * 0x1_0000_0000).toString(36);
  return `mp-${now.toString(36)}-${random()}${random()}`;
}

/** What came out of WeChat's pay sheet. */
export type PaySheetOutcome = 'paid' | 'cancelled' | 'failed';

/** Production builds: WeChat's own pay sheet with the parameters the server signed. */
export async function requestWechatPayment(params: RequestPaymentParams): Promise<PaySheetOutcome> {
  try {
    await Taro.requestPayment({ ...params });
    return 'paid';
  } catch (error: unknown) {
    const message = typeof error === 'object' && error !== null && 'errMsg' in error ? String((error).errMsg) : '';
    // WeChat reports a closed sheet as "requestPayment:fail cancel"; anything else is a failure.
    return /cancel/i.test(message) ? 'cancelled' : 'failed';
  }
}

/** Statuses after which a payment will not change by itself any more (refunds aside). */
const SETTLED: readonly PaymentStatus[] = ['paid', 'refunding', 'refunded', 'closed', 'failed'];

/** True once a payment has a final answer. */
export function isSettled(payment: PaymentView): boolean {
  return SETTLED.includes(payment.status);
}

/** True when the friend's money went through (even if it was later refunded). */
export function wasPaid(payment: PaymentView): boolean {
  return payment.status === 'paid' || payment.status === 'refunding' || payment.status === 'refunded';
}

/**
 * Waits after the pay sheet: WeChat Pay's notification usually lands within a second, and the
 * server queries WeChat itself after a few, so ask often at first and then less and less.
 */
export const POLL_DELAYS_MS: readonly number[] = [0, 500, 1000, 1500, 2000, 3000, 5000];
/** After this long the page stops asking and tells the friend to check back. */
export const POLL_DEADLINE_MS = 60_000;

/** Options of `pollPayment`. */
export interface PollOptions {
  /** @default POLL_DELAYS_MS (the last delay repeats) */
  delaysMs?: readonly number[];
  /** @default POLL_DEADLINE_MS */
  deadlineMs?: number;
  /** Checked before every request: the page went away. */
  isCancelled?: () => boolean;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Asks `fetchPayment` with backoff until the payment is settled. Resolves to the settled payment,
 * or `undefined` when the deadline passed (or the page went away) first. A dropped connection or
 * a struggling server is retried; any other error is thrown.
 */
export async function pollPayment(fetchPayment: () => Promise<PaymentView>, options: PollOptions = {}): Promise<PaymentView | undefined> {
  const delays = options.delaysMs ?? POLL_DELAYS_MS;
  const sleep = options.sleep ?? sleepFor;
  const deadline = Date.now() + (options.deadlineMs ?? POLL_DEADLINE_MS);
  for (let attempt = 0; ; attempt += 1) {
    const delay = delays[Math.min(attempt, delays.length - 1)] ?? 0;
    if (delay > 0) await sleep(delay);
    if (options.isCancelled?.() === true || Date.now() > deadline) return undefined;
    try {
      const payment = await fetchPayment();
      if (isSettled(payment)) return payment;
    } catch (error: unknown) {
      if (!(error instanceof ApiError) || !error.transient) throw error;
    }
  }
}
