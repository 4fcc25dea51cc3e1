/** What the store does with shops: the API's integrating merchants. */
import type { ShopRecord } from './records';

/** Shops, outside a transaction. */
export interface ShopStore {
  insertShop(shop: ShopRecord): Promise<void>;
  /** The shop an API key belongs to, by the key's hash (the shop API's authentication). */
  findShopByApiKeyHash(apiKeyHash: string): Promise<ShopRecord | undefined>;
  getShop(id: string): Promise<ShopRecord | undefined>;
  /** Points the shop's webhooks somewhere else (null: nowhere); the sandbox's demo shop follows its server's port. */
  setShopWebhookUrl(id: string, webhookUrl: string | null): Promise<void>;
  /** Sets (or with nulls clears) the shop's WeChat Pay sub-merchant; the shop as it now is, undefined when there is none. */
  updateShopMerchant(id: string, subMchId: string | null, subAppId: string | null): Promise<ShopRecord | undefined>;
  /** The shops whose money goes to sub-merchant `subMchId`, oldest first. */
  listShopsBySubMchId(subMchId: string): Promise<ShopRecord[]>;
}

/** Shops, inside `Store.transaction`. */
export interface ShopStoreTx {
  getShop(id: string): Promise<ShopRecord | undefined>;
}
