// A link's mini program code, URL Link and native-app share material, over HTTP against a sandbox
// server whose WeChat server API is the in-process simulator (both store engines).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse, ShopLinkResponse, UrlLinkResponse } from '../../shared/api-types';
import type { Problem } from '../../shared/errors';
import type { WechatPlatformSimulator } from '../../server/src/sandbox/simulators/wechat-platform-simulator';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { countingStore, type CountingStore } from '../support/counting-store';
import { eventually } from '../support/friends';
import { fetchBytes, qrTextOf, sandboxCodeTarget } from '../support/mini-program';
import { openTestStore } from '../support/test-database';
import { engines, startTestServer, type TestServer } from '../support/test-server';

describe.each(engines)('mini program codes and URL Links of a link (%s)', (engine) => {
  let server: TestServer;
  let counter: CountingStore;
  let shop: CreatedShop;
  let simulator: WechatPlatformSimulator;

  beforeEach(async () => {
    counter = countingStore(await openTestStore(engine));
    server = await startTestServer({}, { store: counter.store });
    shop = await server.newShop();
    const simulated = server.sandbox?.platformSimulator;
    if (simulated === undefined) throw new Error('the sandbox server has no WeChat server-API simulator');
    simulator = simulated;
  });
  afterEach(async () => server.stop());

  async function issue(): Promise<IssuedLinkResponse> {
    const order = await server.newOrder(shop);
    const answer = await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u1', name: '张三' } } });
    expect(answer.status, answer.text).toBe(201);
    return answer.json;
  }

  const shopImage = (link: IssuedLinkResponse, key = shop.api_key) => fetchBytes(`${server.url}/v1/links/${link.id}/qr.png`, { authorization: `Bearer ${key}` });
  const publicImage = (ref: string) => fetchBytes(`${server.url}/p/${ref}/qr.png`);
  const problemOf = (body: Buffer) => JSON.parse(body.toString('utf8')) as Problem;
  const setPlatformFault = (api: string, errcode: number, times?: number) =>
    server.call('POST', '/sandbox/faults', { body: { wechat_api: { faults: { [api]: { errcode, ...(times === undefined ? {} : { times }) } } } } });

  it("serves its shop the link's mini program code: a real QR that opens the pay page with scene = the link's code, made once and kept", async () => {
    const link = await issue();

    const first = await shopImage(link);
    const second = await shopImage(link);

    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toContain('immutable');
    expect(qrTextOf(first.body)).toBe(sandboxCodeTarget(server.url, link.code));
    expect(second.body.equals(first.body)).toBe(true);
    expect(simulator.stats().codesMade).toBe(1);
    const stranger = await server.newShop('Other');
    expect((await shopImage(link, stranger.api_key)).status).toBe(404);
  });

  it('serves the same code publicly under the signed code, and a bad signature costs no store read', async () => {
    const link = await issue();
    const byShop = await shopImage(link);

    const byCode = await publicImage(link.code);
    counter.reset();
    const tampered = await publicImage(`${link.code.slice(0, -1)}${link.code.endsWith('A') ? 'B' : 'A'}`);

    expect(byCode.status).toBe(200);
    expect(byCode.body.equals(byShop.body)).toBe(true);
    expect(byCode.headers.get('cache-control')).toBe('public, max-age=604800, immutable');
    expect(byCode.headers.get('access-control-allow-origin')).toBe('*');
    expect(tampered.status).toBe(400);
    expect(problemOf(tampered.body).code).toBe('LINK_INVALID');
    expect(counter.total()).toBe(0);
    expect(simulator.stats().codesMade).toBe(1);
  });

  it('answers a code it served before from memory: a poster scanned a thousand times costs no store read', async () => {
    const link = await issue();
    const first = await publicImage(link.code);
    counter.reset();

    const again = await publicImage(link.code);
    const byShop = await shopImage(link);

    expect(again.status).toBe(200);
    expect(again.body.equals(first.body)).toBe(true);
    expect(byShop.body.equals(first.body)).toBe(true);
    expect(counter.calls.get('getLinkCode') ?? 0).toBe(0);
    expect(simulator.stats().codesMade).toBe(1);
  });

  it('makes one code when twenty first requests for it arrive at once', async () => {
    const link = await issue();

    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? publicImage(link.code) : shopImage(link))));

    expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(new Set(answers.map((answer) => answer.body.toString('base64'))).size).toBe(1);
    expect(simulator.stats().codesMade).toBe(1);
  });

  it('makes no code for a link that can no longer be paid, and keeps serving one made before', async () => {
    const revokedFirst = await issue();
    const madeFirst = await issue();
    const before = await publicImage(madeFirst.code);
    for (const link of [revokedFirst, madeFirst]) expect((await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key })).status).toBe(200);

    const refused = await publicImage(revokedFirst.code);
    const refusedToShop = await shopImage(revokedFirst);
    const after = await publicImage(madeFirst.code);

    expect(refused.status).toBe(410);
    expect(problemOf(refused.body).code).toBe('LINK_REVOKED');
    expect(refusedToShop.status).toBe(410);
    expect(after.status).toBe(200);
    expect(after.body.equals(before.body)).toBe(true);
    expect(simulator.stats().codesMade).toBe(1);
  });

  it("answers WeChat's used-up quota with 503 and Retry-After, and other WeChat failures with clear problems, never a stack", async () => {
    const link = await issue();

    await setPlatformFault('getwxacodeunlimit', 45009, 1);
    const quota = await publicImage(link.code);
    await setPlatformFault('getwxacodeunlimit', -1, 1);
    const busy = await shopImage(link);
    await setPlatformFault('getwxacodeunlimit', 41030, 1);
    const unpublished = await publicImage(link.code);
    const recovered = await publicImage(link.code);

    expect(quota.status).toBe(503);
    expect(quota.headers.get('retry-after')).toBe('60');
    expect(problemOf(quota.body)).toMatchObject({ status: 503, code: 'WECHAT_QUOTA_EXCEEDED', retry_after: 60 });
    expect(busy.status).toBe(502);
    expect(problemOf(busy.body)).toMatchObject({ code: 'WECHAT_UNAVAILABLE' });
    expect(unpublished.status).toBe(502);
    expect(problemOf(unpublished.body)).toMatchObject({ code: 'WECHAT_REFUSED', detail: expect.stringContaining('INVALID_PAGE') as unknown });
    for (const answer of [quota, busy, unpublished]) {
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.toString()).not.toMatch(/\bat \S+ \(|access_token|Error:/);
    }
    expect(recovered.status).toBe(200);
    expect(qrTextOf(recovered.body)).toBe(sandboxCodeTarget(server.url, link.code));
  });

  it('when the access token expires in the middle of traffic, every request still gets its own code, made once', async () => {
    const links = await Promise.all(Array.from({ length: 21 }, () => issue()));
    const [warm, ...rest] = links as [IssuedLinkResponse, ...IssuedLinkResponse[]];
    expect((await publicImage(warm.code)).status).toBe(200);

    const firstWave = Promise.all(rest.slice(0, 10).map((link) => publicImage(link.code)));
    await eventually(() => Promise.resolve(simulator.stats().codesMade >= 3), 10_000, 'the first wave under way');
    // Past the token's two hours (and well within the links' 24): the token in use dies mid-wave.
    expect((await server.call('POST', '/sandbox/clock', { body: { advance_seconds: 7200 } })).status).toBe(200);
    const secondWave = Promise.all(rest.slice(10).map((link) => publicImage(link.code)));
    const answers = [...(await firstWave), ...(await secondWave)];

    expect(answers.map((answer) => answer.status)).toEqual(rest.map(() => 200));
    expect(answers.map((answer) => qrTextOf(answer.body))).toEqual(rest.map((link) => sandboxCodeTarget(server.url, link.code)));
    expect(simulator.stats()).toMatchObject({ codesMade: 21, tokensIssued: 2 });
    expect(simulator.stats().stableTokenCalls).toBeLessThanOrEqual(3);
  });

  it('gives a shop that lost the issue answer all of its share material again while the link is active, and none after', async () => {
    const issued = await issue();

    const again = await server.call<ShopLinkResponse>('GET', `/v1/links/${issued.id}`, { key: shop.api_key });
    await server.call('POST', `/v1/links/${issued.id}/revoke`, { key: shop.api_key });
    const revoked = await server.call<ShopLinkResponse>('GET', `/v1/links/${issued.id}`, { key: shop.api_key });

    expect(again.status).toBe(200);
    const { token, code, url, share, qr_url: qrUrl, mini_program: miniProgram } = issued;
    expect(again.json).toMatchObject({ id: issued.id, status: 'active', token, code, url, share, qr_url: qrUrl, mini_program: miniProgram });
    expect(miniProgram).toEqual({ user_name: expect.stringMatching(/^gh_[0-9a-f]{12}$/) as unknown, path: `/pages/pay/index?t=${token}`, webpage_url: url, type: 0 });
    expect(revoked.json).toMatchObject({ status: 'revoked' });
    expect(Object.keys(revoked.json)).not.toContain('token');
    expect(revoked.text).not.toContain(issued.code);
  });

  it('gives the shop the link\'s URL Link, made once, kept, expiring with the link, and opening the pay page', async () => {
    const link = await issue();

    const first = await server.call<UrlLinkResponse>('GET', `/v1/links/${link.id}/url-link`, { key: shop.api_key });
    const second = await server.call<UrlLinkResponse>('GET', `/v1/links/${link.id}/url-link`, { key: shop.api_key });
    const opened = await fetch(first.json.url_link, { redirect: 'manual' });

    expect(first.status).toBe(200);
    expect(first.json).toEqual({ url_link: expect.stringMatching(new RegExp(`^${server.url}/sandbox/urllink/\\w+$`)) as unknown, expires_at: link.expires_at });
    expect(second.json).toEqual(first.json);
    expect(simulator.stats().urlLinksMade).toBe(1);
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe(`${server.url}/app/#/pages/pay/index?code=${link.code}`);
    await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key });
    expect((await server.call<Problem>('GET', `/v1/links/${link.id}/url-link`, { key: shop.api_key })).json.code).toBe('LINK_REVOKED');
  });
});

describe('the mini program settings of a deployment', () => {
  it("shares links as the configured build (trial: OpenSDK type 2) under the configured original id, and serves WeChat's check file", async () => {
    const server = await startTestServer({ WECHAT_ENV_VERSION: 'trial', WECHAT_MINIPROGRAM_USERNAME: 'gh_a1b2c3d4e5f6', WECHAT_QRCODE_VERIFY_FILE: 'Xy12AbCd.txt:9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a3' });
    try {
      const shop = await server.newShop();
      const order = await server.newOrder(shop);
      const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u1', name: 'Bob' } } })).json;
      const checkFile = await fetch(`${server.url}/Xy12AbCd.txt`);
      const otherFile = await fetch(`${server.url}/Other123.txt`);

      expect(link.mini_program).toMatchObject({ user_name: 'gh_a1b2c3d4e5f6', type: 2 });
      expect(checkFile.status).toBe(200);
      expect(checkFile.headers.get('content-type')).toContain('text/plain');
      expect(await checkFile.text()).toBe('9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a3');
      expect(otherFile.status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
