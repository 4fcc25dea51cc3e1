// The `code2Session` simulator: `wx.login` codes are issued by the sandbox pay sheet / QA
// endpoint and exchanged by our login client over HTTP, exactly as with api.weixin.qq.com.
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Clock } from '../../clock';
import { LOGIN_CODE_TTL_MS, LOGIN_ERRCODES, LOGIN_GRANT_TYPE, PATH_JSCODE2SESSION } from '../../wechat/consts';
import { randomBase62 } from '../../ids';

/** How the login simulator is built. */
export interface WechatLoginSimulatorOptions {
  clock: Clock;
  appId: string;
  appSecret: string;
}

/** `errcode` values a login fault can force. */
export const LOGIN_FAULT_ERRCODES = [LOGIN_ERRCODES.INVALID_CODE, LOGIN_ERRCODES.RATE_LIMITED, LOGIN_ERRCODES.USER_BLOCKED, LOGIN_ERRCODES.SYSTEM_BUSY] as const;
export type LoginFaultErrcode = (typeof LOGIN_FAULT_ERRCODES)[number];

/** A forced login failure. */
export interface LoginFault {
  errcode: LoginFaultErrcode;
  /** Exchanges left to fail; undefined: until reset. */
  remaining: number | undefined;
}

/** The login simulator's failure switch. */
export interface LoginFaultSwitch {
  /** Makes the next `times` exchanges (all, when omitted) answer `errcode`; null clears. */
  set(fault: { errcode: LoginFaultErrcode; times?: number } | null): LoginFault | null;
  reset(): void;
  current(): LoginFault | null;
}

/** A code the payer's `wx.login` would have produced. */
export interface IssuedLoginCode {
  code: string;
  openid: string;
}

/** A running login simulator. */
export interface WechatLoginSimulator {
  /** Serves `GET /sns/jscode2session` relative to its mount point. */
  router: Router;
  /** A single-use code valid five minutes for `openid` (a new random openid when omitted). */
  issueCode(openid?: string, unionid?: string): IssuedLoginCode;
  faults: LoginFaultSwitch;
  /**
   * The `session_key` code2Session last handed out for `openid` (undefined before the user's
   * first login): what WeChat encrypts that user's data with, so the sandbox can build
   * `wx.authPrivateMessage` answers the server can decrypt.
   */
  sessionKeyOf(openid: string): string | undefined;
}

const ERRMSG: Record<number, string> = {
  [LOGIN_ERRCODES.SYSTEM_BUSY]: 'system error',
  [LOGIN_ERRCODES.INVALID_APPID]: 'invalid appid',
  [LOGIN_ERRCODES.INVALID_CODE]: 'invalid code',
  [LOGIN_ERRCODES.INVALID_APPSECRET]: 'invalid appsecret',
  [LOGIN_ERRCODES.CODE_USED]: 'code been used',
  [LOGIN_ERRCODES.RATE_LIMITED]: 'api minute-quota reach limit, mustslower retry next minute',
  [LOGIN_ERRCODES.USER_BLOCKED]: 'high risk user, login blocked',
};

/** A random openid shaped like WeChat's (28 characters starting with `o`). */
export function randomOpenid(): string {
  return `o${crypto.randomBytes(21).toString('base64url').slice(0, 27)}`;
}

/** Creates a login simulator for one mini program. */
export function createWechatLoginSimulator(options: WechatLoginSimulatorOptions): WechatLoginSimulator {
  const codes = new Map<string, { openid: string; unionid: string | undefined; issuedAt: number; used: boolean }>();
  // Each login gives the user a new session key, as WeChat may; the latest is the valid one.
  const sessionKeys = new Map<string, string>();
  let fault: LoginFault | null = null;

  const answerError = (res: Response, errcode: number): void => {
    res.json({ errcode, errmsg: `${ERRMSG[errcode] ?? 'error'}, rid: ${crypto.randomBytes(6).toString('hex')}` });
  };

  const router = express.Router({ caseSensitive: true });
  router.get(PATH_JSCODE2SESSION, (req: Request, res: Response) => {
    const { appid, secret, js_code: jsCode, grant_type: grantType } = req.query;
    if (appid !== options.appId) return answerError(res, LOGIN_ERRCODES.INVALID_APPID);
    if (secret !== options.appSecret) return answerError(res, LOGIN_ERRCODES.INVALID_APPSECRET);
    if (grantType !== LOGIN_GRANT_TYPE) return answerError(res, LOGIN_ERRCODES.INVALID_CODE);
    if (fault !== null) {
      const forced = fault.errcode;
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) fault = null;
      }
      return answerError(res, forced);
    }
    const issued = typeof jsCode === 'string' ? codes.get(jsCode) : undefined;
    if (issued === undefined) return answerError(res, LOGIN_ERRCODES.INVALID_CODE);
    if (issued.used) return answerError(res, LOGIN_ERRCODES.CODE_USED);
    if (options.clock.now() - issued.issuedAt > LOGIN_CODE_TTL_MS) return answerError(res, LOGIN_ERRCODES.INVALID_CODE);
    issued.used = true;
    const sessionKey = crypto.randomBytes(16).toString('base64');
    sessionKeys.set(issued.openid, sessionKey);
    res.json({
      session_key: sessionKey,
      openid: issued.openid,
      ...(issued.unionid === undefined ? {} : { unionid: issued.unionid }),
    });
  });

  return {
    router,
    sessionKeyOf: (openid) => sessionKeys.get(openid),
    issueCode(openid?: string, unionid?: string): IssuedLoginCode {
      const code = randomBase62(32);
      const who = openid ?? randomOpenid();
      codes.set(code, { openid: who, unionid, issuedAt: options.clock.now(), used: false });
      return { code, openid: who };
    },
    faults: {
      set(next) {
        fault = next === null ? null : { errcode: next.errcode, remaining: next.times };
        return fault === null ? null : { ...fault };
      },
      reset() {
        fault = null;
      },
      current() {
        return fault === null ? null : { ...fault };
      },
    },
  };
}
