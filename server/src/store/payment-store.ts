/** What the store does with friends' payments, and the WeChat Pay notifications already seen. */
import type { PaymentStatus } from '../../../shared/states';
import type { LinkRecord, OrderRecord, PaymentRecord } from './records';

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

/** A payment with what applying WeChat Pay's word on it reads, in one read. */
export interface PaymentToSettle {
  payment: PaymentRecord;
  order: OrderRecord;
  link: LinkRecord;
  /** The link's shopper (who hears "friend paid"), or null when nobody claimed the link. */
  shopperOpenid: string | null;
  /** How many other payments of the order WeChat Pay has reported paid. */
  otherPaidPayments: number;
}

/** Payments, inside `Store.transaction`. */
export interface PaymentStoreTx {
  getPayment(id: string, lock?: boolean): Promise<PaymentRecord | undefined>;
  getPaymentByOutTradeNo(outTradeNo: string, lock?: boolean): Promise<PaymentRecord | undefined>;
  /**
   * The payment with `outTradeNo` with its order and link, locked (the order first, as every
   * transaction locks), and what settling it needs to know of the rest of the order.
   */
  getPaymentToSettle(outTradeNo: string): Promise<PaymentToSettle | undefined>;
  findPaymentByIdempotencyKey(payerOpenid: string, key: string): Promise<PaymentRecord | undefined>;
  listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]>;
  insertPayment(payment: PaymentRecord): Promise<void>;
  /** As `updatePayment`, for a row read in this same transaction (`current`): the engine may make the result from it rather than read it back. */
  updatePaymentFrom(current: PaymentRecord, patch: Partial<PaymentRecord>, onlyIf: readonly PaymentStatus[]): Promise<PaymentRecord | undefined>;
  /** Applies `patch` if the payment is in one of `onlyIf`; the updated row, or undefined. */
  updatePayment(id: string, patch: Partial<PaymentRecord>, onlyIf: readonly PaymentStatus[]): Promise<PaymentRecord | undefined>;
  /**
   * Records a WeChat Pay refund notification's id; false when it was seen before (a duplicate).
   * A payment notification's id is recorded on the payment it paid (`notificationId`).
   */
  recordNotification(id: string, type: string, at: number): Promise<boolean>;
}
