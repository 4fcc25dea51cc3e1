/** What the store does with orders: upserted by the shop's order id, closed once overdue. */
import type { OrderStatus } from '../../../shared/states';
import type { OrderRecord } from './records';

/** Result of an order upsert by shop order id. */
export interface UpsertOrderResult {
  outcome: 'created' | 'identical' | 'conflict';
  order: OrderRecord;
}

/** Orders, outside a transaction. */
export interface OrderStore {
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
  updateOrder(id: string, patch: Partial<OrderRecord>, onlyIf: readonly OrderStatus[]): Promise<OrderRecord | undefined>;
}
