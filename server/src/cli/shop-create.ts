/** `npm run shop:create -- --name NAME [--webhook-url URL]`: registers a shop, prints its key once. */
import { parseArgs } from 'node:util';
import { systemClock } from '../clock';
import { ConfigError, loadStoreConfig, type DatabaseConfig } from '../config/config';
import { randomIds } from '../ids';
import { createShop } from '../shops/shop-service';
import { openStore } from '../store/open-store';

const usage = 'usage: npm run shop:create -- --name NAME [--webhook-url URL]';

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
  let values: { name?: string | undefined; 'webhook-url'?: string | undefined };
  try {
    ({ values } = parseArgs({ options: { name: { type: 'string' }, 'webhook-url': { type: 'string' } }, strict: true }));
  } catch (error: unknown) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.name === undefined) fail('--name is required');

  let database;
  try {
    database = loadStoreConfig(process.env).database;
  } catch (error: unknown) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const store = await openStore(database);
  try {
    await store.migrate();
    const shop = await createShop({ store, clock: systemClock, ids: randomIds }, { name: values.name, webhookUrl: values['webhook-url'] });
    process.stdout.write(`${JSON.stringify({ id: shop.id, name: shop.name, api_key: shop.api_key, webhook_secret: shop.webhook_secret }, null, 2)}\n`);
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
