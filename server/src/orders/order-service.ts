/** Orders: upsert by the shop's own id, read with lazy closing at the deadline, cancel. */
import crypto from 'node:crypto';
import type { Contribution, OrderResponse } from '../../../shared/api-types';
import { maskId } from '../../../shared/mask';
import { sumItems } from '../../../shared/money';
import { AppError } from '../errors/app-error';
import type { OrderRecord, PaymentRecord, RefundRecord, ShopRecord } from '../store/records';
import type { ServiceDeps } from '../service-deps';
import type { OrderInputBody } from './order-schema';
import { advanceRefund } from '../payments/refund-runner';
import { cancelOrderAndRefund } from '../payments/settlement';

/** The longest a pay deadline may lie ahead. */
const MAX_DEADLINE_AHEAD_MS = 30 * 24 * 3600 * 1000;

/** Millisecond timestamps to RFC 3339 UTC. */
export const iso = (ms: number): string => new Date(ms).toISOString();

function fingerprintOf(input: OrderInputBody, payDeadline: number): string {
  const canonical = JSON.stringify([
    input.shop_order_id,
    input.shopper_id,
    input.amount_total,
    input.currency ?? 'CNY',
    input.items.map((item) => [item.title, item.quantity, item.unit_price, item.image_url ?? null]),
    payDeadline,
    input.ship_to ? [input.ship_to.name ?? null, input.ship_to.phone ?? null, input.ship_to.address ?? null] : null,
  ]);
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

function deadlineError(message: string): AppError {
  return new AppError('VALIDATION_FAILED', `pay_deadline ${message}.`, { errors: [{ path: 'pay_deadline', message }] });
}

/** A paid contribution as the shop sees it (payer masked). */
export function presentContribution(payment: PaymentRecord): Contribution {
  return {
    payment_id: payment.id,
    link_id: payment.linkId,
    payer: maskId(payment.payerOpenid),
    amount: payment.amount,
    status: payment.status,
    paid_at: payment.paidAt === null ? null : iso(payment.paidAt),
    refunded_amount: payment.refundedAmount,
  };
}

/** Payments in which money moved. */
export const wasPaid = (payment: PaymentRecord): boolean => payment.paidAt !== null;

/** The shop's view of an order. */
export function presentOrder(order: OrderRecord, payments: readonly PaymentRecord[] = [], refunds: readonly RefundRecord[] = []): OrderResponse {
  return {
    id: order.id,
    shop_order_id: order.shopOrderId,
    shopper_id: order.shopperId,
    status: order.status,
    amount_total: order.amountTotal,
    amount_paid: order.amountPaid,
    amount_refunded: order.amountRefunded,
    amount_due: order.status === 'pending' ? Math.max(0, order.amountTotal - order.amountPaid) : 0,
    currency: order.currency,
    items: order.items,
    pay_deadline: iso(order.payDeadline),
    ship_to: order.shipTo,
    created_at: iso(order.createdAt),
    cancelled_at: order.cancelledAt === null ? null : iso(order.cancelledAt),
    payers: payments.filter(wasPaid).map(presentContribution),
    refunds: refunds.map((refund) => ({
      id: refund.id,
      payment_id: refund.paymentId,
      payer: maskId(refund.payerOpenid),
      amount: refund.amount,
      reason: refund.reason,
      status: refund.status,
      created_at: iso(refund.createdAt),
      succeeded_at: refund.succeededAt === null ? null : iso(refund.succeededAt),
    })),
  };
}

/** Creates the order, or finds the identical one; 409 ORDER_CONFLICT when it differs. */
export async function upsertOrder(
  deps: ServiceDeps,
  shop: ShopRecord,
  input: OrderInputBody,
): Promise<{ created: boolean; order: OrderRecord }> {
  const now = deps.clock.now();
  const payDeadline = Date.parse(input.pay_deadline);
  const itemsTotal = sumItems(input.items);
  if (itemsTotal !== input.amount_total) {
    throw new AppError('AMOUNT_INVALID', `amount_total is ${input.amount_total} fen but the items add up to ${itemsTotal} fen.`);
  }
  const fingerprint = fingerprintOf(input, payDeadline);
  const candidate: OrderRecord = {
    id: deps.ids.newId('ord'),
    shopId: shop.id,
    shopOrderId: input.shop_order_id,
    shopperId: input.shopper_id,
    amountTotal: input.amount_total,
    amountPaid: 0,
    amountRefunded: 0,
    currency: 'CNY',
    items: input.items.map((item) => ({ title: item.title, quantity: item.quantity, unit_price: item.unit_price, ...(item.image_url ? { image_url: item.image_url } : {}) })),
    shipTo: input.ship_to ?? null,
    payDeadline,
    status: 'pending',
    fingerprint,
    createdAt: now,
    updatedAt: now,
    cancelledAt: null,
  };
  // A replay of an order already stored is judged by its contents alone, so re-sending an
  // order whose deadline has since passed still gets 200, not a complaint about the deadline.
  const stored = await deps.store.findOrderByShopOrderId(shop.id, input.shop_order_id);
  if (stored === undefined) {
    if (payDeadline <= now) throw deadlineError('must be in the future');
    if (payDeadline > now + MAX_DEADLINE_AHEAD_MS) throw deadlineError('must be within 30 days');
  }
  const result = await deps.store.upsertOrder(candidate);
  if (result.outcome === 'conflict') {
    throw new AppError('ORDER_CONFLICT', `Order ${input.shop_order_id} exists (${result.order.id}) with different contents.`);
  }
  return { created: result.outcome === 'created', order: result.order };
}

/** An order of this shop, closed lazily if its deadline has passed; 404 for anyone else's. */
export async function getOrderForShop(deps: ServiceDeps, shop: ShopRecord, orderId: string): Promise<OrderRecord> {
  const order = await deps.store.getOrder(orderId);
  if (order === undefined || order.shopId !== shop.id) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId} for this shop.`);
  return settleOrder(deps, order);
}

/**
 * The order with its payments and refunds as one consistent picture: read in one transaction
 * behind the order's row lock, which every change to its money takes first, so a refund is never
 * listed as done while the order's refunded total does not include it yet.
 */
export async function readOrderMoney(deps: ServiceDeps, orderId: string): Promise<{ order: OrderRecord; payments: PaymentRecord[]; refunds: RefundRecord[] }> {
  return deps.store.transaction(async (tx) => {
    const order = await tx.getOrder(orderId, true);
    if (order === undefined) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId}.`);
    return { order, payments: await tx.listPaymentsOfOrder(orderId), refunds: await tx.listRefundsOfOrder(orderId) };
  });
}

