// Private links: only friends the shopper sent the private card to may pay. The proof is what
// wx.authPrivateMessage returns, checked against the friend's own session key on the server: a
// forwarded card, a tampered `valid`, another friend's data or a forged encryptedData are refused.
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FriendView, SessionResponse } from '../../shared/api-types';
import { encryptUserData } from '../../server/src/wechat/user-data';
import { loginFriend, shopWithLink, startPayment } from '../support/friends';
import { authPrivateMessage, openAsShopper, pay, proveReceipt, requestActivity, shareCard } from '../support/live';
import { engines, startTestServer, type TestServer } from '../support/test-server';

describe.each(engines)('private links (%s)', (engine) => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startTestServer({}, {}, { engine });
  });
  afterEach(async () => server.stop());

  async function privateLink(mode: 'single' | 'group' = 'single') {
    const issued = await shopWithLink(server, { mode, amount: 800 });
    const made = await server.call<{ audience: string; shopper_token: string; token: string; code: string; id: string }>('POST', `/v1/orders/${issued.orderId}/links`, {
      key: issued.shop.api_key,
      body: { requester: { id: 'shopper-1', name: '王小二' }, mode, audience: 'private' },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.json.audience).toBe('private');
    return made.json;
  }

  it('lets the friend the card was sent to prove it and pay; the friend view says who the link is for', async () => {
    const link = await privateLink();
    const shopper = await openAsShopper(server, link, 'o_private_shopper');
    const { activity, ticket } = await shareCard(server, link.shopper_token, shopper, ['o_private_bob']);
    expect(activity.audience).toBe('private');

    const bob = await loginFriend(server, 'o_private_bob');
    const before = await server.call<FriendView>('GET', `/v1/pay/${link.token}`, { key: bob.token });
    expect(before.json.link).toMatchObject({ audience: 'private', private_proof: false });
    expect((await startPayment(server, bob, link.token)).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });

    const proof = await authPrivateMessage(server, ticket, bob.openid);
    expect(proof.valid).toBe(true);
    const proved = await proveReceipt(server, bob, link.token, proof);
    expect(proved.status, proved.text).toBe(204);
    expect((await proveReceipt(server, bob, link.code, proof)).status).toBe(204);
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.code}`, { key: bob.token })).json.link).toMatchObject({ audience: 'private', private_proof: true });
    await pay(server, bob, link.token);
  });

  it('refuses a friend who opened a forwarded card, whatever they send', async () => {
    const link = await privateLink('group');
    const shopper = await openAsShopper(server, link, 'o_private_shopper_2');
    const { ticket } = await shareCard(server, link.shopper_token, shopper, ['o_private_bob_2']);
    const bob = await loginFriend(server, 'o_private_bob_2');
    const bobsProof = await authPrivateMessage(server, ticket, bob.openid);
    const forwarded = (await server.call<{ share_ticket: string }>('POST', '/sandbox/wx/forward', { body: { share_ticket: ticket, to_openids: ['o_private_carol'] } })).json.share_ticket;
    const carol = await loginFriend(server, 'o_private_carol');

    const carolsProof = await authPrivateMessage(server, forwarded, carol.openid);
    expect(carolsProof.valid).toBe(false);
    expect((await proveReceipt(server, carol, link.token, carolsProof)).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });
    // Saying `valid: true` does not help: her data holds no activity id.
    expect((await proveReceipt(server, carol, link.token, { ...carolsProof, valid: true })).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });
    // Nor does Bob's proof: it does not decrypt under her session key.
    expect((await proveReceipt(server, carol, link.token, bobsProof)).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });
    expect((await startPayment(server, carol, link.code, { amount: 100 })).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });
    expect((await server.call<FriendView>('GET', `/v1/pay/${link.code}`, { key: carol.token })).json.link).toMatchObject({ audience: 'private', private_proof: false });
  });

  it('refuses forged encryptedData: another key, bytes flipped, garbage, another app, another link', async () => {
    const link = await privateLink();
    const shopper = await openAsShopper(server, link, 'o_private_shopper_3');
    const { activity, ticket } = await shareCard(server, link.shopper_token, shopper, ['o_private_dave']);
    const dave = await loginFriend(server, 'o_private_dave');
    const genuine = await authPrivateMessage(server, ticket, dave.openid);
    const watermark = { appid: server.deps.live!.appId, timestamp: Math.floor(Date.now() / 1000) };
    const forgedKey = crypto.randomBytes(16).toString('base64');
    const flipped = Buffer.from(genuine.encryptedData, 'base64');
    flipped[0] = (flipped[0] ?? 0) ^ 0xff;
    const otherLink = await privateLink();
    await openAsShopper(server, otherLink, 'o_private_shopper_4');
    const otherActivity = (await requestActivity(server, otherLink.shopper_token)).json.activity_id;

    const forgeries = [
      { valid: true, ...encryptUserData(JSON.stringify({ activityId: activity.activity_id, watermark }), forgedKey) },
      { valid: true, encryptedData: flipped.toString('base64'), iv: genuine.iv },
      { valid: true, encryptedData: crypto.randomBytes(48).toString('base64'), iv: crypto.randomBytes(16).toString('base64') },
      { valid: true, encryptedData: 'not base64 at all!', iv: genuine.iv },
      { valid: true, encryptedData: genuine.encryptedData, iv: crypto.randomBytes(16).toString('base64') },
    ];
    for (const forged of forgeries) expect((await proveReceipt(server, dave, link.token, forged)).json, JSON.stringify(forged)).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });

    // Data that decrypts under Dave's key but is not WeChat's for this link and app.
    const daveKey = await sessionKeyOf(dave.openid);
    for (const payload of [{ activityId: activity.activity_id, watermark: { ...watermark, appid: 'wx0000000000000000' } }, { activityId: otherActivity, watermark }]) {
      const data = { valid: true, ...encryptUserData(JSON.stringify(payload), daveKey) };
      expect((await proveReceipt(server, dave, link.token, data)).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });
    }
    expect((await startPayment(server, dave, link.token)).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });
    // The genuine proof still works.
    expect((await proveReceipt(server, dave, link.token, genuine)).status).toBe(204);
  });

  it('makes a private card only for the bound shopper, and never a group card for a private link', async () => {
    const link = await privateLink();
    expect((await requestActivity(server, link.shopper_token)).json).toMatchObject({ status: 409, code: 'SHOPPER_NOT_BOUND' });
    const shopper = await openAsShopper(server, link, 'o_private_shopper_5');
    expect((await requestActivity(server, link.shopper_token, { audience: 'group' })).json).toMatchObject({ status: 403, code: 'PRIVATE_LINK' });
    const { activity } = await shareCard(server, link.shopper_token, shopper, ['o_x']);
    // Only the bound shopper may share it (WeChat checks the openid it was made for).
    const stolen = await server.call('POST', '/sandbox/wx/share', { body: { activity_id: activity.activity_id, from_openid: 'o_someone_else', to_openids: ['o_y'] } });
    expect(stolen.json).toMatchObject({ status: 403, code: 'NOT_THE_SHARER' });
  });

  it('keeps the session key on the server: never in the session answer, sealed in the store', async () => {
    const login = await server.call<{ code: string }>('POST', '/sandbox/wx/login', { body: { openid: 'o_sealed_user' } });
    const session = await server.call<SessionResponse>('POST', '/v1/sessions', { body: { code: login.json.code } });
    const rawKey = await sessionKeyOf('o_sealed_user');
    expect(session.text).not.toContain(rawKey);
    expect(session.text).not.toContain('session_key');
    const sealed = await server.deps.store.getWechatSessionKey('o_sealed_user');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(rawKey);
    expect(sealed).not.toContain(Buffer.from(rawKey, 'base64').toString('hex'));
  });

  /** The session key WeChat (the login simulator) handed out for `openid` last. */
  async function sessionKeyOf(openid: string): Promise<string> {
    const key = server.sandbox!.loginSimulator!.sessionKeyOf(openid);
    if (key === undefined) throw new Error(`${openid} never logged in`);
    return Promise.resolve(key);
  }
});
