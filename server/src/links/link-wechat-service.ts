/**
 * How a link reaches the mini program from anywhere it travels (README, "From any chat into the
 * mini program"): its mini program code (a poster or screenshot scanned in WeChat), its URL Link
 * (a phone outside WeChat) and its OpenSDK share (a native shop app). WeChat makes the code and
 * the URL Link; each is made at most once per link and kept, since a link's code never changes
 * and WeChat's quotas are small.
 */
import type { MiniProgramShare } from '../../../shared/api-types';
import { AppError } from '../errors/app-error';
import type { MiniProgramDeps, ServiceDeps } from '../service-deps';
import type { LinkCodeRecord, LinkRecord, LinkUrlLinkRecord, OrderRecord } from '../store/records';
import { imageContentType } from '../wechat/platform/platform-client';
import { URL_LINK_MAX_LIFETIME_SECONDS, URL_LINK_MIN_LIFETIME_SECONDS, type EnvVersion } from '../wechat/platform/platform-consts';
import { WechatPlatformError } from '../wechat/platform/platform-errors';
import { signLinkCode } from './link-code';

/** The mini program page every code, URL Link and plain-link QR opens (listed in miniprogram/src/app.config.ts). */
export const PAY_PAGE = 'pages/pay/index';

/** `type` of WeChat's `WXMiniProgramObject` for each env version. */
const OPEN_SDK_TYPE: Record<EnvVersion, MiniProgramShare['type']> = { release: 0, develop: 1, trial: 2 };

/** A URL Link expiring sooner than this after it is made is refused by WeChat (more than a minute), with a margin for clock skew. */
const URL_LINK_MIN_SECONDS = URL_LINK_MIN_LIFETIME_SECONDS + 30;

/**
 * Requests for the same link's code or URL Link in flight in this server: the second waits for
 * the first instead of spending WeChat quota on a twin (across instances the store's conditional
 * insert decides). Keyed per server by its `MiniProgramDeps`.
 */
const inflight = new WeakMap<MiniProgramDeps, Map<string, Promise<unknown>>>();

function singleFlight<T>(deps: MiniProgramDeps, key: string, make: () => Promise<T>): Promise<T> {
  let running = inflight.get(deps);
  if (running === undefined) {
    running = new Map();
    inflight.set(deps, running);
  }
  const existing = running.get(key) as Promise<T> | undefined;
  if (existing !== undefined) return existing;
  const table = running;
  const started = make().finally(() => table.delete(key));
  table.set(key, started);
  return started;
}

/** What a native shop app shares through WeChat's OpenSDK for a link with this url and share card path. */
export function miniProgramShare(deps: ServiceDeps, url: string, sharePath: string): MiniProgramShare {
  return { user_name: deps.miniProgram.userName, path: sharePath, webpage_url: url, type: OPEN_SDK_TYPE[deps.miniProgram.envVersion] };
}

/** Why no new code or URL Link is made for a link: the problem a caller gets; undefined while it is payable. */
export function unpayableProblem(link: LinkRecord, order: OrderRecord, now: number): AppError | undefined {
  if (link.status === 'paid' || order.status === 'paid') return new AppError('LINK_PAID', 'This link has been paid; it has no code to scan any more.');
  if (link.status === 'revoked') return new AppError('LINK_REVOKED', 'This link was revoked; it has no code to scan any more.');
  if (link.status === 'void' || order.status === 'cancelled' || order.status === 'closed') return new AppError('LINK_VOID', 'This order can no longer be paid.');
  if (link.status === 'expired' || link.expiresAt <= now) return new AppError('LINK_EXPIRED', 'This link has expired.');
  return undefined;
}

/**
 * A WeChat failure as the problem the caller gets: a used-up quota is 503 with Retry-After; what
 * only the operator can fix (credentials, IP allow list, an unpublished page) is logged in full
 * and answered 502 WECHAT_REFUSED; anything else (busy, timeout) 502 WECHAT_UNAVAILABLE.
 */
export function wechatProblem(deps: ServiceDeps, error: unknown): Error {
  if (!(error instanceof WechatPlatformError)) return error instanceof Error ? error : new Error(String(error));
  switch (error.code) {
    case 'QUOTA_EXCEEDED':
      deps.logger.warn({ err: error.toJSON() }, 'WeChat quota used up');
      return new AppError('WECHAT_QUOTA_EXCEEDED', "WeChat's daily or per-minute quota for this is used up; try again later.", { retryAfter: error.retryAfterSeconds ?? 60 });
    case 'SYSTEM_BUSY':
    case 'TIMEOUT':
    case 'NETWORK_ERROR':
    case 'RESPONSE_MALFORMED':
    case 'TOKEN_INVALID':
      deps.logger.warn({ err: error.toJSON() }, 'WeChat server API failed');
      return new AppError('WECHAT_UNAVAILABLE', 'WeChat is not answering; try again in a moment.', { retryAfter: 5 });
    default:
      deps.logger.error({ err: error.toJSON() }, 'WeChat refused a request: check the mini program configuration');
      return new AppError('WECHAT_REFUSED', `WeChat refused to make it (${error.code}); the operator has been told.`);
  }
}

