import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse } from '../../shared/api-types';
import { deliverOnce } from '../../server/src/webhooks/webhook-deliverer';
import { createShop, type CreatedShop } from '../../server/src/shops/shop-service';
import { eventually, loginFriend, payInSheet, startPayment, startWebhookReceiver } from '../support/friends';
import { startTestServer, type TestServer } from '../support/test-server';

describe('tenancy: one shop never reaches another shop\'s objects', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('keeps webhooks and delivery lists to the shop that owns the link', async () => {
    const ownersHooks = await startWebhookReceiver();
    const strangersHooks = await startWebhookReceiver();
    const owner: CreatedShop = await createShop(server.deps, { name: 'Owner', webhookUrl: ownersHooks.url });
    const stranger: CreatedShop = await createShop(server.deps, { name: 'Stranger', webhookUrl: strangersHooks.url });
    const order = await server.newOrder(owner, { amount_total: 500, items: [{ title: 't', quantity: 1, unit_price: 500 }] });
    const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: owner.api_key, body: { requester: { id: 'r', name: 'Ren' } } })).json;
    const friend = await loginFriend(server, 'o_tenant');
    await payInSheet(server, friend, (await startPayment(server, friend, link.code)).json);
    await eventually(async () => (await server.deps.store.getOrder(order.id))?.status === 'paid', 5000, 'the payment');
    await deliverOnce(server.deps);
    expect(ownersHooks.received.map((r) => (JSON.parse(r.body) as { type: string }).type)).toEqual(['link.paid']);
    expect(strangersHooks.received).toHaveLength(0);
    const strangerDeliveries = (await server.call<{ deliveries: unknown[] }>('GET', '/v1/deliveries', { key: stranger.api_key })).json.deliveries;
    expect(strangerDeliveries).toHaveLength(0);
    const strangerView = await server.call('GET', `/v1/orders/${order.id}`, { key: stranger.api_key });
    expect(strangerView.status).toBe(404);
    expect(strangerView.text).not.toContain('o_tenant');
    await ownersHooks.close();
    await strangersHooks.close();
  });

  it('shows a friend only their own payments in the friend view', async () => {
    const shop = await server.newShop();
    const order = await server.newOrder(shop, { amount_total: 900, items: [{ title: 't', quantity: 1, unit_price: 900 }] });
    const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'Ren' }, mode: 'group' } })).json;
    const alice = await loginFriend(server, 'o_alice_t');
    const bob = await loginFriend(server, 'o_bob_t');
    await startPayment(server, alice, link.code, { amount: 100 });
    await startPayment(server, bob, link.code, { amount: 200 });
    const asAlice = (await server.call<{ my_payments: { amount: number }[] }>('GET', `/v1/pay/${link.code}`, { headers: { authorization: `Bearer ${alice.token}` } })).json;
    expect(asAlice.my_payments.map((p) => p.amount)).toEqual([100]);
    const anonymous = (await server.call<{ my_payments: unknown[] }>('GET', `/v1/pay/${link.code}`)).json;
    expect(anonymous.my_payments).toEqual([]);
  });
});
