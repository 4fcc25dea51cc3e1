// The friend's pay page, one screen at a time: rendered with Taro's React components in jsdom,
// with the network served by the Taro double's fake server.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import PayPage from '../../miniprogram/src/pages/pay/index';
import { createdPayment, friendView, ok, paymentView, problem, SERVER_TIME, TOKEN, type FriendViewOverrides } from './support/fixtures';
import { taro, type FakeAnswer } from './support/taro-double';

const globals = globalThis as unknown as { SANDBOX: boolean };

function serveLink(answer: FakeAnswer = ok(friendView())): void {
  taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, answer);
}

function serveView(overrides: FriendViewOverrides): void {
  serveLink(ok(friendView(overrides)));
}

/** The sandbox login simulator and `POST /v1/sessions`. */
function serveLogin(): void {
  taro.server.on('POST', /^\/sandbox\/wx\/login$/, (request) => ok({ code: 'sandbox-code', openid: (request.body as { openid?: string }).openid ?? 'random-friend' }));
  taro.server.on('POST', /^\/v1\/sessions$/, ok({ session_token: 'session-token-1', expires_in: 7200, user: 'san***d-a' }, 201));
}

function renderPayPage(params: Record<string, string> = { t: TOKEN }): void {
  taro.router.params = params;
  render(<PayPage />);
}

/** A deferred answer: the request stays in flight until the test resolves it. */
function deferred(): { answer: Promise<FakeAnswer>; resolve: (answer: FakeAnswer) => void } {
  let resolve: (answer: FakeAnswer) => void = () => undefined;
  const answer = new Promise<FakeAnswer>((done) => {
    resolve = done;
  });
  return { answer, resolve };
}

async function pressPay(): Promise<void> {
  fireEvent.click(await screen.findByTestId('pay-button'));
}

