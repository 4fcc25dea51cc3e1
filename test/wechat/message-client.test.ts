// WeChat's message APIs, client and simulator over real HTTP: activity ids that expire, the
// updatable card's state machine and its errcodes, one-time subscriptions (43101 without one),
// quotas, and a rejected access token replaced once. Also the simulator's wire answers to
// malformed calls, exactly as WeChat's.
import crypto from 'node:crypto';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdjustableClock } from '../../server/src/clock';
import { createWechatMessagesSimulator, type WechatMessagesSimulator } from '../../server/src/sandbox/simulators/wechat-messages-simulator';
import { createWechatPlatformSimulator, h5PageUrlAt, type WechatPlatformSimulator } from '../../server/src/sandbox/simulators/wechat-platform-simulator';
import { createBinaryHttp, type BinaryHttp } from '../../server/src/wechat/platform/binary-http';
import { InMemoryAccessTokenStore } from '../../server/src/wechat/platform/memory-access-token-store';
import { createWechatMessageClient, miniprogramStateFor, type WechatMessageClient } from '../../server/src/wechat/platform/message-client';
import { createWechatPlatformClient } from '../../server/src/wechat/platform/platform-client';
import { WechatPlatformError } from '../../server/src/wechat/platform/platform-errors';
import { decryptPrivateMessageData } from '../../server/src/wechat/user-data';
import { listenOnLoopback, PLATFORM_APP_ID, PLATFORM_APP_SECRET, PLATFORM_TEST_EPOCH_MS } from '../support/platform-sandbox';

const TEMPLATE = 'tpl-friend-paid';

interface World {
  clock: AdjustableClock;
  platform: WechatPlatformSimulator;
  messages: WechatMessagesSimulator;
  client: WechatMessageClient;
  apiBaseUrl: string;
  sessionKeys: Map<string, string>;
  http: BinaryHttp;
  close(): Promise<void>;
}

async function startWorld(options: { dailyMessageQuota?: number } = {}): Promise<World> {
  const clock = new AdjustableClock({ now: () => PLATFORM_TEST_EPOCH_MS });
  const app = express();
  const server = await listenOnLoopback(app);
  const sessionKeys = new Map<string, string>([['o_user', crypto.randomBytes(16).toString('base64')]]);
  const platform = createWechatPlatformSimulator({ clock, appId: PLATFORM_APP_ID, appSecret: PLATFORM_APP_SECRET, h5PageUrl: h5PageUrlAt(`${server.url}/app`), urlLinkBase: `${server.url}/urllink` });
  const messages = createWechatMessagesSimulator({
    clock,
    appId: PLATFORM_APP_ID,
    accessTokenProblem: (token) => platform.accessTokenProblem(token),
    sessionKeyOf: (openid) => sessionKeys.get(openid),
    templates: [TEMPLATE],
    ...options,
  });
  app.use('/wechat', platform.router, messages.router);
  app.use('/sandbox', messages.qaRouter);
  const apiBaseUrl = `${server.url}/wechat`;
  const http = createBinaryHttp();
  const platformClient = createWechatPlatformClient({ baseUrl: apiBaseUrl, appId: PLATFORM_APP_ID, appSecret: PLATFORM_APP_SECRET, clock, tokenStore: new InMemoryAccessTokenStore(), http });
  const client = createWechatMessageClient({ baseUrl: apiBaseUrl, tokens: platformClient.tokens, http, clock });
  return { clock, platform, messages, client, apiBaseUrl, sessionKeys, http, close: async () => { http.close(); await server.close(); } };
}

async function failure(promise: Promise<unknown>): Promise<WechatPlatformError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof WechatPlatformError) return error;
    throw error;
  }
  throw new Error('expected a WechatPlatformError');
}

const open = (activityId: string, memberCount: number) => ({ activityId, targetState: 0 as const, memberCount, roomLimit: 3, path: 'pages/pay/index?code=x', versionType: 'release' as const });

