// The merchant commands as a person runs them: shop:create --sub-mchid, shop:update, and
// reconcile against a running sandbox server (the simulator lives in it) on a SQLite file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatePaymentResponse, OrderResponse } from '../../shared/api-types';
import { chinaDayOf, chinaDayRange } from '../../server/src/wechat/time';
import { loginFriend, payInSheet, shopWithLink, startPayment } from '../support/friends';
import { runCli } from '../support/run-command';
import { startTestServer, type TestServer } from '../support/test-server';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-merchant-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm run shop:create and shop:update (partner mode sub-merchants)', () => {
  const file = path.join(tmp, 'shops.sqlite');
  const env = { DATABASE_URL: `sqlite:${file}` };
  const row = (id: string) => {
    const db = new Database(file, { readonly: true });
    const found = db.prepare('SELECT sub_mchid, sub_appid FROM shops WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    db.close();
    return found;
  };

  it('registers a shop with its sub-merchant, then changes and clears it', async () => {
    const created = await runCli('server/src/cli/shop-create.ts', ['--name', 'Tea House', '--sub-mchid', '1900000109', '--sub-appid', 'wx1234567890abcdef'], env);
    expect(created.code, created.stderr).toBe(0);
    const shop = JSON.parse(created.stdout) as Record<string, string>;
    expect(shop).toMatchObject({ name: 'Tea House', sub_mchid: '1900000109', sub_appid: 'wx1234567890abcdef' });
    expect(row(shop.id)).toEqual({ sub_mchid: '1900000109', sub_appid: 'wx1234567890abcdef' });

    const updated = await runCli('server/src/cli/shop-update.ts', ['--id', shop.id, '--sub-mchid', '1900000110'], env);
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toEqual({ id: shop.id, name: 'Tea House', sub_mchid: '1900000110', sub_appid: null });

    const cleared = await runCli('server/src/cli/shop-update.ts', ['--id', shop.id, '--clear-sub-mchid'], env);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(row(shop.id)).toEqual({ sub_mchid: null, sub_appid: null });
  }, 60_000);

  it('refuses a sub-merchant id that is not one, creating nothing, and an unknown shop', async () => {
    const bad = await runCli('server/src/cli/shop-create.ts', ['--name', 'Bad Shop', '--sub-mchid', 'abc'], env);
    const unknown = await runCli('server/src/cli/shop-update.ts', ['--id', 'shop_nope', '--sub-mchid', '1900000111'], env);
    const neither = await runCli('server/src/cli/shop-update.ts', ['--id', 'shop_nope'], env);

    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--sub-mchid must be a WeChat Pay merchant id');
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT COUNT(*) AS n FROM shops WHERE name = 'Bad Shop'").get()).toEqual({ n: 0 });
    db.close();
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no shop has the id shop_nope');
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('usage:');
  }, 60_000);
});