describe('pay page: opening a link', () => {
  it('shows the loading screen while the link is being read', async () => {
    const pending = deferred();
    serveLink();
    taro.server.on('GET', /^\/v1\/pay\//, () => pending.answer);
    renderPayPage();
    expect(screen.getByTestId('screen-loading').textContent).toContain('加载中');
    pending.resolve(ok(friendView()));
    expect(await screen.findByTestId('screen-active')).toBeTruthy();
  });

  it('shows who asks, the shop, the items with pictures, the amount, a live countdown and the fraud warning', async () => {
    serveLink();
    renderPayPage();
    const active = await screen.findByTestId('screen-active');
    expect(within(active).getByTestId('requester').textContent).toBe('张* 请你帮忙付款');
    expect(within(active).getByText('“帮我付一下咖啡豆，谢谢！”')).toBeTruthy();
    expect(within(active).getByTestId('shop-name').textContent).toBe('好物小店 Demo Shop');
    expect(within(active).getByText('云南小粒咖啡豆 250g')).toBeTruthy();
    expect(within(active).getByText('¥11.34')).toBeTruthy();
    expect(active.querySelector('img')?.getAttribute('src')).toBe('https://img.test/beans.png');
    expect(within(active).getByTestId('amount-due').textContent).toBe('¥12.34');
    expect(within(active).getByTestId('fraud-warning').textContent).toContain('谨防诈骗');
    expect(within(active).getByTestId('pay-button').textContent).toBe('确认付款 ¥12.34');
  });

  it('shows each line as unit price × quantity with its line total, the rule the landing page uses', async () => {
    serveView({ order: { amount_total: 8900, amount_due: 8900, items: [{ title: '咖啡豆', quantity: 2, unit_price: 4400 }, { title: '包装费', quantity: 1, unit_price: 100 }] } });
    renderPayPage();
    const active = await screen.findByTestId('screen-active');
    const line = within(active).getByText('咖啡豆').closest('.item');
    expect(line?.textContent).toContain('¥44.00 × 2');
    expect(line?.textContent).toContain('¥88.00');
  });

  it('counts down to the expiry by the server clock, not the phone clock', async () => {
    // The server says 08:00 and the link ends 09:30; this machine's clock is years away.
    serveLink();
    renderPayPage();
    const countdown = await screen.findByTestId('countdown');
    expect(countdown.textContent).toMatch(/^01:(30:00|29:5\d)$/);
    await waitFor(() => expect(countdown.textContent).toMatch(/^01:29:5\d$/), { timeout: 2500 });
  });

  it('shows days in a long countdown', async () => {
    serveView({ link: { expires_at: '2030-05-03T09:00:00.000Z' } });
    renderPayPage();
    expect((await screen.findByTestId('countdown')).textContent).toMatch(/^2天 0(1:00:00|0:59:5\d)$/);
  });

  it('speaks English when the system language is English', async () => {
    taro.language = 'en';
    serveLink();
    renderPayPage();
    const active = await screen.findByTestId('screen-active');
    expect(within(active).getByTestId('requester').textContent).toBe('张* asks you to pay');
    expect(within(active).getByTestId('pay-button').textContent).toBe('Pay ¥12.34');
    expect(within(active).getByTestId('fraud-warning').textContent).toContain('Beware of scams');
    expect(taro.titles).toEqual(['Pay for a friend']);
  });

  it('reads the link from a mini program code (scene, URI-encoded) and from code=', async () => {
    serveLink();
    renderPayPage({ scene: encodeURIComponent('lnk_AbC.xyz-12') });
    await screen.findByTestId('screen-active');
    expect(taro.server.sent('GET', /^\/v1\/pay\//)[0]?.path).toBe('/v1/pay/lnk_AbC.xyz-12');
  });

  it('reads the link from a plain-link QR scanned in WeChat (q = the encoded landing URL)', async () => {
    serveLink();
    renderPayPage({ q: encodeURIComponent('https://pay.example.com/p/lnk_AbC.xyz-12'), scancode_time: '1764650000' });
    await screen.findByTestId('screen-active');
    expect(taro.server.sent('GET', /^\/v1\/pay\//)[0]?.path).toBe('/v1/pay/lnk_AbC.xyz-12');
  });

  it('shows the invalid screen for a q that is not a link URL, without asking the server', async () => {
    renderPayPage({ q: encodeURIComponent('https://evil.example.com/somewhere/else') });
    await screen.findByTestId('screen-invalid');
    expect(taro.server.sent('GET', /^\/v1\/pay\//)).toHaveLength(0);
  });

  it('asks the server with the friend session it already has, so the page knows their payments', async () => {
    taro.storage.set('friend-pay:sessions', { 'sandbox-friend-a': { token: 'kept-session', renewAt: Date.now() + 60_000, user: 'san***d-a' } });
    taro.storage.set('friend-pay:sandbox-friend', 'sandbox-friend-a');
    serveLink();
    renderPayPage();
    await screen.findByTestId('screen-active');
    expect(taro.server.sent('GET', /^\/v1\/pay\//)[0]?.headers.authorization).toBe('Bearer kept-session');
  });

  it('lets the friend forward the link with a share card', async () => {
    serveLink();
    renderPayPage();
    await screen.findByTestId('screen-active');
    expect(taro.share?.()).toEqual({ title: '张* 请你帮忙付款：¥12.34', path: `/pages/pay/index?t=${TOKEN}` });
  });
});

describe('pay page: group mode', () => {
  const group: FriendViewOverrides = {
    link: { mode: 'group' },
    order: { amount_total: 10_000, amount_paid: 2500, amount_due: 7500 },
    contributions: [{ payer: 'oAb***xyz', amount: 2500, paid_at: '2030-05-01T07:30:00.000Z' }],
  };

  it('shows progress, one-tap amounts, a custom amount and who paid', async () => {
    serveView(group);
    renderPayPage();
    const active = await screen.findByTestId('screen-active');
    const progress = within(active).getByTestId('group-progress');
    expect(progress.textContent).toContain('已付 ¥25.00 / 共 ¥100.00');
    expect(progress.textContent).toContain('还差 ¥75.00');
    expect((progress.querySelector('.progress__bar') as HTMLElement).style.width).toBe('25%');
    expect(within(active).getByTestId('quick-amount-7500').textContent).toBe('全部剩余 ¥75.00');
    expect(within(active).getByTestId('quick-amount-3750').textContent).toBe('¥37.50');
    expect(within(active).getByTestId('quick-amount-1000').textContent).toBe('¥10.00');
    expect(within(active).getByTestId('contributors').textContent).toContain('oAb***xyz');
    expect(within(active).getByTestId('contributors').textContent).toContain('¥25.00');
    expect(within(active).getByTestId('pay-button').textContent).toBe('确认付款 ¥75.00');
  });

  it('pays the amount the friend picks or types', async () => {
    serveView(group);
    renderPayPage();
    fireEvent.click(await screen.findByTestId('quick-amount-1000'));
    expect(screen.getByTestId('pay-button').textContent).toBe('确认付款 ¥10.00');
    const input = screen.getByTestId('custom-amount');
    fireEvent.input(input, { target: { value: '12.5' } });
    expect(screen.getByTestId('pay-button').textContent).toBe('确认付款 ¥12.50');

    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment({ amount: 1250 }), 201));
    await pressPay();
    await screen.findByTestId('sandbox-pay-sheet');
    expect(taro.server.sent('POST', /\/payments$/)[0]?.body).toEqual({ amount: 1250 });
  });

  it('refuses an amount above what remains', async () => {
    serveView(group);
    renderPayPage();
    fireEvent.input(await screen.findByTestId('custom-amount'), { target: { value: '80' } });
    expect(screen.getByText('请输入 ¥0.01 到 ¥75.00 之间的金额')).toBeTruthy();
    expect(screen.getByTestId('pay-button').className).toContain('disabled');
  });

  it('offers only what other friends are not already paying', async () => {
    serveView({ ...group, order: { amount_total: 10_000, amount_paid: 2500, amount_due: 7500, amount_reserved: 5000 } });
    renderPayPage();
    expect((await screen.findByTestId('pay-button')).textContent).toBe('确认付款 ¥25.00');
  });
});

describe('pay page: paying in the sandbox pay sheet', () => {
  it('logs in while the friend reads, so the tap on pay costs one request before the pay sheet', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    renderPayPage();
    await screen.findByTestId('screen-active');
    await waitFor(() => expect(taro.server.sent('POST', /^\/v1\/sessions$/)).toHaveLength(1));
    const beforeTap = taro.server.requests.length;
    await pressPay();
    await screen.findByTestId('sandbox-pay-sheet');
    expect(taro.server.requests.slice(beforeTap).map((request) => `${request.method} ${request.path}`)).toEqual([`POST /v1/pay/${TOKEN}/payments`]);
    expect(taro.server.sent('POST', /^\/v1\/sessions$/)).toHaveLength(1);
  });

  it('a tap while the page is still logging in waits for that login instead of starting another', async () => {
    serveLink();
    serveLogin();
    const session = deferred();
    taro.server.on('POST', /^\/v1\/sessions$/, () => session.answer);
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    renderPayPage();
    await pressPay();
    session.resolve(ok({ session_token: 'session-token-1', expires_in: 7200, user: 'san***d-a' }, 201));
    await screen.findByTestId('sandbox-pay-sheet');
    expect(taro.server.sent('POST', /^\/v1\/sessions$/)).toHaveLength(1);
    expect(taro.server.sent('POST', /^\/sandbox\/wx\/login$/)).toHaveLength(1);
  });

  it('sends the name the friend gives (trimmed) with the payment, and keeps it for the next link', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    renderPayPage();
    fireEvent.input(await screen.findByTestId('payer-name'), { target: { value: '  小李 ' } });
    expect(screen.getByText('会告诉 张* 是谁帮忙付的')).toBeTruthy();
    await pressPay();
    await screen.findByTestId('sandbox-pay-sheet');
    expect(taro.server.sent('POST', /\/payments$/)[0]?.body).toEqual({ payer_name: '小李' });
    expect(taro.storage.get('friend-pay:payer-name')).toBe('  小李 ');
  });

  it('logs in, opens a payment with an idempotency key, and shows the paying screen until the sheet opens', async () => {
    serveLink();
    serveLogin();
    const pending = deferred();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, () => pending.answer);
    renderPayPage();
    await pressPay();
    expect(await screen.findByTestId('screen-paying')).toBeTruthy();
    await waitFor(() => expect(taro.server.sent('POST', /\/payments$/)).toHaveLength(1));
    const create = taro.server.sent('POST', /\/payments$/)[0];
    expect(create?.path).toBe(`/v1/pay/${TOKEN}/payments`);
    expect(create?.headers.authorization).toBe('Bearer session-token-1');
    expect(create?.headers['idempotency-key']).toMatch(/^[\x21-\x7e]{8,128}$/);
    expect(create?.body).toEqual({});
    pending.resolve(ok(createdPayment(), 201));
    const sheet = await screen.findByTestId('sandbox-pay-sheet');
    expect(sheet.textContent).toContain('¥12.34');
    expect(sheet.textContent).toContain('好物小店 Demo Shop');
  });

  it('confirms in the sheet, waits for confirmation, then shows paid by you with a receipt and, outside WeChat, a line to copy for the friend', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    taro.server.on('POST', /^\/sandbox\/wechatpay\/pay$/, ok({ out_trade_no: 'o1', trade_state: 'SUCCESS', transaction_id: '42', notification_id: 'n1' }));
    const confirmation = deferred();
    taro.server.on('GET', /^\/v1\/payments\/pay_1$/, () => confirmation.answer);
    renderPayPage();
    await pressPay();
    fireEvent.click(await screen.findByTestId('sheet-confirm'));

    expect((await screen.findByTestId('screen-waiting')).textContent).toContain('正在确认支付结果');
    expect(taro.server.sent('POST', /^\/sandbox\/wechatpay\/pay$/)[0]?.body).toEqual({ prepay_id: 'wx_prepay_1', openid: 'sandbox-friend-a', outcome: 'success' });

    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, my_payments: [paymentView({ status: 'paid', paid_at: '2030-05-01T08:01:00.000Z' })] });
    confirmation.resolve(ok(paymentView({ status: 'paid', paid_at: '2030-05-01T08:01:00.000Z' })));
    const paid = await screen.findByTestId('screen-paid-by-you');
    expect(paid.textContent).toContain('付款成功');
    expect(paid.textContent).toContain('你已帮 张* 付款 ¥12.34');
    // The receipt: shop, items, amount, China time, WeChat's transaction number, who was told.
    const receipt = within(paid).getByTestId('receipt');
    expect(within(receipt).getByTestId('receipt-shop').textContent).toBe('好物小店 Demo Shop');
    expect(receipt.textContent).toContain('云南小粒咖啡豆 250g');
    expect(within(receipt).getByTestId('receipt-amount').textContent).toBe('¥12.34');
    expect(within(receipt).getByTestId('receipt-time').textContent).toBe('2030-05-01 16:01:00（北京时间）');
    expect(within(receipt).getByTestId('receipt-transaction').textContent).toBe('4200000001202605011234567890');
    expect(within(receipt).getByTestId('receipt-notified').textContent).toBe('已通知 张*');
    // This is the H5 build (a browser): no WeChat chat to share to, so it says so and offers a copy.
    expect(within(paid).queryByTestId('share-back')).toBeNull();
    expect(within(paid).getByTestId('share-back-outside-wechat').textContent).toContain('在微信里打开时');
    fireEvent.click(within(paid).getByTestId('copy-for-them'));
    await waitFor(() => expect(taro.clipboard).toEqual(['我已帮你付好了：¥12.34 · 好物小店 Demo Shop']));
    expect(taro.toasts).toContain('已复制');
    expect(taro.share?.()).toEqual({ title: '我已帮你付好了：¥12.34', path: `/pages/pay/index?t=${TOKEN}` });
  });

  it('keeps asking with backoff while the payment is still open', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    taro.server.on('POST', /^\/sandbox\/wechatpay\/pay$/, ok({ out_trade_no: 'o1', trade_state: 'SUCCESS', transaction_id: '42', notification_id: 'n1' }));
    let polls = 0;
    taro.server.on('GET', /^\/v1\/payments\/pay_1$/, () => {
      polls += 1;
      return ok(paymentView({ status: polls < 3 ? 'created' : 'paid' }));
    });
    renderPayPage();
    await pressPay();
    fireEvent.click(await screen.findByTestId('sheet-confirm'));
    await screen.findByTestId('screen-waiting');
    await screen.findByTestId('screen-paid-by-you', undefined, { timeout: 4000 });
    expect(polls).toBe(3);
  });

  it('cancelling in the sheet releases the link at once and goes back to the pay screen', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    taro.server.on('POST', /^\/sandbox\/wechatpay\/pay$/, ok({ out_trade_no: 'o1', trade_state: 'NOTPAY', transaction_id: null, notification_id: null }));
    taro.server.on('POST', /^\/v1\/payments\/pay_1\/cancel$/, ok(paymentView({ status: 'closed' })));
    renderPayPage();
    await pressPay();
    fireEvent.click(await screen.findByTestId('sheet-cancel'));
    expect((await screen.findByTestId('notice')).textContent).toBe('已取消付款');
    expect(screen.getByTestId('screen-active')).toBeTruthy();
    expect(taro.server.sent('POST', /^\/sandbox\/wechatpay\/pay$/)[0]?.body).toMatchObject({ outcome: 'cancel' });
    expect(taro.server.sent('POST', /^\/v1\/payments\/pay_1\/cancel$/)[0]?.headers.authorization).toBe('Bearer session-token-1');
  });

  it('a failed payment is released too, and the friend may try again with a new attempt', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    taro.server.on('POST', /^\/sandbox\/wechatpay\/pay$/, ok({ out_trade_no: 'o1', trade_state: 'PAYERROR', transaction_id: null, notification_id: null }));
    taro.server.on('POST', /^\/v1\/payments\/pay_1\/cancel$/, ok(paymentView({ status: 'closed' })));
    renderPayPage();
    await pressPay();
    fireEvent.click(await screen.findByTestId('sheet-fail'));
    expect((await screen.findByTestId('notice')).textContent).toBe('支付没有成功，请重试');
    expect(taro.server.sent('POST', /\/cancel$/)).toHaveLength(1);

    await pressPay();
    await screen.findByTestId('sandbox-pay-sheet');
    const [first, second] = taro.server.sent('POST', /\/payments$/);
    expect(second?.headers['idempotency-key']).not.toBe(first?.headers['idempotency-key']);
  });

  it('retries a dropped request with the same idempotency key, so it cannot pay twice', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, 'network-error');
    renderPayPage();
    await pressPay();
    expect((await screen.findByTestId('screen-network')).textContent).toContain('网络不给力');
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    fireEvent.click(screen.getByTestId('retry-button'));
    await pressPay();
    await screen.findByTestId('sandbox-pay-sheet');
    const [first, second] = taro.server.sent('POST', /\/payments$/);
    expect(second?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
  });

  it('logs in again when the server no longer accepts the session', async () => {
    taro.storage.set('friend-pay:sessions', { 'sandbox-friend-a': { token: 'stale', renewAt: Date.now() + 60_000, user: 'x' } });
    taro.storage.set('friend-pay:sandbox-friend', 'sandbox-friend-a');
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, (request) =>
      request.headers.authorization === 'Bearer stale' ? problem('SESSION_INVALID') : ok(createdPayment(), 201),
    );
    renderPayPage();
    await pressPay();
    await screen.findByTestId('sandbox-pay-sheet');
    expect(taro.server.sent('POST', /^\/sandbox\/wx\/login$/)[0]?.body).toEqual({ openid: 'sandbox-friend-a' });
  });

  it('pays as the friend the page was opened for (?friend=), so two tabs can be two friends', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    renderPayPage({ t: TOKEN, friend: 'sandbox-friend-b' });
    await pressPay();
    await screen.findByTestId('sandbox-pay-sheet');
    expect(taro.server.sent('POST', /^\/sandbox\/wx\/login$/)[0]?.body).toEqual({ openid: 'sandbox-friend-b' });
  });
});