describe('message client against the simulator', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(async () => world.close());

  it('makes activity ids that live 24 hours, private ones for one sharer', async () => {
    const made = await world.client.createActivityId({});
    expect(made.expiresAt).toBe(PLATFORM_TEST_EPOCH_MS + 24 * 3600 * 1000);
    const privateOne = await world.client.createActivityId({ openid: 'o_user' });
    expect(world.messages.card(privateOne.activityId)?.owner).toBe('o_user');
    expect(world.messages.card(made.activityId)?.owner).toBeUndefined();
    expect(() => world.messages.share(privateOne.activityId, 'o_other', ['o_x'])).toThrow(/another user/);
  });

  it('moves a card through 0 -> 0 -> 1, then refuses to move it again (47502), and refuses an expired one (47504)', async () => {
    const { activityId } = await world.client.createActivityId({});
    await world.client.setUpdatableMessage(open(activityId, 1));
    await world.client.setUpdatableMessage(open(activityId, 2));
    await world.client.setUpdatableMessage({ ...open(activityId, 3), targetState: 1 });
    expect(world.messages.card(activityId)).toMatchObject({ state: 1, memberCount: 3, roomLimit: 3, text: '已开始' });
    expect((await failure(world.client.setUpdatableMessage(open(activityId, 3)))).toJSON()).toMatchObject({ code: 'CARD_STATE_INVALID', errcode: 47502, operation: 'updatablemsg_send' });

    const late = await world.client.createActivityId({});
    world.clock.advance(24 * 3600);
    expect(await failure(world.client.setUpdatableMessage(open(late.activityId, 1)))).toMatchObject({ code: 'ACTIVITY_EXPIRED', errcode: 47504, retryable: false });
    expect(await failure(world.client.setUpdatableMessage(open('1193_unknown', 1)))).toMatchObject({ code: 'ACTIVITY_INVALID', errcode: 47501 });
  });

  it('sends one subscribe message per subscription and answers 43101 to a user without one', async () => {
    const message = { touser: 'o_user', templateId: TEMPLATE, page: 'pages/share/index?s=x', data: { thing1: { value: '好物小店' }, amount2: { value: '¥3.00' } }, miniprogramState: miniprogramStateFor('release') };
    expect(await failure(world.client.sendSubscribeMessage(message))).toMatchObject({ code: 'USER_REFUSED', errcode: 43101, retryable: false });
    world.messages.subscribe('o_user', [TEMPLATE]);
    world.messages.subscribe('o_user', [TEMPLATE]);
    await world.client.sendSubscribeMessage(message);
    await world.client.sendSubscribeMessage(message);
    expect(await failure(world.client.sendSubscribeMessage(message))).toMatchObject({ code: 'USER_REFUSED' });
    expect(world.messages.sentMessages()).toHaveLength(2);
    expect(world.messages.sentMessages()[0]).toMatchObject({ touser: 'o_user', templateId: TEMPLATE, miniprogramState: 'formal' });
    expect(miniprogramStateFor('develop')).toBe('developer');
    expect(miniprogramStateFor('trial')).toBe('trial');
  });

  it('replaces a rejected access token once and retries, never putting the token in an error', async () => {
    const { activityId } = await world.client.createActivityId({});
    world.platform.revokeAccessTokens();
    await world.client.setUpdatableMessage(open(activityId, 1));
    // One forced refresh (the stored token was the rejected one), one retry.
    expect(world.platform.stats().forcedRefreshes).toBe(1);
    expect(world.messages.card(activityId)?.memberCount).toBe(1);
    world.messages.faults.set({ api: 'updatablemsg_send', errcode: -1, times: 1 });
    const busy = await failure(world.client.setUpdatableMessage(open(activityId, 2)));
    expect(busy).toMatchObject({ code: 'SYSTEM_BUSY', retryable: true });
    expect(`${busy.message} ${JSON.stringify(busy)}`).not.toMatch(/access_token=/);
  });

  it('counts the daily quota of messages (45009, retryable)', async () => {
    await world.close();
    world = await startWorld({ dailyMessageQuota: 1 });
    world.messages.subscribe('o_user', [TEMPLATE]);
    world.messages.subscribe('o_user', [TEMPLATE]);
    const message = { touser: 'o_user', templateId: TEMPLATE, page: 'pages/pay/index', data: { thing1: { value: 'x' } }, miniprogramState: 'formal' as const };
    await world.client.sendSubscribeMessage(message);
    expect(await failure(world.client.sendSubscribeMessage(message))).toMatchObject({ code: 'QUOTA_EXCEEDED', errcode: 45009, retryable: true });
    expect(world.messages.subscriptionsLeft('o_user', TEMPLATE)).toBe(1);
  });
});

