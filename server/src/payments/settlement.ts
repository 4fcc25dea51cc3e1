/**
 * Where money is accounted for. Each function here is one store transaction: a WeChat Pay
 * success is applied once (by event id and by payment status), the order's paid amount never
 * passes its total, and anything the order cannot take becomes a refund to the payer who paid it.
 */
import type { ServiceDeps } from '../service-deps';
import type { LinkRecord, OrderRecord, PaymentRecord, RefundReason, RefundRecord } from '../store/records';
import type { StoreTx } from '../store/store';
import { EVENT_TYPE_REFUND_SUCCESS, EVENT_TYPE_TRANSACTION_SUCCESS } from '../wechat/consts';
import { linkPaidEvent, paymentRefundedEvent } from '../webhooks/webhook-events';
import { PAYABLE_GRACE_MS } from './payment-rules';

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
function newRefund(deps: ServiceDeps, payment: PaymentRecord, amount: number, reason: RefundReason, now: number): RefundRecord {
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
 * same UPDATE): link paid, other links void, `link.paid` written.
 */
async function completePaidOrder(deps: ServiceDeps, tx: StoreTx, order: OrderRecord, link: LinkRecord, payment: PaymentRecord, now: number): Promise<void> {
  const paidLink = await tx.updateLink(link.id, { status: 'paid', closedAt: now }, ['active', 'expired']);
  await tx.voidActiveLinks(order.id, now, link.id);
  const payments = await tx.listPaymentsOfOrder(order.id);
  await tx.insertEvent(linkPaidEvent(deps.ids, { order, link, linkStatus: paidLink?.status ?? 'paid', payment, payments }, now));
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
    const payment = await tx.getPaymentByOutTradeNo(paid.outTradeNo, true);
    if (payment === undefined) return { kind: 'unknown' } as const;
    if (payment.amount !== paid.amount) return { kind: 'mismatch', reason: `amount ${paid.amount} differs from the payment's ${payment.amount}` } as const;
    if (payment.payerOpenid !== paid.payerOpenid) return { kind: 'mismatch', reason: 'payer differs from the payment\'s' } as const;
    if (eventId !== undefined) await tx.recordNotification(eventId, EVENT_TYPE_TRANSACTION_SUCCESS, now);
    if (!['created', 'closed', 'failed'].includes(payment.status)) return { kind: 'duplicate', payment } as const;

    const order = await tx.getOrder(payment.orderId, true);
    const link = await tx.getLink(payment.linkId, true);
    if (order === undefined || link === undefined) throw new Error(`payment ${payment.id} has no order or link`);
    const canTake = order.status === 'pending' && linkTakes(link, paid.paidAt);
    const owed = canTake ? Math.max(0, order.amountTotal - order.amountPaid) : 0;
    const kept = Math.min(owed, payment.amount);
    const excess = payment.amount - kept;

    const updated = await tx.updatePayment(
      payment.id,
      { status: excess > 0 ? 'refunding' : 'paid', transactionId: paid.transactionId, paidAt: paid.paidAt, keptAmount: kept, updatedAt: now },
      ['created', 'closed', 'failed'],
    );
    if (updated === undefined) throw new Error(`payment ${payment.id} changed inside its own transaction`);

    let refund: RefundRecord | undefined;
    if (excess > 0) {
      // A pending order that could take the payment always owes something, so kept > 0 there.
      const reason: RefundReason = kept > 0 ? 'over_contribution' : order.status === 'paid' ? 'order_already_paid' : 'link_unpayable';
      refund = newRefund(deps, updated, excess, reason, now);
      await tx.insertRefund(refund);
    }
    let orderPaid = false;
    if (kept > 0) {
      // One UPDATE takes the contribution and, when it completes the order, marks it paid.
      orderPaid = order.amountPaid + kept >= order.amountTotal;
      const after = await tx.updateOrder(order.id, { amountPaid: order.amountPaid + kept, updatedAt: now, ...(orderPaid ? { status: 'paid' as const } : {}) }, ['pending']);
      if (after === undefined) throw new Error(`order ${order.id} left pending inside its own transaction`);
      if (orderPaid) await completePaidOrder(deps, tx, after, link, updated, now);
    }
    return { kind: 'applied', payment: updated, orderPaid, refund } as const;
  });
}

