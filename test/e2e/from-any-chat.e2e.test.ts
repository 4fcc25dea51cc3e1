// From any chat into the pay page, in Chromium against a sandbox server (its WeChat server API
// simulated in-process): the landing page on a phone and on a desktop, the pay page opened by each
// launch query (q, scene, t, code), the poster's code, and the QA page's view of a demo link.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_USER_AGENT, PHONE_USER_AGENT, qrTextOf, sandboxCodeTarget } from '../support/mini-program';
import { startBrowserWorld, type BrowserWorld } from './support/harness';

let world: BrowserWorld;

beforeAll(async () => {
  world = await startBrowserWorld();
});

afterEach(async () => {
  await world.endTest();
});

afterAll(async () => {
  await world?.close();
});

describe('the landing page in a browser', () => {
  it('on a phone: a big "Open in WeChat" button (the URL Link, which opens the pay page) above the mini program code', async () => {
    const demo = await world.createDemo();
    const { page, screenshot } = await world.newPage({ userAgent: PHONE_USER_AGENT });

    await page.goto(demo.link.url);
    const button = page.getByTestId('open-in-wechat');
    await button.waitFor();
    const code = page.locator('img.qr');
    await expect.poll(() => code.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
    await screenshot('landing-phone');

    const box = await button.boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    expect(box?.width).toBeGreaterThan(300);
    expect(await button.textContent()).toBe('在微信中打开 · Open in WeChat');
    expect(await button.getAttribute('href')).toMatch(new RegExp(`^${world.server.url}/sandbox/urllink/\\w+$`));
    const codeBox = await code.boundingBox();
    expect(codeBox?.y).toBeGreaterThan((box?.y ?? 0) + (box?.height ?? 0));
    expect(qrTextOf(await code.screenshot())).toBe(sandboxCodeTarget(world.server.url, demo.link.code));

    await button.click();
    await page.getByTestId('pay-button').waitFor();
    expect(page.url()).toBe(`${world.server.url}/app/#/pages/pay/index?code=${demo.link.code}`);
    expect(await page.getByTestId('amount-due').textContent()).toBe('¥12.34');
  });

  it('on a desktop: the mini program code to scan, which opens the pay page', async () => {
    const demo = await world.createDemo();
    const { page, screenshot } = await world.newPage({ userAgent: DESKTOP_USER_AGENT, viewport: { width: 1280, height: 800 } });

    await page.goto(demo.link.url);
    const code = page.locator('img.qr');
    await expect.poll(() => code.evaluate((image: HTMLImageElement) => image.naturalWidth)).toBeGreaterThan(0);
    await screenshot('landing-desktop');

    expect(await page.getByTestId('open-in-wechat').count()).toBe(0);
    expect(await page.getByText('用微信扫码付款 · Scan in WeChat to pay').count()).toBe(1);
    const scanned = qrTextOf(await code.screenshot());
    expect(scanned).toBe(sandboxCodeTarget(world.server.url, demo.link.code));
    await page.goto(scanned);
    await page.getByTestId('pay-button').waitFor();
    expect(await page.getByTestId('amount-due').textContent()).toBe('¥12.34');
  });

  it('a revoked link: its status, and nothing to open or scan', async () => {
    const demo = await world.createDemo();
    await world.server.call('POST', `/v1/links/${demo.link.id}/revoke`, { key: demo.shop.api_key });
    const { page, screenshot } = await world.newPage({ userAgent: PHONE_USER_AGENT });

    await page.goto(demo.link.url);
    await page.getByText('已撤回 · Withdrawn').waitFor();
    await screenshot('landing-phone-revoked');

    expect(await page.getByTestId('open-in-wechat').count()).toBe(0);
    expect(await page.locator('img.qr').count()).toBe(0);
  });
});

describe('the pay page opened every way a link arrives', () => {
  it.each([
    ['q (a plain-link QR of the url)', (link: { url: string }) => `q=${encodeURIComponent(link.url)}`],
    ['scene (a mini program code)', (link: { code: string }) => `scene=${encodeURIComponent(link.code)}`],
    ['t (a share card)', (link: { token: string }) => `t=${link.token}`],
    ['code (a URL Link)', (link: { code: string }) => `code=${link.code}`],
  ])('with %s', async (way, query) => {
    const demo = await world.createDemo();
    const { page, screenshot } = await world.newPage();

    await page.goto(world.appUrl(`/pages/pay/index?${query(demo.link)}`));
    await page.getByTestId('pay-button').waitFor();

    expect(await page.getByTestId('amount-due').textContent()).toBe('¥12.34');
    expect(await page.getByTestId('shop-name').textContent()).toBe('好物小店 Demo Shop');
    await screenshot(`pay-opened-with-${way.split(' ')[0]}`);
  });
});

describe('the shopper and QA pages', () => {
  it("the share page's poster carries the link's mini program code", async () => {
    const demo = await world.createDemo();
    const { page, screenshot } = await world.newPage();
    await page.goto(world.appUrl(`/pages/share/index?t=${demo.link.token}`));
    await page.getByTestId('make-poster').click();
    const canvas = page.locator('#share-poster canvas');
    await canvas.waitFor();
    await expect.poll(() => page.getByTestId('save-poster').getAttribute('class')).not.toContain('disabled');
    await screenshot('share-poster-code');

    const dataUrl = await canvas.evaluate((element: HTMLCanvasElement) => element.toDataURL('image/png'));
    expect(qrTextOf(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'))).toBe(sandboxCodeTarget(world.server.url, demo.link.code));
  });

  it("the QA page shows the demo link's code image and URL Link, and switches WeChat's code quota", async () => {
    const { page, screenshot } = await world.newPage();
    await page.goto(world.appUrl('/pages/dev/index'));
    await page.getByTestId('screen-dev').waitFor();
    await expect.poll(() => page.getByTestId('clock').textContent()).toMatch(/moved \d+ s/);
    await page.getByTestId('new-demo-single').click();
    await expect.poll(() => page.getByTestId('demo-url-link').textContent()).toMatch(new RegExp(`^${world.server.url}/sandbox/urllink/\\w+$`));
    const image = page.getByTestId('demo-code-image').locator('img');
    await expect.poll(() => image.evaluate((element: HTMLImageElement) => element.naturalWidth)).toBeGreaterThan(0);

    await page.getByTestId('fault-wechat-code-quota').click();
    await expect.poll(() => page.getByTestId('fault-wechat-code-quota').textContent()).toBe('ON');
    await page.getByTestId('demo-wechat').scrollIntoViewIfNeeded();
    await screenshot('dev-from-any-chat');
    await page.getByTestId('revoke-access-tokens').scrollIntoViewIfNeeded();
    await screenshot('dev-wechat-faults');
    const revoke = await page.getByTestId('revoke-access-tokens').boundingBox();
    expect(revoke?.height).toBeGreaterThanOrEqual(44);
    await page.getByTestId('faults-reset').click();
    await expect.poll(() => page.getByTestId('fault-wechat-code-quota').textContent()).toBe('off');
  });
});
