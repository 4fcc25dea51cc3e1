/**
 * The rules of giving money back, kept pure so cancel, after-sale refunds and the tests apply the
 * same ones: what each contribution has left, how an amount is split over contributions, and
 * WeChat's limits (50 refunds a payment, within a year of it), checked before WeChat is asked.
 */
import { isCountedRefund } from '../../../shared/states';
import { AppError } from '../errors/app-error';
import type { PaymentRecord, RefundRecord } from '../store/records';
import { MAX_REFUNDS_PER_TRANSACTION, REFUND_PERIOD_MS } from '../wechat/consts';

/** A paid contribution and what can still go back of it. */
export interface ContributionBalance {
  payment: PaymentRecord;
  /** What the order counted of it, less every refund of counted money not closed by WeChat. */
  left: number;
  /** Refunds of this payment so far (every kind): WeChat takes at most 50. */
  refundCount: number;
}

/**
 * The order's contributions (payments whose money it counted), oldest payment first, with what
 * each has left. A refund WeChat closed gave nothing back, so its amount is left again; an
 * abnormal one stays spent: the shop settles it with WeChat.
 */
export function contributionBalances(payments: readonly PaymentRecord[], refunds: readonly RefundRecord[]): ContributionBalance[] {
  return payments
    .filter((payment) => payment.paidAt !== null && payment.keptAmount > 0)
    .sort((a, b) => (a.paidAt ?? 0) - (b.paidAt ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((payment) => {
      const mine = refunds.filter((refund) => refund.paymentId === payment.id);
      const committed = mine.filter((refund) => isCountedRefund(refund.reason) && refund.status !== 'closed').reduce((sum, refund) => sum + refund.amount, 0);
      return { payment, left: Math.max(0, payment.keptAmount - committed), refundCount: mine.length };
    });
}

/** What one share of a split weighs (what the contribution paid) and the most it may take. */
export interface RefundShare {
  weight: number;
  left: number;
}

/**
 * Splits `amount` fen over `shares` (oldest first) in proportion to their weights, by largest
 * remainder, never giving a share more than it has left: a share whose exact quota would pass
 * that gets all it has left, and the rest is split again over the others. Ties of the remainder
 * go to the later share (the latest payment). Returns the amounts in the order of `shares`.
 * Exact in integers: weights and amounts are fen of one order (at most 5e7), so products stay
 * far below 2^53.
 */
export function splitRefund(amount: number, shares: readonly RefundShare[]): number[] {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError(`refund amount ${amount} is not a whole number of fen`);
  const result = shares.map(() => 0);
  let active = shares.flatMap((share, index) => (share.left > 0 && share.weight > 0 ? [index] : []));
  let remaining = amount;
  const at = (index: number): RefundShare => shares[index];
  for (;;) {
    const total = active.reduce((sum, index) => sum + at(index).weight, 0);
    if (remaining > 0 && total === 0) throw new RangeError(`refund amount ${amount} exceeds what the shares have left`);
    // quota = remaining * weight / total; capped when it passes what the share has left.
    const capped = active.filter((index) => remaining * at(index).weight > at(index).left * total);
    if (capped.length === 0) break;
    for (const index of capped) {
      result[index] = at(index).left;
      remaining -= at(index).left;
    }
    active = active.filter((index) => !capped.includes(index));
  }
  if (remaining === 0) return result;
  const total = active.reduce((sum, index) => sum + at(index).weight, 0);
  const parts = active.map((index) => ({ index, floor: Math.floor((remaining * at(index).weight) / total), remainder: (remaining * at(index).weight) % total }));
  let given = 0;
  for (const part of parts) {
    result[part.index] = part.floor;
    given += part.floor;
  }
  // Every quota fits what its share has left, so a quota with a fraction rounds up to at most that.
  parts.sort((a, b) => b.remainder - a.remainder || b.index - a.index);
  for (let k = 0; k < remaining - given; k += 1) {
    const part = parts[k];
    if (part !== undefined) result[part.index] = (result[part.index] ?? 0) + 1;
  }
  return result;
}

/** Why WeChat would refuse another refund of this payment now, as the problem the shop sees; undefined when it would not. */
export function refundRefusal(balance: ContributionBalance, now: number): AppError | undefined {
  const { payment, refundCount } = balance;
  if (refundCount >= MAX_REFUNDS_PER_TRANSACTION) {
    return new AppError('REFUND_LIMIT_REACHED', `Payment ${payment.id} has had ${refundCount} refunds; WeChat Pay refunds a payment at most ${MAX_REFUNDS_PER_TRANSACTION} times.`);
  }
  if (payment.paidAt !== null && now >= payment.paidAt + REFUND_PERIOD_MS) {
    return new AppError('REFUND_PERIOD_OVER', `Payment ${payment.id} was paid more than a year ago; WeChat Pay refunds a payment only within a year.`);
  }
  return undefined;
}
