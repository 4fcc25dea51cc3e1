// The simulator of WeChat's server API for mini program codes and URL Links, at the same paths
// and with the same answers as api.weixin.qq.com: stable access tokens that expire on the
// injected clock, real QR codes (opening the H5 build instead of the mini program) and URL Links
// served by this process. Our client does not know it is talking to a simulator.
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import QRCode from 'qrcode';
import type { Clock } from '../../clock';
import { randomBase62 } from '../../ids';
import {
  ACCESS_TOKEN_PARAM,
  ACCESS_TOKEN_REFRESH_MARGIN_MS,
  ACCESS_TOKEN_TTL_SECONDS,
  CODE_WIDTH_DEFAULT,
  CODE_WIDTH_MAX,
  CODE_WIDTH_MIN,
  CONTENT_TYPE_PNG,
  isEnvVersion,
  PATH_GENERATE_URL_LINK,
  PATH_GET_UNLIMITED_CODE,
  PATH_STABLE_TOKEN,
  PLATFORM_ERRCODES,
  PLATFORM_ERRMSG,
  SCENE_PATTERN,
  TOKEN_GRANT_TYPE,
  URL_LINK_EXPIRE_TYPE_INTERVAL,
  URL_LINK_EXPIRE_TYPE_TIME,
  URL_LINK_MAX_LIFETIME_SECONDS,
  URL_LINK_MIN_LIFETIME_SECONDS,
  URL_LINK_QUERY_MAX_LENGTH,
  URL_LINK_QUERY_PATTERN,
} from '../../wechat/platform/platform-consts';

/** The pages the sandbox mini program has "published". */
export const DEFAULT_SIMULATED_PAGES: readonly string[] = ['pages/pay/index', 'pages/share/index', 'pages/dev/index'];

/** How the simulator is built. */
export interface WechatPlatformSimulatorOptions {
  clock: Clock;
  appId: string;
  appSecret: string;
  /**
   * Where the H5 build shows mini program page `page` with `query` (e.g. `scene=abc`): what a
   * code's QR encodes and where a URL Link redirects. `h5PageUrlAt` builds one.
   */
  h5PageUrl(page: string, query: string): string;
  /** Absolute URL at which `urlLinkRouter` is mounted, e.g. `${selfUrl}/sandbox/urllink`. */
  urlLinkBase: string;
  /** @default DEFAULT_SIMULATED_PAGES */
  pages?: readonly string[];
}

/** The three simulated APIs, as faults name them. */
export type SimulatedPlatformApi = 'stable_token' | 'getwxacodeunlimit' | 'generate_urllink';

/** A forced failure of one API. */
export interface PlatformFault {
  api: SimulatedPlatformApi;
  errcode: number;
  /** Calls left to fail; undefined: until cleared. */
  remaining: number | undefined;
}

/** The simulator's failure switches, one per API. */
export interface PlatformFaultSwitch {
  /** Makes the next `times` calls (all, when omitted) of `api` answer `errcode`, e.g. 45009 (quota) or -1 (busy). */
  set(fault: { api: SimulatedPlatformApi; errcode: number; times?: number }): PlatformFault;
  /** Clears the fault of `api`, or all faults. */
  clear(api?: SimulatedPlatformApi): void;
  current(): PlatformFault[];
}

/** What the simulator has been asked, for tests asserting "one token for everyone". */
export interface PlatformSimulatorStats {
  /** Every `stable_token` request, answered with a token or not. */
  stableTokenCalls: number;
  /** `stable_token` requests with `force_refresh: true`. */
  forcedRefreshes: number;
  /** Distinct tokens handed out. */
  tokensIssued: number;
  codesMade: number;
  urlLinksMade: number;
}

/** A running simulator. */
export interface WechatPlatformSimulator {
  /** `POST /cgi-bin/stable_token`, `/wxa/getwxacodeunlimit`, `/wxa/generate_urllink`; mount at `WECHAT_API_BASE_URL`'s path. */
  router: Router;
  /** `GET /:id`: a URL Link's landing (302 to the H5 page, 404 once expired); mount at `urlLinkBase`'s path. */
  urlLinkRouter: Router;
  faults: PlatformFaultSwitch;
  stats(): PlatformSimulatorStats;
  /** Invalidates every token issued so far, as another holder's forced refresh would: the next use answers 40001. */
  revokeAccessTokens(): void;
  /**
   * The errcode WeChat answers an API call carrying `token` with (41001 missing, 40001 unknown,
   * 42001 expired), or undefined when it is valid now: for simulators of other APIs of this app.
   */
  accessTokenProblem(token: unknown): number | undefined;
}

/** An `h5PageUrl` for an H5 build served at `appBaseUrl` (hash routing: `${appBaseUrl}/#/${page}?${query}`). */
export function h5PageUrlAt(appBaseUrl: string): (page: string, query: string) => string {
  const base = appBaseUrl.replace(/\/+$/, '');
  return (page, query) => `${base}/#/${page}${query === '' ? '' : `?${query}`}`;
}

interface SimulatedUrlLink {
  path: string;
  query: string;
  expiresAt: number;
}

