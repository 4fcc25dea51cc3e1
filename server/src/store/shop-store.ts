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
}

/** Shops, inside `Store.transaction`. */
export interface ShopStoreTx {
  getShop(id: string): Promise<ShopRecord | undefined>;
}
