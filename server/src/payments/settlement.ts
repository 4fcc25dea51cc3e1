/**
 * Where money is accounted for. Each function here is one store transaction: a WeChat Pay
 * success is applied once (by event id and by payment status), the order's paid amount never
 * passes its total, and anything the order cannot take becomes a refund to the payer who paid it.
 */
import { isCountedRefund } from '../../../shared/states';
import { AppError } from '../errors/app-error';
import type { ServiceDeps } from '../service-deps';
import type { LinkRecord, OrderRecord, PaymentRecord, RefundReason, RefundRecord } from '../store/records';
import type { StoreTx } from '../store/store';
import { isRefundAbnormal, isRefundClosed, isRefundSucceeded } from '../wechat/states';
import { linkPaidEvent, orderRefundedEvent, paymentRefundedEvent, refundAbnormalEvent } from '../webhooks/webhook-events';
import { onContributionApplied, onRefundCreated } from '../live/settlement-hooks';
import { PAYABLE_GRACE_MS } from './payment-rules';
import { contributionBalances, refundRefusal } from './refund-rules';

/** What WeChat Pay says was paid. */
export interface PaidTransaction {
  outTradeNo: string;
  transactionId: string;
  amount: number;
  payerOpenid: string;
  /** When the payer paid (WeChat's success_time), epoch ms. */
  paidAt: number;
}

/** The outcome of applying a success. */
export type SuccessOutcome =
  | { kind: 'applied'; payment: PaymentRecord; orderPaid: boolean; refund: RefundRecord | undefined }
  | { kind: 'duplicate'; payment: PaymentRecord }
  | { kind: 'unknown' }
  | { kind: 'mismatch'; reason: string };

/** A refund record for part or all of a payment, always to that payment's payer. */
export function newRefund(
  deps: ServiceDeps,
  payment: PaymentRecord,
  amount: number,
  reason: RefundReason,
  now: number,
  request: { note: string | null; requestKey: string | null } = { note: null, requestKey: null },
): RefundRecord {
  const id = deps.ids.newId('rfd');
  return {
    id,
    paymentId: payment.id,
    orderId: payment.orderId,
    shopId: payment.shopId,
    payerOpenid: payment.payerOpenid,
    outRefundNo: id.replace(/^rfd_/, 'FR'),
    amount,
    reason,
    note: request.note,
    requestKey: request.requestKey,
    status: 'pending',
    wechatRefundId: null,
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    createdAt: now,
    updatedAt: now,
    succeededAt: null,
  };
}

/** Whether the link still takes a payment the friend made at `paidAt`. */
function linkTakes(link: LinkRecord, paidAt: number): boolean {
  if (link.status === 'active') return true;
  // Paid in time, but the notification came after the link's expiry was applied.
  return link.status === 'expired' && paidAt <= link.expiresAt + PAYABLE_GRACE_MS;
}

/**
 * The rest of an order's completion once it is marked paid (with its last contribution, in the
 * same UPDATE): link paid, other links void, `link.paid` written. `otherPaidPayments` is how many
 * other payments of the order WeChat reported paid: when none, the event's payers are this one
 * alone and the order's payments need no read.
 */
async function completePaidOrder(deps: ServiceDeps, tx: StoreTx, paid: { order: OrderRecord; link: LinkRecord; payment: PaymentRecord; otherPaidPayments: number }, now: number): Promise<void> {
  const { order, link, payment } = paid;
  await tx.endLinksOfPaidOrder(order.id, link.id, now);
  const payments = paid.otherPaidPayments === 0 ? [payment] : await tx.listPaymentsOfOrder(order.id);
  await tx.insertEvent(linkPaidEvent(deps.ids, { order, link, linkStatus: 'paid', payment, payments }, now));
}

/**
 * Applies a WeChat Pay success exactly once. The payment becomes paid whatever state we thought
 * it was in (WeChat has the money); the order takes what it still owes, and the rest (all of it
 * when the link or order can no longer take it) is refunded to this payer.
 */
export async function applyPaymentSuccess(deps: ServiceDeps, paid: PaidTransaction, eventId?: string): Promise<SuccessOutcome> {
  const outcome = await applySuccessInTransaction(deps, paid, eventId);
  if (outcome.kind === 'applied') {
    deps.metrics.payment('paid');
    if (outcome.orderPaid) deps.metrics.linkPaid();
  }
  return outcome;
}

