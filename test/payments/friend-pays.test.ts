import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FriendView, LinkResponse, OrderResponse, PaymentView } from '../../shared/api-types';
import { reconcileOnce } from '../../server/src/payments/reconciler';
import { deliverOnce } from '../../server/src/webhooks/webhook-deliverer';
import { verifyWebhook } from '../../server/src/webhooks/webhook-signature';
import { eventually, loginFriend, payInSheet, shopWithLink, startPayment, startWebhookReceiver } from '../support/friends';
import { engines, startTestServer, type TestServer } from '../support/test-server';

describe.each(engines)('a friend pays a single-mode link (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  it('runs the whole journey: login, session, payment, pay sheet, notification, paid, signed link.paid webhook', async () => {
    const receiver = await startWebhookReceiver();
    const { shop, orderId, link } = await shopWithLink(server, { amount: 1234, webhookUrl: receiver.url });
    const friend = await loginFriend(server, 'o_friend_alice');

    const created = await startPayment(server, friend, link.token);
    expect(created.status, created.text).toBe(201);
    expect(created.json.payment).toMatchObject({ status: 'created', amount: 1234, link_id: link.id });
    expect(created.json.request_payment).toMatchObject({ signType: 'RSA', package: `prepay_id=${created.json.sandbox!.prepay_id}` });
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.code}`)).json.link.paying).toBe(true);

    expect((await payInSheet(server, friend, created.json)).status).toBe(200);
    const paid = await eventually(async () => {
      const answer = await server.call<PaymentView>('GET', `/v1/payments/${created.json.payment.id}`, { headers: { authorization: `Bearer ${friend.token}` } });
      return answer.json.status === 'paid' ? answer.json : undefined;
    }, 5000, 'the payment to be paid');
    expect(paid.paid_at).not.toBeNull();

    const order = (await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json;
    expect(order).toMatchObject({ status: 'paid', amount_paid: 1234, amount_due: 0 });
    expect(order.payers).toEqual([expect.objectContaining({ amount: 1234, status: 'paid', payer: 'o_f***ice' })]);
    const shopLink = (await server.call<LinkResponse>('GET', `/v1/links/${link.id}`, { key: shop.api_key })).json;
    expect(shopLink.status).toBe('paid');
    expect(shopLink.contributions).toHaveLength(1);
    const view = (await server.call<FriendView>('GET', `/v1/pay/${link.token}`, { headers: { authorization: `Bearer ${friend.token}` } })).json;
    expect(view.link).toMatchObject({ status: 'paid', paying: false });
    expect(view.my_payments).toEqual([expect.objectContaining({ id: created.json.payment.id, status: 'paid' })]);
    const tooLate = await startPayment(server, await loginFriend(server, 'o_friend_bob'), link.code);
    expect(tooLate.json).toMatchObject({ code: 'LINK_PAID', status: 409 });

    expect(await deliverOnce(server.deps)).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const delivery = receiver.received[0];
    const body = JSON.parse(delivery.body) as { id: string; type: string; data: Record<string, unknown> };
    expect(body.type).toBe('link.paid');
    expect(body.data).toMatchObject({ link_id: link.id, order_id: orderId, amount_paid: 1234 });
    expect(verifyWebhook(shop.webhook_secret, delivery.body, delivery.headers['friendpay-signature'] as string, Math.floor(server.deps.clock.now() / 1000))).toBe(true);
    expect(verifyWebhook('whsec_wrong', delivery.body, delivery.headers['friendpay-signature'] as string, Math.floor(server.deps.clock.now() / 1000))).toBe(false);
    const deliveries = (await server.call<{ deliveries: { type: string; delivered_at: string | null }[] }>('GET', '/v1/deliveries', { key: shop.api_key })).json.deliveries;
    expect(deliveries).toEqual([expect.objectContaining({ type: 'link.paid', delivered_at: expect.any(String) as unknown })]);
    await receiver.close();
  });

  it('gives the same friend the same payment and parameters, and 20 friends at once exactly one open payment', async () => {
    const { link } = await shopWithLink(server);
    const friends = await Promise.all(Array.from({ length: 20 }, (_, i) => loginFriend(server, `o_racer_${i}`)));
    const counted = async (outcome: string): Promise<number> =>
      Number(new RegExp(`friendpay_payments_total\\{outcome="${outcome}"\\} (\\d+)`).exec((await server.call('GET', '/metrics')).text)?.[1] ?? 0);
    const [busyBefore, createdBefore] = [await counted('busy'), await counted('created')];
    const answers = await Promise.all(friends.map((friend) => startPayment(server, friend, link.code)));
    const winners = answers.filter((answer) => answer.status === 201);
    const busy = answers.filter((answer) => answer.status === 409);
    expect(winners).toHaveLength(1);
    expect(busy).toHaveLength(19);
    for (const answer of busy) {
      expect(answer.json.code).toBe('LINK_BUSY');
      expect(answer.json.retry_after).toBeGreaterThan(0);
      expect(answer.headers.get('retry-after')).toBe(String(answer.json.retry_after));
    }
    // Each refusal counted once, even where PostgreSQL ran a transaction twice.
    expect(await counted('busy')).toBe(busyBefore + 19);
    expect(await counted('created')).toBe(createdBefore + 1);
    const winner = friends[answers.indexOf(winners[0])];
    const again = await startPayment(server, winner, link.token);
    expect(again.status).toBe(201);
    expect(again.json.payment.id).toBe(winners[0].json.payment.id);
    expect(again.json.request_payment).toEqual(winners[0].json.request_payment);
    const open = (await server.deps.store.listPaymentsOfOrder(link.order_id)).filter((payment) => payment.status === 'created');
    expect(open).toHaveLength(1);
  });

  it('frees the link at once when the friend cancels in the pay sheet', async () => {
    const { link } = await shopWithLink(server);
    const alice = await loginFriend(server, 'o_alice');
    const bob = await loginFriend(server, 'o_bob');
    const created = (await startPayment(server, alice, link.code)).json;
    expect((await startPayment(server, bob, link.code)).status).toBe(409);
    await payInSheet(server, alice, created, 'cancel');
    const cancelled = await server.call<PaymentView>('POST', `/v1/payments/${created.payment.id}/cancel`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(cancelled.json.status).toBe('closed');
    expect((await startPayment(server, bob, link.code)).status).toBe(201);
  });

  it('answers LINK_EXPIRED and LINK_REVOKED to a friend who tries too late', async () => {
    const expiring = await shopWithLink(server, { ttlSeconds: 60 });
    const revoked = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_late');
    server.sandboxClock!.advance(61);
    expect((await startPayment(server, friend, expiring.link.code)).json).toMatchObject({ code: 'LINK_EXPIRED', status: 410 });
    await server.call('POST', `/v1/links/${revoked.link.id}/revoke`, { key: revoked.shop.api_key });
    expect((await startPayment(server, friend, revoked.link.code)).json).toMatchObject({ code: 'LINK_REVOKED', status: 410 });
  });

  it('requires a session and an Idempotency-Key, and shows a payment only to its payer', async () => {
    const { link } = await shopWithLink(server);
    const alice = await loginFriend(server, 'o_alice');
    const eve = await loginFriend(server, 'o_eve');
    const noSession = await server.call('POST', `/v1/pay/${link.code}/payments`, { headers: { 'idempotency-key': 'k-12345678' }, body: {} });
    expect(noSession.json).toMatchObject({ code: 'SESSION_INVALID', status: 401 });
    const noKey = await server.call('POST', `/v1/pay/${link.code}/payments`, { headers: { authorization: `Bearer ${alice.token}` }, body: {} });
    expect(noKey.json).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID', status: 400 });
    const linkTokenAsSession = await server.call('POST', `/v1/pay/${link.code}/payments`, { headers: { authorization: `Bearer ${link.token}`, 'idempotency-key': 'k-12345678' }, body: {} });
    expect(linkTokenAsSession.status).toBe(401);
    expect((await server.call('GET', `/v1/pay/${alice.token}`)).status).toBe(400);
    const created = (await startPayment(server, alice, link.code)).json;
    const peek = await server.call('GET', `/v1/payments/${created.payment.id}`, { headers: { authorization: `Bearer ${eve.token}` } });
    expect(peek.json).toMatchObject({ code: 'PAYMENT_NOT_FOUND', status: 404 });
  });

  it('refuses a reused or invalid login code with 401', async () => {
    const login = await server.call<{ code: string }>('POST', '/sandbox/wx/login', { body: { openid: 'o_once' } });
    expect((await server.call('POST', '/v1/sessions', { body: { code: login.json.code } })).status).toBe(201);
    expect((await server.call('POST', '/v1/sessions', { body: { code: login.json.code } })).json).toMatchObject({ code: 'SESSION_INVALID', status: 401 });
    expect((await server.call('POST', '/v1/sessions', { body: { code: 'made-up-code' } })).status).toBe(401);
  });

  it('checks a payment with WeChat Pay when its payer asks after a few seconds without a notification', async () => {
    const { link } = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_asker');
    await server.call('POST', '/sandbox/faults', { body: { notifications: { drop: true } } });
    const created = (await startPayment(server, friend, link.code)).json;
    await payInSheet(server, friend, created);
    const read = () => server.call<PaymentView>('GET', `/v1/payments/${created.payment.id}`, { headers: { authorization: `Bearer ${friend.token}` } });
    expect((await read()).json.status).toBe('created');
    server.sandboxClock!.advance(3);
    expect((await read()).json.status).toBe('paid');
  });

  it('retries a webhook the shop refused, with backoff, until it is delivered', async () => {
    const receiver = await startWebhookReceiver((index) => (index < 2 ? 500 : 200));
    const { link, shop } = await shopWithLink(server, { webhookUrl: receiver.url });
    await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
    expect(await deliverOnce(server.deps)).toBe(0);
    expect(await deliverOnce(server.deps)).toBe(0); // not due yet: backing off
    expect(receiver.received).toHaveLength(1);
    server.sandboxClock!.advance(16);
    expect(await deliverOnce(server.deps)).toBe(0);
    server.sandboxClock!.advance(31);
    expect(await deliverOnce(server.deps)).toBe(1);
    expect(receiver.received).toHaveLength(3);
    const ids = receiver.received.map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(new Set(ids).size).toBe(1);
    const [delivery] = (await server.call<{ deliveries: { attempts: number; delivered_at: string | null; type: string }[] }>('GET', '/v1/deliveries', { key: shop.api_key })).json.deliveries;
    expect(delivery).toMatchObject({ type: 'link.revoked', attempts: 3, delivered_at: expect.any(String) as unknown });
    await receiver.close();
  });

  it('finds a payment whose notification was dropped, by querying WeChat Pay', async () => {
    const { link, orderId, shop } = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_dropped');
    await server.call('POST', '/sandbox/faults', { body: { notifications: { drop: true } } });
    const created = (await startPayment(server, friend, link.code)).json;
    await payInSheet(server, friend, created);
    expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('created');
    server.sandboxClock!.advance(6);
    const round = await reconcileOnce(server.deps);
    expect(round.paidFound).toBe(1);
    expect((await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json.status).toBe('paid');
  });
});
