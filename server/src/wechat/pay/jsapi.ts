/** `POST /v3/pay/transactions/jsapi`: places a JSAPI (mini program) order for a direct merchant. */
import { CURRENCY_CNY, PATH_JSAPI_PREPAY, PATH_PARTNER_JSAPI_PREPAY } from '../consts';
import type { SubMerchant } from '../merchant';
import { formatWechatTime } from '../time';
import { malformedAnswer, parseJsonOr, type SignedCaller } from '../v3/signed-call';

/** A JSAPI (mini program) order to place. */
export interface PrepayInput {
  /** 6-32 of `[0-9A-Za-z_-|*]`, unique per merchant. */
  outTradeNo: string;
  /** Up to 127 characters, shown to the payer. */
  description: string;
  /** Fen. */
  amountTotal: number;
  payerOpenid: string;
  notifyUrl: string;
  /** Epoch ms after which the order can no longer be paid; sent as RFC 3339 +08:00. */
  timeExpire?: number;
  attach?: string;
}

/** Places the order and returns its prepay_id. Retried: WeChat answers identical parameters with a valid prepay_id. */
export async function prepayJsapi(caller: SignedCaller, merchant: { appId: string; mchId: string }, input: PrepayInput): Promise<{ prepayId: string }> {
  const body = {
    appid: merchant.appId,
    mchid: merchant.mchId,
    description: input.description,
    out_trade_no: input.outTradeNo,
    ...(input.timeExpire === undefined ? {} : { time_expire: formatWechatTime(input.timeExpire) }),
    ...(input.attach === undefined ? {} : { attach: input.attach }),
    notify_url: input.notifyUrl,
    amount: { total: input.amountTotal, currency: CURRENCY_CNY },
    payer: { openid: input.payerOpenid },
  };
  const { text } = await caller.call({ method: 'POST', path: PATH_JSAPI_PREPAY, body, safeToRepeat: true });
  const parsed = parseJsonOr(text) as { prepay_id?: unknown } | undefined;
  if (typeof parsed?.prepay_id !== 'string' || parsed.prepay_id === '') throw malformedAnswer('prepay');
  return { prepayId: parsed.prepay_id };
}

/**
 * `POST /v3/pay/partner/transactions/jsapi`: a service provider places the order for its
 * sub-merchant, so the money goes to `sub_mchid`. The payer is named by `sub_openid` when the
 * sub-merchant's own app is used (`sub_appid`), else by `sp_openid`. Retried like `prepayJsapi`.
 */
export async function prepayPartnerJsapi(
  caller: SignedCaller,
  provider: { spAppId: string; spMchId: string },
  subMerchant: SubMerchant,
  input: PrepayInput,
): Promise<{ prepayId: string }> {
  const body = {
    sp_appid: provider.spAppId,
    sp_mchid: provider.spMchId,
    ...(subMerchant.subAppId === undefined ? {} : { sub_appid: subMerchant.subAppId }),
    sub_mchid: subMerchant.subMchId,
    description: input.description,
    out_trade_no: input.outTradeNo,
    ...(input.timeExpire === undefined ? {} : { time_expire: formatWechatTime(input.timeExpire) }),
    ...(input.attach === undefined ? {} : { attach: input.attach }),
    notify_url: input.notifyUrl,
    amount: { total: input.amountTotal, currency: CURRENCY_CNY },
    payer: subMerchant.subAppId === undefined ? { sp_openid: input.payerOpenid } : { sub_openid: input.payerOpenid },
  };
  const { text } = await caller.call({ method: 'POST', path: PATH_PARTNER_JSAPI_PREPAY, body, safeToRepeat: true });
  const parsed = parseJsonOr(text) as { prepay_id?: unknown } | undefined;
  if (typeof parsed?.prepay_id !== 'string' || parsed.prepay_id === '') throw malformedAnswer('partner prepay');
  return { prepayId: parsed.prepay_id };
}
