/**
 * The shop API, as the QA page calls it with the sandbox demo shop's key (sandbox builds only):
 * what a shop's backend would do, from a button. Friends never call these.
 */
import type { LinkResponse, OrderResponse } from '@shared/api-types';
import { requestJson } from './http';

const asShop = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

/** `GET /v1/links/{id}`. */
export function readLink(apiKey: string, linkId: string): Promise<LinkResponse> {
  return requestJson<LinkResponse>(`/v1/links/${encodeURIComponent(linkId)}`, { headers: asShop(apiKey) });
}

/** `POST /v1/links/{id}/revoke`. */
export function revokeLink(apiKey: string, linkId: string): Promise<LinkResponse> {
  return requestJson<LinkResponse>(`/v1/links/${encodeURIComponent(linkId)}/revoke`, { method: 'POST', body: {}, headers: asShop(apiKey) });
}

/** `POST /v1/orders/{id}/cancel`: live links become void, friends who paid get their money back. */
export function cancelOrder(apiKey: string, orderId: string): Promise<OrderResponse> {
  return requestJson<OrderResponse>(`/v1/orders/${encodeURIComponent(orderId)}/cancel`, { method: 'POST', body: {}, headers: asShop(apiKey) });
}
