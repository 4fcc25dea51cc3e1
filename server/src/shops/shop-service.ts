/** Shops and their API keys. A key is shown once, at creation; only its SHA-256 is stored. */
import crypto from 'node:crypto';
import type { Clock } from '../clock';
import { randomBase62, type IdSource } from '../ids';
import type { ShopRecord } from '../store/records';
import type { Store } from '../store/store';
import { webhookUrlProblem, type WebhookTargetPolicy } from '../webhooks/webhook-targets';

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

/** Validates a shop's name and webhook URL (where `targets` allows webhooks to go); throws a readable Error. */
export function validateShopInput(name: string, webhookUrl: string | undefined, targets: WebhookTargetPolicy): void {
  if (name.trim().length === 0 || name.length > 100) throw new Error('--name must be 1 to 100 characters');
  if (webhookUrl !== undefined) {
    const problem = webhookUrlProblem(webhookUrl, targets);
    // The URL is not quoted back: it may hold credentials.
    if (problem !== undefined) throw new Error(`--webhook-url ${problem}`);
  }
}

/** Registers a shop and returns its key and webhook secret (the only time the key is visible). */
export async function createShop(
  deps: { store: Store; clock: Clock; ids: IdSource; webhookTargets: WebhookTargetPolicy },
  input: { name: string; webhookUrl?: string | undefined },
): Promise<CreatedShop> {
  validateShopInput(input.name, input.webhookUrl, deps.webhookTargets);
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
