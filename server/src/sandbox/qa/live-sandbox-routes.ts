/**
 * QA view of live status in the chat (sandbox only): the share cards of a link as the simulated
 * chat shows them right now, so the sandbox pay and share pages (and QA) can watch a card change.
 */
import { Router } from 'express';
import { AppError } from '../../errors/app-error';
import { verifyLinkRef } from '../../links/link-ref';
import { verifyShopperToken } from '../../links/shopper-token';
import type { ServiceDeps } from '../../service-deps';
import type { WechatMessagesSimulator } from '../simulators/wechat-messages-simulator';

/** `GET /sandbox/cards/{ref}`: `ref` is a link's token or code, or its shopper token. */
export function liveSandboxRoutes(deps: ServiceDeps, simulator: WechatMessagesSimulator | undefined): Router {
  const router = Router({ caseSensitive: true });
  router.get('/sandbox/cards/:ref', async (req, res) => {
    const ref = req.params.ref;
    const now = deps.clock.now();
    // A shopper token, else a link token or code (verifyLinkRef throws LINK_INVALID for anything else).
    const linkId = verifyShopperToken(deps.keyring, ref, now) ?? verifyLinkRef(deps.keyring, ref, now);
    if (simulator === undefined) throw new AppError('NOT_FOUND', 'The chat is not simulated in this server (its WeChat is configured elsewhere).');
    const activities = await deps.store.listLinkActivities(linkId);
    const cards = activities.flatMap((activity) => {
      const card = simulator.card(activity.activityId);
      return card === undefined ? [] : [Object.assign({}, card, { expired: now >= card.expiresAt })];
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ link_id: linkId, cards });
  });
  return router;
}
