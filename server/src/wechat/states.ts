// What WeChat Pay's trade states, refund statuses and event types mean to Friend Pay, as
// predicates: code outside wechat/ asks "was it paid?" and never spells WeChat's words itself.
import {
  CURRENCY_CNY,
  CLOSED_TRADE_STATES,
  ERROR_ORDER_NOT_EXIST,
  PAID_TRADE_STATES,
  PAYMENT_EVENT_TYPES,
  REFUND_EVENT_TYPES,
  REFUND_STATUS_ABNORMAL,
  REFUND_STATUS_CLOSED,
  REFUND_STATUS_PROCESSING,
  REFUND_STATUS_SUCCESS,
  TRADE_STATE_SUCCESS,
  TRADE_TYPE_JSAPI,
  UNPAID_TRADE_STATES,
  type PaymentEventType,
  type RefundEventType,
} from './consts';

function isOneOf<T extends string>(list: readonly T[], value: string | undefined): value is T {
  return value !== undefined && (list as readonly string[]).includes(value);
}

/** True for `SUCCESS` only: paid and nothing refunded, the state a payment notification applies. */
export function isTradeSucceeded(state: string | undefined): boolean {
  return state === TRADE_STATE_SUCCESS;
}

/** True when WeChat took the payer's money (`SUCCESS`, or `REFUND` after a refund began). */
export function isTradePaid(state: string | undefined): boolean {
  return isOneOf(PAID_TRADE_STATES, state);
}

/**
 * True when WeChat will not (or did not) take the money: `NOTPAY`, `CLOSED`, `PAYERROR`,
 * `REVOKED`, or the `ORDER_NOT_EXIST` a query answered instead of a state. False for
 * `USERPAYING` and for an unknown answer, which may still end paid.
 */
export function isTradeNotPaid(state: string | undefined): boolean {
  return state === ERROR_ORDER_NOT_EXIST || isOneOf(UNPAID_TRADE_STATES, state);
}

/**
 * True when a transaction is the kind of payment we ask for: yuan (`CNY`, exactly) through the mini
 * program (`JSAPI`). A payment in another currency or of another trade type is not ours to apply,
 * however well signed.
 */
export function isExpectedPaymentKind(transaction: { currency: string | undefined; tradeType: string | undefined }): boolean {
  return transaction.currency === CURRENCY_CNY && transaction.tradeType === TRADE_TYPE_JSAPI;
}

/**
 * True when WeChat says the order can never be paid: `CLOSED`, `REVOKED`, or the `ORDER_NOT_EXIST`
 * a query answered. Unlike `NOTPAY`, which may still end paid until the order's time_expire.
 */
export function isTradeClosed(state: string | undefined): boolean {
  return state === ERROR_ORDER_NOT_EXIST || isOneOf(CLOSED_TRADE_STATES, state);
}

/** True when the refund's money is back with the payer. */
export function isRefundSucceeded(status: string | undefined): boolean {
  return status === REFUND_STATUS_SUCCESS;
}

/** True when the payer's account could not take the refund: WeChat will not retry it; the merchant handles it. */
export function isRefundAbnormal(status: string | undefined): boolean {
  return status === REFUND_STATUS_ABNORMAL;
}

/** True when WeChat closed the refund: nothing went back. */
export function isRefundClosed(status: string | undefined): boolean {
  return status === REFUND_STATUS_CLOSED;
}

/** True while WeChat is still moving a refund's money (ask again later). */
export function isRefundProcessing(status: string | undefined): boolean {
  return status === REFUND_STATUS_PROCESSING;
}

/** True for the `event_type` of a payment notification (`TRANSACTION.SUCCESS`). */
export function isPaymentEvent(type: string): type is PaymentEventType {
  return isOneOf(PAYMENT_EVENT_TYPES, type);
}

/** True for the `event_type` of a refund notification (`REFUND.*`). */
export function isRefundEvent(type: string): type is RefundEventType {
  return isOneOf(REFUND_EVENT_TYPES, type);
}
