/**
 * The hot tables' rows (links, orders, payments) read positionally (better-sqlite3 `raw`) with
 * hand-written mappers. Every other table is read as an object and mapped from its column map
 * (columns.ts), which is shorter to write but costs more than the search itself on these paths:
 * a payment found by out_trade_no took 43 µs as an object mapped from its column map, 17 µs as
 * a positional row, and a conditional UPDATE … RETURNING * mapped the same way 58-88 µs against
 * 20-34 µs without its row (bench/README.md, fifth pass). Each mapper reads its columns in exactly
 * the order of its `…_FIELDS` list, starting at `at`, so one joined row can hold several records;
 * the store contract tests compare every field read back with what was stored.
 */
import type { LinkMode, LinkStatus, OrderStatus, PaymentStatus } from '../../../../shared/states';
import { scalarText } from '../columns';
import type { LinkRecord, OrderRecord, PaymentRecord } from '../records';

/** A stored value as text, or as a number (the store's other SQLite reads use these too). */
export const str = (value: unknown): string => String(value);
export const num = (value: unknown): number => Number(value);
const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : scalarText(value));
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const jsonOrNull = <T>(value: unknown): T | null => (value === null || value === undefined ? null : (JSON.parse(str(value)) as T));

/** A column list as `alias.column, …`, for a join. */
export function qualified(alias: string, fields: readonly string[]): string {
  return fields.map((field) => `${alias}.${field}`).join(', ');
}

/** The `links` columns `linkFromValues` reads, in its order. */
export const LINK_FIELDS = [
  'id', 'order_id', 'shop_id', 'mode', 'status', 'requester_id', 'requester_name', 'requester_avatar_url',
  'message', 'expires_at', 'created_at', 'closed_at',
] as const;

export function linkFromValues(v: readonly unknown[], at = 0): LinkRecord {
  return {
    id: str(v[at]),
    orderId: str(v[at + 1]),
    shopId: str(v[at + 2]),
    mode: str(v[at + 3]) as LinkMode,
    status: str(v[at + 4]) as LinkStatus,
    requesterId: str(v[at + 5]),
    requesterName: str(v[at + 6]),
    requesterAvatarUrl: strOrNull(v[at + 7]),
    message: strOrNull(v[at + 8]),
    expiresAt: num(v[at + 9]),
    createdAt: num(v[at + 10]),
    closedAt: numOrNull(v[at + 11]),
  };
}

/** The `orders` columns `orderFromValues` reads, in its order (the currency is always CNY). */
export const ORDER_FIELDS = [
  'id', 'shop_id', 'shop_order_id', 'shopper_id', 'amount_total', 'amount_paid', 'amount_refunded', 'items_json',
  'ship_to_json', 'pay_deadline', 'status', 'fingerprint', 'created_at', 'updated_at', 'cancelled_at',
] as const;

export function orderFromValues(v: readonly unknown[], at = 0): OrderRecord {
  return {
    id: str(v[at]),
    shopId: str(v[at + 1]),
    shopOrderId: str(v[at + 2]),
    shopperId: str(v[at + 3]),
    amountTotal: num(v[at + 4]),
    amountPaid: num(v[at + 5]),
    amountRefunded: num(v[at + 6]),
    currency: 'CNY',
    items: JSON.parse(str(v[at + 7])) as OrderRecord['items'],
    shipTo: jsonOrNull<NonNullable<OrderRecord['shipTo']>>(v[at + 8]),
    payDeadline: num(v[at + 9]),
    status: str(v[at + 10]) as OrderStatus,
    fingerprint: str(v[at + 11]),
    createdAt: num(v[at + 12]),
    updatedAt: num(v[at + 13]),
    cancelledAt: numOrNull(v[at + 14]),
  };
}

/** The `payments` columns `paymentFromValues` reads, in its order. */
export const PAYMENT_FIELDS = [
  'id', 'link_id', 'order_id', 'shop_id', 'mode', 'payer_openid', 'idempotency_key', 'amount', 'status', 'out_trade_no',
  'prepay_id', 'request_payment_json', 'payable_until', 'lease_expires_at', 'transaction_id', 'paid_at', 'closed_at',
  'kept_amount', 'refunded_amount', 'checked_at', 'created_at', 'updated_at', 'payer_name',
  'notification_id',
] as const;

export function paymentFromValues(v: readonly unknown[], at = 0): PaymentRecord {
  return {
    id: str(v[at]),
    linkId: str(v[at + 1]),
    orderId: str(v[at + 2]),
    shopId: str(v[at + 3]),
    mode: str(v[at + 4]) as LinkMode,
    payerOpenid: str(v[at + 5]),
    idempotencyKey: str(v[at + 6]),
    amount: num(v[at + 7]),
    status: str(v[at + 8]) as PaymentStatus,
    outTradeNo: str(v[at + 9]),
    prepayId: strOrNull(v[at + 10]),
    requestPayment: jsonOrNull<NonNullable<PaymentRecord['requestPayment']>>(v[at + 11]),
    payableUntil: num(v[at + 12]),
    leaseExpiresAt: num(v[at + 13]),
    transactionId: strOrNull(v[at + 14]),
    paidAt: numOrNull(v[at + 15]),
    closedAt: numOrNull(v[at + 16]),
    keptAmount: num(v[at + 17]),
    refundedAmount: num(v[at + 18]),
    checkedAt: numOrNull(v[at + 19]),
    createdAt: num(v[at + 20]),
    updatedAt: num(v[at + 21]),
    payerName: strOrNull(v[at + 22]),
    notificationId: strOrNull(v[at + 23]),
  };
}
