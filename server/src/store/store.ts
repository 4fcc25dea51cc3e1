/**
 * The one storage interface (DESIGN.md §7). Each method that changes state is one transaction
 * with a conditional update, so two server instances racing cannot both win. Services see only
 * this interface, never SQL; engines live beside it (sqlite/, later postgres/).
 */
import type { LinkStatus } from '../../../shared/states';
import type {
  EventRecord,
  IdempotencyRecord,
  LinkRecord,
  LinkView,
  NewEvent,
  OrderRecord,
  ShopRecord,
} from './records';

/** Result of an order upsert by shop order id. */
export interface UpsertOrderResult {
  outcome: 'created' | 'identical' | 'conflict';
  order: OrderRecord;
}

/** A conditional status change of one link. */
export interface LinkTransition {
  id: string;
  /** The change happens only while the link is in one of these states. */
  from: readonly LinkStatus[];
  to: LinkStatus;
  at: number;
  /** Written in the same transaction when the change happens. */
  event?: NewEvent;
}

/** Result of cancelling an order. */
export interface CancelOrderResult {
  /** False when the order was no longer pending. */
  changed: boolean;
  order: OrderRecord;
  voidedLinks: LinkRecord[];
}

/** Result of claiming an idempotency key. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/** The store. All methods are async so the PostgreSQL engine fits the same shape. */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs the numbered migrations not yet applied. */
  migrate(): Promise<void>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;

  insertShop(shop: ShopRecord): Promise<void>;
  findShopByApiKeyHash(apiKeyHash: string): Promise<ShopRecord | undefined>;
  getShop(id: string): Promise<ShopRecord | undefined>;

  /** Inserts the order, or compares it by fingerprint with the one stored under its shop order id. */
  upsertOrder(order: OrderRecord): Promise<UpsertOrderResult>;
  getOrder(id: string): Promise<OrderRecord | undefined>;
  findOrderByShopOrderId(shopId: string, shopOrderId: string): Promise<OrderRecord | undefined>;
  /** pending -> cancelled; the order's active links become void, each with its event if given. */
  cancelOrder(id: string, at: number): Promise<CancelOrderResult | undefined>;
  /** pending -> closed once the pay deadline has passed; active links become void. */
  closeOverdueOrder(id: string, now: number): Promise<OrderRecord | undefined>;
  /** Closes up to `limit` overdue pending orders; returns how many. */
  closeOverdueOrders(now: number, limit: number): Promise<number>;

  insertLink(link: LinkRecord): Promise<void>;
  getLink(id: string): Promise<LinkRecord | undefined>;
  listLinksOfOrder(orderId: string): Promise<LinkRecord[]>;
  /** The link with its order and shop name, in one read: the friend view's hot path. */
  getLinkView(id: string): Promise<LinkView | undefined>;
  /** Applies the transition if the link is still in a `from` state; undefined otherwise. */
  transitionLink(change: LinkTransition): Promise<LinkRecord | undefined>;
  /** Expires up to `limit` active links whose time is up, each with the event `eventFor` makes. */
  expireDueLinks(now: number, limit: number, eventFor: (link: LinkRecord) => NewEvent): Promise<LinkRecord[]>;

  listEvents(shopId: string, limit: number): Promise<EventRecord[]>;

  /** Claims a key for a request; if it exists already, returns the stored record instead. */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyClaim>;
  completeIdempotencyKey(scope: string, key: string, statusCode: number, responseBody: string): Promise<void>;
  /** Forgets a pending claim whose request failed, so a retry runs again. */
  releaseIdempotencyKey(scope: string, key: string): Promise<void>;
}
