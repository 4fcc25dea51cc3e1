/** `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`: a direct merchant's order as WeChat sees it. */
import { PATH_PARTNER_QUERY_BY_OUT_TRADE_NO, PATH_QUERY_BY_OUT_TRADE_NO, fillPath } from '../consts';
import { parseTransaction, type Transaction } from '../resources';
import { malformedAnswer, parseJsonOr, type SignedCaller } from '../v3/signed-call';

/** Queries an order by our out_trade_no. Retried: a query changes nothing. */
export async function queryTransactionByOutTradeNo(caller: SignedCaller, mchId: string, outTradeNo: string): Promise<Transaction> {
  const path = fillPath(PATH_QUERY_BY_OUT_TRADE_NO, { out_trade_no: outTradeNo });
  const { text } = await caller.call({ method: 'GET', path, query: { mchid: mchId }, safeToRepeat: true });
  const transaction = parseTransaction(parseJsonOr(text));
  if (transaction === undefined) throw malformedAnswer('query');
  return transaction;
}

/** `GET /v3/pay/partner/transactions/out-trade-no/{no}?sp_mchid=&sub_mchid=`: a sub-merchant's order. Retried. */
export async function queryPartnerTransactionByOutTradeNo(caller: SignedCaller, spMchId: string, subMchId: string, outTradeNo: string): Promise<Transaction> {
  const path = fillPath(PATH_PARTNER_QUERY_BY_OUT_TRADE_NO, { out_trade_no: outTradeNo });
  const { text } = await caller.call({ method: 'GET', path, query: { sp_mchid: spMchId, sub_mchid: subMchId }, safeToRepeat: true });
  const transaction = parseTransaction(parseJsonOr(text));
  if (transaction === undefined) throw malformedAnswer('partner query');
  return transaction;
}
