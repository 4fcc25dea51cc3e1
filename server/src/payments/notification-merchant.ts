/**
 * Whose notification it is. A direct merchant's carry its `mchid`; a service provider's (partner
 * mode) carry `sp_mchid` and the `sub_mchid` the money went to, which must be the sub-merchant
 * of the shop whose payment it names: otherwise one shop's payment could be settled with
 * another shop's money (docs/architecture.md, "Money").
 */
import type { ServiceDeps } from '../service-deps';
import type { Refund, Transaction } from '../wechat/resources';

/** The shop's sub-merchant ids for a payment we know, or undefined when we do not know the payment. */
async function shopMerchantOf(deps: ServiceDeps, shopId: string): Promise<{ subMchId: string | null; subAppId: string | null } | undefined> {
  const shop = await deps.store.getShop(shopId);
  return shop === undefined ? undefined : { subMchId: shop.subMchId, subAppId: shop.subAppId };
}

/** Why a verified payment notification is not ours to apply, or undefined when it is. */
export async function paymentNotificationMerchantProblem(deps: ServiceDeps, transaction: Transaction): Promise<string | undefined> {
  if (deps.wechat.pay.mode === 'direct') return transaction.subMchId === undefined ? undefined : 'a sub-merchant order sent to a direct merchant';
  if (transaction.subMchId === undefined) return 'sub_mchid missing';
  const payment = await deps.store.findPaymentByOutTradeNo(transaction.outTradeNo);
  // An unknown out_trade_no is refused where payments are applied.
  if (payment === undefined) return undefined;
  const shop = await shopMerchantOf(deps, payment.shopId);
  if (shop?.subMchId !== transaction.subMchId) return 'sub_mchid is not the sub-merchant of the shop of this payment';
  if ((shop.subAppId ?? undefined) !== transaction.subAppId) return 'sub_appid is not the app of the shop of this payment';
  return undefined;
}

/** Why a verified refund notification is not ours to apply, or undefined when it is. */
export async function refundNotificationMerchantProblem(deps: ServiceDeps, refund: Refund): Promise<string | undefined> {
  if (refund.mchId !== undefined && refund.mchId !== deps.wechat.pay.mchId) return 'mchid mismatch';
  if (deps.wechat.pay.mode === 'direct') return refund.subMchId === undefined ? undefined : 'a sub-merchant refund sent to a direct merchant';
  if (refund.subMchId === undefined) return 'sub_mchid missing';
  const ours = await deps.store.findRefundByOutRefundNo(refund.outRefundNo);
  if (ours === undefined) return undefined;
  const shop = await shopMerchantOf(deps, ours.shopId);
  return shop?.subMchId === refund.subMchId ? undefined : 'sub_mchid is not the sub-merchant of the shop of this refund';
}
