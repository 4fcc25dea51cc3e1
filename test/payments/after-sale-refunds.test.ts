import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreateRefundResponse, FriendView, OrderResponse, PaymentView, RefundView } from '../../shared/api-types';
import { reconcileOnce } from '../../server/src/payments/reconciler';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment, type Friend } from '../support/friends';
import { engines, startTestServer, type Answer, type TestServer } from '../support/test-server';

describe.each(engines)('after payment: money goes back to the friends who paid (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  let keys = 0;
  const refund = (shop: CreatedShop, orderId: string, body: unknown, key: string | null = `refund-${++keys}`): Promise<Answer<CreateRefundResponse & { code?: string; detail?: string }>> =>
    server.call('POST', `/v1/orders/${orderId}/refunds`, { key: shop.api_key, body, ...(key === null ? {} : { headers: { 'idempotency-key': key } }) });
  const orderOf = async (shop: CreatedShop, orderId: string): Promise<OrderResponse> => (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json;
  const fault = (body: unknown) => server.call('POST', '/sandbox/faults', { body });
  const ledger = () => server.sandbox!.paySimulator!.ledger;

  /** Lets WeChat settle what it is processing and deliver its notifications. */
  async function settle(): Promise<void> {
    await server.sandbox!.paySimulator!.idle();
    await reconcileOnce(server.deps);
    await server.sandbox!.paySimulator!.idle();
  }

  /** A group order paid in full by friends paying `amounts` (in that order). */
  async function paidByFriends(amounts: number[]): Promise<{ shop: CreatedShop; orderId: string; linkCode: string; friends: Friend[]; paymentIds: string[] }> {
    const total = amounts.reduce((sum, amount) => sum + amount, 0);
    const { shop, orderId, link } = await shopWithLink(server, { amount: total, mode: amounts.length > 1 ? 'group' : 'single' });
    const friends: Friend[] = [];
    const paymentIds: string[] = [];
    for (const [index, amount] of amounts.entries()) {
      const friend = await loginFriend(server, `o_payer_${index}`);
      const created = await startPayment(server, friend, link.code, amounts.length > 1 ? { amount } : {});
      expect(created.status, created.text).toBe(201);
      await payInSheet(server, friend, created.json);
      friends.push(friend);
      paymentIds.push(created.json.payment.id);
      // Paid one after the other: the split's ties go to the latest payment.
      server.sandboxClock!.advance(1);
    }
    await eventually(async () => (await orderOf(shop, orderId)).status === 'paid', 5000, 'the order to be paid');
    return { shop, orderId, linkCode: link.code, friends, paymentIds };
  }

  const eventsOf = async (shop: CreatedShop, type: string) => (await server.deps.store.listEvents(shop.id, 200)).filter((event) => event.type === type).map((event) => event.payload as unknown as Record<string, unknown>);

  it('cancels a paid order: the friend gets everything back, the link is void, and the shop hears payment.refunded and order.refunded', async () => {
    const { shop, orderId, paymentIds, friends } = await paidByFriends([1234]);
    const cancelled = await server.call<OrderResponse>('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key });
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', closing_payments: [] });
    await settle();
    const order = await orderOf(shop, orderId);
    expect(order).toMatchObject({ status: 'cancelled', amount_paid: 1234, amount_refunded: 1234, amount_returned_unapplied: 0 });
    expect(order.refunds).toEqual([expect.objectContaining({ payment_id: paymentIds[0], amount: 1234, kind: 'order_cancelled', status: 'succeeded' })]);
    expect(ledger().refunds()).toEqual([expect.objectContaining({ outTradeNo: paymentIds[0].replace(/^pay_/, 'FP'), amountRefund: 1234, status: 'SUCCESS' })]);
    expect(ledger().transaction(paymentIds[0].replace(/^pay_/, 'FP'))!.payerOpenid).toBe(friends[0].openid);
    expect((await server.call<{ status: string }>('GET', `/v1/links/${(await server.deps.store.listLinksOfOrder(orderId))[0].id}`, { key: shop.api_key })).json.status).toBe('void');
    expect(await eventsOf(shop, 'payment.refunded')).toEqual([expect.objectContaining({ payment_id: paymentIds[0], amount: 1234, kind: 'order_cancelled' })]);
    expect(await eventsOf(shop, 'order.refunded')).toEqual([expect.objectContaining({ order_id: orderId, status: 'cancelled', amount_paid: 1234, amount_refunded: 1234 })]);
    // Cancelling again changes nothing and refunds nothing more.
    expect((await server.call<OrderResponse>('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key })).json).toMatchObject({ status: 'cancelled', amount_refunded: 1234 });
    expect(ledger().refunds()).toHaveLength(1);
  });

  it('cancels a partly paid group order: each friend gets back what they paid, other links void', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 1000, mode: 'group' });
    const alice = await loginFriend(server, 'o_alice');
    const created = (await startPayment(server, alice, link.code, { amount: 350 })).json;
    await payInSheet(server, alice, created);
    await eventually(async () => (await orderOf(shop, orderId)).amount_paid === 350, 5000, 'Alice to pay');
    const cancelled = await server.call<OrderResponse>('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key });
    expect(cancelled.json).toMatchObject({ status: 'cancelled' });
    await settle();
    expect(await orderOf(shop, orderId)).toMatchObject({ status: 'cancelled', amount_paid: 350, amount_refunded: 350 });
    expect((await server.call('GET', `/v1/pay/${link.code}`)).json).toMatchObject({ link: { status: 'void' } });
    const mine = (await server.call<PaymentView>('GET', `/v1/payments/${created.payment.id}`, { headers: { authorization: `Bearer ${alice.token}` } })).json;
    expect(mine).toMatchObject({ status: 'refunded', refunded_amount: 350, refunds: [expect.objectContaining({ amount: 350, status: 'succeeded' })] });
  });

  it('splits a partial refund in proportion to what each friend paid, each part to its payer, and answers a retry with the same refunds', async () => {
    const { shop, orderId, paymentIds, friends } = await paidByFriends([600, 300, 100]);
    const answer = await refund(shop, orderId, { amount: 101, reason: '少发了一件' }, 'after-sale-1');
    expect(answer.status, answer.text).toBe(201);
    const byPayment = new Map(answer.json.refunds.map((r) => [r.payment_id, r]));
    // 101 x 6/10 = 60.6, x 3/10 = 30.3, x 1/10 = 10.1: floors 60 + 30 + 10, the last fen to the largest remainder (60.6).
    expect([paymentIds.map((id) => byPayment.get(id)?.amount)]).toEqual([[61, 30, 10]]);
    for (const r of answer.json.refunds) {
      expect(r).toMatchObject({ reason: '少发了一件', kind: 'after_sale' });
      expect(['processing', 'succeeded']).toContain(r.status);
    }

    const again = await refund(shop, orderId, { amount: 101, reason: '少发了一件' }, 'after-sale-1');
    expect(again.status).toBe(201);
    expect(again.json.refunds.map((r) => r.id).sort()).toEqual(answer.json.refunds.map((r) => r.id).sort());
    expect((await refund(shop, orderId, { amount: 102 }, 'after-sale-1')).json).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', status: 422 });

    await settle();
    const order = await orderOf(shop, orderId);
    expect(order).toMatchObject({ status: 'paid', amount_paid: 1000, amount_refunded: 101 });
    expect(ledger().refunds()).toHaveLength(3);
    for (const wechatRefund of ledger().refunds()) {
      const ours = order.refunds.find((r) => r.id.replace(/^rfd_/, 'FR') === wechatRefund.outRefundNo)!;
      expect(wechatRefund).toMatchObject({ amountRefund: ours.amount, reason: '少发了一件', status: 'SUCCESS' });
      const payer = friends[paymentIds.indexOf(ours.payment_id)];
      expect(ledger().transaction(wechatRefund.outTradeNo)!.payerOpenid).toBe(payer.openid);
    }
    const one = await server.call<RefundView>('GET', `/v1/refunds/${answer.json.refunds[0].id}`, { key: shop.api_key });
    expect(one.json).toMatchObject({ id: answer.json.refunds[0].id, status: 'succeeded' });
    expect(typeof one.json.succeeded_at).toBe('string');
    expect(await eventsOf(shop, 'payment.refunded')).toHaveLength(3);
    expect(await eventsOf(shop, 'order.refunded')).toHaveLength(0);
  });

  it('refunds everything that is left, then says the order is refunded and that nothing is left', async () => {
    const { shop, orderId } = await paidByFriends([700, 300]);
    await refund(shop, orderId, { amount: 400 });
    await settle();
    const over = await refund(shop, orderId, { amount: 601 });
    expect(over.json).toMatchObject({ status: 422, code: 'REFUND_EXCEEDS_PAID' });
    expect(over.json.detail).toContain('600');
    expect((await refund(shop, orderId, { amount: 600 })).status).toBe(201);
    await settle();
    const order = await orderOf(shop, orderId);
    expect(order).toMatchObject({ status: 'refunded', amount_paid: 1000, amount_refunded: 1000 });
    expect(order.payers.map((payer) => payer.status)).toEqual(['refunded', 'refunded']);
    expect((await refund(shop, orderId, { amount: 1 })).json).toMatchObject({ status: 409, code: 'NOTHING_TO_REFUND' });
    expect(await eventsOf(shop, 'order.refunded')).toEqual([expect.objectContaining({ order_id: orderId, status: 'refunded', amount_refunded: 1000 })]);
    expect(ledger().refunds().reduce((sum, r) => sum + r.amountRefund, 0)).toBe(1000);
  });

  it('refunds from one payment only when the shop names it, and refuses a payment of another order', async () => {
    const { shop, orderId, paymentIds } = await paidByFriends([500, 500]);
    const answer = await refund(shop, orderId, { amount: 200, payment_id: paymentIds[0] });
    expect(answer.json.refunds).toEqual([expect.objectContaining({ payment_id: paymentIds[0], amount: 200 })]);
    expect((await refund(shop, orderId, { amount: 301, payment_id: paymentIds[0] })).json).toMatchObject({ code: 'REFUND_EXCEEDS_PAID' });
    const other = await paidByFriends([100]);
    expect((await refund(shop, orderId, { amount: 1, payment_id: other.paymentIds[0] })).json).toMatchObject({ status: 404, code: 'PAYMENT_NOT_FOUND' });
  });

  it('requires an Idempotency-Key, a paid order, and a valid amount; keeps refunds to their own shop', async () => {
    const { shop, orderId } = await paidByFriends([500]);
    expect((await refund(shop, orderId, { amount: 100 }, null)).json).toMatchObject({ status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
    for (const body of [{ amount: 0 }, { amount: 1.5 }, { amount: '100' }, {}, { amount: 1, reason: 'x'.repeat(81) }, { amount: 1, extra: true }]) {
      expect((await refund(shop, orderId, body)).json, JSON.stringify(body)).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    }
    const pending = await server.newOrder(shop);
    expect((await refund(shop, pending.id, { amount: 1 })).json).toMatchObject({ status: 409, code: 'ORDER_NOT_PAID' });
    const made = (await refund(shop, orderId, { amount: 100 })).json.refunds[0];
    const stranger = await server.newShop('Stranger');
    expect((await server.call('GET', `/v1/refunds/${made.id}`, { key: stranger.api_key })).status).toBe(404);
    expect((await refund(stranger, orderId, { amount: 1 })).json).toMatchObject({ status: 404, code: 'ORDER_NOT_FOUND' });
    expect(ledger().refunds()).toHaveLength(1);
  });

  it('lists a payment\'s refunds to the friend who paid it, pending then done, and shows the shopper what went back', async () => {
    const { shop, orderId, linkCode, paymentIds, friends } = await paidByFriends([800, 200]);
    await fault({ endpoints: { refund: { fail: '5xx', times: 2 } } });
    await refund(shop, orderId, { amount: 500 });
    const auth = { authorization: `Bearer ${friends[0].token}` };
    const pending = (await server.call<PaymentView>('GET', `/v1/payments/${paymentIds[0]}`, { headers: auth })).json;
    expect(pending.refunds).toEqual([expect.objectContaining({ amount: 400, status: 'pending' })]);
    expect(pending).toMatchObject({ status: 'refunding', refunded_amount: 0 });
    server.sandboxClock!.advance(60);
    await settle();
    const done = (await server.call<PaymentView>('GET', `/v1/payments/${paymentIds[0]}`, { headers: auth })).json;
    expect(done).toMatchObject({ status: 'paid', refunded_amount: 400, refunds: [expect.objectContaining({ amount: 400, status: 'succeeded' })] });
    // Another friend cannot read it.
    expect((await server.call('GET', `/v1/payments/${paymentIds[0]}`, { headers: { authorization: `Bearer ${friends[1].token}` } })).status).toBe(404);
    const friendView = (await server.call<FriendView>('GET', `/v1/pay/${linkCode}`, { headers: auth })).json;
    expect(friendView.my_payments[0].refunds).toEqual([expect.objectContaining({ amount: 400, status: 'succeeded' })]);
    expect(friendView.order.amount_refunded).toBe(500);
    expect(friendView.contributions.map((c) => [c.amount, c.refunded_amount])).toEqual([[800, 400], [200, 100]]);
  });

  it('marks a refund WeChat answers ABNORMAL abnormal, tells the shop once, and does not retry it', async () => {
    const { shop, orderId, paymentIds } = await paidByFriends([500]);
    await fault({ refund_outcome: { status: 'ABNORMAL', times: 1 } });
    const made = (await refund(shop, orderId, { amount: 200 })).json.refunds[0];
    await settle();
    expect((await server.call<RefundView>('GET', `/v1/refunds/${made.id}`, { key: shop.api_key })).json).toMatchObject({ status: 'abnormal', succeeded_at: null });
    for (let round = 0; round < 3; round++) {
      server.sandboxClock!.advance(3600);
      await settle();
    }
    expect(ledger().refunds()).toEqual([expect.objectContaining({ outRefundNo: made.id.replace(/^rfd_/, 'FR'), status: 'ABNORMAL' })]);
    expect(await eventsOf(shop, 'refund.abnormal')).toEqual([expect.objectContaining({ refund_id: made.id, payment_id: paymentIds[0], amount: 200, status: 'abnormal' })]);
    expect(await eventsOf(shop, 'payment.refunded')).toHaveLength(0);
    // The money did not reach the friend, and it is not refundable again here: the shop settles it with WeChat.
    expect(await orderOf(shop, orderId)).toMatchObject({ status: 'paid', amount_refunded: 0 });
    expect((await refund(shop, orderId, { amount: 301 })).json).toMatchObject({ code: 'REFUND_EXCEEDS_PAID' });
  });

  it('makes the amount of a refund WeChat closes refundable again', async () => {
    const { shop, orderId } = await paidByFriends([500]);
    await fault({ refund_outcome: { status: 'CLOSED', times: 1 } });
    const made = (await refund(shop, orderId, { amount: 500 })).json.refunds[0];
    await settle();
    expect((await server.call<RefundView>('GET', `/v1/refunds/${made.id}`, { key: shop.api_key })).json.status).toBe('closed');
    expect(await eventsOf(shop, 'refund.abnormal')).toEqual([expect.objectContaining({ refund_id: made.id, status: 'closed' })]);
    expect((await refund(shop, orderId, { amount: 500 })).status).toBe(201);
    await settle();
    expect(await orderOf(shop, orderId)).toMatchObject({ status: 'refunded', amount_refunded: 500 });
  });

  it('refuses a 51st refund of one payment with 422 before asking WeChat Pay', async () => {
    const { shop, orderId } = await paidByFriends([100]);
    for (let i = 0; i < 50; i++) expect((await refund(shop, orderId, { amount: 1 })).status).toBe(201);
    const refused = await refund(shop, orderId, { amount: 1 });
    expect(refused.json).toMatchObject({ status: 422, code: 'REFUND_LIMIT_REACHED' });
    expect(ledger().refunds()).toHaveLength(50);
  }, 60_000);

  it('refuses to refund a payment made more than a year ago with 422 before asking WeChat Pay', async () => {
    const { shop, orderId } = await paidByFriends([100]);
    server.sandboxClock!.advance(364 * 24 * 3600);
    expect((await refund(shop, orderId, { amount: 10 })).status).toBe(201);
    server.sandboxClock!.advance(2 * 24 * 3600);
    expect((await refund(shop, orderId, { amount: 10 })).json).toMatchObject({ status: 422, code: 'REFUND_PERIOD_OVER' });
    expect((await server.call('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key })).json).toMatchObject({ status: 422, code: 'REFUND_PERIOD_OVER' });
    expect(await orderOf(shop, orderId)).toMatchObject({ status: 'paid' });
    expect(ledger().refunds()).toHaveLength(1);
  });

  it('never shows more refunded than paid: money that never counted is reported apart', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 1000, mode: 'group' });
    const alice = await loginFriend(server, 'o_alice');
    const carol = await loginFriend(server, 'o_carol');
    const aliceStart = (await startPayment(server, alice, link.code, { amount: 600 })).json;
    await payInSheet(server, alice, aliceStart);
    await eventually(async () => (await orderOf(shop, orderId)).amount_paid === 600, 5000, 'Alice to pay');
    const carolStart = (await startPayment(server, carol, link.code, { amount: 300 })).json;
    // Carol's WeChat order stays open (a close that failed), so she can still pay after the cancel.
    await fault({ endpoints: { close: { fail: '5xx', times: 50 } } });
    const cancelled = (await server.call<OrderResponse>('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key })).json;
    expect(cancelled.closing_payments).toEqual([carolStart.payment.id]);
    expect((await payInSheet(server, carol, carolStart)).status).toBe(200);
    await eventually(async () => {
      await settle();
      return (await orderOf(shop, orderId)).refunds.every((r) => r.status === 'succeeded');
    }, 5000, 'both refunds');
    const order = await orderOf(shop, orderId);
    expect(order).toMatchObject({ status: 'cancelled', amount_paid: 600, amount_refunded: 600, amount_returned_unapplied: 300 });
    expect(order.refunds.map((r) => [r.kind, r.amount]).sort()).toEqual([['link_unpayable', 300], ['order_cancelled', 600]]);
  });
});
