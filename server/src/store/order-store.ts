/** What the store does with orders: upserted by the shop's order id, closed once overdue. */
import type { OrderStatus } from '../../../shared/states';
import type { OrderRecord } from './records';

/** Result of an order upsert by shop order id. */
export interface UpsertOrderResult {
  outcome: 'created' | 'identical' | 'conflict';
  order: OrderRecord;
}

/** Which of a shop's orders to list, newest first. */
export interface OrderListQuery {
  /** Only orders in this status. @default every status */
  status?: OrderStatus;
  /** Only orders older than this one (the cursor: the last order of the previous page). */
  before?: { createdAt: number; id: string };
  limit: number;
}

/** Orders, outside a transaction. */
export interface OrderStore {
  /** The shop's orders, newest first (created_at, then id, both descending). */
  listOrdersOfShop(shopId: string, query: OrderListQuery): Promise<OrderRecord[]>;
  /** Inserts the order, or compares it by fingerprint with the one stored under its shop order id. */
  upsertOrder(order: OrderRecord): Promise<UpsertOrderResult>;
  getOrder(id: string): Promise<OrderRecord | undefined>;
  findOrderByShopOrderId(shopId: string, shopOrderId: string): Promise<OrderRecord | undefined>;
  /** pending -> closed once the pay deadline has passed; active links become void. */
  closeOverdueOrder(id: string, now: number): Promise<OrderRecord | undefined>;
  /** Closes up to `limit` overdue pending orders; returns how many. */
  closeOverdueOrders(now: number, limit: number): Promise<number>;
}

/** Orders, inside `Store.transaction`. */
export interface OrderStoreTx {
  getOrder(id: string, lock?: boolean): Promise<OrderRecord | undefined>;
  /** As `updateOrder`, for a row read in this same transaction (`current`): the engine may make the result from it rather than read it back. */
  updateOrderFrom(current: OrderRecord, patch: Partial<OrderRecord>, onlyIf: readonly OrderStatus[]): Promise<OrderRecord | undefined>;
  updateOrder(id: string, patch: Partial<OrderRecord>, onlyIf: readonly OrderStatus[]): Promise<OrderRecord | undefined>;
}
