/**
 * Builds the Express app without listening (tests start it on port 0). Routes are thin and call
 * services; every error goes through the problem middleware.
 */
import compression from 'compression';
import express, { type Express, type Request, type RequestHandler, type Router } from 'express';
import { AppError } from '../errors/app-error';
import { findDuplicateKey } from './json-guard';
import { landingRoutes } from '../landing/landing-page';
import { friendRoutes } from '../links/friend-routes';
import { linkRoutes } from '../links/link-routes';
import { orderRoutes } from '../orders/order-routes';
import { notifyRoutes } from '../payments/notify-routes';
import { cancelOrder } from '../payments/order-cancellation';
import { paymentRoutes } from '../payments/payment-routes';
import { sessionRoutes } from '../sessions/session-routes';
import { deliveryRoutes } from '../webhooks/delivery-routes';
import type { ServiceDeps } from '../service-deps';
import { opsRoutes } from './ops-routes';
import { notFoundHandler, problemHandler } from './problem';
import { requestLog } from './request-log';
import type { RateLimits } from './rate-limits';
import { shopAuth } from './shop-auth';

/** DESIGN.md §5: bodies over 16 KiB are refused. */
export const MAX_BODY_BYTES = 16 * 1024;

/** What the app is built from. */
export interface AppOptions {
  deps: ServiceDeps;
  /** Mounted before body parsing, e.g. the WeChat Pay simulator, which verifies signatures over raw bytes. */
  rawRouters?: { path: string; router: Router }[];
  /** Sandbox QA routes; none in production. */
  sandboxRouters?: Router[];
  /** Routes a caller adds with the app's full middleware (the benchmark's hello route). */
  extraRouters?: Router[];
  /** The mini program's H5 build, served at `/app/` when present. */
  h5Dir?: string;
  rateLimits: RateLimits;
  /** Express `trust proxy`, so rate limits see the client's IP behind a load balancer. */
  trustProxy?: boolean | number | string;
}

/** Whether body-parser would read a body: its own test (type-is `hasBody`), so skipping it changes nothing. */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && !Number.isNaN(Number(length)));
}

/** A body sent with any other type than JSON is refused rather than silently ignored. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const sent = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (sent && !req.is(['application/json', 'application/*+json'])) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send request bodies as application/json.');
  }
  next();
};

/** Runs before parsing; a body that is not JSON at all is left to the parser's own 400. */
function refuseDuplicateKeys(_req: unknown, _res: unknown, buffer: Buffer): void {
  const text = buffer.toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    return;
  }
  const key = findDuplicateKey(text);
  if (key !== undefined) throw new AppError('MALFORMED_JSON', `The key "${key.slice(0, 40)}" appears twice in one object.`);
}

/** The HTTP app. */
export function createApp(options: AppOptions): Express {
  const { deps } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', options.trustProxy ?? false);

  app.use(requestLog(deps.logger, deps.metrics));
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.use(opsRoutes(deps.store, deps.metrics));
  if (options.h5Dir !== undefined) {
    // The H5 pay page: index.html must never be cached (it names the hashed bundles), the bundles may be.
    // Compressed: the page's bundles are about 670 KB as built, a quarter of that gzipped, and a
    // friend opens it on a phone. (API answers are small and not compressed.)
    app.use('/app', compression(), express.static(options.h5Dir, { index: 'index.html', maxAge: '1h', setHeaders: (res, file) => {
      if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
    } }));
  }
  app.use(landingRoutes(deps));
  for (const { path, router } of options.rawRouters ?? []) app.use(path, router);
  // WeChat Pay signs the exact bytes it sends: this route reads the raw body itself.
  app.use(notifyRoutes(deps));

  const parseJson = express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'], verify: refuseDuplicateKeys });
  // The parser leaves a request without a body alone anyway, but only after setting up a read of
  // it (about 8% of a friend view's CPU in the benchmark's profile): skip it for those.
  app.use(['/v1', '/sandbox'], requireJsonBody, (req, res, next) => (hasBody(req) ? parseJson(req, res, next) : next()));
  app.use(friendRoutes(deps, options.rateLimits));
  app.use(sessionRoutes(deps, options.rateLimits));
  app.use(paymentRoutes(deps, options.rateLimits));
  for (const router of options.sandboxRouters ?? []) app.use(router);

  app.use(['/v1/orders', '/v1/links', '/v1/deliveries'], shopAuth(deps.store, options.rateLimits));
  app.use(orderRoutes(deps, cancelOrder));
  app.use(linkRoutes(deps));
  app.use(deliveryRoutes(deps));

  for (const router of options.extraRouters ?? []) app.use(router);
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
