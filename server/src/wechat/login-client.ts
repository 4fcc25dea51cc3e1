import { LOGIN_ERRCODES, LOGIN_GRANT_TYPE, PATH_JSCODE2SESSION } from './consts';
import { WechatLoginError, type WechatLoginErrorCode } from './errors';

/** Mini program login settings; plain values, read from configuration by the caller. */
export interface WechatLoginClientOptions {
  /** e.g. `https://api.weixin.qq.com` or `<server>/sandbox/wechat-api`. */
  baseUrl: string;
  appId: string;
  appSecret: string;
  /** @default 5000 */
  timeoutMs?: number;
  /** @default global fetch */
  fetch?: typeof fetch;
}

/** Who logged in. */
export interface WechatIdentity {
  openid: string;
  unionid?: string;
}

/**
 * Who logged in, with the user's `session_key`: it decrypts their data (private-message proofs),
 * so it is kept server-side only, sealed at rest, and never logged nor sent to a client.
 */
export interface WechatSession extends WechatIdentity {
  sessionKey: string;
}

/** Exchanges `wx.login` codes for the user's identity (`code2Session`). */
export interface WechatLoginClient {
  /** Throws `WechatLoginError` (CODE_INVALID, RATE_LIMITED, USER_BLOCKED, SYSTEM_BUSY, ...). */
  exchangeCode(code: string): Promise<WechatIdentity>;
  /** Like `exchangeCode`, with the session key. */
  exchangeCodeForSession(code: string): Promise<WechatSession>;
}

const ERRCODE_TO_CODE = new Map<number, WechatLoginErrorCode>([
  [LOGIN_ERRCODES.INVALID_CODE, 'CODE_INVALID'],
  [LOGIN_ERRCODES.CODE_USED, 'CODE_INVALID'],
  [LOGIN_ERRCODES.RATE_LIMITED, 'RATE_LIMITED'],
  [LOGIN_ERRCODES.USER_BLOCKED, 'USER_BLOCKED'],
  [LOGIN_ERRCODES.SYSTEM_BUSY, 'SYSTEM_BUSY'],
  [LOGIN_ERRCODES.INVALID_APPID, 'CREDENTIALS_INVALID'],
  [LOGIN_ERRCODES.INVALID_APPSECRET, 'CREDENTIALS_INVALID'],
]);

const MESSAGES: Record<WechatLoginErrorCode, string> = {
  CODE_INVALID: 'the login code is invalid, expired or already used',
  RATE_LIMITED: 'too many logins for this user; try again later',
  USER_BLOCKED: 'WeChat blocked this login as high risk',
  SYSTEM_BUSY: 'WeChat is busy; try again later',
  CREDENTIALS_INVALID: 'WeChat rejected our appid or app secret',
  TIMEOUT: 'WeChat did not answer in time',
  NETWORK_ERROR: 'WeChat could not be reached',
  RESPONSE_MALFORMED: 'WeChat answered with an unexpected body',
  UNKNOWN_ERROR: 'WeChat refused the login',
};

function fail(code: WechatLoginErrorCode, errcode?: number): WechatLoginError {
  return new WechatLoginError(code, errcode === undefined ? MESSAGES[code] : `${MESSAGES[code]} (errcode ${errcode})`, errcode);
}

/** Creates the login client. Errors never carry the secret, the code or the URL (which holds both). */
export function createWechatLoginClient(options: WechatLoginClientOptions): WechatLoginClient {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  const client: WechatLoginClient = {
    async exchangeCode(code: string): Promise<WechatIdentity> {
      const { openid, unionid } = await client.exchangeCodeForSession(code);
      return unionid === undefined ? { openid } : { openid, unionid };
    },

    async exchangeCodeForSession(code: string): Promise<WechatSession> {
      if (code === '') throw fail('CODE_INVALID');
      const url = new URL(`${baseUrl}${PATH_JSCODE2SESSION}`);
      url.searchParams.set('appid', options.appId);
      url.searchParams.set('secret', options.appSecret);
      url.searchParams.set('js_code', code);
      url.searchParams.set('grant_type', LOGIN_GRANT_TYPE);

      let text: string;
      try {
        const response = await fetchImpl(url, { method: 'GET', headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
        text = await response.text();
        // WeChat answers errors with 200 and an errcode; anything else is a gateway.
        if (!response.ok) throw fail(response.status >= 500 ? 'SYSTEM_BUSY' : 'RESPONSE_MALFORMED');
      } catch (error: unknown) {
        if (error instanceof WechatLoginError) throw error;
        if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) throw fail('TIMEOUT');
        throw fail('NETWORK_ERROR');
      }

      let body: Record<string, unknown>;
      try {
        const parsed = JSON.parse(text) as unknown;
        if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        throw fail('RESPONSE_MALFORMED');
      }

      const errcode = body['errcode'];
      if (typeof errcode === 'number' && errcode !== LOGIN_ERRCODES.OK) throw fail(ERRCODE_TO_CODE.get(errcode) ?? 'UNKNOWN_ERROR', errcode);
      const openid = body['openid'];
      const unionid = body['unionid'];
      const sessionKey = body['session_key'];
      if (typeof openid !== 'string' || openid === '' || typeof sessionKey !== 'string' || sessionKey === '') throw fail('RESPONSE_MALFORMED');
      return typeof unionid === 'string' && unionid !== '' ? { openid, unionid, sessionKey } : { openid, sessionKey };
    },
  };
  return client;
}
