/** Shop API: links (issue, read, revoke, mini program code, URL Link). */
import { Router } from 'express';
import type { ShopLinkResponse, UrlLinkResponse } from '../../../shared/api-types';
import { AppError } from '../errors/app-error';
import { idempotent } from '../http/idempotency';
import { shopOf } from '../http/request-context';
import { parseWith } from '../http/validation';
import type { LinkResponse } from '../../../shared/api-types';
import { getOrderForShop, readOrderMoney } from '../orders/order-service';
import { presentLink } from '../presenters/link-presenter';
import { iso } from '../presenters/iso';
import type { ServiceDeps } from '../service-deps';
import type { ShopRecord } from '../store/records';
import { linkInputSchema } from './link-schema';
import { getLinkForShop, issueLink, linkShareMaterial, revokeLink, settleLink, shopperMaterial } from './link-service';
import { linkCodeImage, linkUrlLink, unpayableProblem } from './link-wechat-service';

/** A link's code image never changes: caches may keep it for a link's longest life. */
const CODE_IMAGE_CACHE_CONTROL = 'private, max-age=604800, immutable';

/**
 * The revoke use case. Closing the link's open WeChat orders is payments' business, so the
 * composition root passes payments/link-revocation.ts in; links never imports payments.
 */
export type RevokeLink = (deps: ServiceDeps, shop: ShopRecord, linkId: string) => Promise<LinkResponse>;

/** `/v1/orders/:id/links` and `/v1/links/...` routes; mount behind shop authentication. */
export function linkRoutes(deps: ServiceDeps, revoke: RevokeLink = revokeLink): Router {
  const router = Router({ caseSensitive: true });

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
    const status = presentLink(link, money.order, money.payments);
    // While the link can be paid the shop may share it again: everything the issue answer had.
    const payable = unpayableProblem(link, money.order, deps.clock.now()) === undefined;
    const body: ShopLinkResponse = payable ? { ...status, ...linkShareMaterial(deps, link, money.order) } : status;
    res.json({ ...body, ...shopperMaterial(deps, link, await deps.store.getLinkLive(link.id)) });
  });

  router.post('/v1/links/:id/revoke', idempotent(deps.store, deps.clock, async (req) => {
    return { status: 200, body: await revoke(deps, shopOf(req), req.params.id as string) };
  }));

  // The link's mini program code (scene = its code, page pages/pay/index), made once and kept.
  router.get('/v1/links/:id/qr.png', async (req, res) => {
    const shop = shopOf(req);
    const { link, order } = await getLinkForShop(deps, shop, req.params.id);
    const code = await linkCodeImage(deps, link.id, () => Promise.resolve(unpayableProblem(link, order, deps.clock.now())));
    res.type(code.contentType).setHeader('Cache-Control', CODE_IMAGE_CACHE_CONTROL);
    res.send(code.image);
  });

  // The link's URL Link, for a shop that opens the pay page from its own web page or SMS.
  router.get('/v1/links/:id/url-link', async (req, res) => {
    const { link, order } = await getLinkForShop(deps, shopOf(req), req.params.id);
    const refusal = unpayableProblem(link, order, deps.clock.now());
    if (refusal !== undefined) throw refusal;
    const urlLink = await linkUrlLink(deps, link);
    if (urlLink === undefined) throw new AppError('LINK_EXPIRED', 'This link expires within two minutes: too soon for WeChat to make a URL Link.');
    const body: UrlLinkResponse = { url_link: urlLink.url, expires_at: iso(urlLink.expiresAt) };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });

  return router;
}
