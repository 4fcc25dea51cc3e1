/**
 * WeChat's server API for reaching the mini program from outside it: mini program codes
 * (`getwxacodeunlimit`) and URL Links (`generate_urllink`), with the app's access token managed
 * by an `AccessTokenManager`. Production and the sandbox differ only in `baseUrl` and credentials.
 */
import type { Clock } from '../../clock';
import { AccessTokenManager, type AccessTokenStore } from './access-token-manager';
import { createBinaryHttp, type BinaryHttp } from './binary-http';
import { postJson, readJsonAnswer, type PlatformCallContext } from './platform-call';
import {
  ACCESS_TOKEN_PARAM,
  CODE_WIDTH_MAX,
  CODE_WIDTH_MIN,
  CONTENT_TYPE_JPEG,
  CONTENT_TYPE_PNG,
  isEnvVersion,
  JPEG_SIGNATURE,
  PATH_GENERATE_URL_LINK,
  PATH_GET_UNLIMITED_CODE,
  PNG_SIGNATURE,
  SCENE_PATTERN,
  URL_LINK_EXPIRE_TYPE_TIME,
  type EnvVersion,
} from './platform-consts';
import { platformError } from './platform-errors';
import { createStableTokenFetcher } from './stable-token-client';

/** The client's settings; plain values, read from configuration by the caller. */
export interface WechatPlatformClientOptions {
  /** `WECHAT_API_BASE_URL`, e.g. `https://api.weixin.qq.com` or the sandbox simulator's mount point. */
  baseUrl: string;
  appId: string;
  appSecret: string;
  clock: Clock;
  /** Shared by every server instance, so they use one token between them. */
  tokenStore: AccessTokenStore;
  /** Covers each whole exchange. @default 5000 */
  timeoutMs?: number;
  /** @default a new keep-alive `createBinaryHttp()`, closed by `close()` */
  http?: BinaryHttp;
}

/** A mini program code for `scene`, opening `page`. */
export interface UnlimitedCodeRequest {
  /** 1-32 characters of `[0-9A-Za-z!#$&'()*+,/:;=?@-._~]`; the page receives it url-encoded as `scene`. */
  scene: string;
  /** A published page without a leading slash, e.g. `pages/pay/index`. */
  page: string;
  envVersion: EnvVersion;
  /** Pixels, 280-1280. @default WeChat's 430 */
  width?: number;
}

/** A URL Link opening `path?query` until `expireTime`. */
export interface UrlLinkRequest {
  /** A published page without a leading slash. */
  path: string;
  /** e.g. `code=abc`; WeChat allows 1024 characters of a restricted set. */
  query: string;
  /** Unix seconds; WeChat wants more than a minute and at most 30 days from now. */
  expireTime: number;
  envVersion: EnvVersion;
}

/** Mini program codes and URL Links; failures are `WechatPlatformError`s. */
export interface WechatPlatformClient {
  /** The code image (PNG, or JPEG from WeChat for opaque codes: see `imageContentType`). */
  getUnlimitedCode(request: UnlimitedCodeRequest): Promise<Buffer>;
  /** The URL Link, e.g. `https://wxaurl.cn/...`. */
  generateUrlLink(request: UrlLinkRequest): Promise<string>;
  /** The access token manager the calls use. */
  readonly tokens: AccessTokenManager;
  /** Closes idle connections of an HTTP client this client created. */
  close(): void;
}

/** The content type of a code image, from its first bytes; undefined when it is neither PNG nor JPEG. */
export function imageContentType(image: Buffer): typeof CONTENT_TYPE_PNG | typeof CONTENT_TYPE_JPEG | undefined {
  if (image.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) return CONTENT_TYPE_PNG;
  if (image.subarray(0, JPEG_SIGNATURE.length).equals(JPEG_SIGNATURE)) return CONTENT_TYPE_JPEG;
  return undefined;
}

/** Creates the client. Errors never carry the secret, the token or a URL (which holds the token). */
export function createWechatPlatformClient(options: WechatPlatformClientOptions): WechatPlatformClient {
  const ownsHttp = options.http === undefined;
  const http = options.http ?? createBinaryHttp();
  const timeoutMs = options.timeoutMs ?? 5000;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const now = (): number => options.clock.now();
  const context: PlatformCallContext = { http, timeoutMs, now };
  const tokens = new AccessTokenManager({
    appId: options.appId,
    store: options.tokenStore,
    clock: options.clock,
    fetchToken: createStableTokenFetcher({ baseUrl, appId: options.appId, appSecret: options.appSecret, http, timeoutMs, now }),
  });

  const apiUrl = (path: string, token: string): URL => {
    const url = new URL(`${baseUrl}${path}`);
    url.searchParams.set(ACCESS_TOKEN_PARAM, token);
    return url;
  };

  return {
    tokens,

    async getUnlimitedCode(request) {
      // Refused here, not by WeChat: a bad scene or version is our bug and must not spend quota.
      if (!SCENE_PATTERN.test(request.scene)) throw platformError('getwxacodeunlimit', 'INVALID_SCENE');
      if (!isEnvVersion(request.envVersion)) throw platformError('getwxacodeunlimit', 'INVALID_ENV_VERSION');
      if (request.width !== undefined && !(Number.isInteger(request.width) && request.width >= CODE_WIDTH_MIN && request.width <= CODE_WIDTH_MAX)) {
        throw platformError('getwxacodeunlimit', 'INVALID_ARGUMENT');
      }
      const body = {
        scene: request.scene,
        page: request.page,
        // check_path:false lets a code be made before the page is published (trial/develop builds).
        check_path: false,
        env_version: request.envVersion,
        ...(request.width === undefined ? {} : { width: request.width }),
      };
      return tokens.withAccessToken(async (token) => {
        const response = await postJson(context, 'getwxacodeunlimit', apiUrl(PATH_GET_UNLIMITED_CODE, token), body);
        // The image is told apart by its bytes: WeChat's content type for errors is not reliable.
        if (imageContentType(response.body) !== undefined) return response.body;
        readJsonAnswer(context, 'getwxacodeunlimit', response);
        throw platformError('getwxacodeunlimit', 'RESPONSE_MALFORMED');
      });
    },

    async generateUrlLink(request) {
      if (!isEnvVersion(request.envVersion)) throw platformError('generate_urllink', 'INVALID_ENV_VERSION');
      if (!Number.isSafeInteger(request.expireTime)) throw platformError('generate_urllink', 'INVALID_EXPIRE_TIME');
      const body = {
        path: request.path,
        query: request.query,
        expire_type: URL_LINK_EXPIRE_TYPE_TIME,
        expire_time: request.expireTime,
        env_version: request.envVersion,
      };
      return tokens.withAccessToken(async (token) => {
        const response = await postJson(context, 'generate_urllink', apiUrl(PATH_GENERATE_URL_LINK, token), body);
        const answer = readJsonAnswer(context, 'generate_urllink', response);
        const link = answer['url_link'];
        if (typeof link !== 'string' || !/^https?:\/\/\S+$/.test(link)) throw platformError('generate_urllink', 'RESPONSE_MALFORMED');
        return link;
      });
    },

    close() {
      if (ownsHttp) http.close();
    },
  };
}