describe('pay page: production builds', () => {
  it('logs in with WeChat and pays in WeChat’s own sheet with the server’s parameters', async () => {
    globals.SANDBOX = false;
    serveLink();
    taro.server.on('POST', /^\/v1\/sessions$/, ok({ session_token: 'wx-session', expires_in: 7200, user: 'oUp***S6o' }, 201));
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok({ ...createdPayment(), sandbox: undefined }, 201));
    taro.server.on('GET', /^\/v1\/payments\/pay_1$/, ok(paymentView({ status: 'paid' })));
    renderPayPage();
    await pressPay();
    await screen.findByTestId('screen-paid-by-you');
    expect(taro.logins).toBe(1);
    expect(taro.server.sent('POST', /^\/v1\/sessions$/)[0]?.body).toEqual({ code: 'wx-code-1' });
    expect(taro.server.sent('POST', /^\/sandbox\//)).toHaveLength(0);
    expect(taro.payments[0]).toMatchObject({ timeStamp: '1903939200', nonceStr: 'n0nce', package: 'prepay_id=wx_prepay_1', signType: 'RSA', paySign: 'c2lnbg==' });
  });

  it('closing WeChat’s sheet cancels the payment on the server', async () => {
    globals.SANDBOX = false;
    taro.paymentOutcome = 'cancel';
    serveLink();
    taro.server.on('POST', /^\/v1\/sessions$/, ok({ session_token: 'wx-session', expires_in: 7200, user: 'oUp***S6o' }, 201));
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, ok(createdPayment(), 201));
    taro.server.on('POST', /^\/v1\/payments\/pay_1\/cancel$/, ok(paymentView({ status: 'closed' })));
    renderPayPage();
    await pressPay();
    expect((await screen.findByTestId('notice')).textContent).toBe('已取消付款');
    expect(taro.server.sent('POST', /\/cancel$/)[0]?.headers.authorization).toBe('Bearer wx-session');
  });
});

