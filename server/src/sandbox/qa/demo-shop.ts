/**
 * The sandbox's demo shop: one per data folder, reused by every `npm start` and every
 * `POST /sandbox/demo` (which still makes a new order and link each call). Only a hash of a shop's
 * API key is stored, so the key itself is kept beside the sandbox's other secrets
 * (DATA_DIR/sandbox-demo-shop.json, mode 0600) to be shown again on the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ServiceDeps } from '../../service-deps';
import { createShop, hashApiKey } from '../../shops/shop-service';
import type { ShopRecord } from '../../store/records';

/** The demo shop's name. */
export const DEMO_SHOP_NAME = '好物小店 Demo Shop';

/** What QA needs of the demo shop: its id and the secrets shown once to a real shop. */
export interface DemoShopCredentials {
  id: string;
  name: string;
  api_key: string;
  webhook_secret: string;
}

/** The demo shop as stored, with its credentials; `reused` when it came from an earlier run. */
export interface DemoShop {
  record: ShopRecord;
  credentials: DemoShopCredentials;
  reused: boolean;
  /** The file holding its key. */
  file: string;
}

/** Gives the data folder's demo shop, creating it (once, even when asked for at once) if there is none. */
export interface DemoShopSource {
  get(): Promise<DemoShop>;
}

function readCredentials(file: string): DemoShopCredentials | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    const { id, name, api_key, webhook_secret } = (value ?? {}) as Partial<Record<keyof DemoShopCredentials, unknown>>;
    if (typeof id === 'string' && typeof name === 'string' && typeof api_key === 'string' && typeof webhook_secret === 'string') return { id, name, api_key, webhook_secret };
  } catch {
    // An unreadable file is replaced by a new demo shop's.
  }
  return undefined;
}

/**
 * The demo shop of `dataDir` in this store. Its webhooks go to `webhookUrlFor(shopId)` (the
 * sandbox's receiver on this server's current port, so a restart on another port follows).
 */
export function demoShopSource(deps: ServiceDeps, dataDir: string, webhookUrlFor: (shopId: string) => string): DemoShopSource {
  const file = path.join(dataDir, 'sandbox-demo-shop.json');
  let pending: Promise<DemoShop> | undefined;

  const load = async (): Promise<DemoShop> => {
    const saved = readCredentials(file);
    if (saved !== undefined) {
      const record = await deps.store.getShop(saved.id);
      // The file may name a shop of another database (DATABASE_URL changed): then make a new one.
      if (record !== undefined && record.apiKeyHash === hashApiKey(saved.api_key)) {
        const webhookUrl = webhookUrlFor(record.id);
        if (record.webhookUrl !== webhookUrl) await deps.store.setShopWebhookUrl(record.id, webhookUrl);
        return { record: Object.assign({}, record, { webhookUrl }), credentials: saved, reused: true, file };
      }
    }
    const created = await createShop(deps, { name: DEMO_SHOP_NAME });
    const webhookUrl = webhookUrlFor(created.id);
    await deps.store.setShopWebhookUrl(created.id, webhookUrl);
    const record = await deps.store.getShop(created.id);
    if (record === undefined) throw new Error('the demo shop vanished');
    const credentials: DemoShopCredentials = { id: created.id, name: created.name, api_key: created.api_key, webhook_secret: created.webhook_secret };
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    return { record, credentials, reused: false, file };
  };

  return {
    get() {
      pending ??= load().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
}
