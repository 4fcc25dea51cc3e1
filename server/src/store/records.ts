/** What the store keeps. Times are epoch milliseconds; money is integer fen. */
import type { OrderItem, RequestPaymentParams, ShipTo, ShopEvent } from '../../../shared/api-types';
import type { LinkMode, LinkStatus, OrderStatus, PaymentStatus } from '../../../shared/states';

/** A shop that integrates with the API. Only a hash of its API key is kept. */
export interface ShopRecord {
  id: string;
  name: string;
  apiKeyHash: string;
  webhookUrl: string | null;
  webhookSecret: string;
  createdAt: number;
}

/** A shop's order, upserted by `shopOrderId`. */
export interface OrderRecord {
  id: string;
  shopId: string;
  shopOrderId: string;
  shopperId: string;
  amountTotal: number;
  amountPaid: number;
  amountRefunded: number;
  currency: 'CNY';
  items: OrderItem[];
  shipTo: ShipTo | null;
  payDeadline: number;
  status: OrderStatus;
  /** Hash of what the shop sent, to tell an identical upsert from a conflicting one. */
  fingerprint: string;
  createdAt: number;
  updatedAt: number;
  cancelledAt: number | null;
}

/** A pay link: a capability to pay one order. */
export interface LinkRecord {
  id: string;
  orderId: string;
  shopId: string;
  mode: LinkMode;
  status: LinkStatus;
  requesterId: string;
  requesterName: string;
  requesterAvatarUrl: string | null;
  message: string | null;
  expiresAt: number;
  createdAt: number;
  /** When the status last left `active` (paid, expired, revoked or void). */
  closedAt: number | null;
}

/** Everything a friend view needs, read in one query. */
export interface LinkView {
  link: LinkRecord;
  order: OrderRecord;
  shopName: string;
}

/** A link view with every payment of its order (oldest first): what a friend's page shows. */
export interface FriendLinkView extends LinkView {
  payments: PaymentRecord[];
}

/** An event for the shop's webhook, written in the same transaction as the change it reports. */
export interface NewEvent {
  id: string;
  shopId: string;
  type: ShopEvent['type'];
  /** The `data` a shop receives for `type`, built only in webhooks/webhook-events.ts. */
  payload: ShopEvent['data'];
  createdAt: number;
}

/** A stored event and its delivery state. */
export interface EventRecord extends NewEvent {
  deliveredAt: number | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

/** A shop write's idempotency key and, once done, the response it produced. */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  requestHash: string;
  state: 'pending' | 'done';
  statusCode: number | null;
  responseBody: string | null;
  createdAt: number;
}

/** One friend's attempt to pay (DESIGN.md §4). `created` holds a lease (single) or a reservation (group). */
export interface PaymentRecord {
  id: string;
  linkId: string;
  orderId: string;
  shopId: string;
  mode: LinkMode;
  payerOpenid: string;
  /** The Idempotency-Key the friend's client sent with the create request. */
  idempotencyKey: string;
  amount: number;
  status: PaymentStatus;
  /** Our order number at WeChat Pay. */
  outTradeNo: string;
  prepayId: string | null;
  /** The `wx.requestPayment` parameters, kept so a friend's retry gets the very same ones. */
  requestPayment: RequestPaymentParams | null;
  /** When WeChat stops accepting payment for it (`time_expire`). */
  payableUntil: number;
  /** Until then no other friend may pay a single-mode link; after it, the WeChat order is closed. */
  leaseExpiresAt: number;
  transactionId: string | null;
  paidAt: number | null;
  closedAt: number | null;
  /** The part of a paid payment that counts toward the order (the rest of it is refunded). */
  keptAmount: number;
  /** What WeChat Pay has confirmed as refunded to the payer. */
  refundedAmount: number;
  /** When we last asked WeChat Pay about it (reconciler), to pace the queries. */
  checkedAt: number | null;
  createdAt: number;
  updatedAt: number;
  /** The name the friend gave when paying, shown to the shopper; null: shown as "微信好友 N". */
  payerName: string | null;
}

/** Why money goes back. */
export type RefundReason = 'order_cancelled' | 'link_unpayable' | 'over_contribution' | 'order_already_paid';

/** A refund of one payment, always to that payment's payer. */
export interface RefundRecord {
  id: string;
  paymentId: string;
  orderId: string;
  shopId: string;
  payerOpenid: string;
  outRefundNo: string;
  amount: number;
  reason: RefundReason;
  /** `pending`: not yet accepted by WeChat Pay; `processing`: accepted; then `succeeded` or `failed`. */
  status: 'pending' | 'processing' | 'succeeded' | 'failed';
  wechatRefundId: string | null;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  succeededAt: number | null;
}