describe('pay page: every other state', () => {
  it('paid by you (reopened later): the view lists the friend’s own paid payment', async () => {
    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, my_payments: [paymentView({ status: 'paid' })] });
    renderPayPage();
    expect((await screen.findByTestId('screen-paid-by-you')).textContent).toContain('你已帮 张* 付款 ¥12.34');
  });

  it('paid by someone else', async () => {
    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, contributions: [{ payer: 'oAb***xyz', amount: 1234, paid_at: '2030-05-01T07:59:00.000Z' }] });
    renderPayPage();
    const screenElement = await screen.findByTestId('screen-paid-by-other');
    expect(screenElement.textContent).toContain('这笔订单已付款');
    expect(within(screenElement).queryByTestId('pay-button')).toBeNull();
  });

  it('expired', async () => {
    serveView({ link: { status: 'expired' } });
    renderPayPage();
    expect((await screen.findByTestId('screen-expired')).textContent).toContain('付款链接已过期');
  });

  it('revoked', async () => {
    serveView({ link: { status: 'revoked' } });
    renderPayPage();
    expect((await screen.findByTestId('screen-revoked')).textContent).toContain('付款链接已撤回');
  });

  it('void, with the refund to this friend when they had paid', async () => {
    const refund = { id: 'rfd_1', amount: 1234, status: 'succeeded' as const, created_at: SERVER_TIME, succeeded_at: SERVER_TIME };
    serveView({ link: { status: 'void' }, my_payments: [paymentView({ status: 'refunded', paid_at: SERVER_TIME, refunded_amount: 1234, refunds: [refund] })] });
    renderPayPage();
    const voided = await screen.findByTestId('screen-void');
    expect(voided.textContent).toContain('订单已失效');
    expect(within(voided).getByTestId('refund-back').textContent).toBe('已退款 ¥12.34 · 原路退回');
    expect(within(voided).queryByTestId('refund-pending')).toBeNull();
  });

  it('paid, then partly refunded: what went back, what is on its way, and what could not go back', async () => {
    const refund = (id: string, amount: number, status: 'succeeded' | 'processing' | 'pending' | 'abnormal' | 'closed') => ({ id, amount, status, created_at: SERVER_TIME, succeeded_at: status === 'succeeded' ? SERVER_TIME : null });
    const refunds = [refund('rfd_1', 200, 'succeeded'), refund('rfd_2', 34, 'processing'), refund('rfd_3', 66, 'pending'), refund('rfd_4', 100, 'abnormal'), refund('rfd_5', 500, 'closed')];
    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0, amount_refunded: 200 }, my_payments: [paymentView({ status: 'refunding', paid_at: SERVER_TIME, refunded_amount: 200, refunds })] });
    renderPayPage();
    const paid = await screen.findByTestId('screen-paid-by-you');
    expect(paid.textContent).toContain('你已帮 张* 付款 ¥12.34');
    expect(within(paid).getByTestId('refund-back').textContent).toBe('已退款 ¥2.00 · 原路退回');
    expect(within(paid).getByTestId('refund-pending').textContent).toBe('退款处理中 · ¥1.00');
    expect(within(paid).getByTestId('refund-stuck').textContent).toContain('¥1.00 未能原路退回');
  });

  it('paid and nothing refunded: no refund note', async () => {
    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, my_payments: [paymentView({ status: 'paid', paid_at: SERVER_TIME })] });
    renderPayPage();
    expect(within(await screen.findByTestId('screen-paid-by-you')).queryByTestId('refund-note')).toBeNull();
  });

  it('invalid link: a bad signature', async () => {
    serveLink(problem('LINK_INVALID'));
    renderPayPage();
    expect((await screen.findByTestId('screen-invalid')).textContent).toContain('付款链接无效');
  });

  it('invalid link: an unknown link', async () => {
    serveLink(problem('LINK_NOT_FOUND'));
    renderPayPage();
    expect(await screen.findByTestId('screen-invalid')).toBeTruthy();
  });

  it('no link in the query at all: no request made, and sandbox builds offer the QA page', async () => {
    renderPayPage({});
    const noLink = await screen.findByTestId('screen-no-link');
    expect(noLink.textContent).toContain('没有付款链接');
    expect(noLink.textContent).toContain('t=<token>');
    fireEvent.click(within(noLink).getByTestId('open-qa'));
    expect(taro.navigations).toEqual(['/pages/dev/index']);
    expect(taro.server.requests).toHaveLength(0);
  });

  it('no link in a production build: says where links come from, with no QA page to offer', async () => {
    globals.SANDBOX = false;
    renderPayPage({});
    const noLink = await screen.findByTestId('screen-no-link');
    expect(noLink.textContent).toContain('要从好友发来的付款链接打开');
    expect(within(noLink).queryByTestId('open-qa')).toBeNull();
  });

  it('busy: another friend got there first, with a retry countdown', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, problem('LINK_BUSY', { retry_after: 30 }));
    renderPayPage();
    await pressPay();
    const busy = await screen.findByTestId('screen-busy');
    expect(busy.textContent).toContain('另一位朋友正在付款');
    expect(within(busy).getByTestId('busy-countdown').textContent).toMatch(/^(30|29) 秒后自动刷新$/);
    await waitFor(() => expect(within(busy).getByTestId('busy-countdown').textContent).toMatch(/^(29|28) 秒后自动刷新$/), { timeout: 2500 });
  });

  it('busy: the view already says a friend is in the pay sheet', async () => {
    serveView({ link: { paying: true } });
    renderPayPage();
    expect((await screen.findByTestId('screen-busy')).textContent).toContain('10 秒后自动刷新');
    serveLink();
    fireEvent.click(screen.getByTestId('retry-now'));
    expect(await screen.findByTestId('screen-active')).toBeTruthy();
  });

  it('a link that was paid meanwhile shows paid, not an error', async () => {
    serveLink();
    serveLogin();
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, problem('LINK_PAID'));
    renderPayPage();
    const button = await screen.findByTestId('pay-button');
    serveView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 } });
    fireEvent.click(button);
    expect(await screen.findByTestId('screen-paid-by-other')).toBeTruthy();
  });

  it('network error, then retry', async () => {
    serveLink('network-error');
    renderPayPage();
    const failed = await screen.findByTestId('screen-network');
    expect(failed.textContent).toContain('网络不给力，请检查网络后重试');
    serveLink();
    fireEvent.click(within(failed).getByTestId('retry-button'));
    expect(await screen.findByTestId('screen-active')).toBeTruthy();
  });

  it('a server error reads as a friendly message, not a code', async () => {
    serveLink(problem('STORE_UNAVAILABLE'));
    renderPayPage();
    expect((await screen.findByTestId('screen-network')).textContent).toContain('服务暂时不可用，请稍后再试');
  });
});
