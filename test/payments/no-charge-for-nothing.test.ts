/**
 * The two probes of issue 14, as tests: nobody is charged twice when WeChat's close fails, and a
 * cancel or revoke during an open payment leaves no charge to refund.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinkResponse, OrderResponse } from '../../shared/api-types';
import { reconcileOnce } from '../../server/src/payments/reconciler';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment } from '../support/friends';
import { engines, startTestServer, type TestServer } from '../support/test-server';

const LEASE_SECONDS = 5 * 60;

describe.each(engines)('no friend is charged for nothing (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  const fault = (body: unknown) => server.call('POST', '/sandbox/faults', { body });
  const ledger = () => server.sandbox!.paySimulator!.ledger;
  const paidAtWechat = () => ledger().transactions().filter((t) => t.tradeState === 'SUCCESS' || t.tradeState === 'REFUND');
  const orderOf = async (key: string, orderId: string) => (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key })).json;

  it('places each WeChat order payable only until its lease ends', async () => {
    const { link } = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_alice');
    // The lease ends a whole second (WeChat's time_expire has no milliseconds) at most 1 s short of
    // five minutes after the server's clock read, which lies between these two readings.
    const before = server.deps.clock.now();
    const created = (await startPayment(server, friend, link.code)).json;
    const after = server.deps.clock.now();
    const trade = ledger().transaction(created.payment.id.replace(/^pay_/, 'FP'))!;
    const payableUntil = Date.parse(created.payment.payable_until);
    expect(trade.timeExpire).toBe(payableUntil);
    expect(payableUntil % 1000).toBe(0);
    expect(payableUntil).toBeGreaterThan(before + (LEASE_SECONDS - 1) * 1000);
    expect(payableUntil).toBeLessThanOrEqual(after + LEASE_SECONDS * 1000);
    // Past time_expire WeChat takes no money, closed or not.
    server.sandboxClock!.advance(LEASE_SECONDS + 1);
    const late = await payInSheet(server, friend, created);
    expect(late.json).toMatchObject({ code: 'ORDER_CLOSED' });
    expect(ledger().transaction(trade.outTradeNo)!.tradeState).toBe('CLOSED');
  });

  it('probe 1: a close that fails keeps the link busy until time_expire, then the next friend pays and the first can no longer', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 800 });
    const alice = await loginFriend(server, 'o_alice');
    const bob = await loginFriend(server, 'o_bob');
    const aliceStart = (await startPayment(server, alice, link.code)).json;
    await fault({ endpoints: { close: { fail: '5xx', times: 100 } } });

    // Alice gives up in the pay sheet, but WeChat does not confirm the close: her order stays payable, so the link stays hers.
    expect((await server.call('POST', `/v1/payments/${aliceStart.payment.id}/cancel`, { headers: { authorization: `Bearer ${alice.token}` } })).status).toBe(502);
    const busy = await startPayment(server, bob, link.code);
    expect(busy.json).toMatchObject({ code: 'LINK_BUSY' });
    expect(busy.json.retry_after).toBeLessThanOrEqual(LEASE_SECONDS);
    server.sandboxClock!.advance(LEASE_SECONDS - 10);
    await reconcileOnce(server.deps);
    expect((await startPayment(server, bob, link.code)).json).toMatchObject({ code: 'LINK_BUSY' });

    // Past time_expire WeChat itself says CLOSED: the link is free although no close ever got through.
    server.sandboxClock!.advance(11);
    await reconcileOnce(server.deps);
    expect((await server.deps.store.getPayment(aliceStart.payment.id))?.status).toBe('closed');
    const bobStart = await startPayment(server, bob, link.code);
    expect(bobStart.status, bobStart.text).toBe(201);
    await payInSheet(server, bob, bobStart.json);
    await eventually(async () => (await orderOf(shop.api_key, orderId)).status === 'paid', 5000, 'Bob to pay');

    // Alice confirms in the sheet she still has open: WeChat refuses, so she is not charged.
    const late = await payInSheet(server, alice, aliceStart);
    expect(late.status).toBe(409);
    expect(late.json).toMatchObject({ code: 'ORDER_CLOSED' });
    await server.sandbox!.paySimulator!.idle();
    expect(paidAtWechat().map((t) => t.payerOpenid)).toEqual(['o_bob']);
    expect(ledger().refunds()).toHaveLength(0);
    expect(await orderOf(shop.api_key, orderId)).toMatchObject({ status: 'paid', amount_paid: 800, amount_refunded: 0, amount_returned_unapplied: 0, refunds: [] });
  });

  it('probe 2: a cancel during an open payment closes its WeChat order before answering, 12 times out of 12', async () => {
    for (let round = 0; round < 12; round++) {
      const { shop, orderId, link } = await shopWithLink(server, { amount: 500, mode: round % 2 === 0 ? 'single' : 'group' });
      const friend = await loginFriend(server, `o_racer_${round}`);
      const created = (await startPayment(server, friend, link.code, round % 2 === 0 ? {} : { amount: 200 })).json;
      const cancelled = await server.call<OrderResponse>('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key });
      expect(cancelled.json).toMatchObject({ status: 'cancelled', closing_payments: [] });
      // The friend confirms in the pay sheet right after the shop's answer.
      expect((await payInSheet(server, friend, created)).json).toMatchObject({ code: 'ORDER_CLOSED' });
      expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('closed');
    }
    await server.sandbox!.paySimulator!.idle();
    expect(paidAtWechat()).toHaveLength(0);
    expect(ledger().refunds()).toHaveLength(0);
  });

  it('probe 2: a revoke during an open payment closes its WeChat order before answering, 12 times out of 12', async () => {
    for (let round = 0; round < 12; round++) {
      const { shop, link } = await shopWithLink(server, { amount: 500, mode: round % 2 === 0 ? 'single' : 'group' });
      const friend = await loginFriend(server, `o_racer_${round}`);
      const created = (await startPayment(server, friend, link.code, round % 2 === 0 ? {} : { amount: 200 })).json;
      const revoked = await server.call<LinkResponse>('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
      expect(revoked.json).toMatchObject({ status: 'revoked', closing_payments: [] });
      expect((await payInSheet(server, friend, created)).json).toMatchObject({ code: 'ORDER_CLOSED' });
    }
    await server.sandbox!.paySimulator!.idle();
    expect(paidAtWechat()).toHaveLength(0);
    expect(ledger().refunds()).toHaveLength(0);
  });

  it('says which payments are still closing when WeChat does not confirm, and the reconciler closes them once it does', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 500 });
    const friend = await loginFriend(server, 'o_slow');
    const created = (await startPayment(server, friend, link.code)).json;
    await fault({ endpoints: { close: { fail: '5xx', times: 100 } } });
    const cancelled = await server.call<OrderResponse>('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key });
    expect(cancelled.json).toMatchObject({ status: 'cancelled', closing_payments: [created.payment.id] });
    expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('created');
    await fault({ endpoints: { close: null } });
    server.sandboxClock!.advance(6);
    await reconcileOnce(server.deps);
    expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('closed');
    expect((await payInSheet(server, friend, created)).json).toMatchObject({ code: 'ORDER_CLOSED' });
    expect(paidAtWechat()).toHaveLength(0);
  });
});
