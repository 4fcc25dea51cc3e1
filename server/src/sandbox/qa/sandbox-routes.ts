/** QA endpoints of the sandbox (docs/architecture.md, "WeChat and the sandbox"): demo data and a movable clock. Mounted only in sandbox mode. */
import { Router } from 'express';
import { z } from 'zod';
import type { DemoResponse } from '../../../../shared/api-types';
import type { AdjustableClock } from '../../clock';
import { parseWith } from '../../http/validation';
import { issueLink } from '../../links/link-service';
import { upsertOrder } from '../../orders/order-service';
import { presentOrder } from '../../presenters/order-presenter';
import type { ServiceDeps } from '../../service-deps';
import type { DemoShopSource } from './demo-shop';
import crypto from 'node:crypto';
import { setShopMerchant } from '../../shops/shop-merchant';

/** `POST /sandbox/clock` body. */
export const clockSchema = z.strictObject({
  advance_seconds: z.number().min(0, 'the clock only moves forward').max(365 * 24 * 3600, 'at most a year at a time'),
});

/** What `POST /sandbox/demo` takes. */
export const demoSchema = z
  .strictObject({
    mode: z.enum(['single', 'group']).optional(),
    amount_total: z.number().int().min(1).max(1_000_000).optional(),
    ttl_seconds: z.number().int().min(60).max(7 * 24 * 3600).optional(),
    audience: z.enum(['group', 'private']).optional(),
    expected_contributions: z.number().int().min(1).max(100).optional(),
  })
  .optional();

/** A new demo order and link of the data folder's demo shop: what `npm start` prints and QA starts from. */
export async function createDemo(deps: ServiceDeps, demoShop: DemoShopSource, options: z.infer<typeof demoSchema> = {}): Promise<DemoResponse> {
  const { record, credentials: shop } = await demoShop.get();
  // Partner mode: the demo shop is a sub-merchant of its own, as `shop:create --sub-mchid` makes it.
  const shopRecord = deps.wechat.pay.mode === 'partner' && record.subMchId === null
    ? ((await setShopMerchant(deps.store, record.id, `16${crypto.randomInt(0, 1e8).toString().padStart(8, '0')}`, undefined)) ?? record)
    : record;
  const total = options.amount_total ?? 1234;
  const lineTotal = total - 100 > 0 ? total - 100 : 0;
  const items = lineTotal > 0
    ? [{ title: '云南小粒咖啡豆 250g', quantity: 1, unit_price: lineTotal }, { title: '包装费 Packaging', quantity: 1, unit_price: 100 }]
    : [{ title: '云南小粒咖啡豆 250g', quantity: 1, unit_price: total }];
  const { order } = await upsertOrder(deps, shopRecord, {
    shop_order_id: `demo-${deps.ids.newId('o', 10)}`,
    shopper_id: 'demo-shopper',
    amount_total: total,
    items,
    pay_deadline: new Date(deps.clock.now() + 48 * 3600 * 1000).toISOString(),
  });
  const link = await issueLink(deps, shopRecord, order.id, {
    requester: { id: 'demo-shopper', name: '张小明' },
    message: '帮我付一下咖啡豆，谢谢！',
    mode: options.mode ?? 'single',
    ttl_seconds: options.ttl_seconds ?? 24 * 3600,
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.expected_contributions === undefined ? {} : { expected_contributions: options.expected_contributions }),
  });
  return { shop: { id: shop.id, name: shop.name, api_key: shop.api_key, webhook_secret: shop.webhook_secret }, order: presentOrder(order), link };
}

/** What the QA routes work with besides the services. */
export interface SandboxRouteOptions {
  demoShop: DemoShopSource;
  /** Called after the clock moved: keeps the move across restarts (sandbox-clock-file.ts). */
  clockMoved?: () => void;
}

/** `/sandbox/demo` and `/sandbox/clock`. */
export function sandboxRoutes(deps: ServiceDeps, clock: AdjustableClock, options: SandboxRouteOptions): Router {
  const router = Router({ caseSensitive: true });

  router.post('/sandbox/demo', async (req, res) => {
    res.status(201).json(await createDemo(deps, options.demoShop, parseWith(demoSchema, req.body ?? {})));
  });

  router.get('/sandbox/clock', (_req, res) => {
    res.json({ now: new Date(clock.now()).toISOString(), offset_seconds: clock.offsetMs / 1000 });
  });

  router.post('/sandbox/clock', (req, res) => {
    const { advance_seconds } = parseWith(clockSchema, req.body);
    clock.advance(advance_seconds);
    options.clockMoved?.();
    res.json({ now: new Date(clock.now()).toISOString(), offset_seconds: clock.offsetMs / 1000 });
  });

  return router;
}
