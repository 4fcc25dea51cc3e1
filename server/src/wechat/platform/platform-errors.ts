import { MESSAGE_ERRCODES } from './message-consts';
import { CODE_QUOTA_WINDOW_SECONDS, PLATFORM_ERRCODES, QUOTA_DAY_OFFSET_MS } from './platform-consts';

/** Which WeChat server API a failure came from. */
export type PlatformOperation = 'stable_token' | 'getwxacodeunlimit' | 'generate_urllink' | MessageOperation;
/** The message APIs of live status in the chat (message-client.ts). */
export type MessageOperation = 'activityid_create' | 'updatablemsg_send' | 'subscribe_send';

/** Why a WeChat server API call failed; a stable code to `switch` on. */
export type WechatPlatformErrorCode =
  | 'TOKEN_INVALID' // 40001 / 40014 / 42001 still answered after one forced refresh and retry
  | 'CREDENTIALS_INVALID' // 40013 / 40125 (and 40001 from stable_token): our appid or secret is wrong
  | 'IP_NOT_ALLOWED' // 40164: this server's IP is not in the app's allow list
  | 'QUOTA_EXCEEDED' // 45009 / 44990 / 44993: see `retryAfterSeconds`
  | 'INVALID_PAGE' // 41030 code page, 40165 URL Link path: not a published page
  | 'INVALID_SCENE' // 40097 / 40169 from getwxacodeunlimit, or refused here before sending
  | 'INVALID_QUERY' // 40212: URL Link query
  | 'INVALID_EXPIRE_TIME' // 85401: URL Link expiry not within a minute .. 30 days of now
  | 'INVALID_ENV_VERSION' // 85402, or refused here before sending
  | 'INVALID_ARGUMENT' // 40002 / 40097 outside getwxacodeunlimit
  | 'SYSTEM_BUSY' // -1 or a 5xx: try later
  | 'USER_REFUSED' // 43101: the user has no subscription left for this template; never retried
  | 'INVALID_TEMPLATE' // 40037 template id, 47003 its data, 40003 the recipient: our bug or configuration
  | 'ACTIVITY_INVALID' // 47501: the card's activity id is unknown
  | 'ACTIVITY_EXPIRED' // 47504: the card's activity id expired; the card can no longer change
  | 'CARD_STATE_INVALID' // 47502 / 47503: the card is already final, or the state or version is wrong
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'RESPONSE_MALFORMED'
  | 'UNKNOWN_ERROR';

const RETRYABLE: ReadonlySet<WechatPlatformErrorCode> = new Set(['SYSTEM_BUSY', 'TIMEOUT', 'NETWORK_ERROR', 'QUOTA_EXCEEDED']);

