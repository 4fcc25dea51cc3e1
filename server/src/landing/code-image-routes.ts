/**
 * `GET /p/{code}/qr.png`: a link's mini program code, public, named by the link's signed code (or
 * token). The signature is checked before any store read, the route is limited like the friend
 * view, and the image is made once per link and kept, so a view costs one read and no drawing.
 */
import { Router } from 'express';
import type { RateLimits } from '../http/rate-limits';
import { verifyLinkRef } from '../links/link-ref';
import { readFriendLink } from '../links/link-service';
import { linkCodeImage, unpayableProblem } from '../links/link-wechat-service';
import type { ServiceDeps } from '../service-deps';

/** Public: the URL is the capability, so any cache may keep the image as long as a link can live. */
const PUBLIC_CODE_CACHE_CONTROL = 'public, max-age=604800, immutable';

/** The public code image route. */
export function codeImageRoutes(deps: ServiceDeps, limits: RateLimits): Router {
  const router = Router();

  router.get('/p/:code/qr.png', async (req, res) => {
    await limits.consume('friendViewsPerIp', req.ip ?? 'unknown');
    const ref = req.params.code;
    const linkId = verifyLinkRef(deps.keyring, ref, deps.clock.now());
    const code = await linkCodeImage(deps, linkId, async () => {
      const { link, order } = await readFriendLink(deps, ref);
      return unpayableProblem(link, order, deps.clock.now());
    });
    res.setHeader('Cache-Control', PUBLIC_CODE_CACHE_CONTROL);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // A poster drawn in a browser page on another origin (an H5 build pointed at this API) may
    // read it into its canvas; the image names nothing its URL does not already.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.type(code.contentType).send(code.image);
  });

  return router;
}