describe('npm run reconcile against a running sandbox', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let day: string;
  let missed: { created: CreatePaymentResponse; orderId: string; shopKey: string };
  let matched: { created: CreatePaymentResponse };

  async function pays(openid: string, amount: number) {
    const { shop, orderId, link } = await shopWithLink(server, { amount });
    const friend = await loginFriend(server, openid);
    const created = (await startPayment(server, friend, link.code)).json;
    await payInSheet(server, friend, created);
    return { created, orderId, shopKey: shop.api_key };
  }

  beforeAll(async () => {
    const database = `sqlite:${path.join(tmp, 'reconcile.sqlite')}`;
    server = await startTestServer({ DATABASE_URL: database });
    env = { SANDBOX: '1', DATA_DIR: server.dataDir, DATABASE_URL: database, PUBLIC_BASE_URL: server.url, LOG_LEVEL: 'warn' };
    const clock = server.sandboxClock!;
    const next = chinaDayRange(chinaDayOf(clock.now() + 24 * 3600_000))!;
    clock.advance((next.from + 12 * 3600_000 - clock.now()) / 1000);
    day = chinaDayOf(clock.now());
    matched = await pays('o_cli_1', 1000);
    server.sandbox!.paySimulator!.faults.set({ notifications: { drop: true } });
    missed = await pays('o_cli_2', 2500);
    server.sandbox!.paySimulator!.faults.reset();
    await server.sandbox!.paySimulator!.idle();
    // 10:30 China time the next day: the bill is there.
    clock.advance((Date.parse(`${chinaDayOf(next.to)}T10:30:00+08:00`) - clock.now()) / 1000);
  }, 60_000);
  afterAll(async () => server.stop());

  it('settles the payment WeChat took that we missed, says so in one line, and exits 0; then finds the day matching', async () => {
    const first = await runCli('server/src/cli/reconcile.ts', ['--date', day], env);
    const second = await runCli('server/src/cli/reconcile.ts', ['--date', day, '--json'], env);

    expect(first.code, first.stderr).toBe(0);
    const outTradeNo = missed.created.payment.id.replace(/^pay_/, 'FP');
    const lines = first.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('state_differs'))).toEqual([expect.stringContaining(`payment ${outTradeNo}: WeChat ¥25.00 SUCCESS, here ¥25.00 created; APPLIED`)]);
    expect(lines.at(-1)).toBe('1 difference: 1 applied, 0 need a person');
    expect(first.stderr).toContain(`reconcile: asking WeChat Pay for the trade bill of ${day}`);
    expect(first.stderr).toMatch(/SHA1 [0-9a-f]{40} checked: 2 payments and 0 refunds at WeChat/);
    expect(lines[0]).toBe(`bill ${day}, merchant ${server.deps.wechat.pay.mchId}: WeChat lists 2 payments and 0 refunds; here 2 payments and 0 refunds fall on that day; 1 row matches`);
    const order = (await server.call<OrderResponse>('GET', `/v1/orders/${missed.orderId}`, { key: missed.shopKey })).json;
    expect(order).toMatchObject({ status: 'paid', amount_paid: 2500 });

    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ bill_date: day, ok: true, matched: 2, differences: [], wechat: { payments: 2, refunds: 0 } });
  }, 60_000);

  it('exits 1 naming what a person must look at, in lines and in JSON', async () => {
    await server.deps.store.transaction((tx) => tx.updatePayment(matched.created.payment.id, { amount: 1001 }, ['paid']));
    const outTradeNo = matched.created.payment.id.replace(/^pay_/, 'FP');

    const text = await runCli('server/src/cli/reconcile.ts', ['--date', day], env);
    const json = await runCli('server/src/cli/reconcile.ts', ['--date', day, '--json'], env);
    await server.deps.store.transaction((tx) => tx.updatePayment(matched.created.payment.id, { amount: 1000 }, ['paid']));

    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`amount_differs payment ${outTradeNo}: WeChat ¥10.00 SUCCESS, here ¥10.01 paid; NEEDS A PERSON`);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, unapplied: 1, differences: [{ kind: 'amount_differs', subject: 'payment', out_trade_no: outTradeNo, out_refund_no: null, wechat: { amount: 1000, state: 'SUCCESS' }, here: { amount: 1001, state: 'paid' }, applied: false }] });
  }, 60_000);

  it('exits 1 explaining that a day has no bill yet, and on a bad date', async () => {
    const tomorrow = chinaDayOf(chinaDayRange(day)!.to);
    const early = await runCli('server/src/cli/reconcile.ts', ['--date', tomorrow, '--json'], env);
    const bad = await runCli('server/src/cli/reconcile.ts', ['--date', '2026-02-30'], env);

    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`WeChat Pay has no bill for ${tomorrow} (NO_STATEMENT_EXIST): it makes a day's bill after 10:00 China time of the next day`);
    expect(JSON.parse(early.stdout)).toMatchObject({ bill_date: tomorrow, ok: false });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--date must be a day as YYYY-MM-DD');
  }, 60_000);

  it('refuses to run in production without the WeChat Pay configuration, naming what is missing', async () => {
    const result = await runCli('server/src/cli/reconcile.ts', ['--date', day], { DATABASE_URL: env.DATABASE_URL });
    expect(result.code).toBe(1);
    for (const name of ['WECHATPAY_MCHID', 'WECHATPAY_APIV3_KEY', 'WECHATPAY_MERCHANT_PRIVATE_KEY_FILE']) expect(result.stderr).toContain(name);
  }, 60_000);
});
