/** `POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close`: stops an unpaid order from being paid. */
import { PATH_CLOSE, fillPath } from '../consts';
import type { SignedCaller } from '../v3/signed-call';

/** Closes an order (WeChat answers 204). Retried: closing a closed order succeeds again; ORDERPAID when it was paid. */
export async function closeTransaction(caller: SignedCaller, mchId: string, outTradeNo: string): Promise<void> {
  const path = fillPath(PATH_CLOSE, { out_trade_no: outTradeNo });
  await caller.call({ method: 'POST', path, body: { mchid: mchId }, safeToRepeat: true });
}
