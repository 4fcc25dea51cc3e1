/**
 * `npm run shop:create -- --name NAME [--webhook-url URL] [--sub-mchid ID [--sub-appid APPID]]`:
 * registers a shop, prints its key once. In partner mode `--sub-mchid` names the WeChat Pay
 * sub-merchant the shop's money goes to (also settable later with `npm run shop:update`).
 */
import { parseArgs } from 'node:util';
import { systemClock } from '../clock';
import { ConfigError, loadStoreConfig, loadWebhookTargets, type DatabaseConfig } from '../config/config';
import { randomIds } from '../ids';
import { setShopMerchant, validateSubMerchant } from '../shops/shop-merchant';
import { createShop, validateShopInput } from '../shops/shop-service';
import { openStore } from '../store/open-store';
import { webhookTargetPolicy } from '../webhooks/webhook-targets';

const usage = 'usage: npm run shop:create -- --name NAME [--webhook-url URL] [--sub-mchid ID [--sub-appid APPID]]\n(webhook URLs must be https to a public host; WEBHOOK_TARGETS=local, or SANDBOX=1, also allows http, loopback and private networks)';

/** The database in words, without a password: `SQLite file /srv/data/friend-pay.sqlite`, `PostgreSQL postgres://app@db:5432/pay`. */
function describeDatabase(database: DatabaseConfig): string {
  if (database.engine === 'sqlite') return database.file === ':memory:' ? 'an in-memory SQLite database (gone when this command ends)' : `SQLite file ${database.file}`;
  const url = new URL(database.url);
  if (url.password !== '') url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}

function fail(message: string): never {
  process.stderr.write(`shop:create: ${message}\n${usage}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values: { name?: string | undefined; 'webhook-url'?: string | undefined; 'sub-mchid'?: string | undefined; 'sub-appid'?: string | undefined };
  try {
    ({ values } = parseArgs({ options: { name: { type: 'string' }, 'webhook-url': { type: 'string' }, 'sub-mchid': { type: 'string' }, 'sub-appid': { type: 'string' } }, strict: true }));
  } catch (error: unknown) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.name === undefined) fail('--name is required');
  let database;
  let targets;
  try {
    database = loadStoreConfig(process.env).database;
    targets = webhookTargetPolicy(loadWebhookTargets(process.env));
  } catch (error: unknown) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  // Every value checked before anything is written: a bad --sub-mchid leaves no half-made shop.
  try {
    validateShopInput(values.name, values['webhook-url'], targets);
    validateSubMerchant(values['sub-mchid'], values['sub-appid']);
  } catch (error: unknown) {
    fail(error instanceof Error ? error.message : String(error));
  }

  const store = await openStore(database);
  try {
    await store.migrate();
    const shop = await createShop({ store, clock: systemClock, ids: randomIds, webhookTargets: targets }, { name: values.name, webhookUrl: values['webhook-url'] });
    const subMchId = values['sub-mchid'];
    const subAppId = values['sub-appid'];
    if (subMchId !== undefined) await setShopMerchant(store, shop.id, subMchId, subAppId);
    const merchant = { ...(subMchId === undefined ? {} : { sub_mchid: subMchId }), ...(subAppId === undefined ? {} : { sub_appid: subAppId }) };
    process.stdout.write(`${JSON.stringify({ id: shop.id, name: shop.name, api_key: shop.api_key, webhook_secret: shop.webhook_secret, ...merchant }, null, 2)}\n`);
    process.stderr.write(`shop:create: stored in ${describeDatabase(database)} (DATABASE_URL); the server must use the same database to know this shop.\n`);
    process.stderr.write('shop:create: keep the api_key now; only its hash is stored and it cannot be shown again.\n');
  } catch (error: unknown) {
    fail(error instanceof Error ? error.message : String(error));
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`friend-pay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
