/** What the store does with friends' payments, and the WeChat Pay notifications already seen. */
import type { PaymentStatus } from '../../../shared/states';
import type { PaymentRecord } from './records';

/** Payments, outside a transaction. */
export interface PaymentStore {
  getPayment(id: string): Promise<PaymentRecord | undefined>;
  listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]>;
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
}

/** Payments, inside `Store.transaction`. */
export interface PaymentStoreTx {
  getPayment(id: string, lock?: boolean): Promise<PaymentRecord | undefined>;
  getPaymentByOutTradeNo(outTradeNo: string, lock?: boolean): Promise<PaymentRecord | undefined>;
  findPaymentByIdempotencyKey(payerOpenid: string, key: string): Promise<PaymentRecord | undefined>;
  listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]>;
  insertPayment(payment: PaymentRecord): Promise<void>;
  /** Applies `patch` if the payment is in one of `onlyIf`; the updated row, or undefined. */
  updatePayment(id: string, patch: Partial<PaymentRecord>, onlyIf: readonly PaymentStatus[]): Promise<PaymentRecord | undefined>;
  /**
   * Records a WeChat Pay notification id (of a payment or of its refund); false when it was seen
   * before (a duplicate).
   */
  recordNotification(id: string, type: string, at: number): Promise<boolean>;
}
