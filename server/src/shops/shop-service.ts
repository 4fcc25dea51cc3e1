/** Shops and their API keys. A key is shown once, at creation; only its SHA-256 is stored. */
import crypto from 'node:crypto';
import type { Clock } from '../clock';
import { randomBase62, type IdSource } from '../ids';
import type { ShopRecord } from '../store/records';
import type { Store } from '../store/store';

/** What a new shop is told, once. */
export interface CreatedShop {
  id: string;
  name: string;
  api_key: string;
  webhook_secret: string;
  webhook_url: string | null;
}

/** API keys carry 190 bits of randomness, so a fast hash is enough to store them safely. */
export function hashApiKey(apiKey: string): string {
  return crypto.createHash('sha256').update(apiKey).digest('hex');
}

/** Validates a shop's name and webhook URL; throws a readable Error. */
export function validateShopInput(name: string, webhookUrl: string | undefined): void {
  if (name.trim().length === 0 || name.length > 100) throw new Error('--name must be 1 to 100 characters');
  if (webhookUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(webhookUrl);
    } catch {
      throw new Error(`--webhook-url is not a URL: ${webhookUrl}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('--webhook-url must be http(s)');
  }
}

/** Registers a shop and returns its key and webhook secret (the only time the key is visible). */
export async function createShop(
  deps: { store: Store; clock: Clock; ids: IdSource },
  input: { name: string; webhookUrl?: string | undefined },
): Promise<CreatedShop> {
  validateShopInput(input.name, input.webhookUrl);
  const apiKey = `fp_key_${randomBase62(32)}`;
  const shop: ShopRecord = {
    id: deps.ids.newId('shop'),
    name: input.name.trim(),
    apiKeyHash: hashApiKey(apiKey),
    webhookUrl: input.webhookUrl ?? null,
    webhookSecret: `whsec_${randomBase62(32)}`,
    createdAt: deps.clock.now(),
    subMchId: null,
    subAppId: null,
  };
  await deps.store.insertShop(shop);
  return { id: shop.id, name: shop.name, api_key: apiKey, webhook_secret: shop.webhookSecret, webhook_url: shop.webhookUrl };
}
