// Every wire string of WeChat's server API (api.weixin.qq.com) used for mini program codes and
// URL Links: paths, the grant type, env versions, field rules and errcodes. The client and the
// sandbox simulator both read them from here, so the two cannot drift apart.

/** Access token of the stable kind: one per app, shared by every caller that asks for it. */
export const PATH_STABLE_TOKEN = '/cgi-bin/stable_token';
/** Mini program code (小程序码) for an unlimited number of scenes. */
export const PATH_GET_UNLIMITED_CODE = '/wxa/getwxacodeunlimit';
/** URL Link: an https link that opens the mini program from outside WeChat. */
export const PATH_GENERATE_URL_LINK = '/wxa/generate_urllink';

/** Query parameter carrying the access token on every API call. */
export const ACCESS_TOKEN_PARAM = 'access_token';
/** `grant_type` of `stable_token`. */
export const TOKEN_GRANT_TYPE = 'client_credential';

/** Which build of the mini program a code or link opens. */
export const ENV_VERSIONS = ['release', 'trial', 'develop'] as const;
/** One of `ENV_VERSIONS`. */
export type EnvVersion = (typeof ENV_VERSIONS)[number];

/** True when `value` is one of WeChat's env versions. */
export function isEnvVersion(value: unknown): value is EnvVersion {
  return typeof value === 'string' && (ENV_VERSIONS as readonly string[]).includes(value);
}

/** WeChat issues access tokens for two hours. */
export const ACCESS_TOKEN_TTL_SECONDS = 7200;
/**
 * A token with less than this left is refreshed. WeChat's normal mode hands out a new token in
 * the last five minutes, and the old one stays valid until its own expiry, so callers still
 * holding it do not fail meanwhile.
 */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** `scene`: 1 to 32 visible characters from WeChat's documented set. */
export const SCENE_MAX_LENGTH = 32;
export const SCENE_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$/;
/** Code image width bounds and default, in pixels. */
export const CODE_WIDTH_MIN = 280;
export const CODE_WIDTH_MAX = 1280;
export const CODE_WIDTH_DEFAULT = 430;
/** PNG's eight-byte signature; a code body that does not start with it (or JPEG's) is an error body. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** JPEG's start-of-image marker: WeChat sends JPEG for opaque codes. */
export const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
export const CONTENT_TYPE_PNG = 'image/png';
export const CONTENT_TYPE_JPEG = 'image/jpeg';

/** `expire_type` of a URL Link that expires at `expire_time` (1 would mean after `expire_interval` days). */
export const URL_LINK_EXPIRE_TYPE_TIME = 0;
export const URL_LINK_EXPIRE_TYPE_INTERVAL = 1;
/** A URL Link must live more than a minute and at most 30 days. */
export const URL_LINK_MIN_LIFETIME_SECONDS = 60;
export const URL_LINK_MAX_LIFETIME_SECONDS = 30 * 24 * 60 * 60;
/** `query` of a URL Link: at most 1024 characters from this set. */
export const URL_LINK_QUERY_MAX_LENGTH = 1024;
export const URL_LINK_QUERY_PATTERN = /^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~%]*$/;

/** WeChat's quotas reset at midnight China Standard Time (UTC+8). */
export const QUOTA_DAY_OFFSET_MS = 8 * 60 * 60 * 1000;
/** `getwxacodeunlimit`'s quota is per minute. */
export const CODE_QUOTA_WINDOW_SECONDS = 60;

