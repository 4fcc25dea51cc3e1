/**
 * A shop's WeChat Pay sub-merchant (partner mode, 服务商): where the money friends pay for the
 * shop's orders goes, so no shop's money passes through another's account. Set by the shop
 * admin commands; read before every WeChat Pay call about one of the shop's orders.
 */
import { AppError } from '../errors/app-error';
import type { ServiceDeps } from '../service-deps';
import type { ShopRecord } from '../store/records';
import type { Store } from '../store/store';
import type { SubMerchant } from '../wechat/merchant';

/** WeChat Pay merchant ids are digits (usually ten). */
const SUB_MCHID_PATTERN = /^\d{6,32}$/;
/** Mini program and official account app ids: `wx` and sixteen letters or digits. */
const SUB_APPID_PATTERN = /^wx[0-9A-Za-z]{16}$/;

/** Checks a sub-merchant's ids; throws a readable Error naming the command-line option. */
export function validateSubMerchant(subMchId: string | undefined, subAppId: string | undefined): void {
  if (subMchId !== undefined && !SUB_MCHID_PATTERN.test(subMchId)) throw new Error(`--sub-mchid must be a WeChat Pay merchant id (6-32 digits), not "${subMchId.slice(0, 40)}"`);
  if (subAppId !== undefined && !SUB_APPID_PATTERN.test(subAppId)) throw new Error(`--sub-appid must be an app id (wx and 16 letters or digits), not "${subAppId.slice(0, 40)}"`);
  if (subAppId !== undefined && subMchId === undefined) throw new Error('--sub-appid needs --sub-mchid: the app belongs to a sub-merchant');
}

/** Sets (or clears, with both undefined) the shop's sub-merchant; undefined when there is no such shop. */
export async function setShopMerchant(store: Store, shopId: string, subMchId: string | undefined, subAppId: string | undefined): Promise<ShopRecord | undefined> {
  validateSubMerchant(subMchId, subAppId);
  return store.updateShopMerchant(shopId, subMchId ?? null, subAppId ?? null);
}

/** A shop's sub-merchant as the WeChat Pay client takes it; undefined when the shop has none. */
export function subMerchantOf(shop: Pick<ShopRecord, 'subMchId' | 'subAppId'>): SubMerchant | undefined {
  if (shop.subMchId === null) return undefined;
  return { subMchId: shop.subMchId, ...(shop.subAppId === null ? {} : { subAppId: shop.subAppId }) };
}

/**
 * The sub-merchant WeChat Pay calls about the shop's orders name: undefined for a direct
 * merchant (no store read). In partner mode a shop without one cannot take payments.
 */
export async function subMerchantForShop(deps: Pick<ServiceDeps, 'store' | 'wechat'>, shopId: string): Promise<SubMerchant | undefined> {
  if (deps.wechat.pay.mode === 'direct') return undefined;
  const shop = await deps.store.getShop(shopId);
  const subMerchant = shop === undefined ? undefined : subMerchantOf(shop);
  if (subMerchant === undefined) {
    throw new AppError('WECHAT_UNAVAILABLE', 'This shop is not set up for WeChat Pay yet (no sub-merchant); the shop has to finish its WeChat Pay setup.');
  }
  return subMerchant;
}
