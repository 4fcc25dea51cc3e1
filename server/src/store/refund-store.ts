/** What the store does with refunds: each one of a payment, to that payment's payer. */
import type { RefundRecord } from './records';

/** Refunds, outside a transaction. */
export interface RefundStore {
  getRefund(id: string): Promise<RefundRecord | undefined>;
  listRefundsOfOrder(orderId: string): Promise<RefundRecord[]>;
  /** The refunds of one payment, oldest first (what its payer sees). */
  listRefundsOfPayment(paymentId: string): Promise<RefundRecord[]>;
  /** Refunds not yet accepted (or not yet confirmed) whose next attempt is due. */
  listRefundsDue(now: number, limit: number): Promise<RefundRecord[]>;
}

/** Refunds, inside `Store.transaction`. */
export interface RefundStoreTx {
  insertRefund(refund: RefundRecord): Promise<void>;
  getRefundByOutRefundNo(outRefundNo: string, lock?: boolean): Promise<RefundRecord | undefined>;
  updateRefund(id: string, patch: Partial<RefundRecord>, onlyIf: readonly RefundRecord['status'][]): Promise<RefundRecord | undefined>;
  listRefundsOfOrder(orderId: string): Promise<RefundRecord[]>;
}
