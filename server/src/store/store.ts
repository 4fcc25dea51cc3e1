/**
 * The storage interface, one part per feature (shop-store.ts, order-store.ts, ...), composed here.
 * Each method that changes state is one transaction with a conditional update, so two server
 * instances racing cannot both win. Services see only these interfaces, never SQL; the engines
 * live beside them (sqlite/, postgres/) and implement every part.
 */
import type { IdempotencyStore } from './idempotency-store';
import type { LinkStore, LinkStoreTx } from './link-store';
import type { LiveStore, LiveStoreTx } from './live-store';
import type { OrderStore, OrderStoreTx } from './order-store';
import type { PaymentStore, PaymentStoreTx } from './payment-store';
import type { ReconciliationStore } from './reconciliation-store';
import type { RefundStore, RefundStoreTx } from './refund-store';
import type { ShopStore, ShopStoreTx } from './shop-store';
import type { WebhookEventStore, WebhookEventStoreTx } from './webhook-event-store';
import type { WechatStore } from './wechat-store';

export type { IdempotencyClaim } from './idempotency-store';
export type { LinkTransition } from './link-store';
export type { OrderListQuery, UpsertOrderResult } from './order-store';
export type { ShopperBinding } from './live-store';

/**
 * The operations available inside `Store.transaction`. They are small on purpose: the payment
 * rules live once, in the services, and each engine only has to say how to read and write a row.
 * Reads with `lock` take a row lock where the engine has them (PostgreSQL `FOR NO KEY UPDATE`,
 * the order's row first); SQLite serialises whole write transactions instead.
 */
export interface StoreTx extends ShopStoreTx, OrderStoreTx, LinkStoreTx, PaymentStoreTx, RefundStoreTx, WebhookEventStoreTx, LiveStoreTx {}

/** The store. All methods are async so the PostgreSQL engine fits the same shape. */
export interface Store extends ShopStore, OrderStore, LinkStore, PaymentStore, RefundStore, WebhookEventStore, IdempotencyStore, ReconciliationStore, WechatStore, LiveStore {
  readonly engine: 'sqlite' | 'postgres';
  /** Runs the numbered migrations not yet applied. */
  migrate(): Promise<void>;
  /** Resolves when the store answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
  /**
   * Runs `work` in one transaction: all or nothing. `work` must do no I/O but the store's own
   * (no WeChat calls inside): the SQLite engine holds its write lock for the whole callback.
   * Either engine may run `work` a second time (PostgreSQL after a deadlock, a serialization
   * failure or a unique violation; SQLite when another callback of its group commit threw after
   * writing), so it must have no effect outside `tx` but its return value.
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T>;
}
