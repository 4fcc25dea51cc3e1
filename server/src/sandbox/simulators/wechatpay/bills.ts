// Trade bills as the simulator serves them: the day's payments (by success time) and refunds (by
// the time WeChat accepted them), in China Standard Time, written as WeChat Pay writes its CSV.
import { CURRENCY_CNY, TRADE_TYPE_JSAPI } from '../../../wechat/consts';
import { fenToYuan, formatTradeBill, type TradeBillLine } from '../../../wechat/bill/trade-bill';
import { formatBillTime } from '../../../wechat/time';

/** What a bill needs of a paid transaction. */
export interface BilledTransaction {
  outTradeNo: string;
  appId: string;
  mchId: string;
  subMchId?: string | undefined;
  transactionId: string | undefined;
  payerOpenid: string;
  description: string;
  attach: string | undefined;
  amountTotal: number;
  successTime: number | undefined;
}

/** What a bill needs of a refund. */
export interface BilledRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  amountRefund: number;
  status: string;
  createdAt: number;
}

/** The fee WeChat takes: 0.6%, rounded to the fen. */
const feeOf = (fen: number): number => Math.round((fen * 6) / 1000);

/** Which rows a bill holds. */
export interface BillScope {
  /** Epoch ms of the day's start and end in China Standard Time. */
  from: number;
  to: number;
  /** A sub-merchant's bill only (partner mode); undefined: every order. */
  subMchId: string | undefined;
  type: 'ALL' | 'SUCCESS' | 'REFUND';
}

/** Writes the day's bill: payments and refunds in time order. */
export function buildTradeBill(scope: BillScope, transactions: readonly BilledTransaction[], refunds: readonly BilledRefund[]): string {
  const inDay = (at: number | undefined): at is number => at !== undefined && at >= scope.from && at < scope.to;
  const inScope = (tx: BilledTransaction): boolean => scope.subMchId === undefined || tx.subMchId === scope.subMchId;
  const byOutTradeNo = new Map(transactions.map((tx) => [tx.outTradeNo, tx]));
  const lines: { at: number; line: TradeBillLine }[] = [];

  const common = (tx: BilledTransaction, at: number) => ({
    tradeTime: formatBillTime(at),
    appId: tx.appId,
    mchId: tx.mchId,
    subMchId: tx.subMchId ?? '0',
    deviceInfo: '',
    transactionId: tx.transactionId ?? '',
    outTradeNo: tx.outTradeNo,
    openid: tx.payerOpenid,
    tradeType: TRADE_TYPE_JSAPI,
    bankType: 'OTHERS',
    currency: CURRENCY_CNY,
    couponAmount: '0.00',
    rechargeCouponRefundAmount: '0.00',
    description: tx.description,
    attach: tx.attach ?? '',
    feeRate: '0.60%',
    feeRateNote: '',
  });

  if (scope.type !== 'REFUND') {
    for (const tx of transactions) {
      if (!inScope(tx) || !inDay(tx.successTime)) continue;
      lines.push({
        at: tx.successTime,
        line: Object.assign({}, common(tx, tx.successTime), {
          tradeState: 'SUCCESS',
          settlementAmount: fenToYuan(tx.amountTotal),
          refundId: '0',
          outRefundNo: '0',
          refundAmount: '0.00',
          refundType: '',
          refundStatus: '',
          fee: fenToYuan(feeOf(tx.amountTotal)),
          orderAmount: fenToYuan(tx.amountTotal),
          requestedRefundAmount: '0.00',
        }),
      });
    }
  }
  if (scope.type !== 'SUCCESS') {
    for (const refund of refunds) {
      const tx = byOutTradeNo.get(refund.outTradeNo);
      if (tx === undefined || !inScope(tx) || !inDay(refund.createdAt)) continue;
      lines.push({
        at: refund.createdAt,
        line: Object.assign({}, common(tx, refund.createdAt), {
          tradeState: 'REFUND',
          settlementAmount: '0.00',
          refundId: refund.refundId,
          outRefundNo: refund.outRefundNo,
          refundAmount: fenToYuan(refund.amountRefund),
          refundType: 'ORIGINAL',
          refundStatus: refund.status,
          fee: fenToYuan(-feeOf(refund.amountRefund)),
          orderAmount: '0.00',
          requestedRefundAmount: fenToYuan(refund.amountRefund),
        }),
      });
    }
  }
  lines.sort((a, b) => a.at - b.at);
  return formatTradeBill(lines.map((entry) => entry.line));
}