/** A failed WeChat server API call. Never carries the app secret, an access token or a URL (which holds the token). */
export class WechatPlatformError extends Error {
  override readonly name = 'WechatPlatformError';
  /** Stable code to `switch` on. */
  readonly code: WechatPlatformErrorCode;
  /** The API that failed. */
  readonly operation: PlatformOperation;
  /** WeChat's `errcode`, when WeChat answered with one. */
  readonly errcode: number | undefined;
  /** For QUOTA_EXCEEDED: seconds until the quota window WeChat counts in starts again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: WechatPlatformErrorCode, message: string, options: { operation: PlatformOperation; errcode?: number; retryAfterSeconds?: number }) {
    super(message);
    this.code = code;
    this.operation = options.operation;
    this.errcode = options.errcode;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** True when the same call may succeed later (busy, network, quota after `retryAfterSeconds`). */
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }

  /** A plain object for structured logs. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, operation: this.operation, errcode: this.errcode, retryAfterSeconds: this.retryAfterSeconds, message: this.message };
  }
}

const COMMON_ERRCODES = new Map<number, WechatPlatformErrorCode>([
  [PLATFORM_ERRCODES.SYSTEM_BUSY, 'SYSTEM_BUSY'],
  [PLATFORM_ERRCODES.INVALID_CREDENTIAL, 'TOKEN_INVALID'],
  [PLATFORM_ERRCODES.INVALID_ACCESS_TOKEN, 'TOKEN_INVALID'],
  [PLATFORM_ERRCODES.ACCESS_TOKEN_EXPIRED, 'TOKEN_INVALID'],
  [PLATFORM_ERRCODES.ACCESS_TOKEN_MISSING, 'TOKEN_INVALID'],
  [PLATFORM_ERRCODES.INVALID_APPID, 'CREDENTIALS_INVALID'],
  [PLATFORM_ERRCODES.INVALID_APPSECRET, 'CREDENTIALS_INVALID'],
  [PLATFORM_ERRCODES.IP_NOT_ALLOWED, 'IP_NOT_ALLOWED'],
  [PLATFORM_ERRCODES.QUOTA_REACHED, 'QUOTA_EXCEEDED'],
  [PLATFORM_ERRCODES.FREQUENCY_LIMITED, 'QUOTA_EXCEEDED'],
  [PLATFORM_ERRCODES.URL_LINK_DAILY_QUOTA, 'QUOTA_EXCEEDED'],
  [PLATFORM_ERRCODES.INVALID_ARGS, 'INVALID_ARGUMENT'],
]);

// The same errcode means different things per API (40097 is the scene for a code; 40001 from
// stable_token means a wrong secret, since no access token was sent).
const OPERATION_ERRCODES: Record<PlatformOperation, ReadonlyMap<number, WechatPlatformErrorCode>> = {
  stable_token: new Map<number, WechatPlatformErrorCode>([
    [PLATFORM_ERRCODES.INVALID_CREDENTIAL, 'CREDENTIALS_INVALID'],
    [PLATFORM_ERRCODES.INVALID_GRANT_TYPE, 'INVALID_ARGUMENT'],
  ]),
  getwxacodeunlimit: new Map<number, WechatPlatformErrorCode>([
    [PLATFORM_ERRCODES.INVALID_PAGE, 'INVALID_PAGE'],
    [PLATFORM_ERRCODES.INVALID_ARGS, 'INVALID_SCENE'],
    [PLATFORM_ERRCODES.INVALID_SCENE_LENGTH, 'INVALID_SCENE'],
  ]),
  generate_urllink: new Map<number, WechatPlatformErrorCode>([
    [PLATFORM_ERRCODES.INVALID_PATH, 'INVALID_PAGE'],
    [PLATFORM_ERRCODES.INVALID_QUERY, 'INVALID_QUERY'],
    [PLATFORM_ERRCODES.INVALID_EXPIRE_TIME, 'INVALID_EXPIRE_TIME'],
    [PLATFORM_ERRCODES.INVALID_ENV_VERSION, 'INVALID_ENV_VERSION'],
  ]),
  activityid_create: new Map<number, WechatPlatformErrorCode>([
    [MESSAGE_ERRCODES.INVALID_OPENID, 'INVALID_ARGUMENT'],
  ]),
  updatablemsg_send: new Map<number, WechatPlatformErrorCode>([
    [MESSAGE_ERRCODES.INVALID_ACTIVITY_ID, 'ACTIVITY_INVALID'],
    [MESSAGE_ERRCODES.INVALID_TARGET_STATE, 'CARD_STATE_INVALID'],
    [MESSAGE_ERRCODES.INVALID_VERSION_TYPE, 'CARD_STATE_INVALID'],
    [MESSAGE_ERRCODES.ACTIVITY_EXPIRED, 'ACTIVITY_EXPIRED'],
    [MESSAGE_ERRCODES.DATA_FORMAT_ERROR, 'INVALID_ARGUMENT'],
    [MESSAGE_ERRCODES.POST_DATA_EMPTY, 'INVALID_ARGUMENT'],
  ]),
  subscribe_send: new Map<number, WechatPlatformErrorCode>([
    [MESSAGE_ERRCODES.USER_REFUSED, 'USER_REFUSED'],
    [MESSAGE_ERRCODES.INVALID_TEMPLATE_ID, 'INVALID_TEMPLATE'],
    [MESSAGE_ERRCODES.INVALID_TEMPLATE_DATA, 'INVALID_TEMPLATE'],
    [MESSAGE_ERRCODES.INVALID_OPENID, 'INVALID_TEMPLATE'],
    [MESSAGE_ERRCODES.INVALID_PAGE, 'INVALID_PAGE'],
    [MESSAGE_ERRCODES.DATA_FORMAT_ERROR, 'INVALID_ARGUMENT'],
    [MESSAGE_ERRCODES.POST_DATA_EMPTY, 'INVALID_ARGUMENT'],
  ]),
};

const MESSAGES: Record<WechatPlatformErrorCode, string> = {
  TOKEN_INVALID: 'WeChat rejected the access token',
  CREDENTIALS_INVALID: 'WeChat rejected our appid or app secret',
  IP_NOT_ALLOWED: "this server's IP address is not in the mini program's API allow list",
  QUOTA_EXCEEDED: 'WeChat quota for this API is used up; try again later',
  INVALID_PAGE: 'the page is not a published page of the mini program',
  INVALID_SCENE: 'the scene is not 1-32 characters from the allowed set',
  INVALID_QUERY: 'the URL Link query is too long or has characters WeChat refuses',
  INVALID_EXPIRE_TIME: 'the URL Link expiry must be more than a minute and at most 30 days from now',
  INVALID_ENV_VERSION: 'env_version must be release, trial or develop',
  INVALID_ARGUMENT: 'WeChat refused the request arguments',
  SYSTEM_BUSY: 'WeChat is busy; try again later',
  USER_REFUSED: 'the user has no subscription left for this template',
  INVALID_TEMPLATE: 'the template id, its data or the recipient was refused',
  ACTIVITY_INVALID: 'the activity id is unknown',
  ACTIVITY_EXPIRED: 'the activity id has expired',
  CARD_STATE_INVALID: 'the card cannot take this state (it is final, or the state is wrong)',
  TIMEOUT: 'WeChat did not answer in time',
  NETWORK_ERROR: 'WeChat could not be reached',
  RESPONSE_MALFORMED: 'WeChat answered with an unexpected body',
  UNKNOWN_ERROR: 'WeChat refused the call',
};

/** An error with the standard message for `code`, and WeChat's errcode when there is one. */
export function platformError(operation: PlatformOperation, code: WechatPlatformErrorCode, errcode?: number, retryAfterSeconds?: number): WechatPlatformError {
  const where = `${operation}: ${MESSAGES[code]}`;
  const message = errcode === undefined ? where : `${where} (errcode ${errcode})`;
  return new WechatPlatformError(code, message, {
    operation,
    ...(errcode === undefined ? {} : { errcode }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** Seconds from `nowMs` to the next midnight in China Standard Time, when WeChat's daily quotas reset. */
export function secondsUntilQuotaDayEnds(nowMs: number): number {
  const dayMs = 24 * 60 * 60 * 1000;
  const intoDay = (nowMs + QUOTA_DAY_OFFSET_MS) % dayMs;
  return Math.ceil((dayMs - intoDay) / 1000);
}

/** The typed error for an `errcode` WeChat answered `operation` with; `nowMs` dates the quota hint. */
export function errorForErrcode(operation: PlatformOperation, errcode: number, nowMs: number): WechatPlatformError {
  const code = OPERATION_ERRCODES[operation].get(errcode) ?? COMMON_ERRCODES.get(errcode) ?? 'UNKNOWN_ERROR';
  if (code !== 'QUOTA_EXCEEDED') return platformError(operation, code, errcode);
  // Codes are limited per minute; tokens, URL Links and messages per day; 44990 is a per-second rate.
  const retryAfter =
    errcode === PLATFORM_ERRCODES.FREQUENCY_LIMITED ? 1 : operation === 'getwxacodeunlimit' ? CODE_QUOTA_WINDOW_SECONDS : secondsUntilQuotaDayEnds(nowMs);
  return platformError(operation, code, errcode, retryAfter);
}
