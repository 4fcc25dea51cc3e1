import { describe, expect, it } from 'vitest';
import { fenToYuan, formatTradeBill, isPaymentRow, isRefundRow, parseTradeBill, yuanToFen, type TradeBillLine } from '../../server/src/wechat/bill/trade-bill';
import { WechatPayError } from '../../server/src/wechat/errors';

const HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
const tick = (fields: string[]): string => fields.map((field) => `\`${field}`).join(',');

/** A bill as WeChat Pay serves it: BOM, CRLF, backtick-prefixed fields, a comma inside a product name. */
const SAMPLE = [
  `\uFEFF${HEADER}`,
  tick(['2026-12-01 09:15:02', 'wxd678efh567hg6787', '1230000109', '0', '', '4200000001202612011234567890', 'FPaaaa1111', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', '12.34', '0.00', '0', '0', '0.00', '0.00', '', '', '好物小店, 咖啡豆', '', '0.07', '0.60%', '12.34', '0.00', '']),
  tick(['2026-12-01 18:40:59', 'wxd678efh567hg6787', '1230000109', '0', '', '4200000001202612011234567890', 'FPaaaa1111', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', 'JSAPI', 'REFUND', 'OTHERS', 'CNY', '0.00', '0.00', '50300000012026120100000001', 'FRbbbb2222', '2.00', '0.00', 'ORIGINAL', 'PROCESSING', '好物小店, 咖啡豆', '', '-0.01', '0.60%', '0.00', '2.00', '']),
  SUMMARY,
  tick(['2', '12.34', '2.00', '0.00', '0.06', '12.34', '2.00']),
  '',
].join('\r\n');

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error: unknown) {
    return error instanceof WechatPayError ? error.code : 'not a WechatPayError';
  }
  return undefined;
}

describe('a WeChat Pay trade bill', () => {
  it('reads payments and refunds by column name, amounts in fen, times in China Standard Time', () => {
    const bill = parseTradeBill(SAMPLE);

    expect(bill.rows).toHaveLength(2);
    const [payment, refund] = bill.rows;
    expect(payment).toMatchObject({ outTradeNo: 'FPaaaa1111', tradeState: 'SUCCESS', orderAmount: 1234, refundAmount: 0, subMchId: undefined, outRefundNo: undefined, transactionId: '4200000001202612011234567890' });
    expect(payment?.tradeTime).toBe(Date.parse('2026-12-01T01:15:02Z'));
    expect(payment?.fields['商品名称']).toBe('好物小店, 咖啡豆');
    expect(refund).toMatchObject({ outTradeNo: 'FPaaaa1111', tradeState: 'REFUND', outRefundNo: 'FRbbbb2222', refundId: '50300000012026120100000001', refundAmount: 200, refundStatus: 'PROCESSING', orderAmount: 0 });
    expect(bill.rows.map((row) => [isPaymentRow(row), isRefundRow(row)])).toEqual([[true, false], [false, true]]);
    expect(bill.summary).toMatchObject({ count: 2, orderTotal: 1234, refundTotal: 200 });
  });

  it('finds columns by name when WeChat orders them differently, and reads a partner bill\'s sub-merchant', () => {
    const names = HEADER.split(',');
    const values = ['2026-12-01 09:15:02', 'wxd678efh567hg6787', '1230000109', '1900000109', '', '42000', 'FPcccc3333', 'o1', 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY', '1.00', '0.00', '0', '0', '0.00', '0.00', '', '', 'x', '', '0.01', '0.60%', '1.00', '0.00', ''];
    const order = names.map((_, index) => index).reverse();
    const text = [order.map((i) => names[i]).join(','), tick(order.map((i) => values[i] ?? '')), SUMMARY, tick(['1', '1.00', '0.00', '0.00', '0.01', '1.00', '0.00'])].join('\n');

    const [row] = parseTradeBill(text).rows;

    expect(row).toMatchObject({ outTradeNo: 'FPcccc3333', subMchId: '1900000109', orderAmount: 100 });
  });

  it('reads an empty day: no rows, a zero summary', () => {
    const bill = parseTradeBill(`\uFEFF${HEADER}\r\n${SUMMARY}\r\n${tick(['0', '0.00', '0.00', '0.00', '0.00', '0.00', '0.00'])}\r\n`);
    expect(bill.rows).toEqual([]);
    expect(bill.summary.count).toBe(0);
  });

  it('refuses a bill that does not add up, or is not one', () => {
    const lines = SAMPLE.split('\r\n');
    const summaryAt = lines.length - 2;
    const withSummary = (values: string[]): string => [...lines.slice(0, summaryAt), tick(values), ''].join('\r\n');

    expect(codeOf(() => parseTradeBill(withSummary(['3', '12.34', '2.00', '0.00', '0.06', '12.34', '2.00'])))).toBe('BILL_MALFORMED');
    expect(codeOf(() => parseTradeBill(withSummary(['2', '12.34', '2.00', '0.00', '0.06', '99.99', '2.00'])))).toBe('BILL_MALFORMED');
    expect(codeOf(() => parseTradeBill(withSummary(['2', '12.34', '2.00', '0.00', '0.06', '12.34', '1.00'])))).toBe('BILL_MALFORMED');
    expect(codeOf(() => parseTradeBill(SAMPLE.replace('`12.34,`0.00,`0,`0', '12.34,`0.00,`0,`0')))).toBe('BILL_MALFORMED');
    expect(codeOf(() => parseTradeBill(SAMPLE.replace('`2026-12-01 09:15:02', '`yesterday')))).toBe('BILL_MALFORMED');
    expect(codeOf(() => parseTradeBill('{"code":"NO_STATEMENT_EXIST"}'))).toBe('BILL_MALFORMED');
    expect(codeOf(() => parseTradeBill(SAMPLE.replace('商户订单号', '订单')))).toBe('BILL_MALFORMED');
  });

  it('turns yuan into fen and back without floating point', () => {
    expect(['0.01', '12.34', '12.3', '7', '-0.05', '100000000.99'].map(yuanToFen)).toEqual([1, 1234, 1230, 700, -5, 10_000_000_099]);
    expect(['1.234', '1,00', '', 'abc', '0.1e2'].map(yuanToFen)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect([1, 1234, 1230, 0, -5, 10_000_000_099].map(fenToYuan)).toEqual(['0.01', '12.34', '12.30', '0.00', '-0.05', '100000000.99']);
  });

  it('is written as it is read: what the simulator writes parses back with its totals', () => {
    const line = (outTradeNo: string, amount: string): TradeBillLine => ({
      tradeTime: '2026-12-01 10:00:00', appId: 'wx1', mchId: '1230000109', subMchId: '0', deviceInfo: '', transactionId: '42', outTradeNo, openid: 'o', tradeType: 'JSAPI',
      tradeState: 'SUCCESS', bankType: 'OTHERS', currency: 'CNY', settlementAmount: amount, couponAmount: '0.00', refundId: '0', outRefundNo: '0', refundAmount: '0.00',
      rechargeCouponRefundAmount: '0.00', refundType: '', refundStatus: '', description: 'a, b', attach: '', fee: '0.01', feeRate: '0.60%', orderAmount: amount, requestedRefundAmount: '0.00', feeRateNote: '',
    });

    const text = formatTradeBill([line('FP1', '1.00'), line('FP2', '2.50')]);
    const bill = parseTradeBill(text);

    expect(text.startsWith('\uFEFF交易时间,')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(bill.rows.map((row) => [row.outTradeNo, row.orderAmount])).toEqual([['FP1', 100], ['FP2', 250]]);
    expect(bill.summary).toMatchObject({ count: 2, orderTotal: 350, refundTotal: 0 });
  });
});
