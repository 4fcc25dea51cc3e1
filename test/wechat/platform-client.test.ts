import http from 'node:http';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../server/src/clock';
import { AccessTokenManager, type IssuedAccessToken } from '../../server/src/wechat/platform/access-token-manager';
import { createBinaryHttp, type BinaryHttp } from '../../server/src/wechat/platform/binary-http';
import { InMemoryAccessTokenStore } from '../../server/src/wechat/platform/memory-access-token-store';
import { createWechatPlatformClient, imageContentType, type UrlLinkRequest, type WechatPlatformClient } from '../../server/src/wechat/platform/platform-client';
import { WechatPlatformError } from '../../server/src/wechat/platform/platform-errors';
import { decodeQrPng, listenOnLoopback, PLATFORM_APP_ID, PLATFORM_APP_SECRET, PLATFORM_TEST_EPOCH_MS, startPlatformSandbox, type PlatformSandbox } from '../support/platform-sandbox';

async function platformFailure(promise: Promise<unknown>): Promise<WechatPlatformError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof WechatPlatformError) return error;
    throw error;
  }
  throw new Error('expected a WeChat platform failure');
}

describe('platform client against the simulator over HTTP', () => {
  let sandbox: PlatformSandbox;

  beforeEach(async () => {
    sandbox = await startPlatformSandbox();
  });
  afterEach(async () => {
    await sandbox.close();
  });

  function urlLink(overrides: Partial<UrlLinkRequest> = {}): UrlLinkRequest {
    return { path: 'pages/pay/index', query: 'code=lnk_7Hq2.abc-DEF', expireTime: Math.floor(sandbox.clock.now() / 1000) + 3600, envVersion: 'release', ...overrides };
  }

  describe('access token', () => {
    it('fetches one token for 50 concurrent callers', async () => {
      const client = sandbox.client();

      const links = await Promise.all(Array.from({ length: 50 }, () => client.generateUrlLink(urlLink())));

      expect(new Set(links).size).toBe(50);
      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 1, tokensIssued: 1, urlLinksMade: 50 });
    });

    it('keeps using the token for later calls instead of asking per request', async () => {
      const client = sandbox.client();

      for (let i = 0; i < 5; i += 1) await client.generateUrlLink(urlLink());
      sandbox.clock.advance(7200 - 301);
      await client.generateUrlLink(urlLink());

      expect(sandbox.simulator.stats().stableTokenCalls).toBe(1);
    });

    it('refreshes once when under five minutes remain, and every caller succeeds', async () => {
      const client = sandbox.client();
      await client.generateUrlLink(urlLink());

      sandbox.clock.advance(7200 - 299);
      const links = await Promise.all(Array.from({ length: 20 }, () => client.generateUrlLink(urlLink())));

      expect(links).toHaveLength(20);
      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 2, tokensIssued: 2, forcedRefreshes: 0, urlLinksMade: 21 });
    });

    it('when the token expires while calls are in flight, each caller still succeeds once and one new token is fetched', async () => {
      const inner = createBinaryHttp();
      let moved = false;
      // The clock jumps past the token's expiry after the callers took the token and before WeChat reads it.
      const clockMovingHttp: BinaryHttp = {
        send(request) {
          if (!moved && request.url.pathname.endsWith('/wxa/generate_urllink')) {
            moved = true;
            sandbox.clock.advance(7201);
          }
          return inner.send(request);
        },
        close: () => inner.close(),
      };
      const client = createWechatPlatformClient({ baseUrl: sandbox.apiBaseUrl, appId: PLATFORM_APP_ID, appSecret: PLATFORM_APP_SECRET, clock: sandbox.clock, tokenStore: new InMemoryAccessTokenStore(), http: clockMovingHttp });
      await client.tokens.getToken();

      const links = await Promise.all(Array.from({ length: 20 }, () => client.generateUrlLink(urlLink({ expireTime: Math.floor(sandbox.clock.now() / 1000) + 7200 + 3600 }))));
      inner.close();

      expect(links).toHaveLength(20);
      // Our own clock also saw the token expire, so no scarce forced refresh was spent on it.
      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 2, tokensIssued: 2, forcedRefreshes: 0, urlLinksMade: 20 });
    });

    it('after WeChat answers 40001 for a token revoked behind its back, forces one refresh and retries each call once', async () => {
      const client = sandbox.client();
      await client.generateUrlLink(urlLink());

      sandbox.simulator.revokeAccessTokens();
      const links = await Promise.all(Array.from({ length: 10 }, () => client.generateUrlLink(urlLink())));

      expect(links).toHaveLength(10);
      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 2, forcedRefreshes: 1, urlLinksMade: 11 });
    });

    it('gives up with TOKEN_INVALID when the fresh token is refused too', async () => {
      const client = sandbox.client();
      await client.tokens.getToken();
      sandbox.simulator.faults.set({ api: 'generate_urllink', errcode: 40001, times: 2 });

      const error = await platformFailure(client.generateUrlLink(urlLink()));

      expect(error).toMatchObject({ code: 'TOKEN_INVALID', errcode: 40001, operation: 'generate_urllink' });
      expect(sandbox.simulator.stats()).toMatchObject({ forcedRefreshes: 1, urlLinksMade: 0 });
    });

    it('does not force another refresh within 30 seconds when WeChat keeps refusing tokens', async () => {
      const client = sandbox.client();
      await client.tokens.getToken();
      sandbox.simulator.faults.set({ api: 'generate_urllink', errcode: 40001, times: 3 });

      const first = await platformFailure(client.generateUrlLink(urlLink()));
      const second = await client.generateUrlLink(urlLink());

      expect(first.code).toBe('TOKEN_INVALID');
      expect(second).toMatch(/^http:/);
      expect(sandbox.simulator.stats()).toMatchObject({ forcedRefreshes: 1, urlLinksMade: 1 });
    });

    it('two instances sharing one token store fetch one token between them', async () => {
      const store = new InMemoryAccessTokenStore();
      const first = sandbox.client({ tokenStore: store });
      const second = sandbox.client({ tokenStore: store });

      await Promise.all([...Array.from({ length: 10 }, () => first.generateUrlLink(urlLink())), ...Array.from({ length: 10 }, () => second.generateUrlLink(urlLink()))]);
      sandbox.clock.advance(7200 - 299);
      await Promise.all([first.generateUrlLink(urlLink()), second.generateUrlLink(urlLink())]);

      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 2, tokensIssued: 2, urlLinksMade: 22 });
    });

    it('an instance told 40001 takes the token another instance already forced, without forcing again', async () => {
      const store = new InMemoryAccessTokenStore();
      const first = sandbox.client({ tokenStore: store });
      const second = sandbox.client({ tokenStore: store });
      await first.generateUrlLink(urlLink());
      await second.generateUrlLink(urlLink());

      sandbox.simulator.revokeAccessTokens();
      await first.generateUrlLink(urlLink());
      await second.generateUrlLink(urlLink());

      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 2, forcedRefreshes: 1, urlLinksMade: 4 });
    });

    it('reports a wrong app secret as CREDENTIALS_INVALID without retrying', async () => {
      const client = sandbox.client({ appSecret: 'wrong' });

      const error = await platformFailure(client.generateUrlLink(urlLink()));

      expect(error).toMatchObject({ code: 'CREDENTIALS_INVALID', errcode: 40125, operation: 'stable_token', retryable: false });
      expect(error.message).not.toContain('wrong');
      expect(sandbox.simulator.stats().stableTokenCalls).toBe(1);
    });

    it('reports a wrong appid as CREDENTIALS_INVALID', async () => {
      const error = await platformFailure(sandbox.client({ appId: 'wx0000000000000000' }).generateUrlLink(urlLink()));

      expect(error).toMatchObject({ code: 'CREDENTIALS_INVALID', errcode: 40013 });
    });
  });

  describe('mini program code', () => {
    it('returns a PNG whose QR opens the H5 pay page with scene=<code>', async () => {
      const client = sandbox.client();

      const png = await client.getUnlimitedCode({ scene: 'lnk_7Hq2.abc-DEF', page: 'pages/pay/index', envVersion: 'release' });

      expect(imageContentType(png)).toBe('image/png');
      expect(decodeQrPng(png)).toBe(`${sandbox.appBaseUrl}/#/pages/pay/index?scene=lnk_7Hq2.abc-DEF`);
    });

    it('maps 45009 to QUOTA_EXCEEDED with a one-minute retry hint', async () => {
      const client = sandbox.client();
      sandbox.simulator.faults.set({ api: 'getwxacodeunlimit', errcode: 45009 });

      const error = await platformFailure(client.getUnlimitedCode({ scene: 'abc', page: 'pages/pay/index', envVersion: 'release' }));

      expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', errcode: 45009, retryAfterSeconds: 60, retryable: true, operation: 'getwxacodeunlimit' });
    });

    it('maps 41030 to INVALID_PAGE', async () => {
      const error = await platformFailure(sandbox.client().getUnlimitedCode({ scene: 'abc', page: 'pages/nope/index', envVersion: 'release' }));

      expect(error).toMatchObject({ code: 'INVALID_PAGE', errcode: 41030 });
    });

    it('maps 40097 to INVALID_SCENE', async () => {
      const client = sandbox.client();
      sandbox.simulator.faults.set({ api: 'getwxacodeunlimit', errcode: 40097, times: 1 });

      const error = await platformFailure(client.getUnlimitedCode({ scene: 'abc', page: 'pages/pay/index', envVersion: 'release' }));

      expect(error).toMatchObject({ code: 'INVALID_SCENE', errcode: 40097 });
    });

    it('refuses a scene WeChat would refuse before spending a token or quota on it', async () => {
      const error = await platformFailure(sandbox.client().getUnlimitedCode({ scene: 'a'.repeat(33), page: 'pages/pay/index', envVersion: 'release' }));

      expect(error).toMatchObject({ code: 'INVALID_SCENE', errcode: undefined });
      expect(sandbox.simulator.stats()).toMatchObject({ stableTokenCalls: 0, codesMade: 0 });
    });

    it('maps -1 to a retryable SYSTEM_BUSY', async () => {
      const client = sandbox.client();
      sandbox.simulator.faults.set({ api: 'getwxacodeunlimit', errcode: -1, times: 1 });

      const error = await platformFailure(client.getUnlimitedCode({ scene: 'abc', page: 'pages/pay/index', envVersion: 'release' }));

      expect(error).toMatchObject({ code: 'SYSTEM_BUSY', errcode: -1, retryable: true });
    });

    it('retries a code once with a forced token after 40001', async () => {
      const client = sandbox.client();
      await client.tokens.getToken();
      sandbox.simulator.revokeAccessTokens();

      const png = await client.getUnlimitedCode({ scene: 'abc', page: 'pages/pay/index', envVersion: 'trial' });

      expect(decodeQrPng(png)).toBe(`${sandbox.appBaseUrl}/#/pages/pay/index?scene=abc`);
      expect(sandbox.simulator.stats()).toMatchObject({ forcedRefreshes: 1, codesMade: 1 });
    });
  });

  describe('URL Link', () => {
    it('returns a link whose visit redirects to the H5 pay page with the code', async () => {
      const link = await sandbox.client().generateUrlLink(urlLink());

      const visit = await fetch(link, { redirect: 'manual' });

      expect(visit.status).toBe(302);
      expect(visit.headers.get('location')).toBe(`${sandbox.appBaseUrl}/#/pages/pay/index?code=lnk_7Hq2.abc-DEF`);
    });

    it('refuses an expire_time in the past with INVALID_EXPIRE_TIME (85401)', async () => {
      const error = await platformFailure(sandbox.client().generateUrlLink(urlLink({ expireTime: Math.floor(sandbox.clock.now() / 1000) - 1 })));

      expect(error).toMatchObject({ code: 'INVALID_EXPIRE_TIME', errcode: 85401, retryable: false });
    });

    it('refuses an expire_time more than 30 days away', async () => {
      const error = await platformFailure(sandbox.client().generateUrlLink(urlLink({ expireTime: Math.floor(sandbox.clock.now() / 1000) + 31 * 86_400 })));

      expect(error).toMatchObject({ code: 'INVALID_EXPIRE_TIME', errcode: 85401 });
    });

    it('maps 40165 to INVALID_PAGE and 40212 to INVALID_QUERY', async () => {
      const client = sandbox.client();

      const badPath = await platformFailure(client.generateUrlLink(urlLink({ path: 'pages/nope/index' })));
      const badQuery = await platformFailure(client.generateUrlLink(urlLink({ query: 'code=a b' })));

      expect(badPath).toMatchObject({ code: 'INVALID_PAGE', errcode: 40165 });
      expect(badQuery).toMatchObject({ code: 'INVALID_QUERY', errcode: 40212 });
    });

    it('maps the daily quota to QUOTA_EXCEEDED with a hint to midnight China time', async () => {
      const client = sandbox.client();
      sandbox.simulator.faults.set({ api: 'generate_urllink', errcode: 45009 });

      const error = await platformFailure(client.generateUrlLink(urlLink()));

      // The test clock stands at 12:00 China time.
      expect(sandbox.clock.now()).toBe(PLATFORM_TEST_EPOCH_MS);
      expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', errcode: 45009, retryAfterSeconds: 12 * 3600 });
    });
  });
});

