/** Live status in the chat (README.md): the shopper's share API, subscriptions and private-card proofs, as typed calls. */
import type { ActivityResponse, LinkAudience, PrivateProofInput, ShopperSessionResponse, ShopperView, SubscriptionsInput, SubscriptionsResponse } from '@shared/api-types';
import { requestJson } from './http';

/** `GET /v1/share/{shopper_token}`: the shopper's view; with a session, whether they are its shopper. */
export function fetchShopperView(shopperToken: string, sessionToken?: string): Promise<ShopperView> {
  return requestJson<ShopperView>(`/v1/share/${encodeURIComponent(shopperToken)}`, sessionToken === undefined ? {} : { sessionToken });
}

/** `POST /v1/share/{shopper_token}/session`: binds this WeChat user as the link's shopper (the first one wins). */
export function bindShopper(shopperToken: string, sessionToken: string): Promise<ShopperSessionResponse> {
  return requestJson<ShopperSessionResponse>(`/v1/share/${encodeURIComponent(shopperToken)}/session`, { method: 'POST', body: {}, sessionToken });
}

/** `POST /v1/share/{shopper_token}/activity`: the activity id `wx.updateShareMenu` shares the card with. */
export function requestActivity(shopperToken: string, audience?: LinkAudience): Promise<ActivityResponse> {
  return requestJson<ActivityResponse>(`/v1/share/${encodeURIComponent(shopperToken)}/activity`, { method: 'POST', body: audience === undefined ? {} : { audience } });
}

/** `POST /v1/subscriptions`: what `wx.requestSubscribeMessage` answered. */
export function saveSubscriptions(sessionToken: string, input: SubscriptionsInput): Promise<SubscriptionsResponse> {
  return requestJson<SubscriptionsResponse>('/v1/subscriptions', { method: 'POST', body: input, sessionToken });
}

/** `POST /v1/pay/{ref}/private-proof`: what `wx.authPrivateMessage` answered (204, or 403 PRIVATE_LINK). */
export async function provePrivateReceipt(ref: string, sessionToken: string, proof: PrivateProofInput): Promise<void> {
  await requestJson<unknown>(`/v1/pay/${encodeURIComponent(ref)}/private-proof`, { method: 'POST', body: proof, sessionToken });
}
