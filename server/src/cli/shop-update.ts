/**
 * `npm run shop:update -- --id SHOP_ID (--sub-mchid ID [--sub-appid APPID] | --clear-sub-mchid)`:
 * the shop admin command for partner mode (服务商): sets which WeChat Pay sub-merchant a shop's
 * money goes to, or clears it (the shop then takes no payments in partner mode). Prints the shop.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadStoreConfig } from '../config/config';
import { setShopMerchant } from '../shops/shop-merchant';
import { openStore } from '../store/open-store';

const usage = 'usage: npm run shop:update -- --id SHOP_ID (--sub-mchid ID [--sub-appid APPID] | --clear-sub-mchid)';

function fail(message: string): never {
  process.stderr.write(`shop:update: ${message}\n${usage}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values: { id?: string | undefined; 'sub-mchid'?: string | undefined; 'sub-appid'?: string | undefined; 'clear-sub-mchid'?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { id: { type: 'string' }, 'sub-mchid': { type: 'string' }, 'sub-appid': { type: 'string' }, 'clear-sub-mchid': { type: 'boolean' } }, strict: true }));
  } catch (error: unknown) {
    fail(error instanceof Error ? error.message : String(error));
  }
  if (values.id === undefined) fail('--id is required');
  const clear = values['clear-sub-mchid'] === true;
  if (clear === (values['sub-mchid'] !== undefined)) fail('give either --sub-mchid (with --sub-appid if friends pay in the sub-merchant\'s own app) or --clear-sub-mchid');
  if (clear && values['sub-appid'] !== undefined) fail('--clear-sub-mchid clears --sub-appid too; give no --sub-appid');

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
    const shop = clear ? await setShopMerchant(store, values.id, undefined, undefined) : await setShopMerchant(store, values.id, values['sub-mchid'], values['sub-appid']);
    if (shop === undefined) fail(`no shop has the id ${values.id}`);
    process.stdout.write(`${JSON.stringify({ id: shop.id, name: shop.name, sub_mchid: shop.subMchId, sub_appid: shop.subAppId }, null, 2)}\n`);
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
