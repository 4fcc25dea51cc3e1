import { describe, expect, it } from 'vitest';
import { REFUND_STATUSES, TRADE_STATES } from '../../server/src/wechat/consts';
import { isOrderNotExistCode, isOrderUnpayableCloseCode, isUnauthenticatedCode } from '../../server/src/wechat/errors';
import {
  isPaymentEvent,
  isRefundEvent,
  isRefundProcessing,
  isRefundSucceeded,
  isTradeNotPaid,
  isTradePaid,
  isTradeSucceeded,
} from '../../server/src/wechat/states';

describe('WeChat Pay trade states as predicates', () => {
  it('counts SUCCESS and REFUND as paid, and only SUCCESS as succeeded', () => {
    const paid = TRADE_STATES.filter((state) => isTradePaid(state));
    const succeeded = TRADE_STATES.filter((state) => isTradeSucceeded(state));

    expect(paid).toEqual(['SUCCESS', 'REFUND']);
    expect(succeeded).toEqual(['SUCCESS']);
  });

  it('counts an order that is closed, failed, revoked, unpaid or unknown to WeChat as not paid', () => {
    const notPaid = TRADE_STATES.filter((state) => isTradeNotPaid(state));

    expect(notPaid).toEqual(['NOTPAY', 'CLOSED', 'REVOKED', 'PAYERROR']);
    expect(isTradeNotPaid('ORDER_NOT_EXIST')).toBe(true);
  });

  it('leaves a payer still paying and an unanswered query neither paid nor unpaid', () => {
    for (const state of ['USERPAYING', undefined]) {
      expect(isTradePaid(state)).toBe(false);
      expect(isTradeNotPaid(state)).toBe(false);
    }
  });
});

describe('WeChat Pay refund statuses and event types as predicates', () => {
  it('tells a finished refund from one still moving', () => {
    expect(REFUND_STATUSES.filter((status) => isRefundSucceeded(status))).toEqual(['SUCCESS']);
    expect(REFUND_STATUSES.filter((status) => isRefundProcessing(status))).toEqual(['PROCESSING']);
  });

  it('tells payment events from refund events', () => {
    const types = ['TRANSACTION.SUCCESS', 'REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED', 'TRANSACTION.CLOSED'];

    expect(types.filter((type) => isPaymentEvent(type))).toEqual(['TRANSACTION.SUCCESS']);
    expect(types.filter((type) => isRefundEvent(type))).toEqual(['REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED']);
  });
});

describe('WeChat Pay error codes as predicates', () => {
  it('treats a close refused for a closed or missing order as closed, but not one refused for a paid order', () => {
    expect(isOrderUnpayableCloseCode('ORDER_CLOSED')).toBe(true);
    expect(isOrderUnpayableCloseCode('ORDER_NOT_EXIST')).toBe(true);
    expect(isOrderUnpayableCloseCode('ORDERPAID')).toBe(false);
    expect(isOrderNotExistCode('ORDER_NOT_EXIST')).toBe(true);
    expect(isOrderNotExistCode('ORDER_CLOSED')).toBe(false);
  });

  it('tells a message that failed authentication from one that could not be read', () => {
    for (const code of ['SIGNATURE_MISSING', 'SIGNATURE_INVALID', 'SERIAL_UNKNOWN', 'TIMESTAMP_OUT_OF_WINDOW']) expect(isUnauthenticatedCode(code)).toBe(true);
    for (const code of ['DECRYPTION_FAILED', 'NOTIFICATION_MALFORMED', 'UNKNOWN']) expect(isUnauthenticatedCode(code)).toBe(false);
  });
});
