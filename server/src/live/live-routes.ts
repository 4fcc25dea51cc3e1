/**
 * Live status in the chat (README.md): the shopper's API under `/v1/share/{shopper_token}`,
 * subscriptions, and a friend's private-card proof. The shopper token and link refs are verified
 * before any store read; sessions say who is asking.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { RateLimits } from '../http/rate-limits';
import { sendJson } from '../http/send-json';
import { parseWith } from '../http/validation';
import type { ServiceDeps } from '../service-deps';
import { optionalSessionOpenid, sessionOpenid } from '../sessions/session-token';
import { provePrivateReceipt } from './private-proof';
import { bindShopperSession, readShopperView, shareActivity, verifyShopper } from './share-service';
import { recordSubscriptions } from './subscription-service';

export const activitySchema = z.strictObject({ audience: z.enum(['group', 'private']).optional() });
export const subscriptionsSchema = z.strictObject({
  link: z.string().min(1).max(2048),
  // wx.requestSubscribeMessage asks for at most three templates at a time.
  templates: z.array(z.strictObject({ id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a template id'), result: z.enum(['accept', 'reject', 'ban', 'filter']) })).min(1).max(3),
});
export const proofSchema = z.strictObject({
  valid: z.boolean(),
  encrypted_data: z.string().min(1).max(8192),
  iv: z.string().min(1).max(64),
});

/** `/v1/share/...`, `/v1/subscriptions`, `/v1/pay/{ref}/private-proof`. */
export function liveRoutes(deps: ServiceDeps, limits: RateLimits): Router {
  const router = Router({ caseSensitive: true });

  router.get('/v1/share/:token', async (req, res) => {
    await limits.consume('friendViewsPerIp', req.ip ?? 'unknown');
    verifyShopper(deps, req.params.token);
    const viewer = optionalSessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    res.setHeader('Cache-Control', 'no-store');
    sendJson(res, 200, await readShopperView(deps, req.params.token, viewer));
  });

  router.post('/v1/share/:token/session', async (req, res) => {
    verifyShopper(deps, req.params.token);
    const openid = sessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    await limits.consume('paymentsPerUser', openid);
    res.setHeader('Cache-Control', 'no-store');
    sendJson(res, 200, await bindShopperSession(deps, req.params.token, openid));
  });

  router.post('/v1/share/:token/activity', async (req, res) => {
    await limits.consume('friendViewsPerIp', req.ip ?? 'unknown');
    verifyShopper(deps, req.params.token);
    const { audience } = parseWith(activitySchema, req.body ?? {});
    res.setHeader('Cache-Control', 'no-store');
    sendJson(res, 200, await shareActivity(deps, req.params.token, audience));
  });

  router.post('/v1/subscriptions', async (req, res) => {
    const openid = sessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    await limits.consume('paymentsPerUser', openid);
    const body = parseWith(subscriptionsSchema, req.body);
    sendJson(res, 201, await recordSubscriptions(deps, openid, body));
  });

  router.post('/v1/pay/:ref/private-proof', async (req, res) => {
    const openid = sessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    await limits.consume('paymentsPerUser', openid);
    await provePrivateReceipt(deps, req.params.ref, openid, parseWith(proofSchema, req.body));
    res.status(204).end();
  });

  return router;
}
