import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../server/src/clock';
import { createWechatPlatformSimulator, h5PageUrlAt } from '../../server/src/sandbox/simulators/wechat-platform-simulator';
import { decodeQrPng, listenOnLoopback, PLATFORM_APP_ID, PLATFORM_APP_SECRET, startPlatformSandbox, type PlatformSandbox } from '../support/platform-sandbox';

const TOKEN_REQUEST = { grant_type: 'client_credential', appid: PLATFORM_APP_ID, secret: PLATFORM_APP_SECRET, force_refresh: false };

describe('WeChat server-API simulator over HTTP', () => {
  let sandbox: PlatformSandbox;

  beforeEach(async () => {
    sandbox = await startPlatformSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  async function json(response: globalThis.Response): Promise<Record<string, unknown>> {
    return (await response.json()) as Record<string, unknown>;
  }

  async function token(force = false): Promise<string> {
    const body = await json(await sandbox.post('/cgi-bin/stable_token', { ...TOKEN_REQUEST, force_refresh: force }));
    if (typeof body['access_token'] !== 'string') throw new Error(`no token: ${JSON.stringify(body)}`);
    return body['access_token'];
  }

  function nowSeconds(): number {
    return Math.floor(sandbox.clock.now() / 1000);
  }

  function urlLinkBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { path: 'pages/pay/index', query: 'code=lnk_7Hq2.abc-DEF', expire_type: 0, expire_time: nowSeconds() + 3600, env_version: 'release', ...overrides };
  }

  describe('stable_token', () => {
    it('issues a two-hour token and hands the same one out while more than five minutes remain', async () => {
      const first = await json(await sandbox.post('/cgi-bin/stable_token', TOKEN_REQUEST));

      sandbox.clock.advance(7200 - 301);
      const second = await json(await sandbox.post('/cgi-bin/stable_token', TOKEN_REQUEST));

      expect(Object.keys(first).sort()).toEqual(['access_token', 'expires_in']);
      expect(first['access_token']).toMatch(/^[0-9A-Za-z]{96}$/);
      expect(first['expires_in']).toBe(7200);
      expect(second).toEqual({ access_token: first['access_token'], expires_in: 301 });
      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 2, tokensIssued: 1, forcedRefreshes: 0 });
    });

    it('replaces the token in its last five minutes while the old one keeps working until it expires', async () => {
      const old = await token();
      sandbox.clock.advance(7200 - 299);

      const renewed = await token();
      const withOldBeforeExpiry = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody(), old));
      sandbox.clock.advance(300);
      const withOldAfterExpiry = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody(), old));

      expect(renewed).not.toBe(old);
      expect(withOldBeforeExpiry).toMatchObject({ errcode: 0 });
      expect(withOldAfterExpiry).toMatchObject({ errcode: 42001 });
    });

    it('force_refresh issues a new token and invalidates the previous one at once', async () => {
      const old = await token();

      const renewed = await token(true);
      const withOld = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody(), old));
      const withNew = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody(), renewed));

      expect(renewed).not.toBe(old);
      expect(withOld['errcode']).toBe(40001);
      expect(withOld['errmsg']).toMatch(/^invalid credential.* rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/);
      expect(withNew).toMatchObject({ errcode: 0 });
      expect(sandbox.simulator.stats()).toMatchObject({ forcedRefreshes: 1, tokensIssued: 2 });
    });

    it('checks the appid, then the secret, then the grant type, each with WeChat\'s errcode and HTTP 200', async () => {
      const wrongAppId = await sandbox.post('/cgi-bin/stable_token', { ...TOKEN_REQUEST, appid: 'wx0000000000000000' });
      const wrongSecret = await sandbox.post('/cgi-bin/stable_token', { ...TOKEN_REQUEST, secret: 'nope' });
      const wrongGrant = await sandbox.post('/cgi-bin/stable_token', { ...TOKEN_REQUEST, grant_type: 'password' });
      const notJson = await sandbox.post('/cgi-bin/stable_token', '{"grant_type":');

      expect(wrongAppId.status).toBe(200);
      expect(await json(wrongAppId)).toMatchObject({ errcode: 40013 });
      expect(await json(wrongSecret)).toMatchObject({ errcode: 40125 });
      expect(await json(wrongGrant)).toMatchObject({ errcode: 40002 });
      expect(await json(notJson)).toMatchObject({ errcode: 47001 });
      expect(sandbox.simulator.stats().tokensIssued).toBe(0);
    });

    it('answers API calls without a token 41001 and with a made-up one 40001', async () => {
      const missing = await json(await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'abc', page: 'pages/pay/index' }));
      const madeUp = await json(await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'abc', page: 'pages/pay/index' }, 'made-up'));

      expect(missing).toMatchObject({ errcode: 41001 });
      expect(madeUp).toMatchObject({ errcode: 40001 });
    });

    it('answers 40001 for every earlier token once they are revoked behind the holders\' backs', async () => {
      const old = await token();

      sandbox.simulator.revokeAccessTokens();
      const withOld = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody(), old));

      expect(withOld).toMatchObject({ errcode: 40001 });
      expect(await token()).not.toBe(old);
    });
  });

  describe('getwxacodeunlimit', () => {
    it('draws a real PNG QR code that opens the H5 page with the scene', async () => {
      const accessToken = await token();

      const response = await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'lnk_7Hq2.abc-DEF', page: 'pages/pay/index', check_path: false, env_version: 'release' }, accessToken);
      const png = Buffer.from(await response.arrayBuffer());

      expect(response.headers.get('content-type')).toMatch(/^image\/png/);
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      expect(decodeQrPng(png)).toBe(`${sandbox.appBaseUrl}/#/pages/pay/index?scene=lnk_7Hq2.abc-DEF`);
      expect(sandbox.simulator.stats().codesMade).toBe(1);
    });

    it('url-encodes the scene as WeChat hands it to the page', async () => {
      const accessToken = await token();

      const response = await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'id=42&x=a/b', page: 'pages/share/index' }, accessToken);

      expect(decodeQrPng(Buffer.from(await response.arrayBuffer()))).toBe(`${sandbox.appBaseUrl}/#/pages/share/index?scene=id%3D42%26x%3Da%2Fb`);
    });

    it('opens the home page when no page is given', async () => {
      const accessToken = await token();

      const response = await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'abc' }, accessToken);

      expect(decodeQrPng(Buffer.from(await response.arrayBuffer()))).toBe(`${sandbox.appBaseUrl}/#/pages/pay/index?scene=abc`);
    });

    it('refuses a page the mini program has not published with 41030', async () => {
      const accessToken = await token();

      const response = await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'abc', page: 'pages/nope/index' }, accessToken);

      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await json(response);
      expect(body['errcode']).toBe(41030);
      expect(body['errmsg']).toMatch(/^invalid page rid: /);
    });

    it.each([
      ['33 characters', 'a'.repeat(33)],
      ['an empty scene', ''],
      ['a space', 'a b'],
      ['a percent sign', 'a%20b'],
      ['Chinese characters', '付款'],
      ['no scene at all', undefined],
    ])('refuses %s as the scene with 40097', async (_label, scene) => {
      const accessToken = await token();

      const body = await json(await sandbox.post('/wxa/getwxacodeunlimit', { scene, page: 'pages/pay/index' }, accessToken));

      expect(body).toMatchObject({ errcode: 40097 });
    });

    it('accepts 32 characters from every allowed symbol', async () => {
      const accessToken = await token();
      const scene = "!#$&'()*+,/:;=?@-._~0123456789Az";

      const response = await sandbox.post('/wxa/getwxacodeunlimit', { scene, page: 'pages/pay/index' }, accessToken);

      expect(scene).toHaveLength(32);
      expect(response.headers.get('content-type')).toMatch(/^image\/png/);
    });

    it('refuses an unknown env_version with 40097', async () => {
      const accessToken = await token();

      const body = await json(await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'abc', page: 'pages/pay/index', env_version: 'beta' }, accessToken));

      expect(body).toMatchObject({ errcode: 40097 });
    });

    it('answers 45009 for as many calls as the quota fault says, then draws again', async () => {
      const accessToken = await token();
      sandbox.simulator.faults.set({ api: 'getwxacodeunlimit', errcode: 45009, times: 2 });

      const code = () => sandbox.post('/wxa/getwxacodeunlimit', { scene: 'abc', page: 'pages/pay/index' }, accessToken);
      const first = await json(await code());
      const second = await json(await code());
      const third = await code();

      expect(first).toMatchObject({ errcode: 45009 });
      expect(second).toMatchObject({ errcode: 45009 });
      expect(third.headers.get('content-type')).toMatch(/^image\/png/);
      expect(sandbox.simulator.faults.current()).toEqual([]);
    });

    it('checks the token before a fault, as WeChat authenticates first', async () => {
      sandbox.simulator.faults.set({ api: 'getwxacodeunlimit', errcode: 45009 });

      const body = await json(await sandbox.post('/wxa/getwxacodeunlimit', { scene: 'abc' }, 'made-up'));

      expect(body).toMatchObject({ errcode: 40001 });
      expect(sandbox.simulator.faults.current()).toEqual([{ api: 'getwxacodeunlimit', errcode: 45009, remaining: undefined }]);
    });
  });

  describe('generate_urllink and the URL Link itself', () => {
    it('makes a link that redirects to the H5 pay page with the code', async () => {
      const accessToken = await token();

      const body = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody(), accessToken));
      const visit = await fetch(String(body['url_link']), { redirect: 'manual' });

      expect(body).toEqual({ errcode: 0, errmsg: 'ok', url_link: body['url_link'] });
      expect(body['url_link']).toMatch(new RegExp(`^${sandbox.url}/sandbox/urllink/[0-9A-Za-z]{12}$`));
      expect(visit.status).toBe(302);
      expect(visit.headers.get('location')).toBe(`${sandbox.appBaseUrl}/#/pages/pay/index?code=lnk_7Hq2.abc-DEF`);
      expect(sandbox.simulator.stats().urlLinksMade).toBe(1);
    });

    it('answers 404 with a page saying so once the link has expired', async () => {
      const accessToken = await token();
      const body = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody({ expire_time: nowSeconds() + 120 }), accessToken));

      sandbox.clock.advance(121);
      const visit = await fetch(String(body['url_link']), { redirect: 'manual' });

      expect(visit.status).toBe(404);
      expect(await visit.text()).toContain('This link has expired');
    });

    it('answers 404 for a link it never made', async () => {
      const visit = await fetch(`${sandbox.url}/sandbox/urllink/NoSuchLink00`, { redirect: 'manual' });

      expect(visit.status).toBe(404);
      expect(await visit.text()).toContain('This link does not exist');
    });

    it.each([
      ['in the past', -10],
      ['a minute away', 60],
      ['more than 30 days away', 30 * 86_400 + 1],
    ])('refuses an expire_time %s with 85401', async (_label, offset) => {
      const accessToken = await token();

      const body = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody({ expire_time: nowSeconds() + offset }), accessToken));

      expect(body).toMatchObject({ errcode: 85401 });
    });

    it('accepts an expire_time exactly 30 days away', async () => {
      const accessToken = await token();

      const body = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody({ expire_time: nowSeconds() + 30 * 86_400 }), accessToken));

      expect(body).toMatchObject({ errcode: 0 });
    });

    it('accepts expire_type 1 with an interval in days', async () => {
      const accessToken = await token();
      const body = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody({ expire_type: 1, expire_time: undefined, expire_interval: 2 }), accessToken));

      sandbox.clock.advance(2 * 86_400 - 10);
      const beforeExpiry = await fetch(String(body['url_link']), { redirect: 'manual' });
      sandbox.clock.advance(10);
      const afterExpiry = await fetch(String(body['url_link']), { redirect: 'manual' });

      expect(beforeExpiry.status).toBe(302);
      expect(afterExpiry.status).toBe(404);
    });

    it.each([
      ['an unpublished path', { path: 'pages/nope/index' }, 40165],
      ['a path with a query', { path: 'pages/pay/index?code=x' }, 40165],
      ['a query with a space', { query: 'code=a b' }, 40212],
      ['a query over 1024 characters', { query: `code=${'a'.repeat(1020)}` }, 40212],
      ['an unknown env_version', { env_version: 'beta' }, 85402],
      ['an unknown expire_type', { expire_type: 2 }, 40097],
    ])('refuses %s', async (_label, overrides, errcode) => {
      const accessToken = await token();

      const body = await json(await sandbox.post('/wxa/generate_urllink', urlLinkBody(overrides), accessToken));

      expect(body).toMatchObject({ errcode });
      expect(sandbox.simulator.stats().urlLinksMade).toBe(0);
    });
  });

  it('reads bodies that a JSON parser mounted before it has already parsed', async () => {
    const simulator = createWechatPlatformSimulator({ clock: new AdjustableClock(), appId: PLATFORM_APP_ID, appSecret: PLATFORM_APP_SECRET, h5PageUrl: h5PageUrlAt('http://127.0.0.1/app'), urlLinkBase: 'http://127.0.0.1/l' });
    const app = express();
    app.use(express.json());
    app.use('/api', simulator.router);
    const server = await listenOnLoopback(app);

    const response = await fetch(`${server.url}/api/cgi-bin/stable_token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(TOKEN_REQUEST) });
    const body = await json(response);
    await server.close();

    expect(body['expires_in']).toBe(7200);
  });
});
