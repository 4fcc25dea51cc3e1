/** Records for store tests: complete, valid rows with the fields a test cares about overridable. */
import type { EventRecord, LinkRecord, NewEvent, OrderRecord, PaymentRecord, RefundRecord, ShopRecord } from '../../server/src/store/records';
import type { Store } from '../../server/src/store/store';

/** A shop. */
export function shopRecord(id: string, now: number, overrides: Partial<ShopRecord> = {}): ShopRecord {
  return { id, name: 'S', apiKeyHash: `h-${id}`, webhookUrl: null, webhookSecret: 'w', createdAt: now, subMchId: null, subAppId: null, ...overrides };
}

/** A pending order of 100 fen due in an hour. */
export function orderRecord(id: string, shopId: string, now: number, overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    id, shopId, shopOrderId: `so-${id}`, shopperId: 's', amountTotal: 100, amountPaid: 0, amountRefunded: 0, currency: 'CNY',
    items: [{ title: 't', quantity: 1, unit_price: 100 }], shipTo: null, payDeadline: now + 3_600_000, status: 'pending',
    fingerprint: 'f', createdAt: now, updatedAt: now, cancelledAt: null, ...overrides,
  };
}

/** An active single-mode link. */
export function linkRecord(id: string, orderId: string, shopId: string, expiresAt: number, overrides: Partial<LinkRecord> = {}): LinkRecord {
  return {
    id, orderId, shopId, mode: 'single', status: 'active', requesterId: 'r', requesterName: 'R', requesterAvatarUrl: null,
    message: null, expiresAt, createdAt: 0, closedAt: null, ...overrides,
  };
}

/** An open payment of the whole order through `link`. */
export function paymentRecord(id: string, link: LinkRecord, payerOpenid: string, now: number, overrides: Partial<PaymentRecord> = {}): PaymentRecord {
  return {
    id, linkId: link.id, orderId: link.orderId, shopId: link.shopId, mode: link.mode, payerOpenid, idempotencyKey: `key-${id}`,
    amount: 100, status: 'created', outTradeNo: `FP${id}`, prepayId: null, requestPayment: null, payableUntil: now + 7_200_000,
    leaseExpiresAt: now + 300_000, transactionId: null, paidAt: null, closedAt: null, keptAmount: 0, refundedAmount: 0,
    checkedAt: null, createdAt: now, updatedAt: now, payerName: null, notificationId: null, ...overrides,
  };
}

/** A pending refund of part of `payment`. */
export function refundRecord(id: string, payment: PaymentRecord, amount: number, now: number, overrides: Partial<RefundRecord> = {}): RefundRecord {
  return {
    id, paymentId: payment.id, orderId: payment.orderId, shopId: payment.shopId, payerOpenid: payment.payerOpenid, outRefundNo: `FR${id}`,
    amount, reason: 'over_contribution', note: null, requestKey: null, status: 'pending', wechatRefundId: null, attempts: 0, nextAttemptAt: now, lastError: null,
    createdAt: now, updatedAt: now, succeededAt: null, ...overrides,
  };
}

/** A webhook event. */
export function eventRecord(id: string, shopId: string, now: number): NewEvent {
  return { id, shopId, type: 'link.revoked', payload: { link_id: id, order_id: 'ord_1', status: 'revoked', at: new Date(now).toISOString() }, createdAt: now };
}

/** What `eventRecord` looks like once stored and never delivered. */
export function storedEvent(event: NewEvent): EventRecord {
  return { ...event, deliveredAt: null, attempts: 0, nextAttemptAt: event.createdAt, lastError: null };
}

/** Stores a shop `shop_1`, its order `ord_1` and one active link `lnk_1`; returns the link. */
export async function seedLink(store: Store, now: number, linkOverrides: Partial<LinkRecord> = {}): Promise<LinkRecord> {
  await store.insertShop(shopRecord('shop_1', now));
  await store.upsertOrder(orderRecord('ord_1', 'shop_1', now));
  const link = linkRecord('lnk_1', 'ord_1', 'shop_1', now + 60_000, linkOverrides);
  await store.insertLink(link);
  return link;
}