function applySuccessInTransaction(deps: ServiceDeps, paid: PaidTransaction, eventId?: string): Promise<SuccessOutcome> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    // One read: the payment, its order, its link and what the rest of the order holds.
    const found = await tx.getPaymentToSettle(paid.outTradeNo);
    if (found === undefined) return { kind: 'unknown' } as const;
    const { payment, order, link } = found;
    if (payment.amount !== paid.amount) return { kind: 'mismatch', reason: `amount ${paid.amount} differs from the payment's ${payment.amount}` } as const;
    if (payment.payerOpenid !== paid.payerOpenid) return { kind: 'mismatch', reason: 'payer differs from the payment\'s' } as const;
    if (!['created', 'closed', 'failed'].includes(payment.status)) return { kind: 'duplicate', payment } as const;

    const canTake = order.status === 'pending' && linkTakes(link, paid.paidAt);
    const owed = canTake ? Math.max(0, order.amountTotal - order.amountPaid) : 0;
    const kept = Math.min(owed, payment.amount);
    const excess = payment.amount - kept;

    const updated = await tx.updatePaymentFrom(
      payment,
      {
        status: excess > 0 ? 'refunding' : 'paid',
        transactionId: paid.transactionId,
        paidAt: paid.paidAt,
        keptAmount: kept,
        updatedAt: now,
        // Recorded by the update itself: a row of its own, keyed by WeChat's random id, cost a
        // notification about 5% of its server time (a random index page per commit; bench/README.md).
        ...(eventId === undefined ? {} : { notificationId: eventId }),
      },
      ['created', 'closed', 'failed'],
    );
    if (updated === undefined) throw new Error(`payment ${payment.id} changed inside its own transaction`);

    let refund: RefundRecord | undefined;
    if (excess > 0) {
      // A pending order that could take the payment always owes something, so kept > 0 there.
      const reason: RefundReason = kept > 0 ? 'over_contribution' : order.status === 'paid' ? 'order_already_paid' : 'link_unpayable';
      refund = newRefund(deps, updated, excess, reason, now);
      await tx.insertRefund(refund);
      await onRefundCreated(deps, tx, refund, updated, now);
    }
    let orderPaid = false;
    if (kept > 0) {
      // One UPDATE takes the contribution and, when it completes the order, marks it paid.
      orderPaid = order.amountPaid + kept >= order.amountTotal;
      const after = await tx.updateOrderFrom(order, { amountPaid: order.amountPaid + kept, updatedAt: now, ...(orderPaid ? { status: 'paid' as const } : {}) }, ['pending']);
      if (after === undefined) throw new Error(`order ${order.id} left pending inside its own transaction`);
      if (orderPaid) await completePaidOrder(deps, tx, { order: after, link, payment: updated, otherPaidPayments: found.otherPaidPayments }, now);
      // The chat hears of it in this same transaction (card count, "friend paid").
      await onContributionApplied(deps, tx, { link, payment: updated, orderPaid, now, shopperOpenid: found.shopperOpenid });
    }
    return { kind: 'applied', payment: updated, orderPaid, refund } as const;
  });
}

/** How WeChat Pay settled a refund, in our words. */
export type RefundSettlement = 'succeeded' | 'abnormal' | 'closed';

/** A WeChat refund status as the settlement it means; undefined while WeChat is still moving the money. */
export function refundSettlementOf(status: string): RefundSettlement | undefined {
  if (isRefundSucceeded(status)) return 'succeeded';
  if (isRefundAbnormal(status)) return 'abnormal';
  if (isRefundClosed(status)) return 'closed';
  return undefined;
}

/** What WeChat Pay says became of a refund. */
export interface SettledRefund {
  outRefundNo: string;
  /** WeChat's refund id; null when WeChat refused the refund before making one. */
  wechatRefundId: string | null;
  /** Fen WeChat reports; undefined when it reported none (a refusal). */
  amount: number | undefined;
  settlement: RefundSettlement;
}

/**
 * Settles a refund exactly once, whichever word comes first (notification, the refund call's
 * answer, a query): a conditional update from `pending`/`processing` that only one can win. A
 * success counts toward the payment and, for money the order counted, toward the order's
 * `amount_refunded` (a paid order all of whose money went back becomes `refunded`), with
 * `payment.refunded` and, once everything went back, `order.refunded`; an abnormal or closed
 * refund sends `refund.abnormal` and moves no money.
 */
