/** What the store does with shops: the API's integrating merchants. */
import type { ShopRecord } from './records';

/** Shops, outside a transaction. */
export interface ShopStore {
  insertShop(shop: ShopRecord): Promise<void>;
  /** The shop an API key belongs to, by the key's hash (the shop API's authentication). */
  findShopByApiKeyHash(apiKeyHash: string): Promise<ShopRecord | undefined>;
  getShop(id: string): Promise<ShopRecord | undefined>;
}

/** Shops, inside `Store.transaction`. */
export interface ShopStoreTx {
  getShop(id: string): Promise<ShopRecord | undefined>;
}
