/** Friend API: pay (create a payment), read it, cancel it. The session token says who the friend is. */
import { Router } from 'express';
import { AppError } from '../errors/app-error';
import { parseWith } from '../http/validation';
import type { RateLimits } from '../http/rate-limits';
import { sendJson } from '../http/send-json';
import { presentPayment } from '../presenters/payment-presenter';
import type { ServiceDeps } from '../service-deps';
import { sessionOpenid } from '../sessions/session-token';
import { createPaymentSchema } from './payment-schema';
import { cancelPayment, createPayment, getPaymentForPayer } from './payment-service';

const keyPattern = /^[\x21-\x7e]{8,128}$/;

/** Payment routes. */
export function paymentRoutes(deps: ServiceDeps, limits: RateLimits): Router {
  const router = Router({ caseSensitive: true });

  router.post('/v1/pay/:ref/payments', async (req, res) => {
    const openid = sessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    await limits.consume('paymentsPerUser', openid);
    const idempotencyKey = req.get('idempotency-key');
    if (idempotencyKey === undefined || !keyPattern.test(idempotencyKey)) {
      throw new AppError('IDEMPOTENCY_KEY_INVALID', 'Send an Idempotency-Key header (8-128 printable characters) so a retry never pays twice.');
    }
    const body = parseWith(createPaymentSchema, req.body ?? {});
    const answer = await createPayment(deps, { ref: req.params.ref, openid, idempotencyKey, amount: body.amount, payerName: body.payer_name });
    res.setHeader('Cache-Control', 'no-store');
    sendJson(res, 201, answer);
  });

  router.get('/v1/payments/:id', async (req, res) => {
    const openid = sessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    res.setHeader('Cache-Control', 'no-store');
    const { payment, refunds } = await getPaymentForPayer(deps, req.params.id, openid);
    res.json(presentPayment(payment, refunds));
  });

  router.post('/v1/payments/:id/cancel', async (req, res) => {
    const openid = sessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    res.json(presentPayment(await cancelPayment(deps, req.params.id, openid)));
  });

  return router;
}
