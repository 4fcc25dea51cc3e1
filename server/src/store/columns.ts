/**
 * How record fields map to columns, shared by the engines: names in snake_case, and how each
 * value is stored (JSON text, integers that may be null). Lets generic code insert, patch and
 * read rows without a hand-written mapper per table.
 */
import type { LinkRecord, OrderRecord, PaymentRecord, RefundRecord } from './records';

/** How one field is stored. */
export interface Column {
  column: string;
  kind: 'text' | 'int' | 'json' | 'text?' | 'int?' | 'json?';
}

/** Every field of a record, with its column. */
export type ColumnMap<T> = { [K in keyof T]-?: Column };

const col = (column: string, kind: Column['kind']): Column => ({ column, kind });

export const paymentColumns: ColumnMap<PaymentRecord> = {
  id: col('id', 'text'),
  linkId: col('link_id', 'text'),
  orderId: col('order_id', 'text'),
  shopId: col('shop_id', 'text'),
  mode: col('mode', 'text'),
  payerOpenid: col('payer_openid', 'text'),
  idempotencyKey: col('idempotency_key', 'text'),
  amount: col('amount', 'int'),
  status: col('status', 'text'),
  outTradeNo: col('out_trade_no', 'text'),
  prepayId: col('prepay_id', 'text?'),
  requestPayment: col('request_payment_json', 'json?'),
  payableUntil: col('payable_until', 'int'),
  leaseExpiresAt: col('lease_expires_at', 'int'),
  transactionId: col('transaction_id', 'text?'),
  paidAt: col('paid_at', 'int?'),
  closedAt: col('closed_at', 'int?'),
  keptAmount: col('kept_amount', 'int'),
  refundedAmount: col('refunded_amount', 'int'),
  checkedAt: col('checked_at', 'int?'),
  createdAt: col('created_at', 'int'),
  updatedAt: col('updated_at', 'int'),
};

export const refundColumns: ColumnMap<RefundRecord> = {
  id: col('id', 'text'),
  paymentId: col('payment_id', 'text'),
  orderId: col('order_id', 'text'),
  shopId: col('shop_id', 'text'),
  payerOpenid: col('payer_openid', 'text'),
  outRefundNo: col('out_refund_no', 'text'),
  amount: col('amount', 'int'),
  reason: col('reason', 'text'),
  status: col('status', 'text'),
  wechatRefundId: col('wechat_refund_id', 'text?'),
  attempts: col('attempts', 'int'),
  nextAttemptAt: col('next_attempt_at', 'int'),
  lastError: col('last_error', 'text?'),
  createdAt: col('created_at', 'int'),
  updatedAt: col('updated_at', 'int'),
  succeededAt: col('succeeded_at', 'int?'),
};

export const orderColumns: ColumnMap<OrderRecord> = {
  id: col('id', 'text'),
  shopId: col('shop_id', 'text'),
  shopOrderId: col('shop_order_id', 'text'),
  shopperId: col('shopper_id', 'text'),
  amountTotal: col('amount_total', 'int'),
  amountPaid: col('amount_paid', 'int'),
  amountRefunded: col('amount_refunded', 'int'),
  currency: col('currency', 'text'),
  items: col('items_json', 'json'),
  shipTo: col('ship_to_json', 'json?'),
  payDeadline: col('pay_deadline', 'int'),
  status: col('status', 'text'),
  fingerprint: col('fingerprint', 'text'),
  createdAt: col('created_at', 'int'),
  updatedAt: col('updated_at', 'int'),
  cancelledAt: col('cancelled_at', 'int?'),
};

export const linkColumns: ColumnMap<LinkRecord> = {
  id: col('id', 'text'),
  orderId: col('order_id', 'text'),
  shopId: col('shop_id', 'text'),
  mode: col('mode', 'text'),
  status: col('status', 'text'),
  requesterId: col('requester_id', 'text'),
  requesterName: col('requester_name', 'text'),
  requesterAvatarUrl: col('requester_avatar_url', 'text?'),
  message: col('message', 'text?'),
  expiresAt: col('expires_at', 'int'),
  createdAt: col('created_at', 'int'),
  closedAt: col('closed_at', 'int?'),
};

/** A field's value as the database stores it. */
export function toColumnValue(column: Column, value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (column.kind === 'json' || column.kind === 'json?') return JSON.stringify(value);
  if (column.kind === 'int' || column.kind === 'int?') return Number(value);
  return String(value);
}

/** A database row back as a record (PostgreSQL returns BIGINT as text, hence Number()). */
export function rowToRecord<T>(columns: ColumnMap<T>, row: Record<string, unknown>): T {
  const record: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(columns) as [string, Column][]) {
    const value = row[column.column];
    if (value === null || value === undefined) record[field] = null;
    else if (column.kind === 'json' || column.kind === 'json?') record[field] = typeof value === 'string' ? JSON.parse(value) : value;
    else if (column.kind === 'int' || column.kind === 'int?') record[field] = Number(value);
    else record[field] = String(value);
  }
  return record as T;
}