describe('platform client transport failures', () => {
  const clock = new AdjustableClock({ now: () => PLATFORM_TEST_EPOCH_MS });
  let server: { url: string; close: () => Promise<void> } | undefined;
  let client: WechatPlatformClient | undefined;

  afterEach(async () => {
    client?.close();
    await server?.close();
    server = undefined;
  });

  async function clientFor(app: http.RequestListener, timeoutMs = 2000): Promise<WechatPlatformClient> {
    server = await listenOnLoopback(app);
    client = createWechatPlatformClient({ baseUrl: server.url, appId: PLATFORM_APP_ID, appSecret: PLATFORM_APP_SECRET, clock, tokenStore: new InMemoryAccessTokenStore(), timeoutMs });
    return client;
  }

  /** A WeChat whose token endpoint works and whose code endpoint does `code`. */
  function upstream(code: express.RequestHandler): express.Express {
    const app = express();
    app.post('/cgi-bin/stable_token', (_req, res) => {
      res.json({ access_token: 'token-1', expires_in: 7200 });
    });
    app.post('/wxa/getwxacodeunlimit', code);
    return app;
  }

  const request = { scene: 'abc', page: 'pages/pay/index', envVersion: 'release' } as const;

  it('reports TIMEOUT when WeChat never finishes answering', async () => {
    const platform = await clientFor(
      upstream((_req, res) => {
        res.type('image/png').write(Buffer.from([0x89, 0x50]));
      }),
      200,
    );

    expect(await platformFailure(platform.getUnlimitedCode(request))).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('reports a body over 2 MiB as RESPONSE_MALFORMED', async () => {
    const platform = await clientFor(
      upstream((_req, res) => {
        res.type('image/png').send(Buffer.alloc(2 * 1024 * 1024 + 1, 1));
      }),
    );

    expect(await platformFailure(platform.getUnlimitedCode(request))).toMatchObject({ code: 'RESPONSE_MALFORMED' });
  });

  it('reports a 5xx gateway answer as SYSTEM_BUSY', async () => {
    const platform = await clientFor(
      upstream((_req, res) => {
        res.status(502).send('bad gateway');
      }),
    );

    expect(await platformFailure(platform.getUnlimitedCode(request))).toMatchObject({ code: 'SYSTEM_BUSY' });
  });

  it('reports a body that is neither an image nor JSON as RESPONSE_MALFORMED', async () => {
    const platform = await clientFor(
      upstream((_req, res) => {
        res.type('html').send('<html>captive portal</html>');
      }),
    );

    expect(await platformFailure(platform.getUnlimitedCode(request))).toMatchObject({ code: 'RESPONSE_MALFORMED' });
  });

  it('accepts a JPEG code, which WeChat sends for opaque codes', async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]);
    const platform = await clientFor(
      upstream((_req, res) => {
        res.type('image/jpeg').send(jpeg);
      }),
    );

    const image = await platform.getUnlimitedCode(request);

    expect(image.equals(jpeg)).toBe(true);
    expect(imageContentType(image)).toBe('image/jpeg');
  });

  it('reports NETWORK_ERROR when nothing listens', async () => {
    const closed = await listenOnLoopback(express());
    await closed.close();
    client = createWechatPlatformClient({ baseUrl: closed.url, appId: PLATFORM_APP_ID, appSecret: PLATFORM_APP_SECRET, clock, tokenStore: new InMemoryAccessTokenStore() });

    expect(await platformFailure(client.getUnlimitedCode(request))).toMatchObject({ code: 'NETWORK_ERROR', operation: 'stable_token' });
  });
});

