/**
 * `npm run shop:update -- --id SHOP_ID (--sub-mchid ID [--sub-appid APPID] | --clear-sub-mchid)`:
 * the shop admin command for partner mode (服务商): sets which WeChat Pay sub-merchant a shop's
 * money goes to, or clears it (the shop then takes no payments in partner mode). Prints the shop.
 */
import { setShopMerchant } from '../shops/shop-merchant';
import { commandLine, databaseOf, type CommandLine, parseOptions, runCommand, withStore } from './command-line';

const command: CommandLine = commandLine('shop:update', 'usage: npm run shop:update -- --id SHOP_ID (--sub-mchid ID [--sub-appid APPID] | --clear-sub-mchid)');

async function main(): Promise<void> {
  const values = parseOptions(command, { id: { type: 'string' }, 'sub-mchid': { type: 'string' }, 'sub-appid': { type: 'string' }, 'clear-sub-mchid': { type: 'boolean' } });
  const id = values.id ?? command.fail('--id is required');
  const clear = values['clear-sub-mchid'] === true;
  if (clear === (values['sub-mchid'] !== undefined)) command.fail('give either --sub-mchid (with --sub-appid if friends pay in the sub-merchant\'s own app) or --clear-sub-mchid');
  if (clear && values['sub-appid'] !== undefined) command.fail('--clear-sub-mchid clears --sub-appid too; give no --sub-appid');

  await withStore(command, databaseOf(command, process.env), async (store) => {
    const shop = clear ? await setShopMerchant(store, id, undefined, undefined) : await setShopMerchant(store, id, values['sub-mchid'], values['sub-appid']);
    if (shop === undefined) command.fail(`no shop has the id ${id}`);
    process.stdout.write(`${JSON.stringify({ id: shop.id, name: shop.name, sub_mchid: shop.subMchId, sub_appid: shop.subAppId }, null, 2)}\n`);
  });
}

runCommand(main);
