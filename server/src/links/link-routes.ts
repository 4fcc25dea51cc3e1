/** Shop API: links (issue, read, revoke, QR). */
import { Router } from 'express';
import QRCode from 'qrcode';
import { idempotent } from '../http/idempotency';
import { shopOf } from '../http/request-context';
import { parseWith } from '../http/validation';
import { getOrderForShop, readOrderMoney } from '../orders/order-service';
import { presentLink } from '../presenters/link-presenter';
import type { ServiceDeps } from '../service-deps';
import { signLinkCode } from './link-code';
import { linkInputSchema } from './link-schema';
import { getLinkForShop, issueLink, revokeLink, settleLink } from './link-service';

/** `/v1/orders/:id/links` and `/v1/links/...` routes; mount behind shop authentication. */
export function linkRoutes(deps: ServiceDeps): Router {
  const router = Router();

  router.post('/v1/orders/:id/links', idempotent(deps.store, deps.clock, async (req) => {
    const body = parseWith(linkInputSchema, req.body);
    return { status: 201, body: await issueLink(deps, shopOf(req), req.params.id as string, body) };
  }));

  router.get('/v1/orders/:id/links', async (req, res) => {
    const order = await getOrderForShop(deps, shopOf(req), req.params.id);
    const links = await Promise.all((await deps.store.listLinksOfOrder(order.id)).map((link) => settleLink(deps, link)));
    const money = await readOrderMoney(deps, order.id);
    res.json({ links: links.map((link) => presentLink(link, money.order, money.payments)) });
  });

  router.get('/v1/links/:id', async (req, res) => {
    const { link, order } = await getLinkForShop(deps, shopOf(req), req.params.id);
    const money = await readOrderMoney(deps, order.id);
    res.json(presentLink(link, money.order, money.payments));
  });

  router.post('/v1/links/:id/revoke', idempotent(deps.store, deps.clock, async (req) => {
    return { status: 200, body: await revokeLink(deps, shopOf(req), req.params.id as string) };
  }));

  router.get('/v1/links/:id/qr.png', async (req, res) => {
    const { link } = await getLinkForShop(deps, shopOf(req), req.params.id);
    const url = `${deps.publicBaseUrl}/p/${signLinkCode(deps.keyring, link.id)}`;
    const png = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 480 });
    res.type('image/png').setHeader('Cache-Control', 'private, max-age=300');
    res.send(png);
  });

  return router;
}
