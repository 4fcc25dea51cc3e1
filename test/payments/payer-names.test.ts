// The name a friend gives when paying: shown in full to the shop (and so the shopper), masked to
// other friends; a friend who gives none is "微信好友 N" by the order in which friends paid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreateRefundResponse, FriendView, LinkResponse, OrderResponse, PaymentView } from '../../shared/api-types';
import { deliverOnce } from '../../server/src/webhooks/webhook-deliverer';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment, startWebhookReceiver, type Friend } from '../support/friends';
import { shopperView } from '../support/live';
import { engines, startTestServer, type TestServer } from '../support/test-server';

describe.each(engines)('payer names (%s)', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterAll(async () => server.stop());

  async function pay(friend: Friend, ref: string, options: { amount?: number; payerName?: string }): Promise<string> {
    const created = await startPayment(server, friend, ref, options);
    expect(created.status, created.text).toBe(201);
    expect((await payInSheet(server, friend, created.json)).status).toBe(200);
    await eventually(async () => {
      const answer = await server.call<PaymentView>('GET', `/v1/payments/${created.json.payment.id}`, { headers: { authorization: `Bearer ${friend.token}` } });
      return answer.json.status === 'paid';
    }, 5000, 'the payment to be paid');
    return created.json.payment.id;
  }

  it('shows the shop the names friends gave (or 微信好友 N in order of payment), other friends masked names, each friend their own', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const { shop, orderId, link } = await shopWithLink(server, { amount: 3000, mode: 'group', webhookUrl: receiver.url });
      const [lei, anon, third] = await Promise.all(['o_names_lei', 'o_names_anon', 'o_names_third'].map((openid) => loginFriend(server, openid))) as [Friend, Friend, Friend];
      await pay(lei, link.code, { amount: 1000, payerName: '李雷' });
      await pay(anon, link.code, { amount: 1000 });
      await pay(third, link.code, { amount: 1000, payerName: '  韩梅梅 ' });

      const order = (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json;
      expect(order.payers.map((payer) => payer.payer_name)).toEqual(['李雷', '微信好友 2', '韩梅梅']);
      const shopLink = (await server.call<LinkResponse>('GET', `/v1/links/${link.id}`, { key: shop.api_key })).json;
      expect(shopLink.contributions.map((contribution) => contribution.payer_name)).toEqual(['李雷', '微信好友 2', '韩梅梅']);

      const stranger = (await server.call<FriendView>('GET', `/v1/pay/${link.code}`)).json;
      expect(stranger.contributions.map((contribution) => contribution.payer)).toEqual(['李*', '微信好友 2', '韩**']);
      const asLei = (await server.call<FriendView>('GET', `/v1/pay/${link.code}`, { headers: { authorization: `Bearer ${lei.token}` } })).json;
      expect(asLei.contributions.map((contribution) => contribution.payer)).toEqual(['李雷', '微信好友 2', '韩**']);
      expect(asLei.my_payments[0]?.payer_name).toBe('李雷');
      // The shopper asked these friends: their share page names them in full, refunds included.
      const leiPayment = asLei.my_payments[0].id;
      const refunded = await server.call<CreateRefundResponse>('POST', `/v1/orders/${orderId}/refunds`, { key: shop.api_key, headers: { 'idempotency-key': `names-refund-${engine}` }, body: { amount: 400, payment_id: leiPayment } });
      expect(refunded.status, refunded.text).toBe(201);
      const shopper = await eventually(async () => {
        const view = await shopperView(server, link.shopper_token!);
        return view.refunds.length > 0 && view.refunds.every((refund) => refund.status === 'succeeded') ? view : undefined;
      }, 5000, 'the refund to succeed');
      expect(shopper.contributions.map((contribution) => contribution.payer)).toEqual(['李雷', '微信好友 2', '韩梅梅']);
      expect(shopper.refunds.map((refund) => [refund.payer, refund.amount])).toEqual([['李雷', 400]]);
      // The share page shows what went back to each friend from their contribution.
      expect(shopper.contributions.map((contribution) => contribution.refunded_amount)).toEqual([400, 0, 0]);

      await deliverOnce(server.deps);
      const paid = receiver.received.map((received) => JSON.parse(received.body) as { type: string; data: { payers?: { payer_name: string }[] } }).find((event) => event.type === 'link.paid');
      expect(paid?.data.payers?.map((payer) => payer.payer_name)).toEqual(['李雷', '微信好友 2', '韩梅梅']);
    } finally {
      await receiver.close();
    }
  });

  it('checks a name like any other free text: no control or direction-override characters, at most 20 characters', async () => {
    const { link } = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_names_bad');
    for (const payerName of ['a\u202eb', 'x'.repeat(21), '   ', 'tab\there']) {
      const answer = await startPayment(server, friend, link.code, { payerName });
      expect(answer.status, JSON.stringify(payerName)).toBe(422);
      expect(answer.json.code).toBe('VALIDATION_FAILED');
    }
  });
});
