// Subscribe messages: one message per subscription, none without one; "friend paid" and "link
// expires in 1 h" to the shopper, "refund on its way" to the friend who paid; 43101 spends the
// subscription without retrying.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SentSubscribeMessage } from '../../server/src/sandbox/simulators/wechat-messages-simulator';
import { SANDBOX_TEMPLATES } from '../../server/src/sandbox/simulators/wechat-messages-simulator';
import { loginFriend, shopWithLink } from '../support/friends';
import { deliverChat, openAsShopper, pay, subscribe } from '../support/live';
import { engines, startTestServer, type TestServer } from '../support/test-server';

const { friendPaid, linkExpiring, refund } = SANDBOX_TEMPLATES;

describe.each(engines)('subscribe messages (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  const sent = (): SentSubscribeMessage[] => server.liveSimulators!.messages.sentMessages();

  it('sends "friend paid" to the shopper once per subscription: two subscriptions, three payments, two messages', async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 900 });
    const shopper = await openAsShopper(server, link, 'o_shopper_msg');
    const first = await subscribe(server, shopper, link.shopper_token!, [friendPaid]);
    expect(first.status).toBe(201);
    expect(first.json.subscriptions).toEqual([{ id: expect.any(String) as string, template_id: friendPaid, kind: 'friend_paid' }]);
    await subscribe(server, shopper, link.shopper_token!, [friendPaid]);

    for (const openid of ['o_payer_1', 'o_payer_2', 'o_payer_3']) await pay(server, await loginFriend(server, openid), link.code, 300);
    await deliverChat(server);
    await deliverChat(server);

    expect(sent()).toHaveLength(2);
    expect(sent().map((message) => message.data['thing3']?.value)).toEqual(['o_p***r_1', 'o_p***r_2']);
    for (const message of sent()) {
      expect(message).toMatchObject({ touser: 'o_shopper_msg', templateId: friendPaid, miniprogramState: 'formal' });
      expect(message.page).toMatch(/^pages\/share\/index\?s=ey/);
      expect(message.data['amount2']).toEqual({ value: '¥3.00' });
      expect(message.data['thing1']).toEqual({ value: 'Tea House' });
    }
    expect((await server.deps.store.listSubscriptions(link.id)).map((subscription) => subscription.status)).toEqual(['used', 'used']);
    expect(server.liveSimulators!.messages.subscriptionsLeft('o_shopper_msg', friendPaid)).toBe(0);
  });

  it('sends nothing to anyone who did not subscribe, and records only accepted, configured templates', async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 600 });
    const shopper = await openAsShopper(server, link, 'o_shopper_quiet');
    const rejected = await subscribe(server, shopper, link.shopper_token!, [friendPaid, linkExpiring], 'reject');
    expect(rejected.json.subscriptions).toEqual([]);
    const unknown = await server.call('POST', '/v1/subscriptions', { key: shopper.token, body: { link: link.shopper_token, templates: [{ id: 'not-our-template', result: 'accept' }] } });
    expect(unknown.json).toEqual({ subscriptions: [] });
    // A friend cannot take the shopper's messages: "friend paid" is the shopper's template.
    const friend = await loginFriend(server, 'o_friend_quiet');
    expect((await subscribe(server, friend, link.code, [friendPaid])).json.subscriptions).toEqual([]);

    await pay(server, friend, link.code, 300);
    await pay(server, await loginFriend(server, 'o_friend_quiet_2'), link.code, 300);
    await deliverChat(server);
    expect(sent()).toEqual([]);
    expect(await server.deps.store.listSubscribeMessages(link.id)).toEqual([]);
  });

  it('spends a subscription WeChat does not know of (43101) without retrying it', async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 600 });
    const shopper = await openAsShopper(server, link, 'o_shopper_refused');
    // The page reports an accept, but WeChat never recorded one (another device, a forged client).
    const claimed = await server.call('POST', '/v1/subscriptions', { key: shopper.token, body: { link: link.shopper_token, templates: [{ id: friendPaid, result: 'accept' }] } });
    expect(claimed.status).toBe(201);
    await pay(server, await loginFriend(server, 'o_refused_payer'), link.code, 300);
    await deliverChat(server);
    server.sandboxClock!.advance(3600);
    await deliverChat(server);

    expect(sent()).toEqual([]);
    expect(server.liveSimulators!.messages.refusedCalls()).toEqual([expect.objectContaining({ api: 'subscribe_send', errcode: 43101 })]);
    expect((await server.deps.store.listSubscribeMessages(link.id)).map((message) => message.outcome)).toEqual(['refused']);
    // The spent subscription is not used again for the next payment.
    await pay(server, await loginFriend(server, 'o_refused_payer_2'), link.code, 300);
    await deliverChat(server);
    expect(await server.deps.store.listSubscribeMessages(link.id)).toHaveLength(1);
  });

  it('retries a message WeChat failed to take and sends it once', async () => {
    const { link } = await shopWithLink(server, { amount: 500 });
    const shopper = await openAsShopper(server, link, 'o_shopper_retry_msg');
    await subscribe(server, shopper, link.shopper_token!, [friendPaid]);
    server.liveSimulators!.messages.faults.set({ api: 'subscribe_send', errcode: -1, times: 1 });
    await pay(server, await loginFriend(server, 'o_retry_payer'), link.token);
    await deliverChat(server);
    expect(sent()).toEqual([]);
    server.sandboxClock!.advance(3);
    await deliverChat(server);
    await deliverChat(server);
    expect(sent()).toHaveLength(1);
  });

  it('warns the shopper once when the link has an hour left, however often they subscribed', async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 600, ttlSeconds: 3 * 3600 });
    const shopper = await openAsShopper(server, link, 'o_shopper_expiring');
    await subscribe(server, shopper, link.shopper_token!, [linkExpiring]);
    await subscribe(server, shopper, link.shopper_token!, [linkExpiring, friendPaid]);
    await deliverChat(server);
    expect(sent()).toEqual([]);

    server.sandboxClock!.advance(2 * 3600 + 60);
    await deliverChat(server);
    await deliverChat(server);
    server.sandboxClock!.advance(30 * 60);
    await deliverChat(server);
    expect(sent()).toHaveLength(1);
    expect(sent()[0]).toMatchObject({ touser: 'o_shopper_expiring', templateId: linkExpiring });
    expect(sent()[0].data['amount2']).toEqual({ value: '¥6.00' });
    expect(sent()[0].data['time3']?.value).toMatch(/^\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}$/);
  });

  it('tells a friend who subscribed that their refund is on its way, once per refund, and nobody else', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { mode: 'group', amount: 600 });
    const alice = await loginFriend(server, 'o_refund_alice');
    const bob = await loginFriend(server, 'o_refund_bob');
    await pay(server, alice, link.code, 200);
    await pay(server, bob, link.code, 100);
    expect((await subscribe(server, alice, link.token, [refund])).json.subscriptions).toEqual([expect.objectContaining({ kind: 'refund' })]);

    const cancelled = await server.call('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key, body: {}, headers: { 'idempotency-key': 'cancel-refund-msg' } });
    expect(cancelled.status).toBe(200);
    await deliverChat(server);
    await deliverChat(server);
    expect(sent()).toHaveLength(1);
    expect(sent()[0]).toMatchObject({ touser: 'o_refund_alice', templateId: refund });
    expect(sent()[0].data['amount2']).toEqual({ value: '¥2.00' });
    expect(sent()[0].page).toBe(`pages/pay/index?code=${link.code}`);
  });

  it('lets only the bound shopper subscribe through the shopper token', async () => {
    const { link } = await shopWithLink(server, { mode: 'group' });
    await openAsShopper(server, link, 'o_shopper_owner');
    const stranger = await loginFriend(server, 'o_shopper_stranger');
    const refused = await subscribe(server, stranger, link.shopper_token!, [friendPaid]);
    expect(refused.json).toMatchObject({ status: 409, code: 'SHOPPER_BOUND' });
    expect(await server.deps.store.listSubscriptions(link.id)).toEqual([]);
  });
});
