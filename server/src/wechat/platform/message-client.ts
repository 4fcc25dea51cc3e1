/**
 * WeChat's message APIs for live status in the chat: activity ids for updatable and private
 * share cards, changing a card's state, and subscribe messages. The app's access token comes
 * from the same `AccessTokenManager` as the codes and URL Links (one token for everything), with
 * its one forced refresh and retry on a rejected token. Failures are `WechatPlatformError`s.
 */
import type { Clock } from '../../clock';
import type { AccessTokenManager } from './access-token-manager';
import { BinaryHttpError, type BinaryHttp, type BinaryHttpResponse } from './binary-http';
import {
  CARD_PARAM_MEMBER_COUNT,
  CARD_PARAM_PATH,
  CARD_PARAM_ROOM_LIMIT,
  CARD_PARAM_VERSION_TYPE,
  CARD_STATE_DONE,
  PATH_CREATE_ACTIVITY_ID,
  PATH_SEND_SUBSCRIBE_MESSAGE,
  PATH_SET_UPDATABLE_MSG,
  type CardState,
  type MiniprogramState,
  type SubscribeMessageData,
} from './message-consts';
import { postJson, readJsonAnswer, type PlatformCallContext } from './platform-call';
import { ACCESS_TOKEN_PARAM, isEnvVersion, type EnvVersion } from './platform-consts';
import { platformError, type MessageOperation } from './platform-errors';

/** How the client is built; the token manager is the platform client's (`tokens`). */
export interface WechatMessageClientOptions {
  /** `WECHAT_API_BASE_URL`, or the sandbox simulator's mount point. */
  baseUrl: string;
  tokens: AccessTokenManager;
  http: BinaryHttp;
  clock: Clock;
  /** Covers each whole exchange. @default 5000 */
  timeoutMs?: number;
}

/** A card's activity id and when WeChat stops accepting it (epoch ms). */
export interface ActivityId {
  activityId: string;
  expiresAt: number;
}

/** One change of an updatable card. */
export interface CardUpdate {
  activityId: string;
  targetState: CardState;
  memberCount: number;
  roomLimit: number;
  /** Where 「进入」 opens the mini program once the card is final, e.g. `pages/share/index?s=...`. */
  path: string;
  versionType: EnvVersion;
}

/** One subscribe message. */
export interface SubscribeMessage {
  touser: string;
  templateId: string;
  /** A page of the mini program with its query, e.g. `pages/pay/index?t=...`. */
  page: string;
  data: SubscribeMessageData;
  miniprogramState: MiniprogramState;
}

/** The message APIs. */
export interface WechatMessageClient {
  /** A new activity id; with `openid`, for a private card only that user may share. */
  createActivityId(request: { openid?: string }): Promise<ActivityId>;
  /** Sets the card's state; throws ACTIVITY_EXPIRED, ACTIVITY_INVALID, CARD_STATE_INVALID, or a retryable error. */
  setUpdatableMessage(update: CardUpdate): Promise<void>;
  /** Sends one subscribe message; USER_REFUSED (43101) means the user has no subscription left. */
  sendSubscribeMessage(message: SubscribeMessage): Promise<void>;
}

/** `miniprogram_state` for the build a link opens (`WECHAT_ENV_VERSION`). */
export function miniprogramStateFor(envVersion: EnvVersion): MiniprogramState {
  return envVersion === 'develop' ? 'developer' : envVersion === 'trial' ? 'trial' : 'formal';
}

/** Creates the client. Errors never carry the access token or a URL (which holds it). */
export function createWechatMessageClient(options: WechatMessageClientOptions): WechatMessageClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const context: PlatformCallContext = { http: options.http, timeoutMs: options.timeoutMs ?? 5000, now: () => options.clock.now() };

  const apiUrl = (path: string, token: string, query: Record<string, string> = {}): URL => {
    const url = new URL(`${baseUrl}${path}`);
    url.searchParams.set(ACCESS_TOKEN_PARAM, token);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url;
  };

  // The activity id API is a GET: the same failure mapping as postJson, without a body.
  const getJson = async (operation: MessageOperation, url: URL): Promise<BinaryHttpResponse> => {
    let response: BinaryHttpResponse;
    try {
      response = await context.http.send({ method: 'GET', url, headers: { Accept: 'application/json' }, timeoutMs: context.timeoutMs });
    } catch (error: unknown) {
      const kind = error instanceof BinaryHttpError ? error.kind : 'network';
      throw platformError(operation, kind === 'timeout' ? 'TIMEOUT' : kind === 'too_large' ? 'RESPONSE_MALFORMED' : 'NETWORK_ERROR');
    }
    if (response.status >= 500) throw platformError(operation, 'SYSTEM_BUSY');
    if (response.status < 200 || response.status >= 300) throw platformError(operation, 'RESPONSE_MALFORMED');
    return response;
  };

  return {
    async createActivityId(request) {
      return options.tokens.withAccessToken(async (token) => {
        const query: Record<string, string> = request.openid === undefined ? {} : { openid: request.openid };
        const answer = readJsonAnswer(context, 'activityid_create', await getJson('activityid_create', apiUrl(PATH_CREATE_ACTIVITY_ID, token, query)));
        const activityId = answer['activity_id'];
        const expirationTime = answer['expiration_time'];
        if (typeof activityId !== 'string' || activityId === '' || typeof expirationTime !== 'number' || !Number.isFinite(expirationTime)) {
          throw platformError('activityid_create', 'RESPONSE_MALFORMED');
        }
        return { activityId, expiresAt: expirationTime * 1000 };
      });
    },

    async setUpdatableMessage(update) {
      if (!isEnvVersion(update.versionType)) throw platformError('updatablemsg_send', 'CARD_STATE_INVALID');
      // DESIGN's two parameters always; WeChat also requires `path` and `version_type` with the final state.
      const parameterList = [
        { name: CARD_PARAM_MEMBER_COUNT, value: String(update.memberCount) },
        { name: CARD_PARAM_ROOM_LIMIT, value: String(update.roomLimit) },
        ...(update.targetState === CARD_STATE_DONE
          ? [{ name: CARD_PARAM_PATH, value: update.path }, { name: CARD_PARAM_VERSION_TYPE, value: update.versionType }]
          : []),
      ];
      const body = { activity_id: update.activityId, target_state: update.targetState, template_info: { parameter_list: parameterList } };
      await options.tokens.withAccessToken(async (token) => {
        readJsonAnswer(context, 'updatablemsg_send', await postJson(context, 'updatablemsg_send', apiUrl(PATH_SET_UPDATABLE_MSG, token), body));
      });
    },

    async sendSubscribeMessage(message) {
      const body = {
        touser: message.touser,
        template_id: message.templateId,
        page: message.page,
        data: message.data,
        miniprogram_state: message.miniprogramState,
        lang: 'zh_CN',
      };
      await options.tokens.withAccessToken(async (token) => {
        readJsonAnswer(context, 'subscribe_send', await postJson(context, 'subscribe_send', apiUrl(PATH_SEND_SUBSCRIBE_MESSAGE, token), body));
      });
    },
  };
}
