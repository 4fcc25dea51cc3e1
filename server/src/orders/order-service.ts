/**
 * Orders: upsert by the shop's own id, read with lazy closing at the deadline. Cancelling refunds
 * payments, so it lives above orders, in payments/order-cancellation.ts: orders imports no other feature.
 */
import crypto from 'node:crypto';
import { sumItems } from '../../../shared/money';
import { AppError } from '../errors/app-error';
import type { OrderRecord, PaymentRecord, RefundRecord, ShopRecord } from '../store/records';
import type { ServiceDeps } from '../service-deps';
import { ORDER_PAGE, type OrderInputBody, type OrderListQueryInput } from './order-schema';

/** The longest a pay deadline may lie ahead. */
const MAX_DEADLINE_AHEAD_MS = 30 * 24 * 3600 * 1000;

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

/** The cursor of a page that ends with `order`: where the next page starts. Opaque to shops. */
function cursorAfter(order: OrderRecord): string {
  return Buffer.from(JSON.stringify([order.createdAt, order.id]), 'utf8').toString('base64url');
}

function cursorPosition(cursor: string): { createdAt: number; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') return { createdAt: value[0] as number, id: value[1] };
  } catch {
    // Falls through to the problem below.
  }
  throw new AppError('VALIDATION_FAILED', 'cursor: must be the next_cursor of a previous page.', { errors: [{ path: 'cursor', message: 'must be the next_cursor of a previous page' }] });
}

/**
 * A page of the shop's orders, newest first, each closed lazily if its deadline has passed (so a
 * `status=pending` page may hold fewer orders than `limit`; `next_cursor` still goes on).
 */
export async function listOrdersForShop(deps: ServiceDeps, shop: ShopRecord, query: OrderListQueryInput): Promise<{ orders: OrderRecord[]; nextCursor: string | null }> {
  const limit = query.limit ?? ORDER_PAGE.default;
  const page = await deps.store.listOrdersOfShop(shop.id, {
    limit,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.cursor === undefined ? {} : { before: cursorPosition(query.cursor) }),
  });
  const settled = await Promise.all(page.map((order) => settleOrder(deps, order)));
  const last = page[page.length - 1];
  return {
    orders: settled.filter((order) => query.status === undefined || order.status === query.status),
    nextCursor: page.length === limit && last !== undefined ? cursorAfter(last) : null,
  };
}
