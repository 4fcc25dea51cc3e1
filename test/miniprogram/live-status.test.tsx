// Live status in the chat, in the pages: the shopper's share page (opened with the shopper token)
// binds, shares an updatable or private card and asks for notifications after a tap; the pay page
// proves a private card was sent to this friend, refuses a forwarded one, and offers refund
// notifications after paying.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ActivityResponse, CardView } from '../../shared/api-types';
import PayPage from '../../miniprogram/src/pages/pay/index';
import SharePage from '../../miniprogram/src/pages/share/index';
import { friendView, ok, paymentView, problem, SHOPPER_TOKEN, shopperViewOf, TOKEN } from './support/fixtures';
import { taro } from './support/taro-double';

const globals = globalThis as unknown as { SANDBOX: boolean };

const ACTIVITY: ActivityResponse = {
  activity_id: '1193_activity',
  expires_at: '2030-05-02T08:00:00.000Z',
  audience: 'group',
  template_info: { parameter_list: [{ name: 'member_count', value: '1' }, { name: 'room_limit', value: '3' }] },
};

function card(overrides: Partial<CardView> = {}): CardView {
  return { activity_id: ACTIVITY.activity_id, audience: 'group', expires_at: ACTIVITY.expires_at, state: 0, member_count: 1, room_limit: 3, pending_updates: 0, ...overrides };
}

/** A production build inside WeChat: `wx.login`, WeChat's own share menu and prompts. */
function inWechatProduction(): void {
  globals.SANDBOX = false;
  taro.env = 'WEAPP';
  taro.server.on('POST', /^\/v1\/sessions$/, ok({ session_token: 'session-token-1', expires_in: 7200, user: 'o_s***per' }, 201));
}

function serveShopper(view = shopperViewOf({ link: { mode: 'group' }, card: card() })): void {
  taro.server.on('GET', /^\/v1\/share\/[^/]+$/, ok(view));
  taro.server.on('POST', /^\/v1\/share\/[^/]+\/session$/, ok({ bound: true, bound_at: '2030-05-01T08:00:00.000Z' }));
  taro.server.on('POST', /^\/v1\/share\/[^/]+\/activity$/, ok(ACTIVITY));
  taro.server.on('POST', /^\/v1\/subscriptions$/, (request) => {
    const { templates } = request.body as { templates: { id: string; result: string }[] };
    return ok({ subscriptions: templates.filter((template) => template.result === 'accept').map((template, index) => ({ id: `sub_${index}`, template_id: template.id, kind: 'friend_paid' })) }, 201);
  });
}

function renderShare(params: Record<string, string> = { s: SHOPPER_TOKEN }): void {
  taro.router = { params, path: '/pages/share/index' };
  render(<SharePage />);
}

