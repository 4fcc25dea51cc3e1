/** Shop API: after-sale refunds (`POST /v1/orders/{id}/refunds`, `GET /v1/refunds/{id}`). Thin: validate, call the service, present. */
import { Router } from 'express';
import { z } from 'zod';
import type { CreateRefundResponse } from '../../../shared/api-types';
import { MAX_ORDER_TOTAL_FEN } from '../../../shared/money';
import { idempotent } from '../http/idempotency';
import { shopOf } from '../http/request-context';
import { parseWith, text } from '../http/validation';
import { presentRefund } from '../presenters/payment-presenter';
import type { ServiceDeps } from '../service-deps';
import { getRefundForShop, refundOrder } from './refund-service';

/** `POST /v1/orders/{id}/refunds` body. */
export const refundSchema = z.strictObject({
  amount: z.number().int('must be a whole number of fen').min(1, 'must be at least 1 fen').max(MAX_ORDER_TOTAL_FEN, `must be at most ${MAX_ORDER_TOTAL_FEN} fen`),
  // WeChat shows it to the payer and takes at most 80 characters.
  reason: text(1, 80).optional(),
  payment_id: z.string().min(1).max(64).optional(),
});

/** Refund routes; mount behind shop authentication (`/v1/orders`, `/v1/refunds`). */
export function refundRoutes(deps: ServiceDeps): Router {
  const router = Router({ caseSensitive: true });

  // Money moves: the Idempotency-Key is required, so a retried request never refunds twice.
  router.post('/v1/orders/:id/refunds', idempotent(deps.store, deps.clock, async (req) => {
    const body = parseWith(refundSchema, req.body);
    const refunds = await refundOrder(deps, shopOf(req), req.params.id as string, {
      amount: body.amount,
      reason: body.reason,
      paymentId: body.payment_id,
      requestKey: req.get('idempotency-key') ?? '',
    });
    const payments = await deps.store.listPaymentsOfOrder(req.params.id as string);
    const answer: CreateRefundResponse = { refunds: refunds.map((refund) => presentRefund(refund, payments)) };
    return { status: 201, body: answer };
  }, { required: true }));

  router.get('/v1/refunds/:id', async (req, res) => {
    const refund = await getRefundForShop(deps, shopOf(req), req.params.id);
    res.json(presentRefund(refund, await deps.store.listPaymentsOfOrder(refund.orderId)));
  });

  return router;
}
