import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderResponse } from '../../shared/api-types';
import { reconcileOnce } from '../../server/src/payments/reconciler';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment } from '../support/friends';
import { paymentNotification } from '../support/notifications';
import { engines, startTestServer, type TestServer } from '../support/test-server';

const LEASE_SECONDS = 5 * 60;

describe.each(engines)('group mode and refunds to the payer (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  const orderOf = async (shopKey: string, orderId: string) => (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shopKey })).json;

  /**
   * Releases an open payment in our store only, its WeChat order still payable: what a lost close
   * used to do (before time_expire ended with the lease), kept here to prove the safety net under it.
   */
  const releaseInStoreOnly = (paymentId: string) =>
    server.deps.store.transaction((tx) => tx.updatePayment(paymentId, { status: 'closed', closedAt: server.deps.clock.now() }, ['created']));

  it('never lets 10 friends reserve more than is due, and pays the order when contributions reach the total', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 1000, mode: 'group' });
    const friends = await Promise.all(Array.from({ length: 10 }, (_, i) => loginFriend(server, `o_group_${i}`)));
    const answers = await Promise.all(friends.map((friend) => startPayment(server, friend, link.code, { amount: 300 })));
    const reserved = answers.filter((answer) => answer.status === 201);
    expect(reserved).toHaveLength(3);
    for (const answer of answers.filter((a) => a.status !== 201)) expect(['LINK_BUSY', 'AMOUNT_INVALID']).toContain(answer.json.code);
    const open = (await server.deps.store.listPaymentsOfOrder(orderId)).filter((payment) => payment.status === 'created');
    expect(open.reduce((sum, payment) => sum + payment.amount, 0)).toBeLessThanOrEqual(1000);

    const last = friends[answers.findIndex((answer) => answer.status !== 201)];
    expect((await startPayment(server, last, link.code, { amount: 101 })).json).toMatchObject({ code: 'AMOUNT_INVALID' });
    const rest = await startPayment(server, last, link.code, { amount: 100 });
    expect(rest.status).toBe(201);

    for (const answer of [...reserved, rest]) {
      const friend = friends.find((f) => f.openid === answer.json.sandbox!.openid)!;
      await payInSheet(server, friend, answer.json);
    }
    const order = await eventually(async () => {
      const current = await orderOf(shop.api_key, orderId);
      return current.status === 'paid' ? current : undefined;
    }, 5000, 'the group order to be paid');
    expect(order.amount_paid).toBe(1000);
    expect(order.payers.map((payer) => payer.amount).sort()).toEqual([100, 300, 300, 300]);
    expect((await server.call('GET', `/v1/links/${link.id}`, { key: shop.api_key })).json).toMatchObject({ status: 'paid' });
  });

  it('refunds the second friend in full, to their own openid, when both manage to pay a single link', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 800 });
    const alice = await loginFriend(server, 'o_alice');
    const bob = await loginFriend(server, 'o_bob');
    const aliceStart = (await startPayment(server, alice, link.code)).json;
    await releaseInStoreOnly(aliceStart.payment.id);
    const bobStart = await startPayment(server, bob, link.code);
    expect(bobStart.status).toBe(201);
    await payInSheet(server, bob, bobStart.json);
    await eventually(async () => (await orderOf(shop.api_key, orderId)).status === 'paid', 5000, 'Bob to pay');
    // Alice's WeChat order was never closed, so she can still pay it.
    expect((await payInSheet(server, alice, aliceStart)).status).toBe(200);
    const refunded = await eventually(async () => {
      const order = await orderOf(shop.api_key, orderId);
      return order.refunds.some((refund) => refund.status === 'succeeded') ? order : undefined;
    }, 5000, 'Alice to be refunded');
    // Her money never counted toward the order: it is reported apart, not as refunded of what was paid.
    expect(refunded).toMatchObject({ status: 'paid', amount_paid: 800, amount_refunded: 0, amount_returned_unapplied: 800 });
    expect(refunded.refunds).toEqual([expect.objectContaining({ payment_id: aliceStart.payment.id, amount: 800, reason: 'order_already_paid', status: 'succeeded' })]);
    const ledger = server.sandbox!.paySimulator!.ledger;
    const aliceTrade = ledger.transaction(aliceStart.payment.id.replace(/^pay_/, 'FP'))!;
    expect(aliceTrade.payerOpenid).toBe('o_alice');
    const refunds = ledger.refunds();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ outTradeNo: aliceTrade.outTradeNo, amountRefund: 800 });
  });

  it('refunds only the excess of an over-contribution after a race', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 1000, mode: 'group' });
    const alice = await loginFriend(server, 'o_alice');
    const bob = await loginFriend(server, 'o_bob');
    const aliceStart = (await startPayment(server, alice, link.code, { amount: 600 })).json;
    await releaseInStoreOnly(aliceStart.payment.id);
    const bobStart = (await startPayment(server, bob, link.code, { amount: 700 })).json;
    await payInSheet(server, bob, bobStart);
    await eventually(async () => (await orderOf(shop.api_key, orderId)).amount_paid === 700, 5000, 'Bob to pay');
    await payInSheet(server, alice, aliceStart);
    const order = await eventually(async () => {
      const current = await orderOf(shop.api_key, orderId);
      return current.refunds.some((refund) => refund.status === 'succeeded') ? current : undefined;
    }, 5000, 'the excess to be refunded');
    expect(order).toMatchObject({ status: 'paid', amount_paid: 1000, amount_refunded: 0, amount_returned_unapplied: 300 });
    expect(order.refunds).toEqual([expect.objectContaining({ payment_id: aliceStart.payment.id, amount: 300, reason: 'over_contribution' })]);
    const alicePayment = await server.deps.store.getPayment(aliceStart.payment.id);
    expect(alicePayment).toMatchObject({ keptAmount: 300, refundedAmount: 300, status: 'paid' });
  });

  it('refunds each of two friends exactly what they paid when the order is cancelled', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 1000, mode: 'group' });
    const alice = await loginFriend(server, 'o_alice');
    const bob = await loginFriend(server, 'o_bob');
    for (const [friend, amount] of [[alice, 350], [bob, 250]] as const) {
      const start = (await startPayment(server, friend, link.code, { amount })).json;
      await payInSheet(server, friend, start);
    }
    await eventually(async () => (await orderOf(shop.api_key, orderId)).amount_paid === 600, 5000, 'both to pay');
    const cancelled = await server.call<OrderResponse>('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key });
    expect(cancelled.json.status).toBe('cancelled');
    const order = await eventually(async () => {
      server.sandboxClock!.advance(0);
      await reconcileOnce(server.deps);
      const current = await orderOf(shop.api_key, orderId);
      return current.refunds.filter((refund) => refund.status === 'succeeded').length === 2 ? current : undefined;
    }, 8000, 'both refunds to succeed');
    expect(order.amount_refunded).toBe(600);
    const byPayment = new Map(order.payers.map((payer) => [payer.payment_id, payer]));
    for (const refund of order.refunds) expect(refund.amount).toBe(byPayment.get(refund.payment_id)!.amount);
    const ledger = server.sandbox!.paySimulator!.ledger;
    for (const refund of ledger.refunds()) {
      const trade = ledger.transaction(refund.outTradeNo)!;
      expect(refund.amountRefund).toBe(trade.amountTotal);
    }
    expect(new Set(ledger.refunds().map((refund) => ledger.transaction(refund.outTradeNo)!.payerOpenid))).toEqual(new Set(['o_alice', 'o_bob']));
    expect(order.payers.every((payer) => payer.status === 'refunded')).toBe(true);
  });
});