describe('share page, opened by the shopper', () => {
  it('binds the shopper and makes the next share an updatable card of the link, with its count', async () => {
    inWechatProduction();
    serveShopper();
    renderShare();
    await waitFor(() => expect(taro.shareMenus).toHaveLength(1));
    expect(taro.shareMenus[0]).toEqual({
      withShareTicket: true,
      isUpdatableMessage: true,
      activityId: '1193_activity',
      templateInfo: { parameterList: [{ name: 'member_count', value: '1' }, { name: 'room_limit', value: '3' }] },
    });
    expect(taro.server.sent('POST', /^\/v1\/share\/[^/]+\/session$/)[0]?.headers.authorization).toBe('Bearer session-token-1');
    expect(taro.server.sent('POST', /^\/v1\/share\/[^/]+\/activity$/)[0]?.path).toBe(`/v1/share/${SHOPPER_TOKEN}/activity`);
    // The card is the pay link's: the shopper token never goes into a friend's card.
    expect(taro.share?.()).toEqual({ title: '帮我付一下：¥12.34', path: `/pages/pay/index?t=${TOKEN}` });
    expect((await screen.findByTestId('chat-card-state')).textContent).toBe('已有 1/3 位朋友付款');
  });

  it('shares a private link as a private message, and says so', async () => {
    inWechatProduction();
    serveShopper(shopperViewOf({ audience: 'private', card: null }));
    taro.server.on('POST', /^\/v1\/share\/[^/]+\/activity$/, ok({ ...ACTIVITY, audience: 'private' }));
    renderShare();
    await waitFor(() => expect(taro.shareMenus).toHaveLength(1));
    expect(taro.shareMenus[0]).toMatchObject({ isPrivateMessage: true, isUpdatableMessage: true, withShareTicket: true, activityId: '1193_activity' });
    expect((await screen.findByTestId('private-note')).textContent).toBe('私密链接：只有你直接发给的好友可以付款');
    expect(screen.getByTestId('chat-card').textContent).toContain('还没有分享到聊天');
  });

  it('asks for notifications only after a tap, and records what the shopper accepted', async () => {
    inWechatProduction();
    serveShopper();
    renderShare();
    const button = await screen.findByTestId('notify-button');
    await waitFor(() => expect(taro.shareMenus).toHaveLength(1));
    expect(taro.subscribeRequests).toEqual([]);
    fireEvent.click(button);
    await waitFor(() => expect(taro.server.sent('POST', /^\/v1\/subscriptions$/)).toHaveLength(1));
    expect(taro.subscribeRequests).toEqual([['tpl-friend-paid', 'tpl-link-expiring']]);
    expect(taro.server.sent('POST', /^\/v1\/subscriptions$/)[0]?.body).toEqual({
      link: SHOPPER_TOKEN,
      templates: [{ id: 'tpl-friend-paid', result: 'accept' }, { id: 'tpl-link-expiring', result: 'accept' }],
    });
    await waitFor(() => expect(screen.getByTestId('notify-button').textContent).toBe('已开启通知'));
  });

  it('asks for a new card when the one it shares is about to expire', async () => {
    inWechatProduction();
    serveShopper();
    const answers = [{ ...ACTIVITY, activity_id: 'old', expires_at: '2030-05-01T08:05:00.000Z' }, { ...ACTIVITY, activity_id: 'new' }];
    taro.server.on('POST', /^\/v1\/share\/[^/]+\/activity$/, () => ok(answers.shift() ?? ACTIVITY));
    renderShare();
    await waitFor(() => expect(taro.shareMenus.map((menu) => menu['activityId'])).toEqual(['old', 'new']));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(taro.server.sent('POST', /^\/v1\/share\/[^/]+\/activity$/)).toHaveLength(2);
  });

  it('lets a WeChat user who is not the shopper look, but not share', async () => {
    inWechatProduction();
    serveShopper();
    taro.server.on('POST', /^\/v1\/share\/[^/]+\/session$/, problem('SHOPPER_BOUND'));
    renderShare();
    expect((await screen.findByTestId('shopper-bound')).textContent).toContain('另一位微信用户');
    expect(screen.queryByTestId('share-actions')).toBeNull();
    expect(taro.server.sent('POST', /^\/v1\/share\/[^/]+\/activity$/)).toEqual([]);
  });

  it('shows the finished card, and in the sandbox what the simulated chat shows', async () => {
    serveShopper(shopperViewOf({ link: { mode: 'group', status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, card: card({ state: 1, member_count: 3 }) }));
    taro.server.on('GET', /^\/sandbox\/cards\//, ok({ link_id: 'lnk_1', cards: [{ activityId: ACTIVITY.activity_id, state: 1, memberCount: 3, roomLimit: 3, text: '已开始', expired: false }] }));
    renderShare();
    const chatCard = await screen.findByTestId('chat-card');
    expect(chatCard.getAttribute('data-state')).toBe('1');
    expect(within(chatCard).getByTestId('chat-card-state').textContent).toBe('已结束 · 已有 3/3 位朋友付款');
    expect((await screen.findByTestId('sandbox-card')).textContent).toBe('沙箱聊天中显示：已开始');
    expect(taro.shareMenus).toEqual([]);
  });
});

function renderPay(params: Record<string, string> = { t: TOKEN }): void {
  taro.router = { params, path: '/pages/pay/index' };
  render(<PayPage />);
}

describe('pay page, private links', () => {
  it('refuses a friend who came without the card (copied or forwarded link): no pay button', async () => {
    inWechatProduction();
    taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, ok(friendView({ link: { audience: 'private', private_proof: false } })));
    renderPay();
    const refused = await screen.findByTestId('screen-private');
    expect(refused.textContent).toContain('这是发给特定好友的付款请求');
    expect(screen.queryByTestId('pay-button')).toBeNull();
    expect(taro.privateMessageTickets).toEqual([]);
  });

  it('proves a card sent to this friend with wx.authPrivateMessage, then offers to pay', async () => {
    inWechatProduction();
    taro.enterOptions = { path: 'pages/pay/index', query: { t: TOKEN }, shareTicket: 'ticket-1' };
    let proved = false;
    taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, () => ok(friendView({ link: { audience: 'private', private_proof: proved } })));
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/private-proof$/, () => {
      proved = true;
      return { status: 204 };
    });
    renderPay();
    expect(await screen.findByTestId('pay-button')).toBeTruthy();
    expect(taro.privateMessageTickets).toEqual(['ticket-1']);
    const proof = taro.server.sent('POST', /\/private-proof$/)[0];
    expect(proof?.body).toEqual({ valid: true, encrypted_data: 'ZW5jcnlwdGVk', iv: 'aXZpdml2aXZpdml2aXZpdg==' });
    expect(proof?.headers.authorization).toBe('Bearer session-token-1');
    expect(screen.getByTestId('private-note').textContent).toBe('这是发给特定好友的付款请求');
  });

  it('shows the refusal when the server does not accept the proof (a forwarded card)', async () => {
    inWechatProduction();
    taro.enterOptions = { path: 'pages/pay/index', query: { t: TOKEN }, shareTicket: 'forwarded-ticket' };
    taro.privateMessage = { valid: false, encryptedData: 'bm8tYWN0aXZpdHk=', iv: 'aXZpdml2aXZpdml2aXZpdg==' };
    taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, ok(friendView({ link: { audience: 'private', private_proof: false } })));
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/private-proof$/, problem('PRIVATE_LINK'));
    renderPay();
    expect((await screen.findByTestId('screen-private')).textContent).toContain('只有收到好友直接分享的人可以付款');
  });

  it('sandbox builds prove with the simulated chat, as the friend the page was opened as', async () => {
    taro.router.params = {};
    taro.server.on('POST', /^\/sandbox\/wx\/login$/, (request) => ok({ code: 'sandbox-code', openid: (request.body as { openid?: string }).openid ?? 'random' }));
    taro.server.on('POST', /^\/v1\/sessions$/, ok({ session_token: 'session-token-1', expires_in: 7200, user: 'san***d-b' }, 201));
    taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, ok(friendView({ link: { audience: 'private', private_proof: false } })));
    taro.server.on('POST', /^\/sandbox\/wx\/auth-private-message$/, ok({ errMsg: 'authPrivateMessage:ok', valid: false, encryptedData: 'eA==', iv: 'aXZpdml2aXZpdml2aXZpdg==' }));
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/private-proof$/, problem('PRIVATE_LINK'));
    renderPay({ t: TOKEN, friend: 'sandbox-friend-b', share_ticket: 'sandbox-ticket' });
    expect(await screen.findByTestId('screen-private')).toBeTruthy();
    expect(taro.server.sent('POST', /^\/sandbox\/wx\/auth-private-message$/)[0]?.body).toEqual({ share_ticket: 'sandbox-ticket', openid: 'sandbox-friend-b' });
    expect(taro.server.sent('POST', /\/private-proof$/)[0]?.body).toEqual({ valid: false, encrypted_data: 'eA==', iv: 'aXZpdml2aXZpdml2aXZpdg==' });
  });

  it('turns a PRIVATE_LINK refusal of the payment into the private screen', async () => {
    inWechatProduction();
    taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, ok(friendView()));
    taro.server.on('POST', /^\/v1\/pay\/[^/]+\/payments$/, problem('PRIVATE_LINK'));
    renderPay();
    fireEvent.click(await screen.findByTestId('pay-button'));
    expect((await screen.findByTestId('screen-private')).textContent).toContain('这是发给特定好友的付款请求');
  });
});

