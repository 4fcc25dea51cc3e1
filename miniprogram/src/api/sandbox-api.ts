/** Sandbox-only endpoints (docs/architecture.md, "WeChat and the sandbox"): simulated WeChat login and pay sheet, demo data, clock, faults. */
import type { DemoResponse, SandboxWebhook, UrlLinkResponse } from '@shared/api-types';
import type { LinkMode } from '@shared/states';
import { requestJson } from './http';

/** What the login simulator hands out instead of `wx.login`. */
export interface SandboxLoginCode {
  code: string;
  openid: string;
}

/** What the friend does in the sandbox pay sheet. */
export type SandboxPayOutcome = 'success' | 'cancel' | 'fail';

/** The simulator's answer to a pay sheet action. */
export interface SandboxPayResult {
  out_trade_no: string;
  trade_state: string;
  transaction_id: string | null;
  notification_id: string | null;
}

/** The sandbox clock. */
export interface SandboxClock {
  now: string;
  offset_seconds: number;
}

/** One WeChat Pay endpoint's forced failure. */
export interface EndpointFaultView {
  fail: '5xx' | 'timeout';
  status?: number;
  remaining?: number | null;
}

/** The simulators' fault switches as `GET /sandbox/faults` shows them. */
export interface SandboxFaults {
  notifications: { delay_ms: number; duplicate: boolean; drop: boolean; reorder: boolean; reorder_window_ms: number };
  endpoints: Partial<Record<SandboxFaultEndpoint, EndpointFaultView>>;
  fail_next_close: boolean;
  login: { errcode: number; remaining: number | null } | null;
  /** WeChat's server API (codes, URL Links, tokens); absent from servers that do not simulate it. */
  wechat_api?: { faults: Partial<Record<SandboxPlatformApi, { errcode: number; remaining: number | null }>> };
}

/** WeChat server APIs whose answers can be forced: access tokens, mini program codes, URL Links. */
export type SandboxPlatformApi = 'stable_token' | 'getwxacodeunlimit' | 'generate_urllink';

/** WeChat Pay endpoints that can be made to fail. */
export type SandboxFaultEndpoint = 'prepay' | 'query' | 'close' | 'refund' | 'query_refund';

/** A change to the fault switches (`POST /sandbox/faults`). */
export interface SandboxFaultsPatch {
  reset?: boolean;
  notifications?: Partial<SandboxFaults['notifications']>;
  endpoints?: Partial<Record<SandboxFaultEndpoint, { fail: '5xx' | 'timeout'; status?: number; times?: number } | null>>;
  fail_next_close?: boolean;
  login?: { errcode: number; times?: number } | null;
  wechat_api?: {
    /** Per API: answer this errcode (45009 quota, -1 busy, ...) to the next `times` calls, or all; null clears. */
    faults?: Partial<Record<SandboxPlatformApi, { errcode: number; times?: number } | null>>;
    /** Invalidate every access token handed out: the server's next call meets 40001 and must refresh. */
    revoke_access_tokens?: true;
  };
}

/** `POST /sandbox/wx/login`: a login code for `openid` (a random friend when omitted). */
export function sandboxLogin(openid?: string): Promise<SandboxLoginCode> {
  return requestJson<SandboxLoginCode>('/sandbox/wx/login', { method: 'POST', body: openid === undefined ? {} : { openid } });
}

/** `POST /sandbox/wechatpay/pay`: what the friend did in the sandbox pay sheet. */
export function sandboxPay(prepayId: string, openid: string, outcome: SandboxPayOutcome): Promise<SandboxPayResult> {
  return requestJson<SandboxPayResult>('/sandbox/wechatpay/pay', { method: 'POST', body: { prepay_id: prepayId, openid, outcome } });
}

/** `POST /sandbox/demo`: a new demo shop, order and link. */
export function createDemo(mode: LinkMode): Promise<DemoResponse> {
  return requestJson<DemoResponse>('/sandbox/demo', { method: 'POST', body: { mode } });
}

/** `GET /sandbox/clock`. */
export function readClock(): Promise<SandboxClock> {
  return requestJson<SandboxClock>('/sandbox/clock');
}

/** `POST /sandbox/clock`: moves the server clock forward. */
export function advanceClock(seconds: number): Promise<SandboxClock> {
  return requestJson<SandboxClock>('/sandbox/clock', { method: 'POST', body: { advance_seconds: seconds } });
}

