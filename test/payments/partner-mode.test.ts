// Partner mode (服务商) end to end: a service provider collects for two shops, each its own
// WeChat Pay sub-merchant, so neither shop's money passes through the other's account.
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderResponse } from '../../shared/api-types';
import { reconcileBill } from '../../server/src/payments/bill-reconciliation';
import { setShopMerchant } from '../../server/src/shops/shop-merchant';
import { createShop } from '../../server/src/shops/shop-service';
import { paySignMessage } from '../../server/src/wechat/consts';
import { chinaDayOf, chinaDayRange } from '../../server/src/wechat/time';
import { eventually, loginFriend, payInSheet, startPayment } from '../support/friends';
import { paymentNotification, refundNotification } from '../support/notifications';
import { engines, startTestServer, type TestServer } from '../support/test-server';

const SUB_A = '1900000201';
const SUB_B = '1900000202';

describe.each(engines)('partner mode: two shops, two sub-merchants (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({ WECHATPAY_MODE: 'partner' }, {}, { engine });
  });
  afterEach(async () => server.stop());

  /** A shop of sub-merchant `subMchId` with a group-mode order of `amount` and its link. */
  async function shopOf(name: string, subMchId: string | undefined, amount = 1000) {
    const shop = await createShop(server.deps, { name });
    if (subMchId !== undefined) await setShopMerchant(server.deps.store, shop.id, subMchId, undefined);
    const order = await server.newOrder(shop, { amount_total: amount, items: [{ title: 'Tea', quantity: 1, unit_price: amount }] });
    const link = await server.call<{ code: string }>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'shopper-1', name: '王小二' }, mode: 'group' } });
    expect(link.status).toBe(201);
    return { shop, orderId: order.id, code: link.json.code };
  }

  const orderOf = async (key: string, orderId: string) => (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key })).json;
  const notify = (built: { body: string; headers: Record<string, string> }) => fetch(`${server.url}/v1/wechatpay/notify`, { method: 'POST', headers: built.headers, body: built.body });

  it('collects each shop\'s money for its own sub_mchid, refuses a notification naming the other\'s, and refunds under the right sub_mchid', async () => {
    const keys = server.sandbox!.keys;
    const simulator = server.sandbox!.paySimulator!;
    const a = await shopOf('Tea House', SUB_A);
    const b = await shopOf('Noodle Bar', SUB_B);
    const alice = await loginFriend(server, 'o_alice');
    const bob = await loginFriend(server, 'o_bob');

    // Friends pay both shops, in the pay sheet the sandbox plays.
    const paidA = await startPayment(server, alice, a.code, { amount: 400 });
    const paidB = await startPayment(server, bob, b.code, { amount: 300 });
    expect([paidA.status, paidB.status]).toEqual([201, 201]);
    await payInSheet(server, alice, paidA.json);
    await payInSheet(server, bob, paidB.json);
    await eventually(async () => (await orderOf(a.shop.api_key, a.orderId)).amount_paid === 400 && (await orderOf(b.shop.api_key, b.orderId)).amount_paid === 300, 5000, 'both shops to be paid');

    const outTradeNoA = paidA.json.payment.id.replace(/^pay_/, 'FP');
    const outTradeNoB = paidB.json.payment.id.replace(/^pay_/, 'FP');
    expect(simulator.ledger.transaction(outTradeNoA)).toMatchObject({ subMchId: SUB_A, mchId: keys.mchId, appId: keys.appId, tradeState: 'SUCCESS' });
    expect(simulator.ledger.transaction(outTradeNoB)).toMatchObject({ subMchId: SUB_B, tradeState: 'SUCCESS' });
    expect(simulator.ledger.calls().filter((call) => call.endpoint === 'prepay')).toEqual([]);
    // The pay sheet is signed for the service provider's app, which the friends' openids belong to.
    const params = paidA.json.request_payment;
    expect(crypto.verify('sha256', Buffer.from(paySignMessage(keys.appId, params.timeStamp, params.nonceStr, params.package)), keys.merchant.publicKeyPem, Buffer.from(params.paySign, 'base64'))).toBe(true);

    // A genuinely signed notification for shop A's open payment that names shop B's sub-merchant.
    const carol = await loginFriend(server, 'o_carol');
    const open = (await startPayment(server, carol, a.code, { amount: 100 })).json;
    const facts = { outTradeNo: open.payment.id.replace(/^pay_/, 'FP'), transactionId: '4200000000000000000000000301', amount: 100, openid: 'o_carol', successTime: server.deps.clock.now() };
    const misrouted = await notify(paymentNotification(keys, facts, { partner: { subMchId: SUB_B } }));
    const asDirect = await notify(paymentNotification(keys, facts));
    expect([misrouted.status, asDirect.status]).toEqual([400, 400]);
    expect((await server.deps.store.getPayment(open.payment.id))?.status).toBe('created');
    // Carol really pays: WeChat's own notification names shop A's sub-merchant and is taken.
    await payInSheet(server, carol, open);
    await eventually(async () => (await server.deps.store.getPayment(open.payment.id))?.status === 'paid', 5000, "carol's payment to be applied");
    await simulator.idle();
    expect(simulator.ledger.notifications().filter((attempt) => attempt.eventType === 'TRANSACTION.SUCCESS').map((attempt) => attempt.outcome)).toEqual([204, 204, 204]);

    // Both orders cancelled: every contribution goes back, each refund under its shop's sub_mchid.
    // WeChat's notifications of those refunds are held back a moment, so a misrouted one can come first.
    simulator.faults.set({ notifications: { delayMs: 300 } });
    for (const shop of [a, b]) expect((await server.call('POST', `/v1/orders/${shop.orderId}/cancel`, { key: shop.shop.api_key })).status).toBe(200);
    const refundOfA = (await server.deps.store.listRefundsOfOrder(a.orderId))[0];
    const tradeOfA = simulator.ledger.transaction(outTradeNoA)!;
    const misroutedRefund = await notify(refundNotification(keys, { outTradeNo: outTradeNoA, outRefundNo: refundOfA.outRefundNo, refundId: '50300000000000000000000000001', transactionId: tradeOfA.transactionId!, status: 'SUCCESS', amountTotal: 400, amountRefund: refundOfA.amount, at: server.deps.clock.now() }, { partner: { subMchId: SUB_B } }));
    expect(misroutedRefund.status).toBe(400);
    expect((await server.deps.store.findRefundByOutRefundNo(refundOfA.outRefundNo))?.status).not.toBe('succeeded');
    const refunded = await eventually(async () => {
      const orders = [await orderOf(a.shop.api_key, a.orderId), await orderOf(b.shop.api_key, b.orderId)];
      return orders.every((order) => order.refunds.length > 0 && order.refunds.every((refund) => refund.status === 'succeeded')) ? orders : undefined;
    }, 8000, 'the refunds to succeed');
    const bySub = new Map<string, number>();
    for (const refund of simulator.ledger.refunds()) {
      expect(refund.subMchId).toBe(simulator.ledger.transaction(refund.outTradeNo)?.subMchId);
      bySub.set(refund.subMchId ?? 'none', (bySub.get(refund.subMchId ?? 'none') ?? 0) + refund.amountRefund);
    }
    expect(Object.fromEntries(bySub)).toEqual({ [SUB_A]: 500, [SUB_B]: 300 });
    expect(refunded.map((order) => order.amount_refunded)).toEqual([500, 300]);
  });

  it('takes no payment for a shop that has no sub-merchant yet', async () => {
    const c = await shopOf('Unfinished Shop', undefined);
    const friend = await loginFriend(server, 'o_dave');

    const refused = await startPayment(server, friend, c.code, { amount: 100 });

    expect(refused.status).toBe(502);
    expect(refused.json.code).toBe('WECHAT_UNAVAILABLE');
    expect(server.sandbox!.paySimulator!.ledger.transactions()).toEqual([]);
    expect(await server.deps.store.listPaymentsOfOrder(c.orderId)).toEqual([]);
  });

  it('reconciles one sub-merchant\'s bill, or every sub-merchant\'s', async () => {
    const clock = server.sandboxClock!;
    const next = chinaDayRange(chinaDayOf(clock.now() + 24 * 3600_000))!;
    clock.advance((next.from + 12 * 3600_000 - clock.now()) / 1000);
    const day = chinaDayOf(clock.now());
    const a = await shopOf('Tea House', SUB_A);
    const b = await shopOf('Noodle Bar', SUB_B);
    for (const [shop, openid, amount] of [[a, 'o_erin', 250], [b, 'o_frank', 350]] as const) {
      const friend = await loginFriend(server, openid);
      const created = (await startPayment(server, friend, shop.code, { amount })).json;
      await payInSheet(server, friend, created);
    }
    await eventually(async () => (await orderOf(b.shop.api_key, b.orderId)).amount_paid === 350 && (await orderOf(a.shop.api_key, a.orderId)).amount_paid === 250, 5000, 'both to be paid');
    clock.advance((Date.parse(`${chinaDayOf(next.to)}T10:30:00+08:00`) - clock.now()) / 1000);

    const onlyA = await reconcileBill(server.deps, { billDate: day, mchId: SUB_A });
    const all = await reconcileBill(server.deps, { billDate: day });

    expect(onlyA).toMatchObject({ scope: `sub:${SUB_A}`, subMchId: SUB_A, wechatPayments: 1, herePayments: 1, matched: 1, differences: [] });
    expect(all).toMatchObject({ scope: `all-sub:${server.deps.wechat.pay.mchId}`, wechatPayments: 2, herePayments: 2, matched: 2, differences: [] });
  });
});
