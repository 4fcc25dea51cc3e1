/**
 * `POST /v1/pay/{ref}/private-proof`: a friend proves they received a link's private card with
 * what `wx.authPrivateMessage` gave them. The client's `valid` proves nothing alone: the
 * encrypted data must decrypt under the friend's own session key (kept server-side since their
 * login), carry this app's watermark, and name an activity id of this link. Only then may the
 * friend pay a private link (links/link-audience.ts).
 */
import type { PrivateProofInput } from '../../../shared/api-types';
import { AppError } from '../errors/app-error';
import { verifyLinkRef } from '../links/link-ref';
import type { ServiceDeps } from '../service-deps';
import { currentSessionKey } from '../sessions/wechat-session-key';
import { decryptPrivateMessageData } from '../wechat/user-data';

function refused(detail: string): AppError {
  return new AppError('PRIVATE_LINK', `这是发给特定好友的付款请求: ${detail}`);
}

/** Records the proof of `openid` for the link `ref` names, or throws PRIVATE_LINK. */
export async function provePrivateReceipt(deps: ServiceDeps, ref: string, openid: string, proof: PrivateProofInput): Promise<void> {
  const linkId = verifyLinkRef(deps.keyring, ref, deps.clock.now());
  if ((await deps.store.getLink(linkId)) === undefined) throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
  if (!proof.valid) throw refused('WeChat says this card was not sent to you.');
  const sessionKey = await currentSessionKey(deps, openid);
  if (sessionKey === undefined) throw refused('log in again (wx.login) and retry.');
  const data = decryptPrivateMessageData(proof.encrypted_data, proof.iv, sessionKey);
  const appId = deps.live?.appId;
  if (data === undefined || (appId !== undefined && data.watermark.appid !== appId)) throw refused('the proof does not come from WeChat for you.');
  const activity = await deps.store.getLinkActivity(data.activityId);
  if (activity === undefined || activity.linkId !== linkId) throw refused('the card you opened is not this link\'s.');
  await deps.store.savePrivateProof(linkId, openid, activity.activityId, deps.clock.now());
}
