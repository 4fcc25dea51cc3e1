/**
 * WeChat's chat abilities the pages use for live status in the chat: sharing an updatable (or
 * private) card, the share ticket a card was opened with, proving receipt of a private card, and
 * asking for subscribe messages. Sandbox builds talk to the server's WeChat simulator instead, as
 * the sandbox pay sheet stands in for `wx.requestPayment`: its session keys, cards and
 * subscriptions are the ones the server's simulated WeChat knows.
 */
import Taro from '@tarojs/taro';
import type { ActivityResponse, PrivateProofInput } from '@shared/api-types';
import { requestJson } from './http';

/** Whether the page runs inside WeChat (the mini program), not in a browser (the H5 build). */
export function inWechatApp(): boolean {
  return Taro.getEnv() === Taro.ENV_TYPE.WEAPP;
}

/**
 * Makes the next share of this page an updatable card (and a private one when asked) with the
 * activity id the server made. Only WeChat has a share menu; elsewhere there is nothing to set.
 */
export async function shareAsUpdatableCard(activity: ActivityResponse, isPrivate: boolean): Promise<void> {
  if (!inWechatApp()) return;
  await Taro.updateShareMenu({
    withShareTicket: true,
    isUpdatableMessage: true,
    activityId: activity.activity_id,
    templateInfo: { parameterList: activity.template_info.parameter_list.map((parameter) => ({ name: parameter.name, value: parameter.value })) },
    ...(isPrivate ? { isPrivateMessage: true } : {}),
  } as Taro.updateShareMenu.Option);
}

/** The share ticket the page was opened with (a card from a chat), if any. */
export function enterShareTicket(params: Record<string, string | undefined>): string | undefined {
  if (SANDBOX) return params.share_ticket === '' ? undefined : params.share_ticket;
  try {
    return Taro.getEnterOptionsSync().shareTicket ?? undefined;
  } catch {
    return undefined;
  }
}

/** What `wx.authPrivateMessage` answers for the card opened with `shareTicket`, as the server takes it. */
export async function privateMessageProof(shareTicket: string, openid: string | undefined): Promise<PrivateProofInput> {
  if (SANDBOX) {
    const answer = await requestJson<{ valid: boolean; encryptedData: string; iv: string }>('/sandbox/wx/auth-private-message', { method: 'POST', body: { share_ticket: shareTicket, openid } });
    return { valid: answer.valid, encrypted_data: answer.encryptedData, iv: answer.iv };
  }
  const answer = (await Taro.authPrivateMessage({ shareTicket })) as unknown as { valid: boolean; encryptedData: string; iv: string };
  return { valid: answer.valid, encrypted_data: answer.encryptedData, iv: answer.iv };
}

/** What the user answered for each template id (`accept`, `reject`, `ban`, `filter`). Call it from a tap. */
export async function askToSubscribe(templateIds: readonly string[], openid: string | undefined): Promise<Record<string, string>> {
  if (SANDBOX) {
    // The sandbox user accepts at once: the simulator records the subscriptions WeChat would.
    return requestJson<Record<string, string>>('/sandbox/wx/subscribe', { method: 'POST', body: { openid, template_ids: templateIds } });
  }
  return (await Taro.requestSubscribeMessage({ tmplIds: [...templateIds] } as Taro.requestSubscribeMessage.Option)) as unknown as Record<string, string>;
}

/** `requestSubscribeMessage`'s answers as `POST /v1/subscriptions` takes them. */
export function subscriptionResults(templateIds: readonly string[], answers: Record<string, string>): { id: string; result: 'accept' | 'reject' | 'ban' | 'filter' }[] {
  return templateIds.map((id) => {
    const result = answers[id];
    return { id, result: result === 'accept' || result === 'ban' || result === 'filter' ? result : 'reject' };
  });
}
