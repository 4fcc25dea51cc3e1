/**
 * The benchmark's floors: for each throughput goal, a route that does only the part of the real
 * request no implementation on this stack can skip, so the report can say how close any
 * implementation could come on this machine. Each one passes the app's full middleware, like the
 * hello route, and leaves out everything the goal's request does beyond its floor:
 *
 * - `GET /bench/floor/view/:ref`: the link token check and the store read of the link's view, then
 *   the hello's body (no rate limit, no rendering, no 1 KB body);
 * - `POST /bench/floor/pay/:ref`: the friend's session and the link token checked, WeChat Pay's
 *   prepay over HTTP (our signature, its answer verified) and the `wx.requestPayment` signature
 *   (no body parsing, no rate limit, no store: no reservation, no idempotency, no prepay kept);
 * - `POST /bench/floor/notify`: the notification verified and decrypted (no store: nothing
 *   applied, nothing recorded).
 *
 * Never mounted by the product: only `bench/server-process.ts` adds them.
 */
import express, { Router } from 'express';
import { verifyLinkRef } from '../server/src/links/link-ref';
import { outTradeNoFor } from '../server/src/payments/payment-rules';
import type { ServiceDeps } from '../server/src/service-deps';
import { sessionOpenid } from '../server/src/sessions/session-token';

/** The floor routes; `depsOf` gives the running server's services (they exist once it listens). */
export function floorRoutes(depsOf: () => ServiceDeps): Router {
  const router = Router({ caseSensitive: true });
  let counter = 0;

  router.get('/bench/floor/view/:ref', async (req, res) => {
    const deps = depsOf();
    const linkId = verifyLinkRef(deps.keyring, req.params.ref, deps.clock.now());
    const view = await deps.store.getFriendLinkView(linkId);
    res.status(view === undefined ? 404 : 200).json({ hello: 'world' });
  });

  router.post('/bench/floor/pay/:ref', async (req, res) => {
    const deps = depsOf();
    const now = deps.clock.now();
    const openid = sessionOpenid(deps.sessionKey, req.get('authorization'), now);
    verifyLinkRef(deps.keyring, req.params.ref, now);
    const outTradeNo = outTradeNoFor(`pay_floor${process.pid}x${++counter}`);
    const { prepayId } = await deps.wechat.pay.prepay({
      outTradeNo,
      description: 'Floor-好友代付',
      amountTotal: 100,
      payerOpenid: openid,
      notifyUrl: deps.wechat.notifyUrl,
      timeExpire: Math.floor((now + 3_600_000) / 1000) * 1000,
    });
    res.status(201).json({ request_payment: deps.wechat.pay.requestPaymentParams(prepayId) });
  });

  router.post('/bench/floor/notify', express.raw({ type: () => true, limit: 64 * 1024 }), async (req, res) => {
    const deps = depsOf();
    const rawBody: unknown = req.body;
    if (!Buffer.isBuffer(rawBody)) {
      res.status(400).end();
      return;
    }
    const notification = await deps.wechat.pay.parseNotification({ headers: req.headers, rawBody });
    const ours = notification.kind === 'payment' && notification.transaction.mchId === deps.wechat.pay.mchId && notification.transaction.appId === deps.wechat.pay.appId;
    res.status(ours ? 204 : 400).end();
  });

  return router;
}