describe('pay page, after paying', () => {
  it('offers refund notifications after a tap, for this link', async () => {
    inWechatProduction();
    const paid = paymentView({ status: 'paid', paid_at: '2030-05-01T08:01:00.000Z' });
    taro.server.on('GET', /^\/v1\/pay\/[^/]+$/, ok({ ...friendView({ link: { status: 'paid' }, order: { amount_paid: 1234, amount_due: 0 }, my_payments: [paid] }), subscribe_templates: { refund: 'tpl-refund' } }));
    taro.server.on('POST', /^\/v1\/subscriptions$/, ok({ subscriptions: [{ id: 'sub_1', template_id: 'tpl-refund', kind: 'refund' }] }, 201));
    renderPay();
    const button = await screen.findByTestId('notify-refunds');
    expect(taro.subscribeRequests).toEqual([]);
    fireEvent.click(button);
    await waitFor(() => expect(taro.server.sent('POST', /^\/v1\/subscriptions$/)).toHaveLength(1));
    expect(taro.subscribeRequests).toEqual([['tpl-refund']]);
    expect(taro.server.sent('POST', /^\/v1\/subscriptions$/)[0]?.body).toEqual({ link: TOKEN, templates: [{ id: 'tpl-refund', result: 'accept' }] });
    await waitFor(() => expect(screen.getByTestId('notify-refunds').textContent).toBe('已开启通知'));
  });
});
