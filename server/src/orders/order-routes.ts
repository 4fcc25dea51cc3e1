/** Shop API: orders. Thin: validate, call the service, present. */
import { Router } from 'express';
import { idempotent } from '../http/idempotency';
import { shopOf } from '../http/request-context';
import { parseWith } from '../http/validation';
import { presentOrder, presentOrderSummary } from '../presenters/order-presenter';
import type { ServiceDeps } from '../service-deps';
import type { OrderRecord, ShopRecord } from '../store/records';
import { orderInputSchema, orderListQuerySchema } from './order-schema';
import { getOrderForShop, listOrdersForShop, readOrderMoney, upsertOrder } from './order-service';

/**
 * The cancel use case (payments/order-cancellation.ts). It refunds and closes payments, so it
 * sits above orders and is passed in: orders never imports payments. `closingPayments` are the
 * payments whose WeChat order could not be closed yet.
 */
export type CancelOrder = (deps: ServiceDeps, shop: ShopRecord, orderId: string) => Promise<{ order: OrderRecord; closingPayments: string[] }>;

/** `/v1/orders` routes; mount behind shop authentication. */
export function orderRoutes(deps: ServiceDeps, cancelOrder: CancelOrder): Router {
  const router = Router({ caseSensitive: true });

  router.post('/v1/orders', idempotent(deps.store, deps.clock, async (req) => {
    const { created, order } = await upsertOrder(deps, shopOf(req), parseWith(orderInputSchema, req.body));
    return { status: created ? 201 : 200, body: presentOrder(order) };
  }));

  router.get('/v1/orders', async (req, res) => {
    const query = parseWith(orderListQuerySchema, req.query, 'query');
    const { orders, nextCursor } = await listOrdersForShop(deps, shopOf(req), query);
    res.json({ orders: orders.map(presentOrderSummary), next_cursor: nextCursor });
  });

  router.get('/v1/orders/:id', async (req, res) => {
    const order = await getOrderForShop(deps, shopOf(req), req.params.id);
    const money = await readOrderMoney(deps, order.id);
    res.json(presentOrder(money.order, money.payments, money.refunds));
  });

  router.post('/v1/orders/:id/cancel', idempotent(deps.store, deps.clock, async (req) => {
    const { order, closingPayments } = await cancelOrder(deps, shopOf(req), req.params.id as string);
    const money = await readOrderMoney(deps, order.id);
    return { status: 200, body: Object.assign(presentOrder(money.order, money.payments, money.refunds), { closing_payments: closingPayments }) };
  }));

  return router;
}
