// The landing page /p/{code} by what opened it (User-Agent), over HTTP against a sandbox server:
// WeChat's browser goes to the URL Link, a phone gets the "Open in WeChat" button and the code, a
// desktop the code to scan; a link that can no longer be paid shows its status only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse } from '../../shared/api-types';
import { bilingualState } from '../../shared/glossary';
import type { WechatPlatformSimulator } from '../../server/src/sandbox/simulators/wechat-platform-simulator';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { countingStore, type CountingStore } from '../support/counting-store';
import { DESKTOP_USER_AGENT, fetchBytes, PHONE_USER_AGENT, qrTextOf, sandboxCodeTarget, WECHAT_USER_AGENT } from '../support/mini-program';
import { openTestStore } from '../support/test-database';
import { defaultEngine } from '../support/test-database';
import { startTestServer, type TestServer } from '../support/test-server';

describe('the landing page by device', () => {
  let server: TestServer;
  let counter: CountingStore;
  let shop: CreatedShop;
  let simulator: WechatPlatformSimulator;

  beforeAll(async () => {
    counter = countingStore(await openTestStore(defaultEngine()));
    server = await startTestServer({}, { store: counter.store });
    shop = await server.newShop('好物小店');
    simulator = server.sandbox!.platformSimulator!;
  });
  afterAll(async () => server.stop());
  beforeEach(async () => {
    await server.call('DELETE', '/sandbox/faults');
  });

  async function issue(): Promise<IssuedLinkResponse> {
    const order = await server.newOrder(shop);
    return (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u1', name: '张三' } } })).json;
  }

  function open(ref: string, userAgent: string): Promise<Response> {
    return fetch(`${server.url}/p/${ref}`, { headers: { 'user-agent': userAgent }, redirect: 'manual' });
  }

  /** The `href` of the page's "Open in WeChat" button, or undefined when it has none. */
  function buttonHref(html: string): string | undefined {
    const match = /<a class="open-wechat"[^>]* href="([^"]+)">在微信中打开 · Open in WeChat<\/a>/.exec(html);
    return match?.[1]?.replaceAll('&amp;', '&');
  }

  function imageSrc(html: string): string | undefined {
    return /<img class="qr" alt="[^"]*" src="([^"]+)">/.exec(html)?.[1];
  }

  it("sends WeChat's own browser straight to the link's URL Link (302), which opens the pay page; the URL Link is made once", async () => {
    const link = await issue();
    const before = simulator.stats();

    const first = await open(link.code, WECHAT_USER_AGENT);
    const second = await open(link.code, WECHAT_USER_AGENT);
    const urlLink = first.headers.get('location') ?? '';
    const pay = await fetch(urlLink, { redirect: 'manual' });

    expect(first.status).toBe(302);
    expect(urlLink).toMatch(new RegExp(`^${server.url}/sandbox/urllink/\\w+$`));
    expect(second.headers.get('location')).toBe(urlLink);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    expect(pay.headers.get('location')).toBe(`${server.url}/app/#/pages/pay/index?code=${link.code}`);
    expect(simulator.stats().urlLinksMade - before.urlLinksMade).toBe(1);
    expect(simulator.stats().codesMade - before.codesMade).toBe(0);
  });

  it('shows a phone a big "在微信中打开 · Open in WeChat" button whose href is the URL Link, and the code below it', async () => {
    const link = await issue();

    const answer = await open(link.code, PHONE_USER_AGENT);
    const html = await answer.text();
    const href = buttonHref(html);
    const src = imageSrc(html);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('vary')).toContain('User-Agent');
    expect(href).toMatch(new RegExp(`^${server.url}/sandbox/urllink/\\w+$`));
    expect((await fetch(href!, { redirect: 'manual' })).headers.get('location')).toBe(`${server.url}/app/#/pages/pay/index?code=${link.code}`);
    expect(html.indexOf('open-wechat')).toBeLessThan(html.indexOf('class="qr"'));
    expect(src).toBe(`/p/${link.code}/qr.png`);
    const image = await fetchBytes(`${server.url}${src}`);
    expect(qrTextOf(image.body)).toBe(sandboxCodeTarget(server.url, link.code));
    expect(html).toContain('谨防诈骗');
  });

  it('shows a desktop the mini program code to scan, and makes no URL Link for it; the page itself reads the store once', async () => {
    const link = await issue();
    const before = simulator.stats();
    counter.reset();

    const answer = await open(link.code, DESKTOP_USER_AGENT);
    const html = await answer.text();

    expect(answer.status).toBe(200);
    expect(counter.total()).toBe(1);
    expect(buttonHref(html)).toBeUndefined();
    expect(html).toContain('用微信扫码付款 · Scan in WeChat to pay');
    expect(imageSrc(html)).toBe(`/p/${link.code}/qr.png`);
    expect(qrTextOf((await fetchBytes(`${server.url}/p/${link.code}/qr.png`)).body)).toBe(sandboxCodeTarget(server.url, link.code));
    expect(simulator.stats().urlLinksMade).toBe(before.urlLinksMade);
  });

  it('opened by token, still shows the code under the link code', async () => {
    const link = await issue();
    const html = await (await open(link.token, DESKTOP_USER_AGENT)).text();
    expect(imageSrc(html)).toBe(`/p/${link.code}/qr.png`);
  });

  it('shows a link that can no longer be paid with its status only: no button, no code, no redirect, no URL Link made', async () => {
    const revoked = await issue();
    await server.call('POST', `/v1/links/${revoked.id}/revoke`, { key: shop.api_key });
    const before = simulator.stats();

    for (const userAgent of [WECHAT_USER_AGENT, PHONE_USER_AGENT, DESKTOP_USER_AGENT]) {
      const answer = await open(revoked.code, userAgent);
      const html = await answer.text();
      expect(answer.status).toBe(200);
      expect(html).toContain(bilingualState('revoked'));
      expect(buttonHref(html)).toBeUndefined();
      expect(imageSrc(html)).toBeUndefined();
    }
    expect(simulator.stats()).toEqual(before);
  });

  it('when WeChat cannot make a URL Link (quota), a phone still gets the code and WeChat\'s browser the page', async () => {
    const link = await issue();
    await server.call('POST', '/sandbox/faults', { body: { wechat_api: { faults: { generate_urllink: { errcode: 45009 } } } } });

    const phone = await open(link.code, PHONE_USER_AGENT);
    const wechat = await open(link.code, WECHAT_USER_AGENT);
    const phoneHtml = await phone.text();

    expect(phone.status).toBe(200);
    expect(buttonHref(phoneHtml)).toBeUndefined();
    expect(imageSrc(phoneHtml)).toBe(`/p/${link.code}/qr.png`);
    expect(wechat.status).toBe(200);
    expect(imageSrc(await wechat.text())).toBe(`/p/${link.code}/qr.png`);
  });
});

describe('the landing page under load', () => {
  it('is limited per IP like the friend view, with an HTML answer and Retry-After, and so is its image', async () => {
    const server = await startTestServer({ RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE: '3' });
    try {
      const shop = await server.newShop();
      const order = await server.newOrder(shop);
      const link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'u1', name: 'Bob' } } })).json;

      const statuses = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await fetch(`${server.url}/p/${link.code}`)).status);
      const limited = await fetch(`${server.url}/p/${link.code}`);
      const limitedImage = await fetch(`${server.url}/p/${link.code}/qr.png`);

      expect(statuses).toEqual([200, 200, 200]);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('content-type')).toContain('text/html');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.text()).toContain('Too many requests');
      expect(limitedImage.status).toBe(429);
    } finally {
      await server.stop();
    }
  });
});
