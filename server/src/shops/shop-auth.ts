/** Shop API authentication: `Authorization: Bearer <api key>`, looked up by its hash. */
import type { RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { hashApiKey } from './shop-service';
import type { Store } from '../store/store';
import type { RateLimits } from '../http/rate-limits';
import { setShop } from '../http/request-context';

/** The scheme is case-insensitive and may be followed by several spaces (RFC 9110, section 11.1); the key is not. */
const bearer = /^Bearer +([A-Za-z0-9_]{16,128})$/i;

/** Rejects requests without a valid shop key (401); remembers the shop for the route. */
export function shopAuth(store: Store, limits: RateLimits): RequestHandler {
  return async (req, _res, next) => {
    const match = bearer.exec(req.get('authorization') ?? '');
    if (match === null) throw new AppError('UNAUTHORIZED', 'Send your shop API key as "Authorization: Bearer <key>".');
    const shop = await store.findShopByApiKeyHash(hashApiKey(match[1]));
    if (shop === undefined) throw new AppError('UNAUTHORIZED', 'This API key is not valid.');
    await limits.consume('shopRequestsPerKey', shop.id);
    setShop(req, shop);
    next();
  };
}
