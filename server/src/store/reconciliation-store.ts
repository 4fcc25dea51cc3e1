/**
 * What the store does for the daily reconciliation with WeChat Pay's trade bills: finding our
 * side of a bill's rows, what we think happened on a day, the record of each day's run, and the
 * lease that lets one instance run the daily job.
 */
import type { BillReconciliationRecord, PaymentRecord, RefundRecord } from './records';

/** Reconciliation reads and records, outside a transaction. */
export interface ReconciliationStore {
  /** The payment with our order number `outTradeNo` at WeChat Pay. */
  findPaymentByOutTradeNo(outTradeNo: string): Promise<PaymentRecord | undefined>;
  /** The refund with our refund number `outRefundNo` at WeChat Pay. */
  findRefundByOutRefundNo(outRefundNo: string): Promise<RefundRecord | undefined>;
  /** Payments whose `paid_at` (WeChat's success time) is in `[from, to)`, oldest first. */
  listPaymentsPaidBetween(from: number, to: number): Promise<PaymentRecord[]>;
  /** Refunds created in `[from, to)`, oldest first. */
  listRefundsCreatedBetween(from: number, to: number): Promise<RefundRecord[]>;
  getBillReconciliation(billDate: string, scope: string): Promise<BillReconciliationRecord | undefined>;
  /** Writes the day's record, replacing an earlier one of the same day and scope. */
  saveBillReconciliation(record: BillReconciliationRecord): Promise<void>;
  /**
   * Takes (or renews) the lease `name` for `holder` until `now + ttlMs`: true when it is now the
   * holder's, false while another holder's lease runs. Two instances asking at once: one wins.
   */
  acquireJobLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, if `holder` holds it. */
  releaseJobLease(name: string, holder: string): Promise<void>;
}