describe.each(engines)('notifications are applied once, and only genuine ones (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  async function paidSingle() {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 500 });
    const friend = await loginFriend(server, 'o_payer');
    const start = (await startPayment(server, friend, link.code)).json;
    return { shop, orderId, link, friend, start };
  }

  const notify = (built: { body: string; headers: Record<string, string> }) =>
    fetch(`${server.url}/v1/wechatpay/notify`, { method: 'POST', headers: built.headers, body: built.body });

  it('changes state once for a notification sent 5 times, with one link.paid event', async () => {
    const { shop, orderId, start } = await paidSingle();
    const keys = server.sandbox!.keys;
    const facts = { outTradeNo: start.payment.id.replace(/^pay_/, 'FP'), transactionId: '4200000000000001', amount: 500, openid: 'o_payer', successTime: server.deps.clock.now() };
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await notify(paymentNotification(keys, facts, { eventId: 'evt-same-1' }))).status);
    expect(statuses).toEqual([204, 204, 204, 204, 204]);
    const order = (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json;
    expect(order).toMatchObject({ status: 'paid', amount_paid: 500, amount_refunded: 0 });
    expect((await server.deps.store.listEvents(shop.id, 10)).filter((event) => event.type === 'link.paid')).toHaveLength(1);
  });

  it('refuses a forged notification with 401 and changes nothing', async () => {
    const { shop, orderId, start } = await paidSingle();
    const keys = server.sandbox!.keys;
    const facts = { outTradeNo: start.payment.id.replace(/^pay_/, 'FP'), transactionId: '4200000000000002', amount: 500, openid: 'o_payer', successTime: server.deps.clock.now() };
    const forged = await notify(paymentNotification(keys, facts, { signWith: keys.merchant.privateKeyPem }));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'FAIL' });
    const stale = await notify(paymentNotification(keys, facts, { timestamp: Math.floor(server.deps.clock.now() / 1000) - 6 * 60 }));
    expect(stale.status).toBe(401);
    const otherMerchant = await notify(paymentNotification(keys, facts, { mchId: '1900000999' }));
    expect(otherMerchant.status).toBe(400);
    const wrongAmount = await notify(paymentNotification(keys, { ...facts, amount: 1 }));
    expect(wrongAmount.status).toBe(400);
    expect((await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json).toMatchObject({ status: 'pending', amount_paid: 0 });
    expect((await server.deps.store.getPayment(start.payment.id))?.status).toBe('created');
  });

  it('applies duplicated and reordered notifications of two friends once each', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 900, mode: 'group' });
    await server.call('POST', '/sandbox/faults', { body: { notifications: { duplicate: true, reorder: true, reorder_window_ms: 100 } } });
    const alice = await loginFriend(server, 'o_alice');
    const bob = await loginFriend(server, 'o_bob');
    const a = (await startPayment(server, alice, link.code, { amount: 400 })).json;
    const b = (await startPayment(server, bob, link.code, { amount: 500 })).json;
    await payInSheet(server, alice, a);
    await payInSheet(server, bob, b);
    const order = await eventually(async () => {
      const current = (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json;
      return current.status === 'paid' ? current : undefined;
    }, 5000, 'the order to be paid');
    await server.sandbox!.paySimulator!.idle();
    expect(order.amount_paid).toBe(900);
    expect(server.sandbox!.paySimulator!.ledger.notifications().filter((n) => n.eventType === 'TRANSACTION.SUCCESS' && n.outcome === 204).length).toBeGreaterThanOrEqual(4);
    expect((await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json).toMatchObject({ amount_paid: 900, amount_refunded: 0 });
    expect((await server.deps.store.listEvents(shop.id, 10)).filter((event) => event.type === 'link.paid')).toHaveLength(1);
  });

  it('applies a notification delayed past the lease once, after the reconciler already found the payment', async () => {
    const { shop, orderId, friend, start } = await paidSingle();
    await server.call('POST', '/sandbox/faults', { body: { notifications: { delay_ms: 400 } } });
    await payInSheet(server, friend, start);
    server.sandboxClock!.advance(LEASE_SECONDS + 1);
    const round = await reconcileOnce(server.deps);
    expect(round.paidFound).toBe(1);
    await server.sandbox!.paySimulator!.idle();
    const delivered = server.sandbox!.paySimulator!.ledger.notifications().filter((n) => n.eventType === 'TRANSACTION.SUCCESS');
    expect(delivered.map((n) => n.outcome)).toContain(204);
    expect((await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json).toMatchObject({ status: 'paid', amount_paid: 500, amount_refunded: 0 });
    expect((await server.deps.store.listEvents(shop.id, 10)).filter((event) => event.type === 'link.paid')).toHaveLength(1);
  });
});