export async function applyRefundSettlement(deps: ServiceDeps, settled: SettledRefund, notification?: { eventId: string; eventType: string }): Promise<'applied' | 'duplicate' | 'unknown' | 'mismatch'> {
  const outcome = await deps.store.transaction(async (tx): Promise<'applied' | 'duplicate' | 'unknown' | 'mismatch'> => {
    const now = deps.clock.now();
    const refund = await tx.getRefundByOutRefundNo(settled.outRefundNo, true);
    if (refund === undefined) return 'unknown';
    if (settled.amount !== undefined && refund.amount !== settled.amount) return 'mismatch';
    if (notification !== undefined) await tx.recordNotification(notification.eventId, notification.eventType, now);
    const succeeded = settled.settlement === 'succeeded';
    const done = await tx.updateRefund(
      refund.id,
      {
        status: settled.settlement,
        ...(settled.wechatRefundId === null ? {} : { wechatRefundId: settled.wechatRefundId }),
        ...(succeeded ? { succeededAt: now, lastError: null } : { lastError: `WeChat Pay refund ${settled.settlement}` }),
        updatedAt: now,
      },
      ['pending', 'processing'],
    );
    if (done === undefined) return 'duplicate';
    const payment = await tx.getPayment(refund.paymentId, true);
    const order = await tx.getOrder(refund.orderId, true);
    if (payment === undefined || order === undefined) throw new Error(`refund ${refund.id} has no payment or order`);
    const refunds = await tx.listRefundsOfOrder(order.id);
    const outstanding = refunds.some((r) => r.paymentId === payment.id && (r.status === 'pending' || r.status === 'processing'));
    const refundedAmount = payment.refundedAmount + (succeeded ? refund.amount : 0);
    const paymentStatus = refundedAmount >= payment.amount ? 'refunded' : outstanding ? 'refunding' : 'paid';
    const updatedPayment = (await tx.updatePayment(payment.id, { refundedAmount, status: paymentStatus, updatedAt: now }, ['paid', 'refunding', 'refunded'])) ?? payment;
    if (!succeeded) {
      const status = settled.settlement === 'closed' ? 'closed' : 'abnormal';
      await tx.insertEvent(refundAbnormalEvent(deps.ids, Object.assign({}, done, { status } as const), updatedPayment, now));
      return 'applied';
    }
    let updatedOrder = order;
    if (isCountedRefund(refund.reason)) {
      const amountRefunded = order.amountRefunded + refund.amount;
      const allBack = amountRefunded >= order.amountPaid;
      updatedOrder =
        (await tx.updateOrder(order.id, { amountRefunded, updatedAt: now, ...(allBack && order.status === 'paid' ? { status: 'refunded' as const } : {}) }, [order.status])) ?? order;
      await tx.insertEvent(paymentRefundedEvent(deps.ids, done, updatedPayment, updatedOrder, now, await tx.listPaymentsOfOrder(order.id)));
      if (allBack) {
        const back = refunds.filter((r) => r.status === 'succeeded' && isCountedRefund(r.reason));
        await tx.insertEvent(orderRefundedEvent(deps.ids, updatedOrder, back, now));
      }
    } else {
      await tx.insertEvent(paymentRefundedEvent(deps.ids, done, updatedPayment, updatedOrder, now, await tx.listPaymentsOfOrder(order.id)));
    }
    return 'applied';
  });
  if (outcome === 'applied' && settled.settlement === 'succeeded') deps.metrics.payment('refunded');
  return outcome;
}

/** What a cancel did: the order as now stored, and the refunds it made (to push to WeChat). */
export interface CancelResult {
  changed: boolean;
  order: OrderRecord;
  refunds: RefundRecord[];
}

/**
 * Cancels an order, pending or paid (in part, in full, or refunded): live links void, and whatever each
 * contribution has left becomes a refund to the friend who paid it, in the same transaction.
 * Refused (nothing changes) when WeChat would refuse one of those refunds. Open payments are
 * closed by the caller (order-cancellation.ts) once this is committed.
 */
export async function cancelOrderAndRefund(deps: ServiceDeps, orderId: string): Promise<CancelResult | undefined> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const order = await tx.getOrder(orderId, true);
    if (order === undefined) return undefined;
    if (order.status === 'cancelled') return { changed: false, order, refunds: [] };
    if (order.status === 'closed') {
      // Closed at its deadline without being paid in full: what friends paid goes back by refund.
      throw new AppError('ORDER_NOT_PENDING', `Order ${order.id} closed at its pay deadline; refund what friends paid with POST /v1/orders/${order.id}/refunds.`);
    }
    const owed = contributionBalances(await tx.listPaymentsOfOrder(order.id), await tx.listRefundsOfOrder(order.id)).filter((balance) => balance.left > 0);
    for (const balance of owed) {
      const refusal = refundRefusal(balance, now);
      if (refusal) throw refusal;
    }
    const cancelled = await tx.updateOrder(order.id, { status: 'cancelled', cancelledAt: now, updatedAt: now }, [order.status]);
    if (cancelled === undefined) throw new Error(`order ${order.id} changed inside its own transaction`);
    await tx.voidActiveLinks(order.id, now);
    // The link that was paid goes void too: the friend who paid it now sees a cancelled order and their refund.
    for (const linkId of new Set(owed.map(({ payment }) => payment.linkId))) await tx.updateLink(linkId, { status: 'void', closedAt: now }, ['paid']);
    const refunds: RefundRecord[] = [];
    for (const { payment, left } of owed) {
      const refund = newRefund(deps, payment, left, 'order_cancelled', now);
      await tx.insertRefund(refund);
      await onRefundCreated(deps, tx, refund, payment, now);
      await tx.updatePayment(payment.id, { status: 'refunding', updatedAt: now }, ['paid', 'refunding']);
      refunds.push(refund);
    }
    return { changed: true, order: cancelled, refunds };
  });
}
