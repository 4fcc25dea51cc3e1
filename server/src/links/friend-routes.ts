/** Friend API: what a friend sees for a link (public; the link ref is the capability). */
import { Router } from 'express';
import type { RateLimits } from '../http/rate-limits';
import { sendJson } from '../http/send-json';
import { presentFriendView } from '../presenters/link-presenter';
import type { ServiceDeps } from '../service-deps';
import { classifyLinkRef } from '../../../shared/link-ref';
import { signLinkCode } from './link-code';
import { optionalSessionOpenid } from '../sessions/session-token';
import { readFriendLink } from './link-service';
import { audienceView } from './link-audience';

/** `GET /v1/pay/:ref`. */
export function friendRoutes(deps: ServiceDeps, limits: RateLimits): Router {
  const router = Router({ caseSensitive: true });

  // The short URL of a link never changes: its code is computed once per link, not per view
  // (bounded: a full memo starts over rather than growing with every link ever viewed).
  const codes = new Map<string, string>();
  const codeOf = (linkId: string): string => {
    let code = codes.get(linkId);
    if (code === undefined) {
      if (codes.size >= 10_000) codes.clear();
      code = signLinkCode(deps.keyring, linkId);
      codes.set(linkId, code);
    }
    return code;
  };

  router.get('/v1/pay/:ref', async (req, res) => {
    await limits.consume('friendViewsPerIp', req.ip ?? 'unknown');
    const ref = req.params.ref;
    const view = await readFriendLink(deps, ref);
    const viewer = optionalSessionOpenid(deps.sessionKey, req.get('authorization'), deps.clock.now());
    deps.metrics.linkViewed();
    res.setHeader('Cache-Control', 'no-store');
    // The holder of any ref may have the short URL: it names the same link, no more.
    const url = `${deps.publicBaseUrl}/p/${classifyLinkRef(ref) === 'code' ? ref : codeOf(view.link.id)}`;
    // Refunds are read only once someone has paid: the usual view (nobody has yet) stays one read.
    const refunds = view.payments.some((payment) => payment.paidAt !== null) ? await deps.store.listRefundsOfOrder(view.order.id) : [];
    const body = presentFriendView(view, view.payments, { friend: viewer }, deps.clock.now(), url, refunds);
    // Live status in the chat: who the link is for, and the template a payer may subscribe to.
    // Added to the presented answer, which is this request's alone, rather than copied into a new
    // one field by field (the hot path).
    Object.assign(body.link, await audienceView(deps, view, viewer));
    const refundTemplate = deps.live?.templates.refund;
    if (refundTemplate !== undefined) body.subscribe_templates = { refund: refundTemplate };
    sendJson(res, 200, body);
  });

  return router;
}
