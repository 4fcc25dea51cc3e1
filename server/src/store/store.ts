/**
 * The one storage interface (DESIGN.md §7). Each method that changes state is one transaction
 * with a conditional update, so two server instances racing cannot both win. Services see only
 * this interface, never SQL; engines live beside it (sqlite/, later postgres/).
 */
import type { LinkStatus, OrderStatus, PaymentStatus } from '../../../shared/states';
import type {
  EventRecord,
  FriendLinkView,
  IdempotencyRecord,
  LinkRecord,
  LinkView,
  NewEvent,
  OrderRecord,
  PaymentRecord,
  RefundRecord,
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

/** Result of claiming an idempotency key. */
export type IdempotencyClaim = { claimed: true } | { claimed: false; existing: IdempotencyRecord };

/**
 * The operations available inside `Store.transaction`. They are small on purpose: the payment
 * rules live once, in the services, and each engine only has to say how to read and write a row.
 * Reads with `lock` take a row lock where the engine has them (PostgreSQL `FOR NO KEY UPDATE`,
 * the order's row first); SQLite serialises whole write transactions instead.
 */
export interface StoreTx {
  getOrder(id: string, lock?: boolean): Promise<OrderRecord | undefined>;
  getLink(id: string, lock?: boolean): Promise<LinkRecord | undefined>;
  getShop(id: string): Promise<ShopRecord | undefined>;
  getPayment(id: string, lock?: boolean): Promise<PaymentRecord | undefined>;
  getPaymentByOutTradeNo(outTradeNo: string, lock?: boolean): Promise<PaymentRecord | undefined>;
  findPaymentByIdempotencyKey(payerOpenid: string, key: string): Promise<PaymentRecord | undefined>;
  listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]>;
  insertPayment(payment: PaymentRecord): Promise<void>;
  /** Applies `patch` if the payment is in one of `onlyIf`; the updated row, or undefined. */
  updatePayment(id: string, patch: Partial<PaymentRecord>, onlyIf: readonly PaymentStatus[]): Promise<PaymentRecord | undefined>;
  updateOrder(id: string, patch: Partial<OrderRecord>, onlyIf: readonly OrderStatus[]): Promise<OrderRecord | undefined>;
  updateLink(id: string, patch: Partial<LinkRecord>, onlyIf: readonly LinkStatus[]): Promise<LinkRecord | undefined>;
  /** Voids the order's active links (but `exceptLinkId`); returns them. */
  voidActiveLinks(orderId: string, at: number, exceptLinkId?: string): Promise<LinkRecord[]>;
  insertRefund(refund: RefundRecord): Promise<void>;
  getRefundByOutRefundNo(outRefundNo: string, lock?: boolean): Promise<RefundRecord | undefined>;
  updateRefund(id: string, patch: Partial<RefundRecord>, onlyIf: readonly RefundRecord['status'][]): Promise<RefundRecord | undefined>;
  listRefundsOfOrder(orderId: string): Promise<RefundRecord[]>;
  insertEvent(event: NewEvent): Promise<void>;
  /** Records a WeChat Pay notification id; false when it was seen before (a duplicate). */
  recordNotification(id: string, type: string, at: number): Promise<boolean>;
}

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
  /** pending -> closed once the pay deadline has passed; active links become void. */
  closeOverdueOrder(id: string, now: number): Promise<OrderRecord | undefined>;
  /** Closes up to `limit` overdue pending orders; returns how many. */
  closeOverdueOrders(now: number, limit: number): Promise<number>;

  insertLink(link: LinkRecord): Promise<void>;
  getLink(id: string): Promise<LinkRecord | undefined>;
  listLinksOfOrder(orderId: string): Promise<LinkRecord[]>;
  /** The link with its order and shop name, in one read: the friend view's hot path. */
  getLinkView(id: string): Promise<LinkView | undefined>;
  /** The link view with its order's payments, in one read (one round trip on PostgreSQL). */
  getFriendLinkView(id: string): Promise<FriendLinkView | undefined>;
  /** Applies the transition if the link is still in a `from` state; undefined otherwise. */
  transitionLink(change: LinkTransition): Promise<LinkRecord | undefined>;
  /** Expires up to `limit` active links whose time is up, each with the event `eventFor` makes. */
  expireDueLinks(now: number, limit: number, eventFor: (link: LinkRecord) => NewEvent): Promise<LinkRecord[]>;

  listEvents(shopId: string, limit: number): Promise<EventRecord[]>;
  /** When the oldest event not yet delivered was written (for the outbox lag metric); undefined when none. */
  oldestUndeliveredEventAt(): Promise<number | undefined>;

  /**
   * Runs `work` in one transaction: all or nothing. `work` must do no I/O but the store's own
   * (no WeChat calls inside): the SQLite engine holds its write lock for the whole callback.
   * PostgreSQL may run `work` a second time (after a deadlock, a serialization failure or a
   * unique violation), so it must have no effect outside `tx` but its return value.
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;

  getPayment(id: string): Promise<PaymentRecord | undefined>;
  listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]>;
  listRefundsOfOrder(orderId: string): Promise<RefundRecord[]>;
  /** Open (`created`) payments created before `createdBefore`, least recently checked first. */
  listOpenPayments(createdBefore: number, limit: number): Promise<PaymentRecord[]>;
  /** Marks an open payment as just checked with WeChat Pay (the reconciler paces itself by it). */
  markPaymentChecked(id: string, at: number): Promise<void>;
  /**
   * Stores the prepay id and `wx.requestPayment` parameters of an open payment that has none yet,
   * in one statement; returns the payment as it now is (with the parameters stored first, when two
   * requests raced), or undefined when there is no such payment.
   */
  attachPrepay(id: string, prepayId: string, requestPayment: NonNullable<PaymentRecord['requestPayment']>, at: number): Promise<PaymentRecord | undefined>;
  /** Refunds not yet accepted (or not yet confirmed) whose next attempt is due. */
  listRefundsDue(now: number, limit: number): Promise<RefundRecord[]>;
  /**
   * Claims up to `limit` undelivered events that are due, pushing their next attempt to
   * `claimUntil` so another instance does not deliver them at the same time.
   */
  claimDueEvents(now: number, limit: number, claimUntil: number): Promise<EventRecord[]>;
  markEventDelivered(id: string, at: number): Promise<void>;
  markEventFailed(id: string, nextAttemptAt: number, error: string): Promise<void>;

  /** Claims a key for a request; if it exists already, returns the stored record instead. */
  claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyClaim>;
  completeIdempotencyKey(scope: string, key: string, statusCode: number, responseBody: string): Promise<void>;
  /** Forgets a pending claim whose request failed, so a retry runs again. */
  releaseIdempotencyKey(scope: string, key: string): Promise<void>;
}
