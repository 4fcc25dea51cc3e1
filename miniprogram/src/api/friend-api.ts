/** The friend API (README.md, "API (v1)") as typed calls. */
import type { CreatePaymentInput, CreatePaymentResponse, FriendView, PaymentView, SessionResponse } from '@shared/api-types';
import { requestJson } from './http';

/** `GET /v1/pay/{ref}`: what the friend sees; with a session, their own payments too. */
export function fetchFriendView(ref: string, sessionToken?: string): Promise<FriendView> {
  return requestJson<FriendView>(`/v1/pay/${encodeURIComponent(ref)}`, sessionToken === undefined ? {} : { sessionToken });
}

/** `POST /v1/sessions`: trades a `wx.login` code for a session. */
export function createSession(code: string): Promise<SessionResponse> {
  return requestJson<SessionResponse>('/v1/sessions', { method: 'POST', body: { code } });
}

/** `POST /v1/pay/{ref}/payments`: opens a payment (reserves the link or, in group mode, the amount). */
export function createPayment(ref: string, sessionToken: string, idempotencyKey: string, input: CreatePaymentInput): Promise<CreatePaymentResponse> {
  return requestJson<CreatePaymentResponse>(`/v1/pay/${encodeURIComponent(ref)}/payments`, {
    method: 'POST',
    body: input,
    sessionToken,
    headers: { 'idempotency-key': idempotencyKey },
  });
}

/** `GET /v1/payments/{id}`: the payer's view of their payment. */
export function fetchPayment(paymentId: string, sessionToken: string): Promise<PaymentView> {
  return requestJson<PaymentView>(`/v1/payments/${encodeURIComponent(paymentId)}`, { sessionToken });
}

/** `POST /v1/payments/{id}/cancel`: the friend gave up in the pay sheet; frees the link at once. */
export async function cancelPayment(paymentId: string, sessionToken: string): Promise<void> {
  await requestJson<unknown>(`/v1/payments/${encodeURIComponent(paymentId)}/cancel`, { method: 'POST', body: {}, sessionToken });
}