/**
 * Codes this server has read or made, by server (its `MiniProgramDeps`) and `linkId:envVersion`.
 * A kept code never changes (the store keeps the first one made), so every instance may hold on
 * to it and a poster's views need no store read. Bounded by the bytes held: a full memo starts over.
 */
interface KeptCodes {
  bytes: number;
  codes: Map<string, LinkCodeRecord>;
}
const keptCodes = new WeakMap<MiniProgramDeps, KeptCodes>();
const KEPT_CODE_BYTES = 32 * 1024 * 1024;

function keptCodesOf(deps: MiniProgramDeps): KeptCodes {
  let memo = keptCodes.get(deps);
  if (memo === undefined) {
    memo = { bytes: 0, codes: new Map() };
    keptCodes.set(deps, memo);
  }
  return memo;
}

function remember(memo: KeptCodes, key: string, code: LinkCodeRecord): void {
  if (memo.bytes + code.image.length > KEPT_CODE_BYTES) {
    memo.codes.clear();
    memo.bytes = 0;
  }
  memo.codes.set(key, code);
  memo.bytes += code.image.length;
}

/**
 * The link's mini program code: the kept one, else (while the link is payable) made now, with
 * `scene` = the link's code and page `pages/pay/index`, and kept. `payable` is asked only when no
 * code is kept, so serving a kept code costs one store read.
 */
export async function linkCodeImage(deps: ServiceDeps, linkId: string, payable: () => Promise<AppError | undefined>): Promise<LinkCodeRecord> {
  const { envVersion } = deps.miniProgram;
  const memo = keptCodesOf(deps.miniProgram);
  const key = `${linkId}:${envVersion}`;
  const remembered = memo.codes.get(key);
  if (remembered !== undefined) return remembered;
  const kept = await deps.store.getLinkCode(linkId, envVersion);
  if (kept !== undefined) {
    remember(memo, key, kept);
    return kept;
  }
  const refusal = await payable();
  if (refusal !== undefined) throw refusal;
  return singleFlight(deps.miniProgram, `code:${key}`, async () => {
    let image: Buffer;
    try {
      image = await deps.miniProgram.platform.getUnlimitedCode({ scene: signLinkCode(deps.keyring, linkId), page: PAY_PAGE, envVersion });
    } catch (error: unknown) {
      throw wechatProblem(deps, error);
    }
    const contentType = imageContentType(image) ?? 'application/octet-stream';
    const made = await deps.store.keepLinkCode({ linkId, envVersion, image, contentType, createdAt: deps.clock.now() });
    remember(memo, key, made);
    return made;
  });
}

/**
 * The link's URL Link (opening `pages/pay/index?code={code}`), made on first ask and kept; it
 * expires with the link (and within WeChat's 30 days). Undefined when the link ends too soon for
 * WeChat to make one. The caller checks the link is payable first: none is made for a dead link.
 */
export async function linkUrlLink(deps: ServiceDeps, link: LinkRecord): Promise<LinkUrlLinkRecord | undefined> {
  const { envVersion } = deps.miniProgram;
  const now = deps.clock.now();
  const kept = await deps.store.getLinkUrlLink(link.id, envVersion);
  if (kept !== undefined) return kept.expiresAt > now ? kept : undefined;
  const nowSeconds = Math.floor(now / 1000);
  const expireTime = Math.min(Math.floor(link.expiresAt / 1000), nowSeconds + URL_LINK_MAX_LIFETIME_SECONDS);
  if (expireTime - nowSeconds < URL_LINK_MIN_SECONDS) return undefined;
  return singleFlight(deps.miniProgram, `urllink:${link.id}:${envVersion}`, async () => {
    let url: string;
    try {
      url = await deps.miniProgram.platform.generateUrlLink({ path: PAY_PAGE, query: `code=${signLinkCode(deps.keyring, link.id)}`, expireTime, envVersion });
    } catch (error: unknown) {
      throw wechatProblem(deps, error);
    }
    return deps.store.keepLinkUrlLink({ linkId: link.id, envVersion, url, expiresAt: expireTime * 1000, createdAt: deps.clock.now() });
  });
}
