// The shopper's capability and the updatable share card: the card follows the link as friends
// pay, each update sent once and in order; activity ids are reused, then renewed; the first
// shopper to bind keeps the link.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LinkResponse } from '../../shared/api-types';
import { loginFriend, shopWithLink } from '../support/friends';
import { cardStates, deliverChat, openAsShopper, pay, requestActivity, shareCard, shopperView, simulatedCard } from '../support/live';
import { engines, startTestServer, type TestServer } from '../support/test-server';

describe.each(engines)('share cards (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  it('gives the shop a shopper token with the link, again on GET /v1/links/{id}, that opens the shopper view', async () => {
    const { shop, link } = await shopWithLink(server, { mode: 'group', amount: 900 });
    expect(link).toMatchObject({ audience: 'group', room_limit: 3 });
    expect(link.shopper_token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    const again = await server.call<LinkResponse>('GET', `/v1/links/${link.id}`, { key: shop.api_key });
    expect(again.json).toMatchObject({ audience: 'group', room_limit: 3 });
    expect(again.json.shopper_token).toMatch(/^ey/);

    const view = await shopperView(server, again.json.shopper_token!);
    expect(view.link).toMatchObject({ id: link.id, status: 'active', mode: 'group', audience: 'group', room_limit: 3, code: link.code });
    // The pay link's token (signed afresh, so its `iat` may differ from the issued one): it opens the friend view.
    expect(view.link.share.path).toBe(`/pages/pay/index?t=${view.link.token}`);
    expect((await server.call('GET', `/v1/pay/${view.link.token}`)).status).toBe(200);
    expect(view.order).toMatchObject({ amount_total: 900, amount_paid: 0, amount_due: 900 });
    expect(view).toMatchObject({ card: null, shopper: { bound: false }, refunds: [], contributions: [] });
  });

  it("moves a group link's card 0/3 -> 1/3 -> 2/3 -> done as three friends pay, each update sent once and in order", async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 900 });
    const shopper = await openAsShopper(server, link, 'o_shopper_lin');
    const { activity } = await shareCard(server, link.shopper_token!, shopper, ['o_group_a', 'o_group_b', 'o_group_c']);
    expect(activity.template_info).toEqual({ parameter_list: [{ name: 'member_count', value: '0' }, { name: 'room_limit', value: '3' }] });

    for (const [index, openid] of ['o_group_a', 'o_group_b', 'o_group_c'].entries()) {
      await pay(server, await loginFriend(server, openid), link.code, 300);
      await deliverChat(server);
      expect(cardStates(simulatedCard(server, activity.activity_id)), `after friend ${index + 1}`).toEqual(
        ['0/3', '1/3', '2/3', 'done 3/3'].slice(0, index + 2),
      );
    }
    // Nothing more to send, and each state went to WeChat exactly once.
    await deliverChat(server);
    const card = simulatedCard(server, activity.activity_id);
    expect(cardStates(card)).toEqual(['0/3', '1/3', '2/3', 'done 3/3']);
    expect(card.text).toBe('已开始');
    const view = await shopperView(server, link.shopper_token!);
    expect(view.card).toMatchObject({ activity_id: activity.activity_id, state: 1, member_count: 3, room_limit: 3, pending_updates: 0 });
    expect(view.link.status).toBe('paid');
    expect(view.contributions).toHaveLength(3);
  });

  it('counts past the expected contributions: room_limit is never below member_count', async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 900 });
    const shopper = await openAsShopper(server, link, 'o_shopper_two');
    const { activity } = await shareCard(server, link.shopper_token!, shopper, ['o_many']);
    for (const index of [1, 2, 3, 4]) await pay(server, await loginFriend(server, `o_many_${index}`), link.code, 100);
    await deliverChat(server);
    expect(cardStates(simulatedCard(server, activity.activity_id))).toEqual(['0/3', '1/3', '2/3', '3/3', '4/4']);
  });

  it('shares a single link as 0/1 and ends it done 1/1; a revoked link ends its card too', async () => {
    const single = await shopWithLink(server, { amount: 500 });
    const shopper = await openAsShopper(server, single.link, 'o_shopper_single');
    const { activity } = await shareCard(server, single.link.shopper_token!, shopper, ['o_single_friend']);
    expect(activity.template_info.parameter_list).toEqual([{ name: 'member_count', value: '0' }, { name: 'room_limit', value: '1' }]);
    await pay(server, await loginFriend(server, 'o_single_friend'), single.link.token);
    await deliverChat(server);
    expect(cardStates(simulatedCard(server, activity.activity_id))).toEqual(['0/1', 'done 1/1']);

    const revoked = await shopWithLink(server, { mode: 'group', amount: 500 });
    const other = await openAsShopper(server, revoked.link, 'o_shopper_revoked');
    const shared = await shareCard(server, revoked.link.shopper_token!, other, ['o_x']);
    expect((await server.call('POST', `/v1/links/${revoked.link.id}/revoke`, { key: revoked.shop.api_key, body: {}, headers: { 'idempotency-key': 'revoke-card-1' } })).status).toBe(200);
    await deliverChat(server);
    expect(cardStates(simulatedCard(server, shared.activity.activity_id))).toEqual(['0/3', 'done 0/3']);
    expect((await requestActivity(server, revoked.link.shopper_token!)).json).toMatchObject({ status: 410, code: 'LINK_REVOKED' });
  });

  it('reuses an activity id until ten minutes before its 24 h expiry, then makes a new one, and updates every card still alive', async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 900, ttlSeconds: 3 * 24 * 3600 });
    const shopper = await openAsShopper(server, link, 'o_shopper_renew');
    const first = await shareCard(server, link.shopper_token!, shopper, ['o_r1']);
    server.sandboxClock!.advance(23 * 3600 + 49 * 60);
    expect((await requestActivity(server, link.shopper_token!)).json.activity_id).toBe(first.activity.activity_id);
    server.sandboxClock!.advance(2 * 60);
    const second = await shareCard(server, link.shopper_token!, shopper, ['o_r2']);
    expect(second.activity.activity_id).not.toBe(first.activity.activity_id);
    // WeChat's 24 h, in whole seconds, from the (running) sandbox clock.
    expect(Date.parse(second.activity.expires_at) - server.deps.clock.now()).toBeGreaterThan(24 * 3600 * 1000 - 5000);

    await pay(server, await loginFriend(server, 'o_r1'), link.code, 300);
    await deliverChat(server);
    // Both cards are still in WeChat's hands: both show the contribution.
    expect(cardStates(simulatedCard(server, first.activity.activity_id))).toEqual(['0/3', '1/3']);
    expect(cardStates(simulatedCard(server, second.activity.activity_id))).toEqual(['0/3', '1/3']);
    // Past the first card's expiry only the second changes.
    server.sandboxClock!.advance(15 * 60);
    await pay(server, await loginFriend(server, 'o_r2'), link.code, 300);
    await deliverChat(server);
    expect(cardStates(simulatedCard(server, first.activity.activity_id))).toEqual(['0/3', '1/3']);
    expect(cardStates(simulatedCard(server, second.activity.activity_id))).toEqual(['0/3', '1/3', '2/3']);
    expect((await shopperView(server, link.shopper_token!)).card).toMatchObject({ activity_id: second.activity.activity_id, member_count: 2, pending_updates: 0 });
  });

  it('keeps the first shopper to bind: another WeChat user gets 409 SHOPPER_BOUND, the same one binds again', async () => {
    const { link } = await shopWithLink(server, { mode: 'group' });
    const first = await openAsShopper(server, link, 'o_shopper_first');
    const again = await server.call('POST', `/v1/share/${link.shopper_token}/session`, { key: first.token, body: {} });
    expect(again.status).toBe(200);
    const intruder = await loginFriend(server, 'o_shopper_second');
    const refused = await server.call('POST', `/v1/share/${link.shopper_token}/session`, { key: intruder.token, body: {} });
    expect(refused.json).toMatchObject({ status: 409, code: 'SHOPPER_BOUND' });
    expect((await shopperView(server, link.shopper_token!, intruder)).shopper).toEqual({ bound: true, you: false });
    expect((await shopperView(server, link.shopper_token!, first)).shopper).toEqual({ bound: true, you: true });
    expect((await server.call('POST', `/v1/share/${link.shopper_token}/session`, { body: {} })).json).toMatchObject({ status: 401, code: 'SESSION_INVALID' });
  });

  it('retries a card update WeChat could not take, and drops the ones of a card that expired (47504)', async () => {
    const { link } = await shopWithLink(server, { mode: 'group', amount: 900, ttlSeconds: 3 * 24 * 3600 });
    const shopper = await openAsShopper(server, link, 'o_shopper_retry');
    const { activity } = await shareCard(server, link.shopper_token!, shopper, ['o_t1']);
    server.liveSimulators!.messages.faults.set({ api: 'updatablemsg_send', errcode: -1, times: 2 });
    await pay(server, await loginFriend(server, 'o_t1'), link.code, 300);
    await deliverChat(server);
    expect(cardStates(simulatedCard(server, activity.activity_id))).toEqual(['0/3']);
    expect((await shopperView(server, link.shopper_token!)).card).toMatchObject({ member_count: 1, pending_updates: 1 });
    // Backoff: 2 s, then 4 s.
    server.sandboxClock!.advance(3);
    await deliverChat(server);
    server.sandboxClock!.advance(5);
    await deliverChat(server);
    expect(cardStates(simulatedCard(server, activity.activity_id))).toEqual(['0/3', '1/3']);
    expect(server.liveSimulators!.messages.refusedCalls().map((call) => call.errcode)).toEqual([-1, -1]);

    // An update queued while WeChat fails, still unsent when the card's 24 h are over: WeChat
    // answers 47504 and it is dropped, not retried forever.
    server.liveSimulators!.messages.faults.set({ api: 'updatablemsg_send', errcode: -1 });
    await pay(server, await loginFriend(server, 'o_t2'), link.code, 300);
    await deliverChat(server);
    server.sandboxClock!.advance(25 * 3600);
    server.liveSimulators!.messages.faults.clear();
    await deliverChat(server);
    expect((await server.deps.store.listCardUpdates(link.id)).map((update) => update.outcome)).toEqual(['sent', 'expired']);
    expect(server.liveSimulators!.messages.refusedCalls().map((call) => call.errcode)).toEqual([-1, -1, -1, 47504]);
    // A contribution after the card expired queues nothing for it.
    await pay(server, await loginFriend(server, 'o_t3'), link.code, 100);
    expect(await server.deps.store.listCardUpdates(link.id)).toHaveLength(2);
  });
});
