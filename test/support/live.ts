/** Plays shoppers and friends in the chat against a test server: sharing cards, subscribing, paying, private proofs. */
import type { ActivityResponse, CreatePaymentResponse, IssuedLinkResponse, PaymentView, ShopperView, SubscriptionsResponse } from '../../shared/api-types';
import { deliverLiveOnce } from '../../server/src/live/messenger';
import type { SimulatedCard } from '../../server/src/sandbox/simulators/wechat-messages-simulator';
import { eventually, loginFriend, payInSheet, startPayment, type Friend } from './friends';
import type { Answer, TestServer } from './test-server';

/** The shopper opens the share page: logs in and binds to the link. */
export async function openAsShopper(server: TestServer, link: Pick<IssuedLinkResponse, 'shopper_token'>, openid: string): Promise<Friend> {
  const shopper = await loginFriend(server, openid);
  const bound = await server.call('POST', `/v1/share/${link.shopper_token}/session`, { key: shopper.token, body: {} });
  if (bound.status !== 200) throw new Error(`binding the shopper failed: ${bound.status} ${bound.text}`);
  return shopper;
}

/** `POST /v1/share/{s}/activity`. */
export function requestActivity(server: TestServer, shopperToken: string, body: Record<string, unknown> = {}): Promise<Answer<ActivityResponse & { code?: string }>> {
  return server.call('POST', `/v1/share/${shopperToken}/activity`, { body });
}

/** The shopper shares the card (with `wx.updateShareMenu`'s parameters) to `recipients`; resolves to the share ticket. */
export async function shareCard(server: TestServer, shopperToken: string, shopper: Friend, recipients: readonly string[], audience?: 'group' | 'private'): Promise<{ activity: ActivityResponse; ticket: string }> {
  const activity = await requestActivity(server, shopperToken, audience === undefined ? {} : { audience });
  if (activity.status !== 200) throw new Error(`activity failed: ${activity.status} ${activity.text}`);
  const shared = await server.call<{ share_ticket: string }>('POST', '/sandbox/wx/share', {
    body: { activity_id: activity.json.activity_id, from_openid: shopper.openid, to_openids: recipients, template_info: activity.json.template_info },
  });
  if (shared.status !== 200) throw new Error(`sharing failed: ${shared.status} ${shared.text}`);
  return { activity: activity.json, ticket: shared.json.share_ticket };
}

/** `GET /v1/share/{s}`. */
export async function shopperView(server: TestServer, shopperToken: string, session?: Friend): Promise<ShopperView> {
  const answer = await server.call<ShopperView>('GET', `/v1/share/${shopperToken}`, session === undefined ? {} : { key: session.token });
  if (answer.status !== 200) throw new Error(`shopper view failed: ${answer.status} ${answer.text}`);
  return answer.json;
}

/** The user accepts `templateIds` in `wx.requestSubscribeMessage` (at WeChat), then the page tells our server. */
export async function subscribe(server: TestServer, who: Friend, link: string, templateIds: readonly string[], result: 'accept' | 'reject' = 'accept'): Promise<Answer<SubscriptionsResponse & { code?: string }>> {
  const answers = await server.call<Record<string, string>>('POST', '/sandbox/wx/subscribe', { body: { openid: who.openid, template_ids: templateIds, result } });
  if (answers.status !== 200) throw new Error(`subscribing at WeChat failed: ${answers.status} ${answers.text}`);
  return server.call('POST', '/v1/subscriptions', { key: who.token, body: { link, templates: templateIds.map((id) => ({ id, result: answers.json[id] ?? 'reject' })) } });
}

/** `friend` pays `amount` (group) or everything (single) through the sandbox pay sheet; resolves once WeChat's notification was applied. */
export async function pay(server: TestServer, friend: Friend, ref: string, amount?: number): Promise<CreatePaymentResponse> {
  const created = await startPayment(server, friend, ref, amount === undefined ? {} : { amount });
  if (created.status !== 201) throw new Error(`payment failed: ${created.status} ${created.text}`);
  await payInSheet(server, friend, created.json);
  await eventually(async () => {
    const answer = await server.call<PaymentView>('GET', `/v1/payments/${created.json.payment.id}`, { key: friend.token });
    return answer.json.status === 'paid' || answer.json.status === 'refunding' || answer.json.status === 'refunded';
  }, 5000, 'the payment to be applied');
  return created.json;
}

/** What `wx.authPrivateMessage` answers `openid` for the card opened with `ticket`. */
export async function authPrivateMessage(server: TestServer, ticket: string, openid: string): Promise<{ valid: boolean; encryptedData: string; iv: string }> {
  const answer = await server.call<{ valid: boolean; encryptedData: string; iv: string }>('POST', '/sandbox/wx/auth-private-message', { body: { share_ticket: ticket, openid } });
  if (answer.status !== 200) throw new Error(`authPrivateMessage failed: ${answer.status} ${answer.text}`);
  return answer.json;
}

/** `POST /v1/pay/{ref}/private-proof`. */
export function proveReceipt(server: TestServer, friend: Friend, ref: string, proof: { valid: boolean; encryptedData: string; iv: string }): Promise<Answer<{ code?: string }>> {
  return server.call('POST', `/v1/pay/${ref}/private-proof`, { key: friend.token, body: { valid: proof.valid, encrypted_data: proof.encryptedData, iv: proof.iv } });
}

/** Runs the chat worker once (the test servers run no workers by themselves). */
export function deliverChat(server: TestServer): ReturnType<typeof deliverLiveOnce> {
  return deliverLiveOnce(server.deps);
}

/** The simulated card of an activity id. */
export function simulatedCard(server: TestServer, activityId: string): SimulatedCard {
  const card = server.liveSimulators?.messages.card(activityId);
  if (card === undefined) throw new Error(`no simulated card ${activityId}`);
  return card;
}

/** A card's updates as `member_count/room_limit` (state 0) or `done m/r` (state 1), oldest first. */
export function cardStates(card: SimulatedCard): string[] {
  return card.changes.map((change) => (change.targetState === 1 ? `done ${change.memberCount}/${change.roomLimit}` : `${change.memberCount}/${change.roomLimit}`));
}