describe('AccessTokenManager', () => {
  function fakeWechat(answers: Array<IssuedAccessToken | Error>): { fetchToken: (force: boolean) => Promise<IssuedAccessToken>; calls: boolean[] } {
    const calls: boolean[] = [];
    return {
      calls,
      fetchToken(force) {
        calls.push(force);
        const next = answers.shift();
        if (next === undefined) return Promise.reject(new Error('no more answers'));
        return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
      },
    };
  }

  it('keeps serving a token with minutes left when the early refresh fails', async () => {
    const clock = new AdjustableClock({ now: () => PLATFORM_TEST_EPOCH_MS });
    const wechat = fakeWechat([{ accessToken: 'one', expiresInSeconds: 7200 }, new WechatPlatformError('SYSTEM_BUSY', 'busy', { operation: 'stable_token', errcode: -1 })]);
    const manager = new AccessTokenManager({ appId: 'wx1', store: new InMemoryAccessTokenStore(), clock, fetchToken: wechat.fetchToken });
    await manager.getToken();

    clock.advance(7200 - 200);
    const token = await manager.getToken();

    expect(token).toBe('one');
    expect(wechat.calls).toEqual([false, false]);
  });

  it('does not ask again on every call when WeChat hands back the same token inside the margin', async () => {
    const clock = new AdjustableClock({ now: () => PLATFORM_TEST_EPOCH_MS });
    const wechat = fakeWechat([
      { accessToken: 'one', expiresInSeconds: 7200 },
      { accessToken: 'one', expiresInSeconds: 200 },
      { accessToken: 'two', expiresInSeconds: 7200 },
    ]);
    const manager = new AccessTokenManager({ appId: 'wx1', store: new InMemoryAccessTokenStore(), clock, fetchToken: wechat.fetchToken });
    await manager.getToken();

    clock.advance(7200 - 200);
    for (let i = 0; i < 10; i += 1) await manager.getToken();
    clock.advance(30);
    const later = await manager.getToken();

    expect(later).toBe('two');
    expect(wechat.calls).toEqual([false, false, false]);
  });

  it('fails every waiting caller with the one refresh error, then tries afresh on the next call', async () => {
    const clock = new AdjustableClock({ now: () => PLATFORM_TEST_EPOCH_MS });
    const busy = new WechatPlatformError('SYSTEM_BUSY', 'busy', { operation: 'stable_token', errcode: -1 });
    const wechat = fakeWechat([busy, { accessToken: 'one', expiresInSeconds: 7200 }]);
    const manager = new AccessTokenManager({ appId: 'wx1', store: new InMemoryAccessTokenStore(), clock, fetchToken: wechat.fetchToken });

    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => manager.getToken()));
    const next = await manager.getToken();

    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === busy)).toBe(true);
    expect(next).toBe('one');
    expect(wechat.calls).toEqual([false, false]);
  });
});
