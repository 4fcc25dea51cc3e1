/** Friend API: what a friend sees for a link (public; the link ref is the capability). */
import { Router } from 'express';
import type { RateLimits } from '../http/rate-limits';
import type { ServiceDeps } from '../service-deps';
import { classifyLinkRef } from '../../../shared/link-ref';
import { signLinkCode } from './link-code';
import { optionalSessionOpenid } from '../sessions/session-token';
import { presentFriendView, readFriendLink } from './link-service';

/** `GET /v1/pay/:ref`. */
export function friendRoutes(deps: ServiceDeps, limits: RateLimits): Router {
  const router = Router();

  router.get('/v1/pay/:ref', async (req, res) => {
    await limits.consume('friendViewsPerIp', req.ip ?? 'unknown');
    const view = await readFriendLink(deps, req.params.ref as string);
    const payments = await deps.store.listPaymentsOfOrder(view.order.id);
    const viewer = optionalSessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    deps.metrics.linkViewed();
    res.setHeader('Cache-Control', 'no-store');
    // The holder of any ref may have the short URL: it names the same link, no more. A verified
    // code is that URL's own code already, so only a token costs a second MAC.
    const ref = req.params.ref as string;
    const code = classifyLinkRef(ref) === 'code' ? ref : signLinkCode(deps.keyring, view.link.id);
    const url = `${deps.publicBaseUrl}/p/${code}`;
    res.json(presentFriendView(view, payments, viewer, deps.clock.now(), url));
  });

  return router;
}