/** What WeChat Pay says was refunded. */
export interface CompletedRefund {
  outRefundNo: string;
  wechatRefundId: string;
  amount: number;
}

/** Applies a refund's success once: the payer's payment, the order's refunded total, `payment.refunded`. */
export async function applyRefundSuccess(deps: ServiceDeps, done: CompletedRefund, eventId?: string): Promise<'applied' | 'duplicate' | 'unknown' | 'mismatch'> {
  const outcome = await deps.store.transaction(async (tx): Promise<'applied' | 'duplicate' | 'unknown' | 'mismatch'> => {
    const now = deps.clock.now();
    const refund = await tx.getRefundByOutRefundNo(done.outRefundNo, true);
    if (refund === undefined) return 'unknown';
    if (refund.amount !== done.amount) return 'mismatch';
    if (eventId !== undefined) await tx.recordNotification(eventId, EVENT_TYPE_REFUND_SUCCESS, now);
    const succeeded = await tx.updateRefund(refund.id, { status: 'succeeded', wechatRefundId: done.wechatRefundId, succeededAt: now, updatedAt: now, lastError: null }, ['pending', 'processing']);
    if (succeeded === undefined) return 'duplicate';
    const payment = await tx.getPayment(refund.paymentId, true);
    const order = await tx.getOrder(refund.orderId, true);
    if (payment === undefined || order === undefined) throw new Error(`refund ${refund.id} has no payment or order`);
    const refundedAmount = payment.refundedAmount + refund.amount;
    const outstanding = (await tx.listRefundsOfOrder(order.id)).some((r) => r.paymentId === payment.id && (r.status === 'pending' || r.status === 'processing'));
    const status = refundedAmount >= payment.amount ? 'refunded' : outstanding ? 'refunding' : 'paid';
    await tx.updatePayment(payment.id, { refundedAmount, status, updatedAt: now }, ['paid', 'refunding']);
    await tx.updateOrder(order.id, { amountRefunded: order.amountRefunded + refund.amount, updatedAt: now }, ['pending', 'paid', 'cancelled', 'closed']);
    await tx.insertEvent(paymentRefundedEvent(deps.ids, refund, payment, order, now, await tx.listPaymentsOfOrder(order.id)));
    return 'applied';
  });
  if (outcome === 'applied') deps.metrics.payment('refunded');
  return outcome;
}

/**
 * Cancels a pending order: links void, and every yuan friends paid becomes a refund to the
 * friend who paid it. Open payments are closed by the reconciler (the order is no longer pending).
 */
export async function cancelOrderAndRefund(deps: ServiceDeps, orderId: string): Promise<{ changed: boolean; order: OrderRecord; refunds: RefundRecord[] } | undefined> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const order = await tx.getOrder(orderId, true);
    if (order === undefined) return undefined;
    const cancelled = await tx.updateOrder(order.id, { status: 'cancelled', cancelledAt: now, updatedAt: now }, ['pending']);
    if (cancelled === undefined) return { changed: false, order, refunds: [] };
    await tx.voidActiveLinks(order.id, now);
    const refunds: RefundRecord[] = [];
    for (const payment of await tx.listPaymentsOfOrder(order.id)) {
      if (payment.keptAmount <= 0 || (payment.status !== 'paid' && payment.status !== 'refunding')) continue;
      const refund = newRefund(deps, payment, payment.keptAmount, 'order_cancelled', now);
      await tx.insertRefund(refund);
      await tx.updatePayment(payment.id, { status: 'refunding', keptAmount: 0, updatedAt: now }, ['paid', 'refunding']);
      refunds.push(refund);
    }
    return { changed: true, order: cancelled, refunds };
  });
}
