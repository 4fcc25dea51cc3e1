/** What the store keeps. Times are epoch milliseconds; money is integer fen. */
import type { OrderItem, ShipTo } from '../../../shared/api-types';
import type { LinkMode, LinkStatus, OrderStatus } from '../../../shared/states';

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

/** An event for the shop's webhook, written in the same transaction as the change it reports. */
export interface NewEvent {
  id: string;
  shopId: string;
  type: 'link.paid' | 'link.expired' | 'link.revoked' | 'payment.refunded';
  payload: Record<string, unknown>;
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