/** `errcode` values of these APIs. */
export const PLATFORM_ERRCODES = {
  SYSTEM_BUSY: -1,
  OK: 0,
  /** Invalid (or superseded) access token; from `stable_token` itself: a wrong secret. */
  INVALID_CREDENTIAL: 40001,
  INVALID_GRANT_TYPE: 40002,
  INVALID_APPID: 40013,
  /** Malformed access token. */
  INVALID_ACCESS_TOKEN: 40014,
  INVALID_ARGS: 40097,
  INVALID_APPSECRET: 40125,
  /** The caller's IP is not in the app's allow list. */
  IP_NOT_ALLOWED: 40164,
  /** `generate_urllink`: bad `path`. */
  INVALID_PATH: 40165,
  /** `getwxacodeunlimit`: `scene` longer than 32 characters. */
  INVALID_SCENE_LENGTH: 40169,
  /** `generate_urllink`: bad `query`. */
  INVALID_QUERY: 40212,
  ACCESS_TOKEN_MISSING: 41001,
  /** The body is not JSON. */
  DATA_FORMAT_ERROR: 47001,
  /** `getwxacodeunlimit`: the page does not exist or is not published. */
  INVALID_PAGE: 41030,
  ACCESS_TOKEN_EXPIRED: 42001,
  /** Daily (or, for codes, per-minute) quota used up. */
  QUOTA_REACHED: 45009,
  /** More than 100 URL Links a second. */
  FREQUENCY_LIMITED: 44990,
  /** Daily URL Scheme + URL Link quota used up. */
  URL_LINK_DAILY_QUOTA: 44993,
  /** `generate_urllink`: `expire_time` not between a minute and 30 days from now. */
  INVALID_EXPIRE_TIME: 85401,
  /** `generate_urllink`: bad `env_version`. */
  INVALID_ENV_VERSION: 85402,
} as const;

/** errcodes after which a fresh access token makes the same call succeed. */
export const TOKEN_REJECTED_ERRCODES: ReadonlySet<number> = new Set([
  PLATFORM_ERRCODES.INVALID_CREDENTIAL,
  PLATFORM_ERRCODES.INVALID_ACCESS_TOKEN,
  PLATFORM_ERRCODES.ACCESS_TOKEN_EXPIRED,
]);

/** The `errmsg` WeChat sends with each errcode (a `rid` is appended). */
export const PLATFORM_ERRMSG: Readonly<Record<number, string>> = {
  [PLATFORM_ERRCODES.SYSTEM_BUSY]: 'system error',
  [PLATFORM_ERRCODES.INVALID_CREDENTIAL]: 'invalid credential, access_token is invalid or not latest',
  [PLATFORM_ERRCODES.INVALID_GRANT_TYPE]: 'invalid grant_type',
  [PLATFORM_ERRCODES.INVALID_APPID]: 'invalid appid',
  [PLATFORM_ERRCODES.INVALID_ACCESS_TOKEN]: 'invalid access_token',
  [PLATFORM_ERRCODES.INVALID_ARGS]: 'invalid args',
  [PLATFORM_ERRCODES.INVALID_APPSECRET]: 'invalid appsecret',
  [PLATFORM_ERRCODES.IP_NOT_ALLOWED]: 'invalid ip, not in whitelist',
  [PLATFORM_ERRCODES.INVALID_PATH]: 'invalid weapp pagepath',
  [PLATFORM_ERRCODES.INVALID_SCENE_LENGTH]: 'invalid length for scene, or the data is not json',
  [PLATFORM_ERRCODES.INVALID_QUERY]: 'invalid query',
  [PLATFORM_ERRCODES.ACCESS_TOKEN_MISSING]: 'access_token missing',
  [PLATFORM_ERRCODES.DATA_FORMAT_ERROR]: 'data format error',
  [PLATFORM_ERRCODES.INVALID_PAGE]: 'invalid page',
  [PLATFORM_ERRCODES.ACCESS_TOKEN_EXPIRED]: 'access_token expired',
  [PLATFORM_ERRCODES.QUOTA_REACHED]: 'reach max api minute-quota limit',
  [PLATFORM_ERRCODES.FREQUENCY_LIMITED]: 'frequency limit',
  [PLATFORM_ERRCODES.URL_LINK_DAILY_QUOTA]: 'reach max api daily quota limit',
  [PLATFORM_ERRCODES.INVALID_EXPIRE_TIME]: 'time limit between 1min and 30days',
  [PLATFORM_ERRCODES.INVALID_ENV_VERSION]: 'invalid env_version',
};