/** WeChat's request id, quoted in errmsg: three groups of eight hex digits. */
function requestId(): string {
  const hex = crypto.randomBytes(12).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}`;
}

function sendErrcode(res: Response, errcode: number): void {
  // WeChat answers its errors with HTTP 200 and a JSON body, for the image API too.
  res.status(200).json({ errcode, errmsg: `${PLATFORM_ERRMSG[errcode] ?? 'error'} rid: ${requestId()}` });
}

function notFoundPage(title: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title></head><body><p>${title}</p></body></html>`;
}

/** Creates a simulator for one mini program. */
export function createWechatPlatformSimulator(options: WechatPlatformSimulatorOptions): WechatPlatformSimulator {
  const pages = options.pages ?? DEFAULT_SIMULATED_PAGES;
  const homePage = pages[0] ?? '';
  const urlLinkBase = options.urlLinkBase.replace(/\/+$/, '');
  // Every token ever issued, with its expiry: an expired one answers 42001, an unknown one 40001.
  const tokens = new Map<string, number>();
  let current: { token: string; expiresAt: number } | undefined;
  const links = new Map<string, SimulatedUrlLink>();
  const faults = new Map<SimulatedPlatformApi, PlatformFault>();
  const stats: PlatformSimulatorStats = { stableTokenCalls: 0, forcedRefreshes: 0, tokensIssued: 0, codesMade: 0, urlLinksMade: 0 };

  const issueToken = (): { token: string; expiresAt: number } => {
    const issued = { token: randomBase62(96), expiresAt: options.clock.now() + ACCESS_TOKEN_TTL_SECONDS * 1000 };
    tokens.set(issued.token, issued.expiresAt);
    stats.tokensIssued += 1;
    current = issued;
    return issued;
  };

  /** The errcode of a forced failure of `api`, counting it down; undefined when none is set. */
  const takeFault = (api: SimulatedPlatformApi): number | undefined => {
    const fault = faults.get(api);
    if (fault === undefined) return undefined;
    if (fault.remaining !== undefined) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults.delete(api);
    }
    return fault.errcode;
  };

  /** The errcode for an access token, or undefined when it is valid now. */
  const accessTokenProblem = (token: unknown): number | undefined => {
    if (typeof token !== 'string' || token === '') return PLATFORM_ERRCODES.ACCESS_TOKEN_MISSING;
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined) return PLATFORM_ERRCODES.INVALID_CREDENTIAL;
    return expiresAt <= options.clock.now() ? PLATFORM_ERRCODES.ACCESS_TOKEN_EXPIRED : undefined;
  };
  const tokenProblem = (req: Request): number | undefined => accessTokenProblem(req.query[ACCESS_TOKEN_PARAM]);

  /** The JSON object of the body; undefined when it is not one. */
  const jsonBody = (req: Request): Record<string, unknown> | undefined => {
    const raw: unknown = req.body;
    // A JSON parser mounted before this router may have read the body already.
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !Buffer.isBuffer(raw)) return raw as Record<string, unknown>;
    if (typeof raw !== 'string') return undefined;
    try {
      const parsed = JSON.parse(raw) as unknown;
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };

  const router = express.Router({ caseSensitive: true });
  // WeChat reads the body as JSON whatever its content type says.
  const readText = express.text({ type: () => true, limit: '64kb' });

  router.post(PATH_STABLE_TOKEN, readText, (req: Request, res: Response) => {
    stats.stableTokenCalls += 1;
    const body = jsonBody(req);
    if (body === undefined) return sendErrcode(res, PLATFORM_ERRCODES.DATA_FORMAT_ERROR);
    if (body['grant_type'] !== TOKEN_GRANT_TYPE) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_GRANT_TYPE);
    if (body['appid'] !== options.appId) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_APPID);
    if (body['secret'] !== options.appSecret) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_APPSECRET);
    const forced = takeFault('stable_token');
    if (forced !== undefined) return sendErrcode(res, forced);
    const now = options.clock.now();
    let token: { token: string; expiresAt: number };
    if (body['force_refresh'] === true) {
      stats.forcedRefreshes += 1;
      // Forcing invalidates the previous token at once, for every holder of it.
      if (current !== undefined) tokens.delete(current.token);
      token = issueToken();
    } else if (current !== undefined && current.expiresAt - now > ACCESS_TOKEN_REFRESH_MARGIN_MS) {
      token = current;
    } else {
      // In its last five minutes the token is replaced, and the old one keeps working until it expires.
      token = issueToken();
    }
    res.json({ access_token: token.token, expires_in: Math.floor((token.expiresAt - now) / 1000) });
  });

  router.post(PATH_GET_UNLIMITED_CODE, readText, async (req: Request, res: Response) => {
    const problem = tokenProblem(req) ?? takeFault('getwxacodeunlimit');
    if (problem !== undefined) return sendErrcode(res, problem);
    const body = jsonBody(req);
    if (body === undefined) return sendErrcode(res, PLATFORM_ERRCODES.DATA_FORMAT_ERROR);
    const envVersion = body['env_version'] ?? 'release';
    if (!isEnvVersion(envVersion)) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_ARGS);
    const page = body['page'] ?? '';
    // Stricter than WeChat with check_path:false on purpose: a typo in the page must fail in the
    // sandbox rather than print a QR code that opens nothing.
    if (typeof page !== 'string' || (page !== '' && !pages.includes(page))) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_PAGE);
    const scene = body['scene'];
    if (typeof scene !== 'string' || !SCENE_PATTERN.test(scene)) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_ARGS);
    const width = body['width'];
    if (width !== undefined && typeof width !== 'number') return sendErrcode(res, PLATFORM_ERRCODES.INVALID_ARGS);
    stats.codesMade += 1;
    // WeChat hands `scene` to the page url-encoded; the H5 page reads it the same way.
    const opens = options.h5PageUrl(page === '' ? homePage : page, `scene=${encodeURIComponent(scene)}`);
    const image = await QRCode.toBuffer(opens, {
      type: 'png',
      width: Math.min(CODE_WIDTH_MAX, Math.max(CODE_WIDTH_MIN, Math.round(width ?? CODE_WIDTH_DEFAULT))),
      margin: 2,
      errorCorrectionLevel: 'M',
    });
    res.type(CONTENT_TYPE_PNG).send(image);
  });

  router.post(PATH_GENERATE_URL_LINK, readText, (req: Request, res: Response) => {
    const problem = tokenProblem(req) ?? takeFault('generate_urllink');
    if (problem !== undefined) return sendErrcode(res, problem);
    const body = jsonBody(req);
    if (body === undefined) return sendErrcode(res, PLATFORM_ERRCODES.DATA_FORMAT_ERROR);
    const path = body['path'] ?? '';
    if (typeof path !== 'string' || (path !== '' && !pages.includes(path))) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_PATH);
    const query = body['query'] ?? '';
    if (typeof query !== 'string' || query.length > URL_LINK_QUERY_MAX_LENGTH || !URL_LINK_QUERY_PATTERN.test(query)) {
      return sendErrcode(res, PLATFORM_ERRCODES.INVALID_QUERY);
    }
    const envVersion = body['env_version'] ?? 'release';
    if (!isEnvVersion(envVersion)) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_ENV_VERSION);
    const nowSeconds = Math.floor(options.clock.now() / 1000);
    const expireType = body['expire_type'] ?? URL_LINK_EXPIRE_TYPE_TIME;
    let expiresAtSeconds: number;
    if (expireType === URL_LINK_EXPIRE_TYPE_TIME) {
      const expireTime = body['expire_time'];
      if (typeof expireTime !== 'number' || !Number.isInteger(expireTime)) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_EXPIRE_TIME);
      const lifetime = expireTime - nowSeconds;
      if (lifetime <= URL_LINK_MIN_LIFETIME_SECONDS || lifetime > URL_LINK_MAX_LIFETIME_SECONDS) return sendErrcode(res, PLATFORM_ERRCODES.INVALID_EXPIRE_TIME);
      expiresAtSeconds = expireTime;
    } else if (expireType === URL_LINK_EXPIRE_TYPE_INTERVAL) {
      const days = body['expire_interval'];
      if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days * 86_400 > URL_LINK_MAX_LIFETIME_SECONDS) {
        return sendErrcode(res, PLATFORM_ERRCODES.INVALID_ARGS);
      }
      expiresAtSeconds = nowSeconds + days * 86_400;
    } else {
      return sendErrcode(res, PLATFORM_ERRCODES.INVALID_ARGS);
    }
    stats.urlLinksMade += 1;
    const id = randomBase62(12);
    links.set(id, { path: path === '' ? homePage : path, query, expiresAt: expiresAtSeconds * 1000 });
    res.json({ errcode: PLATFORM_ERRCODES.OK, errmsg: 'ok', url_link: `${urlLinkBase}/${id}` });
  });

  const urlLinkRouter = express.Router({ caseSensitive: true });
  urlLinkRouter.get('/:id', (req: Request, res: Response) => {
    const link = links.get(String(req.params['id']));
    res.set('Cache-Control', 'no-store');
    if (link === undefined) res.status(404).type('html').send(notFoundPage('链接不存在 · This link does not exist'));
    else if (options.clock.now() >= link.expiresAt) res.status(404).type('html').send(notFoundPage('链接已过期 · This link has expired'));
    else res.redirect(302, options.h5PageUrl(link.path, link.query));
  });

  return {
    router,
    urlLinkRouter,
    faults: {
      set(fault) {
        if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= 1)) throw new RangeError('times must be a positive integer');
        const next: PlatformFault = { api: fault.api, errcode: fault.errcode, remaining: fault.times };
        faults.set(fault.api, next);
        return { ...next };
      },
      clear(api) {
        if (api === undefined) faults.clear();
        else faults.delete(api);
      },
      current() {
        return [...faults.values()].map((fault) => ({ ...fault }));
      },
    },
    stats: () => ({ ...stats }),
    revokeAccessTokens() {
      tokens.clear();
      current = undefined;
    },
    accessTokenProblem,
  };
}
