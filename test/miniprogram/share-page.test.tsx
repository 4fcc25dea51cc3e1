// The shopper's share page: preview, share card, copy link, QR poster and live status.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { formatShortTime } from '../../miniprogram/src/format';
import SharePage from '../../miniprogram/src/pages/share/index';
import { friendView, ok, problem, TOKEN, type FriendViewOverrides } from './support/fixtures';
import { taro, type FakeAnswer } from './support/taro-double';

function serveLink(answer: FakeAnswer = ok(friendView())): void {
  taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, answer);
}

function serveView(overrides: FriendViewOverrides): void {
  serveLink(ok(friendView(overrides)));
}

function renderSharePage(params: Record<string, string> = { t: TOKEN }): void {
  taro.router = { params, path: '/pages/share/index' };
  render(<SharePage />);
}

const PAY_PAGE_URL = `https://api.test/app/#/pages/pay/index?t=${TOKEN}`;

describe('share page', () => {
  it('shows the loading screen first', () => {
    taro.server.on('GET', /^\/v1\/pay\//, () => new Promise<FakeAnswer>(() => undefined));
    renderSharePage();
    expect(screen.getByTestId('screen-loading')).toBeTruthy();
  });

  it('previews what the friend will see and waits for a friend', async () => {
    serveLink();
    renderSharePage();
    const page = await screen.findByTestId('screen-share');
    expect(within(page).getByTestId('share-status').textContent).toContain('等待付款');
    expect(page.textContent).toContain('朋友将看到');
    expect(within(page).getByTestId('requester').textContent).toBe('张* 请你帮忙付款');
    expect(within(page).getByTestId('amount-due').textContent).toBe('¥12.34');
    expect(within(page).getByTestId('shop-name').textContent).toBe('好物小店 Demo Shop');
    // The H5 build (a browser) cannot share to a WeChat chat: it says what that button does in WeChat.
    expect(within(page).queryByTestId('share-button')).toBeNull();
    expect(within(page).getByTestId('send-outside-wechat').textContent).toContain('复制链接');
  });

  it('shares a card titled with the amount that opens the pay page', async () => {
    serveLink();
    renderSharePage();
    await screen.findByTestId('screen-share');
    expect(taro.share?.()).toEqual({ title: '帮我付一下：¥12.34', path: `/pages/pay/index?t=${TOKEN}` });
  });

  it('copies the short link the server gives, not the long pay page URL', async () => {
    serveView({ link: { url: 'https://pay.test/p/lnk_1.abc' } });
    renderSharePage();
    fireEvent.click(await screen.findByTestId('copy-link'));
    expect(taro.clipboard).toEqual(['https://pay.test/p/lnk_1.abc']);
    expect(screen.getByTestId('link-url').textContent).toBe('https://pay.test/p/lnk_1.abc');
    expect(taro.clipboard).not.toContain(PAY_PAGE_URL);
  });

  it("draws a poster with the link's mini program code and saves it", async () => {
    serveLink();
    renderSharePage();
    fireEvent.click(await screen.findByTestId('make-poster'));
    const save = await screen.findByTestId('save-poster');
    await waitFor(() => expect(save.className).not.toContain('disabled'));
    const context = taro.canvas?.context;
    expect(context?.texts).toEqual(['张* 请你帮忙付款', '¥12.34', '好物小店 Demo Shop', '微信扫码帮我付款']);
    // The code image WeChat opens, 200 px square under the shop name; no QR modules drawn by hand.
    expect(context?.images).toEqual([{ src: friendView().link.qr_url, at: [50, 156, 200, 200] }]);
    expect(context?.rects).toHaveLength(2);
    // Twice the poster's 375-px-wide screen size at least: 750 px wide when saved.
    expect(taro.canvas?.width).toBeGreaterThanOrEqual(750);
    const downloads: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push({ href: this.href, download: this.download });
    });
    try {
      fireEvent.click(save);
      await waitFor(() => expect(taro.toasts).toContain('海报已保存'));
    } finally {
      click.mockRestore();
    }
    // In a browser the poster downloads under a name that says which shop and order it is for.
    expect(downloads).toEqual([{ href: 'data:image/png;base64,cG9zdGVy', download: '好物小店-Demo-Shop-订单-demo-o123.png' }]);
  });

  it('saves the poster to the album in WeChat under a file named for the shop and order, or WeChat\'s own name when the copy fails', async () => {
    vi.stubEnv('TARO_ENV', 'weapp');
    try {
      for (const copyFails of [false, true]) {
        taro.reset();
        taro.copyFails = copyFails;
        serveLink();
        renderSharePage();
        fireEvent.click(await screen.findByTestId('make-poster'));
        const save = await screen.findByTestId('save-poster');
        await waitFor(() => expect(save.className).not.toContain('disabled'));
        fireEvent.click(save);
        await waitFor(() => expect(taro.toasts).toContain('海报已保存'));
        expect(taro.savedImages).toEqual([copyFails ? 'wxfile://tmp/poster.png' : 'wxfile://usr/好物小店-Demo-Shop-订单-demo-o123.png']);
        expect(taro.copiedFiles).toEqual(copyFails ? [] : ['wxfile://tmp/poster.png -> wxfile://usr/好物小店-Demo-Shop-订单-demo-o123.png']);
        cleanup();
      }
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("falls back to a QR code of the link's URL when the code image cannot be loaded", async () => {
    taro.imagesFail = true;
    serveLink();
    renderSharePage();
    fireEvent.click(await screen.findByTestId('make-poster'));
    const save = await screen.findByTestId('save-poster');
    await waitFor(() => expect(save.className).not.toContain('disabled'));
    expect(taro.imagesLoaded).toEqual([friendView().link.qr_url]);
    expect(taro.canvas?.context.images).toEqual([]);
    // The QR modules: many small dark squares besides the two backgrounds.
    expect(taro.canvas?.context.rects.length).toBeGreaterThan(100);
  });

  it('shows that a friend is paying right now', async () => {
    serveView({ link: { paying: true } });
    renderSharePage();
    expect((await screen.findByTestId('share-status')).textContent).toContain('朋友正在付款');
  });

  it('shows who paid and when, and stops offering to share', async () => {
    const paidAt = '2030-05-01T08:05:00.000Z';
    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, contributions: [{ payer: 'san***d-a', amount: 1234, paid_at: paidAt }] });
    renderSharePage();
    const status = await screen.findByTestId('share-status');
    expect(status.getAttribute('data-status')).toBe('paid');
    expect(status.textContent).toContain('已付款');
    expect(status.textContent).toContain(`san***d-a 于 ${formatShortTime(paidAt)} 付款`);
    expect(screen.queryByTestId('share-actions')).toBeNull();
    // The order's record, not a preview of a pay page friends no longer see, and not "¥0.00 due".
    const page = screen.getByTestId('screen-share');
    expect(page.textContent).toContain('订单明细');
    expect(page.textContent).not.toContain('朋友将看到');
    expect(within(page).getByTestId('amount-paid').textContent).toBe('¥12.34');
    expect(within(page).queryByTestId('amount-due')).toBeNull();
  });

  it('shows the shopper what went back to each friend after a refund or a cancel', async () => {
    const paidAt = '2030-05-01T08:05:00.000Z';
    serveView({
      link: { status: 'void', mode: 'group' },
      order: { amount_total: 1000, amount_paid: 1000, amount_due: 0, amount_refunded: 700 },
      contributions: [
        { payer: 'oAb***xyz', amount: 600, paid_at: paidAt, refunded_amount: 600 },
        { payer: 'oCd***uvw', amount: 400, paid_at: paidAt, refunded_amount: 100 },
        { payer: 'oEf***rst', amount: 0, paid_at: paidAt },
      ],
    });
    renderSharePage();
    const status = await screen.findByTestId('share-status');
    expect(status.textContent).toContain('订单已失效');
    expect(within(status).getAllByTestId('share-refund').map((line) => line.textContent)).toEqual(['已退款 ¥6.00 · 原路退回 oAb***xyz', '已退款 ¥1.00 · 原路退回 oCd***uvw']);
  });

  it('updates live: waiting, then paid, without a reload', async () => {
    serveLink();
    renderSharePage();
    expect((await screen.findByTestId('share-status')).textContent).toContain('等待付款');
    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, contributions: [{ payer: 'san***d-a', amount: 1234, paid_at: '2030-05-01T08:05:00.000Z' }] });
    await waitFor(() => expect(screen.getByTestId('share-status').getAttribute('data-status')).toBe('paid'), { timeout: 5000 });
    const polls = taro.server.sent('GET', /^\/v1\/pay\//).length;
    // Paid is final: no more polling.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(taro.server.sent('GET', /^\/v1\/pay\//)).toHaveLength(polls);
  });

  it('group mode: progress and every contribution', async () => {
    serveView({
      link: { mode: 'group' },
      order: { amount_total: 10_000, amount_paid: 4000, amount_due: 6000 },
      contributions: [
        { payer: 'oAb***xyz', amount: 2500, paid_at: '2030-05-01T07:30:00.000Z' },
        { payer: 'oCd***uvw', amount: 1500, paid_at: '2030-05-01T07:40:00.000Z' },
      ],
    });
    renderSharePage();
    const page = await screen.findByTestId('screen-share');
    expect(within(page).getByTestId('group-progress').textContent).toContain('已付 ¥40.00 / 共 ¥100.00');
    expect(within(page).getByTestId('contributors').textContent).toContain('oCd***uvw');
  });

  it('expired', async () => {
    serveView({ link: { status: 'expired' } });
    renderSharePage();
    expect((await screen.findByTestId('share-status')).textContent).toContain('链接已过期');
    expect(screen.queryByTestId('share-actions')).toBeNull();
  });

  it('revoked', async () => {
    serveView({ link: { status: 'revoked' } });
    renderSharePage();
    expect((await screen.findByTestId('share-status')).textContent).toContain('链接已撤回');
  });

  it('void (order cancelled or paid elsewhere)', async () => {
    serveView({ link: { status: 'void' } });
    renderSharePage();
    expect((await screen.findByTestId('share-status')).textContent).toContain('订单已失效');
  });

  it('an invalid token', async () => {
    serveLink(problem('LINK_INVALID'));
    renderSharePage();
    expect(await screen.findByTestId('screen-invalid')).toBeTruthy();
  });

  it('no token at all', () => {
    renderSharePage({});
    expect(screen.getByTestId('screen-invalid')).toBeTruthy();
  });

  it('network error, then retry', async () => {
    serveLink('network-error');
    renderSharePage();
    const retry = await screen.findByTestId('retry-button');
    serveLink();
    fireEvent.click(retry);
    expect(await screen.findByTestId('screen-share', undefined, { timeout: 4000 })).toBeTruthy();
  });

  it('speaks English when the system language is English', async () => {
    taro.language = 'en-US';
    serveLink();
    renderSharePage();
    expect((await screen.findByTestId('share-status')).textContent).toContain('Waiting for payment');
    expect(taro.share?.()).toEqual({ title: 'Please pay this for me: ¥12.34', path: `/pages/pay/index?t=${TOKEN}` });
  });
});