describe('messages simulator on the wire', () => {
  let world: World;
  let token: string;
  beforeEach(async () => {
    world = await startWorld();
    token = (await (await fetch(`${world.apiBaseUrl}/cgi-bin/stable_token`, { method: 'POST', body: JSON.stringify({ grant_type: 'client_credential', appid: PLATFORM_APP_ID, secret: PLATFORM_APP_SECRET, force_refresh: false }) })).json() as { access_token: string }).access_token;
  });
  afterEach(async () => world.close());

  /** POSTs `body`; `accessToken` null sends none. */
  const post = async (path: string, body: string, accessToken: string | null = token): Promise<{ errcode: number; errmsg: string }> =>
    (await fetch(`${world.apiBaseUrl}${path}${accessToken === null ? '' : `?access_token=${accessToken}`}`, { method: 'POST', body })).json() as Promise<{ errcode: number; errmsg: string }>;

  it("answers malformed calls with WeChat's errcodes", async () => {
    const activityId = (await world.client.createActivityId({})).activityId;
    const send = (body: unknown) => post('/cgi-bin/message/wxopen/updatablemsg/send', JSON.stringify(body));
    const params = (list: [string, string][]) => ({ parameter_list: list.map(([name, value]) => ({ name, value })) });
    expect((await post('/cgi-bin/message/wxopen/updatablemsg/send', '{}', null)).errcode).toBe(41001);
    expect((await post('/cgi-bin/message/wxopen/updatablemsg/send', '{}', 'not-a-token')).errcode).toBe(40001);
    expect((await post('/cgi-bin/message/wxopen/updatablemsg/send', '')).errcode).toBe(44002);
    expect((await post('/cgi-bin/message/wxopen/updatablemsg/send', '{not json')).errcode).toBe(47001);
    expect((await send({ activity_id: activityId, target_state: 2, template_info: params([]) })).errcode).toBe(47502);
    expect((await send({ activity_id: activityId, target_state: 0, template_info: params([['member_count', '1']]) })).errcode).toBe(47001);
    expect((await send({ activity_id: activityId, target_state: 1, template_info: params([['path', 'pages/pay/index'], ['version_type', 'beta']]) })).errcode).toBe(47503);
    expect((await send({ activity_id: activityId, target_state: 1, template_info: params([['version_type', 'release']]) })).errcode).toBe(47001);
    expect((await send({ activity_id: activityId, target_state: 0, template_info: params([['member_count', '1'], ['room_limit', '3']]) })).errmsg).toMatch(/^ok$/);

    const message = (body: Record<string, unknown>) => post('/cgi-bin/message/subscribe/send', JSON.stringify({ touser: 'o_user', template_id: TEMPLATE, page: 'pages/pay/index', data: { thing1: { value: 'x' } }, ...body }));
    expect((await message({ touser: 'o_stranger' })).errcode).toBe(40003);
    expect((await message({ template_id: 'other' })).errcode).toBe(40037);
    expect((await message({ page: 'pages/nowhere/index' })).errcode).toBe(41030);
    expect((await message({ data: { thing1: { value: '这是一个超过二十个字的很长很长很长很长的名字' } } })).errcode).toBe(47003);
    expect((await message({ data: { nonsense1: { value: 'x' } } })).errcode).toBe(47003);
    expect((await message({ miniprogram_state: 'beta' })).errcode).toBe(47001);
    expect((await message({})).errcode).toBe(43101);
    expect(world.messages.refusedCalls().map((call) => call.errcode)).toContain(43101);
  });

  it("encrypts a private card's proof with the recipient's session key; a forwarded card's proof holds no activity id", async () => {
    const activityId = (await world.client.createActivityId({ openid: 'o_owner' })).activityId;
    world.sessionKeys.set('o_friend', crypto.randomBytes(16).toString('base64'));
    world.sessionKeys.set('o_stranger', crypto.randomBytes(16).toString('base64'));
    const shared = await (await fetch(`${world.apiBaseUrl.replace('/wechat', '')}/sandbox/wx/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ activity_id: activityId, from_openid: 'o_owner', to_openids: ['o_friend'] }) })).json() as { share_ticket: string };
    const proof = world.messages.authPrivateMessage(shared.share_ticket, 'o_friend');
    expect(proof.valid).toBe(true);
    expect(decryptPrivateMessageData(proof.encryptedData, proof.iv, world.sessionKeys.get('o_friend')!)).toMatchObject({ activityId, watermark: { appid: PLATFORM_APP_ID } });
    const forwarded = world.messages.forward(shared.share_ticket, ['o_stranger']);
    const strangers = world.messages.authPrivateMessage(forwarded, 'o_stranger');
    expect(strangers.valid).toBe(false);
    expect(decryptPrivateMessageData(strangers.encryptedData, strangers.iv, world.sessionKeys.get('o_stranger')!)).toBeUndefined();
    expect(() => world.messages.authPrivateMessage(shared.share_ticket, 'o_never_logged_in')).toThrow(/wx.login/);
  });
});
