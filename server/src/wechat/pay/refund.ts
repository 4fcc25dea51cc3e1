/** `/v3/refund/domestic/refunds`: gives money of a paid order back, and asks how a refund went. */
import { CURRENCY_CNY, PATH_REFUND_BY_OUT_REFUND_NO, PATH_REFUNDS, fillPath } from '../consts';
import { parseRefund, type Refund } from '../resources';
import { malformedAnswer, parseJsonOr, type SignedCaller } from '../v3/signed-call';

/** A refund to request. */
export interface RefundInput {
  outTradeNo: string;
  /** 1-64 of `[0-9A-Za-z_-|*@]`; the same number repeated returns the same refund. */
  outRefundNo: string;
  /** Fen to give back. */
  amountRefund: number;
  /** Fen of the original order. */
  amountTotal: number;
  reason?: string;
  notifyUrl?: string;
  /** Partner mode: the sub-merchant whose order it is (`sub_mchid` in the body). */
  subMchId?: string;
}

/** `POST /v3/refund/domestic/refunds`. Not retried here: money moves; repeat with the same outRefundNo instead. */
export async function requestRefund(caller: SignedCaller, input: RefundInput): Promise<Refund> {
  const body = Object.assign({}, input.subMchId === undefined ? {} : { sub_mchid: input.subMchId }, {
    out_trade_no: input.outTradeNo,
    out_refund_no: input.outRefundNo,
    ...(input.reason === undefined ? {} : { reason: input.reason }),
    ...(input.notifyUrl === undefined ? {} : { notify_url: input.notifyUrl }),
    amount: { refund: input.amountRefund, total: input.amountTotal, currency: CURRENCY_CNY },
  });
  const { text } = await caller.call({ method: 'POST', path: PATH_REFUNDS, body, safeToRepeat: false });
  const refund = parseRefund(parseJsonOr(text));
  if (refund === undefined) throw malformedAnswer('refund');
  return refund;
}

/** `GET /v3/refund/domestic/refunds/{out_refund_no}` (partner mode: `?sub_mchid=`). Retried: a query changes nothing. */
export async function queryRefund(caller: SignedCaller, outRefundNo: string, subMchId?: string): Promise<Refund> {
  const path = fillPath(PATH_REFUND_BY_OUT_REFUND_NO, { out_refund_no: outRefundNo });
  const { text } = await caller.call({ method: 'GET', path, ...(subMchId === undefined ? {} : { query: { sub_mchid: subMchId } }), safeToRepeat: true });
  const refund = parseRefund(parseJsonOr(text));
  if (refund === undefined) throw malformedAnswer('refund query');
  return refund;
}
