import type { FetchAccessToken } from './access-token-manager';
import type { BinaryHttp } from './binary-http';
import { postJson, readJsonAnswer, type PlatformCallContext } from './platform-call';
import { PATH_STABLE_TOKEN, TOKEN_GRANT_TYPE } from './platform-consts';
import { platformError } from './platform-errors';

/** Where and as whom to ask for the stable access token; plain values from configuration. */
export interface StableTokenFetcherOptions {
  /** e.g. `https://api.weixin.qq.com`, or the sandbox simulator's mount point. */
  baseUrl: string;
  appId: string;
  appSecret: string;
  http: BinaryHttp;
  /** @default 5000 */
  timeoutMs?: number;
  /** Epoch milliseconds, to date quota hints. @default Date.now */
  now?: () => number;
}

/** A `FetchAccessToken` calling `POST /cgi-bin/stable_token`. Errors never carry the secret. */
export function createStableTokenFetcher(options: StableTokenFetcherOptions): FetchAccessToken {
  const context: PlatformCallContext = { http: options.http, timeoutMs: options.timeoutMs ?? 5000, now: options.now ?? Date.now };
  const url = new URL(`${options.baseUrl.replace(/\/+$/, '')}${PATH_STABLE_TOKEN}`);
  return async (forceRefresh) => {
    const response = await postJson(context, 'stable_token', url, {
      grant_type: TOKEN_GRANT_TYPE,
      appid: options.appId,
      secret: options.appSecret,
      force_refresh: forceRefresh,
    });
    const body = readJsonAnswer(context, 'stable_token', response);
    const accessToken = body['access_token'];
    const expiresIn = body['expires_in'];
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw platformError('stable_token', 'RESPONSE_MALFORMED');
    }
    return { accessToken, expiresInSeconds: expiresIn };
  };
}