/** `GET /sandbox/faults`. */
export function readFaults(): Promise<SandboxFaults> {
  return requestJson<SandboxFaults>('/sandbox/faults');
}

/** `POST /sandbox/faults`. */
export function changeFaults(patch: SandboxFaultsPatch): Promise<SandboxFaults> {
  return requestJson<SandboxFaults>('/sandbox/faults', { method: 'POST', body: patch });
}

/** `DELETE /sandbox/faults`: every switch back to normal. */
export function resetFaults(): Promise<SandboxFaults> {
  return requestJson<SandboxFaults>('/sandbox/faults', { method: 'DELETE' });
}

/** `GET /sandbox/webhooks?shop_id=`: the webhooks the sandbox's receiver got for a demo shop, newest first. */
export async function readWebhooks(shopId: string): Promise<SandboxWebhook[]> {
  return (await requestJson<{ webhooks: SandboxWebhook[] }>(`/sandbox/webhooks?shop_id=${encodeURIComponent(shopId)}`)).webhooks;
}

/** `GET /v1/links/{id}/url-link` as the demo shop: the link's URL Link (made on first ask, then kept). */
export function fetchUrlLink(linkId: string, shopApiKey: string): Promise<UrlLinkResponse> {
  return requestJson<UrlLinkResponse>(`/v1/links/${encodeURIComponent(linkId)}/url-link`, { headers: { authorization: `Bearer ${shopApiKey}` } });
}

/** A share card as the sandbox's simulated chat shows it (`GET /sandbox/cards/{ref}`). */
export interface SandboxCard {
  activityId: string;
  state: 0 | 1;
  memberCount: number | null;
  roomLimit: number | null;
  /** What WeChat renders on the card, e.g. "成员正在加入，当前 1/3 人". */
  text: string;
  expired: boolean;
}

/** `GET /sandbox/cards/{ref}`: the link's cards in the simulated chat, newest first (ref: link token, code or shopper token). */
export async function sandboxCards(ref: string): Promise<SandboxCard[]> {
  const answer = await requestJson<{ cards: SandboxCard[] }>(`/sandbox/cards/${encodeURIComponent(ref)}`);
  return answer.cards;
}

/** `POST /sandbox/wx/share`: the shopper shares the card to `to` in the simulated chat; the share ticket they open it with. */
export async function sandboxShare(activityId: string, from: string, to: readonly string[], templateInfo?: { parameter_list: { name: string; value: string }[] }): Promise<string> {
  const answer = await requestJson<{ share_ticket: string }>('/sandbox/wx/share', {
    method: 'POST',
    body: { activity_id: activityId, from_openid: from, to_openids: to, ...(templateInfo === undefined ? {} : { template_info: templateInfo }) },
  });
  return answer.share_ticket;
}

/** A WeChat message API the simulator can be made to fail. */
export type SandboxMessageApi = 'activityid_create' | 'updatablemsg_send' | 'subscribe_send';

/** A forced failure of one message API, as `GET /sandbox/wx/message-faults` lists it. */
export interface SandboxMessageFault {
  api: SandboxMessageApi;
  errcode: number;
  remaining?: number | null;
}

/** `GET /sandbox/wx/message-faults`. */
export async function readMessageFaults(): Promise<SandboxMessageFault[]> {
  return (await requestJson<{ faults: SandboxMessageFault[] }>('/sandbox/wx/message-faults')).faults;
}

/** `POST /sandbox/wx/message-faults`: `api` answers `errcode` until cleared. */
export async function setMessageFault(api: SandboxMessageApi, errcode: number): Promise<SandboxMessageFault[]> {
  return (await requestJson<{ faults: SandboxMessageFault[] }>('/sandbox/wx/message-faults', { method: 'POST', body: { api, errcode } })).faults;
}

/** `DELETE /sandbox/wx/message-faults`. */
export async function clearMessageFaults(): Promise<SandboxMessageFault[]> {
  return (await requestJson<{ faults: SandboxMessageFault[] }>('/sandbox/wx/message-faults', { method: 'DELETE' })).faults;
}

/** `POST /sandbox/demo` with the chat options: a private link, or a group link expecting `expected` friends. */
export function createLiveDemo(options: { mode: LinkMode; audience?: 'group' | 'private'; expected_contributions?: number }): Promise<DemoResponse> {
  return requestJson<DemoResponse>('/sandbox/demo', { method: 'POST', body: options });
}
