/** `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`: stops an unpaid order from being paid. */
import { PATH_CLOSE, PATH_PARTNER_CLOSE, fillPath } from '../consts';
import type { SignedCaller } from '../v3/signed-call';

/** Closes an order (WeChat answers 204). Retried: closing a closed order succeeds again; ORDERPAID when it was paid. */
export async function closeTransaction(caller: SignedCaller, mchId: string, outTradeNo: string): Promise<void> {
  const path = fillPath(PATH_CLOSE, { out_trade_no: outTradeNo });
  await caller.call({ method: 'POST', path, body: { mchid: mchId }, safeToRepeat: true });
}

/** `POST /v3/pay/partner/transactions/out-trade-no/{no}/close` with `{sp_mchid, sub_mchid}` (204). Retried. */
export async function closePartnerTransaction(caller: SignedCaller, spMchId: string, subMchId: string, outTradeNo: string): Promise<void> {
  const path = fillPath(PATH_PARTNER_CLOSE, { out_trade_no: outTradeNo });
  await caller.call({ method: 'POST', path, body: { sp_mchid: spMchId, sub_mchid: subMchId }, safeToRepeat: true });
}
