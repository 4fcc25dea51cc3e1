/** `POST /v1/sessions`: a `wx.login` code becomes a session token via WeChat's code2Session. */
import { Router } from 'express';
import { z } from 'zod';
import type { SessionResponse } from '../../../shared/api-types';
import { maskId } from '../../../shared/mask';
import { AppError } from '../errors/app-error';
import { parseWith } from '../http/validation';
import type { RateLimits } from '../http/rate-limits';
import type { ServiceDeps } from '../service-deps';
import { WechatLoginError } from '../wechat/errors';
import { SESSION_TTL_SECONDS, signSessionToken } from './session-token';
import { keepSessionKey } from './wechat-session-key';

/** `POST /v1/sessions` body. */
export const sessionSchema = z.strictObject({ code: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be the code from wx.login') });

/** Maps WeChat's login refusals to our problems; the code itself is never echoed. */
function loginProblem(error: WechatLoginError): AppError {
  switch (error.code) {
    case 'CODE_INVALID':
      return new AppError('SESSION_INVALID', 'This login code is invalid, expired or already used; call wx.login again.');
    case 'RATE_LIMITED':
      return new AppError('RATE_LIMITED', 'Too many logins for this WeChat user; try again in a minute.', { retryAfter: 60 });
    case 'USER_BLOCKED':
      return new AppError('LOGIN_REJECTED', 'WeChat refused this login as high risk.');
    default:
      return new AppError('WECHAT_UNAVAILABLE', 'WeChat login is not answering; try again shortly.');
  }
}

/** Session routes. */
export function sessionRoutes(deps: ServiceDeps, limits: RateLimits): Router {
  const router = Router({ caseSensitive: true });
  router.post('/v1/sessions', async (req, res) => {
    await limits.consume('sessionsPerIp', req.ip ?? 'unknown');
    const { code } = parseWith(sessionSchema, req.body);
    let openid: string;
    let sessionKey: string;
    try {
      ({ openid, sessionKey } = await deps.wechat.login.exchangeCodeForSession(code));
    } catch (error: unknown) {
      if (error instanceof WechatLoginError) throw loginProblem(error);
      throw error;
    }
    // Kept (sealed) to check the friend's private-message proofs; it never leaves the server.
    await keepSessionKey(deps, openid, sessionKey);
    const body: SessionResponse = {
      session_token: signSessionToken(deps.sessionKey, openid, deps.clock.now()),
      expires_in: SESSION_TTL_SECONDS,
      user: maskId(openid),
    };
    res.status(201).json(body);
  });
  return router;
}