/** Applies the deadline: a pending order past it becomes closed (and its live links void). */
export async function settleOrder(deps: ServiceDeps, order: OrderRecord): Promise<OrderRecord> {
  const now = deps.clock.now();
  if (order.status !== 'pending' || order.payDeadline > now) return order;
  return (await deps.store.closeOverdueOrder(order.id, now)) ?? (await deps.store.getOrder(order.id)) ?? order;
}

/** Cancels a pending order: live links void, and everything friends paid is refunded to them. */
export async function cancelOrder(deps: ServiceDeps, shop: ShopRecord, orderId: string): Promise<OrderRecord> {
  const order = await getOrderForShop(deps, shop, orderId);
  if (order.status === 'cancelled') return order;
  if (order.status !== 'pending') throw new AppError('ORDER_NOT_PENDING', `Order ${order.id} is ${order.status} and cannot be cancelled.`);
  const result = await cancelOrderAndRefund(deps, order.id);
  if (result === undefined) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId} for this shop.`);
  if (!result.changed && result.order.status !== 'cancelled') {
    throw new AppError('ORDER_NOT_PENDING', `Order ${order.id} is ${result.order.status} and cannot be cancelled.`);
  }
  // Send the refunds now; the reconciler retries any that WeChat does not take at once.
  for (const refund of result.refunds) await advanceRefund(deps, refund);
  return (await deps.store.getOrder(order.id)) ?? result.order;
}
