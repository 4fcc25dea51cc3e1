/**
 * After-sale refunds a shop asks for (`POST /v1/orders/{id}/refunds`): part or all of what friends
 * paid goes back, split over the contributions in proportion to what each paid, or from one
 * payment. The refunds are written in one transaction with the shop's Idempotency-Key, so the
 * same request sent again (even after a crash lost its answer) finds them instead of refunding
 * twice; then they are pushed to WeChat Pay (refund-runner.ts).
 */
import { AppError } from '../errors/app-error';
import { onRefundCreated } from '../live/settlement-hooks';
import { getOrderForShop } from '../orders/order-service';
import type { ServiceDeps } from '../service-deps';
import type { RefundRecord, ShopRecord } from '../store/records';
import { advanceRefund } from './refund-runner';
import { contributionBalances, refundRefusal, splitRefund } from './refund-rules';
import { newRefund } from './settlement';

/** What the shop asked for. */
export interface RefundRequest {
  amount: number;
  /** The shop's words, shown to the payer by WeChat. */
  reason: string | undefined;
  /** Refund from this payment only; otherwise split over every contribution. */
  paymentId: string | undefined;
  /** The request's Idempotency-Key. */
  requestKey: string;
}

/** Writes the refunds of a request once (or finds those already written for its key). */
function recordRefunds(deps: ServiceDeps, orderId: string, request: RefundRequest): Promise<RefundRecord[]> {
  return deps.store.transaction(async (tx) => {
    const now = deps.clock.now();
    const order = await tx.getOrder(orderId, true);
    if (order === undefined) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId}.`);
    const refunds = await tx.listRefundsOfOrder(order.id);
    const earlier = refunds.filter((refund) => refund.requestKey === request.requestKey);
    if (earlier.length > 0) {
      const sameRequest = earlier.reduce((sum, refund) => sum + refund.amount, 0) === request.amount && (request.paymentId === undefined || earlier.every((refund) => refund.paymentId === request.paymentId));
      if (!sameRequest) throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was used for another refund of this order.');
      return earlier;
    }
    if (order.status === 'pending') throw new AppError('ORDER_NOT_PAID', `Order ${order.id} is still being paid; cancel it to give friends their money back.`);
    const payments = await tx.listPaymentsOfOrder(order.id);
    let balances = contributionBalances(payments, refunds);
    if (request.paymentId !== undefined) {
      if (!payments.some((payment) => payment.id === request.paymentId)) throw new AppError('PAYMENT_NOT_FOUND', `Order ${order.id} has no payment ${request.paymentId}.`);
      balances = balances.filter((balance) => balance.payment.id === request.paymentId);
    }
    const left = balances.reduce((sum, balance) => sum + balance.left, 0);
    if (left === 0) throw new AppError('NOTHING_TO_REFUND', request.paymentId === undefined ? `Everything paid for order ${order.id} has gone back already.` : `Everything of payment ${request.paymentId} that counted toward the order has gone back already.`);
    if (request.amount > left) throw new AppError('REFUND_EXCEEDS_PAID', `At most ${left} fen is left to refund${request.paymentId === undefined ? '' : ` of payment ${request.paymentId}`}.`);
    const amounts = splitRefund(request.amount, balances.map((balance) => ({ weight: balance.payment.keptAmount, left: balance.left })));
    const shares = balances.flatMap((balance, index) => {
      const amount = amounts[index] ?? 0;
      return amount > 0 ? [{ balance, amount }] : [];
    });
    // WeChat would refuse these: say so now, before anything is written or sent.
    for (const { balance } of shares) {
      const refusal = refundRefusal(balance, now);
      if (refusal) throw refusal;
    }
    const created: RefundRecord[] = [];
    for (const { balance, amount } of shares) {
      const refund = newRefund(deps, balance.payment, amount, 'after_sale', now, { note: request.reason ?? null, requestKey: request.requestKey });
      await tx.insertRefund(refund);
      // "Refund on its way" to the payer, if they subscribed (live status in the chat).
      await onRefundCreated(deps, tx, refund, balance.payment, now);
      await tx.updatePayment(balance.payment.id, { status: 'refunding', updatedAt: now }, ['paid', 'refunding']);
      created.push(refund);
    }
    return created;
  });
}

/**
 * Refunds part or all of what was paid for a shop's order, each part to the friend who paid it,
 * and sends the refunds to WeChat Pay at once; answers them as they now stand.
 */
export async function refundOrder(deps: ServiceDeps, shop: ShopRecord, orderId: string, request: RefundRequest): Promise<RefundRecord[]> {
  const order = await getOrderForShop(deps, shop, orderId);
  const refunds = await recordRefunds(deps, order.id, request);
  for (const refund of refunds) {
    if (refund.status === 'pending') await advanceRefund(deps, refund);
  }
  return Promise.all(refunds.map(async (refund) => (await deps.store.getRefund(refund.id)) ?? refund));
}

/** A refund of this shop; 404 for anyone else's. */
export async function getRefundForShop(deps: ServiceDeps, shop: ShopRecord, refundId: string): Promise<RefundRecord> {
  const refund = await deps.store.getRefund(refundId);
  if (refund === undefined || refund.shopId !== shop.id) throw new AppError('NOT_FOUND', `No refund ${refundId} for this shop.`);
  return refund;
}
