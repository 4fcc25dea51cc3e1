/**
 * `npm run shop:create -- --name NAME [--webhook-url URL] [--sub-mchid ID [--sub-appid APPID]]`:
 * registers a shop, prints its key once. In partner mode `--sub-mchid` names the WeChat Pay
 * sub-merchant the shop's money goes to (also settable later with `npm run shop:update`).
 */
import { systemClock } from '../clock';
import { ConfigError, loadWebhookTargets, type DatabaseConfig } from '../config/config';
import { randomIds } from '../ids';
import { setShopMerchant, validateSubMerchant } from '../shops/shop-merchant';
import { createShop, validateShopInput } from '../shops/shop-service';
import { webhookTargetPolicy, type WebhookTargetPolicy } from '../webhooks/webhook-targets';
import { commandLine, databaseOf, type CommandLine, parseOptions, runCommand, withStore } from './command-line';

const command: CommandLine = commandLine('shop:create', 'usage: npm run shop:create -- --name NAME [--webhook-url URL] [--sub-mchid ID [--sub-appid APPID]]\n(webhook URLs must be https to a public host; WEBHOOK_TARGETS=local, or SANDBOX=1, also allows http, loopback and private networks)');

/** The database in words, without a password: `SQLite file /srv/data/friend-pay.sqlite`, `PostgreSQL postgres://app@db:5432/pay`. */
function describeDatabase(database: DatabaseConfig): string {
  if (database.engine === 'sqlite') return database.file === ':memory:' ? 'an in-memory SQLite database (gone when this command ends)' : `SQLite file ${database.file}`;
  const url = new URL(database.url);
  if (url.password !== '') url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}

function webhookTargets(): WebhookTargetPolicy {
  try {
    return webhookTargetPolicy(loadWebhookTargets(process.env));
  } catch (error: unknown) {
    if (error instanceof ConfigError) command.fail(error.message);
    throw error;
  }
}

async function main(): Promise<void> {
  const values = parseOptions(command, { name: { type: 'string' }, 'webhook-url': { type: 'string' }, 'sub-mchid': { type: 'string' }, 'sub-appid': { type: 'string' } });
  const name = values.name ?? command.fail('--name is required');
  const database = databaseOf(command, process.env);
  const targets = webhookTargets();
  // Every value checked before anything is written: a bad --sub-mchid leaves no half-made shop.
  try {
    validateShopInput(name, values['webhook-url'], targets);
    validateSubMerchant(values['sub-mchid'], values['sub-appid']);
  } catch (error: unknown) {
    command.failWith(error);
  }

  await withStore(command, database, async (store) => {
    const shop = await createShop({ store, clock: systemClock, ids: randomIds, webhookTargets: targets }, { name, webhookUrl: values['webhook-url'] });
    const subMchId = values['sub-mchid'];
    const subAppId = values['sub-appid'];
    if (subMchId !== undefined) await setShopMerchant(store, shop.id, subMchId, subAppId);
    const merchant = { ...(subMchId === undefined ? {} : { sub_mchid: subMchId }), ...(subAppId === undefined ? {} : { sub_appid: subAppId }) };
    process.stdout.write(`${JSON.stringify({ id: shop.id, name: shop.name, api_key: shop.api_key, webhook_secret: shop.webhook_secret, ...merchant }, null, 2)}\n`);
    process.stderr.write(`shop:create: stored in ${describeDatabase(database)} (DATABASE_URL); the server must use the same database to know this shop.\n`);
    process.stderr.write('shop:create: keep the api_key now; only its hash is stored and it cannot be shown again.\n');
  });
}

runCommand(main);
