/** Sandbox-only endpoints (docs/architecture.md, "WeChat and the sandbox"): simulated WeChat login and pay sheet, demo data, clock, faults. */
import type { DemoResponse, SandboxWebhook } from '@shared/api-types';
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
}

/** WeChat Pay endpoints that can be made to fail. */
export type SandboxFaultEndpoint = 'prepay' | 'query' | 'close' | 'refund' | 'query_refund';

/** A change to the fault switches (`POST /sandbox/faults`). */
export interface SandboxFaultsPatch {
  reset?: boolean;
  notifications?: Partial<SandboxFaults['notifications']>;
  endpoints?: Partial<Record<SandboxFaultEndpoint, { fail: '5xx' | 'timeout'; status?: number; times?: number } | null>>;
  fail_next_close?: boolean;
  login?: { errcode: number; times?: number } | null;
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
