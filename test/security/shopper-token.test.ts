// The shopper token is a capability of its own: it never passes where a link token or a session
// token is expected, and neither of them passes where it is expected. Checked on the codecs
// (with the same key material behind all of them) and over HTTP on every route that takes one.
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLinkToken, verifyLinkToken } from '../../server/src/links/link-token';
import { SHOPPER_TOKEN_AFTER_LINK_MS, signShopperToken, verifyShopperToken } from '../../server/src/links/shopper-token';
import { createLogger } from '../../server/src/logging/logger';
import { createSessionKey, signSessionToken, verifySessionToken } from '../../server/src/sessions/session-token';
import { createLinkKeyring } from '../../server/src/tokens/link-keys';
import { loginFriend, shopWithLink, startPayment } from '../support/friends';
import { openAsShopper } from '../support/live';
import { startTestServer, type TestServer } from '../support/test-server';

const secret = crypto.randomBytes(32);
const keyring = createLinkKeyring([{ kid: 'k1', secret }]);
// The session key made from the very same secret: still no token passes as another kind.
const sessionKey = createSessionKey(secret);
const now = Date.UTC(2026, 11, 2);

describe('shopper token codec', () => {
  it('verifies what it signs until 30 days after the link expires, and nothing after a one-character change', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9A-Za-z]{12}$/), fc.nat(), (id, index) => {
      const linkId = `lnk_${id}`;
      const token = signShopperToken(keyring, linkId, now + 3600_000, now);
      expect(verifyShopperToken(keyring, token, now)).toBe(linkId);
      expect(verifyShopperToken(keyring, token, now + 3600_000 + SHOPPER_TOKEN_AFTER_LINK_MS + 1000)).toBeUndefined();
      const at = index % token.length;
      const changed = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
      expect(verifyShopperToken(keyring, changed, now)).toBeUndefined();
    }), { numRuns: 200 });
  });

  it('is never a link token or a session token, nor either of them a shopper token', () => {
    const shopper = signShopperToken(keyring, 'lnk_AAAAAAAAAAAA', now + 3600_000, now);
    const link = signLinkToken(keyring, { linkId: 'lnk_AAAAAAAAAAAA', orderId: 'ord_1', expiresAt: now + 3600_000 }, now);
    const session = signSessionToken(sessionKey, 'o_someone', now);
    expect(verifyLinkToken(keyring, shopper, now)).toBeUndefined();
    expect(() => verifySessionToken(sessionKey, shopper, now)).toThrow(expect.objectContaining({ code: 'SESSION_INVALID' }) as Error);
    expect(verifyShopperToken(keyring, link, now)).toBeUndefined();
    expect(verifyShopperToken(keyring, session, now)).toBeUndefined();
  });

  it("refuses a token with the shopper audience signed with another purpose's key, `none`, or an unknown kid", () => {
    const claims = { lid: 'lnk_AAAAAAAAAAAA', aud: 'friend-pay-shopper', iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 3600 };
    const withLinkKey = jwt.sign(claims, keyring.signing.tokenKey, { algorithm: 'HS256', keyid: 'k1' });
    const withCodeKey = jwt.sign(claims, keyring.signing.codeKey, { algorithm: 'HS256', keyid: 'k1' });
    const withSessionKey = jwt.sign(claims, sessionKey, { algorithm: 'HS256', keyid: 'k1' });
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    const unknownKid = jwt.sign(claims, keyring.signing.shopperKey, { algorithm: 'HS256', keyid: 'k9' });
    const wrongAudience = jwt.sign({ ...claims, aud: 'friend-pay' }, keyring.signing.shopperKey, { algorithm: 'HS256', keyid: 'k1' });
    for (const forged of [withLinkKey, withCodeKey, withSessionKey, unsigned, unknownKid, wrongAudience]) expect(verifyShopperToken(keyring, forged, now)).toBeUndefined();
    expect(verifyShopperToken(keyring, jwt.sign(claims, keyring.signing.shopperKey, { algorithm: 'HS256', keyid: 'k1' }), now)).toBe('lnk_AAAAAAAAAAAA');
  });
});

describe('shopper token over HTTP', () => {
  let server: TestServer;
  const logLines: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    });
    server = await startTestServer({}, { logger: createLogger('info', sink) });
  });
  afterAll(async () => server.stop());

  it('opens only the shopper routes, and no link token or session opens them', async () => {
    const { link } = await shopWithLink(server, { mode: 'group' });
    const shopperToken = link.shopper_token!;
    const friend = await loginFriend(server, 'o_sec_friend');
    // The shopper token where a link ref is expected: the friend view, paying, proofs.
    expect((await server.call('GET', `/v1/pay/${shopperToken}`)).json).toMatchObject({ status: 400, code: 'LINK_INVALID' });
    expect((await startPayment(server, friend, shopperToken, { amount: 100 })).json).toMatchObject({ status: 400, code: 'LINK_INVALID' });
    expect((await server.call('POST', `/v1/pay/${shopperToken}/private-proof`, { key: friend.token, body: { valid: true, encrypted_data: 'AAAA', iv: 'AAAAAAAAAAAAAAAAAAAAAA==' } })).json).toMatchObject({ status: 400, code: 'LINK_INVALID' });
    // ... where a session token is expected.
    expect((await server.call('POST', `/v1/share/${shopperToken}/session`, { key: shopperToken, body: {} })).json).toMatchObject({ status: 401, code: 'SESSION_INVALID' });
    expect((await server.call('POST', '/v1/subscriptions', { key: shopperToken, body: { link: link.code, templates: [{ id: 'x', result: 'accept' }] } })).json).toMatchObject({ status: 401, code: 'SESSION_INVALID' });
    // A link token, a code or a session token where the shopper token is expected.
    for (const wrong of [link.token, link.code, friend.token]) {
      expect((await server.call('GET', `/v1/share/${wrong}`)).json, wrong).toMatchObject({ status: 400, code: 'SHOPPER_TOKEN_INVALID' });
      expect((await server.call('POST', `/v1/share/${wrong}/activity`, { body: {} })).json).toMatchObject({ status: 400, code: 'SHOPPER_TOKEN_INVALID' });
      expect((await server.call('POST', `/v1/share/${wrong}/session`, { key: friend.token, body: {} })).json).toMatchObject({ status: 400, code: 'SHOPPER_TOKEN_INVALID' });
    }
    // A friend naming the link by its token subscribes as a friend, never as the shopper.
    await openAsShopper(server, link, 'o_sec_shopper');
    const asFriend = await server.call('POST', '/v1/subscriptions', { key: friend.token, body: { link: link.token, templates: [{ id: server.deps.live!.templates.friendPaid!, result: 'accept' }] } });
    expect(asFriend.json).toEqual({ subscriptions: [] });
    // And the right token does open its routes.
    expect((await server.call('GET', `/v1/share/${shopperToken}`)).status).toBe(200);
    expect((await server.call('GET', `/sandbox/cards/${shopperToken}`)).status).toBe(200);
    // A capability in a path never reaches a log line.
    const logged = logLines.join('');
    expect(logged).toContain('/v1/share/{ref}/session');
    for (const secret of [shopperToken, link.token, link.code, friend.token]) expect(logged).not.toContain(secret);
  });
});
