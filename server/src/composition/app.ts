/**
 * The composition root's HTTP half: the one module that mounts every feature's routes, in order,
 * behind the shared middleware of `http/`. It builds the Express app without listening (tests
 * start it on port 0). Routes are thin and call services; every error goes through the problem
 * middleware.
 */
import compression from 'compression';
import express, { type Express, type Router } from 'express';
import { jsonBody } from '../http/json-body';
import { opsRoutes } from '../http/ops-routes';
import { notFoundHandler, problemHandler } from '../http/problem';
import type { RateLimits } from '../http/rate-limits';
import { requestLog } from '../http/request-log';
import { baselineSecurityHeaders, h5StaticHeaders, noStore } from '../http/security-headers';
import { shopAuth } from '../shops/shop-auth';
import { docsRoutes } from '../docs/docs-routes';
import { landingRoutes } from '../landing/landing-page';
import { codeImageRoutes } from '../landing/code-image-routes';
import { friendRoutes } from '../links/friend-routes';
import { linkRoutes } from '../links/link-routes';
import { orderRoutes } from '../orders/order-routes';
import { notifyRoutes } from '../payments/notify-routes';
import { cancelOrder } from '../payments/order-cancellation';
import { paymentRoutes } from '../payments/payment-routes';
import { revokeLinkAndClose } from '../payments/link-revocation';
import { refundRoutes } from '../payments/refund-routes';
import { sessionRoutes } from '../sessions/session-routes';
import { liveRoutes } from '../live/live-routes';
import { deliveryRoutes } from '../webhooks/delivery-routes';
import type { ServiceDeps } from '../service-deps';

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
  /** WeChat's domain check file for the plain-link QR rule (`WECHAT_QRCODE_VERIFY_FILE`), served at `/<name>`. */
  qrcodeVerifyFile?: { name: string; content: string };
}

/** The HTTP app. */
export function createApp(options: AppOptions): Express {
  const { deps } = options;
  const app = express();
  // Before the first route: the app's router takes the setting when it is made. `/V1/PAY/{token}`
  // reaches no route (docs/architecture.md, "Security"); every Router is made case-sensitive too.
  app.set('case sensitive routing', true);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', options.trustProxy ?? false);

  app.use(requestLog(deps.logger, deps.metrics));
  app.use(baselineSecurityHeaders);
  app.get('/favicon.ico', (_req, res) => {
    res.status(204).end();
  });
  app.use(opsRoutes(deps.store, deps.metrics));
  if (options.h5Dir !== undefined) {
    // The H5 pay page: index.html must never be cached (it names the hashed bundles), the bundles may be.
    // Compressed: the page's bundles are about 670 KB as built, a quarter of that gzipped, and a
    // friend opens it on a phone. (API answers are small and not compressed.)
    // Pages get a CSP that lets this bundle run and nothing else (http/security-headers.ts).
    // The redirect of `/app` to `/app/` is ours: serve-static's would replace the CSP with its own.
    app.get('/app', (req, res, next) => {
      if (req.path !== '/app') {
        next();
        return;
      }
      const query = req.originalUrl.indexOf('?');
      res.redirect(301, `/app/${query === -1 ? '' : req.originalUrl.slice(query)}`);
    });
    app.use('/app', compression(), express.static(options.h5Dir, { index: 'index.html', maxAge: '1h', redirect: false, setHeaders: h5StaticHeaders() }));
  }
  const verifyFile = options.qrcodeVerifyFile;
  if (verifyFile !== undefined) {
    // WeChat fetches it once when the 扫普通链接二维码打开小程序 rule is saved: exact bytes, plain text.
    app.get(`/${verifyFile.name}`, (_req, res) => {
      res.type('text/plain').setHeader('Cache-Control', 'no-cache');
      res.send(verifyFile.content);
    });
  }
  app.use(landingRoutes(deps, options.rateLimits));
  app.use(codeImageRoutes(deps, options.rateLimits));
  app.use(docsRoutes({ publicBaseUrl: deps.publicBaseUrl, sandbox: deps.sandboxMode, h5: options.h5Dir !== undefined, qrcodeVerifyFile: options.qrcodeVerifyFile?.name }));
  for (const { path, router } of options.rawRouters ?? []) app.use(path, router);
  // WeChat Pay signs the exact bytes it sends: this route reads the raw body itself.
  app.use(notifyRoutes(deps));

  app.use('/v1', noStore);
  app.use(['/v1', '/sandbox'], jsonBody());
  app.use(friendRoutes(deps, options.rateLimits));
  app.use(sessionRoutes(deps, options.rateLimits));
  app.use(paymentRoutes(deps, options.rateLimits));
  app.use(liveRoutes(deps, options.rateLimits));
  for (const router of options.sandboxRouters ?? []) app.use(router);

  app.use(['/v1/orders', '/v1/links', '/v1/deliveries', '/v1/refunds'], shopAuth(deps.store, options.rateLimits));
  app.use(orderRoutes(deps, cancelOrder));
  app.use(linkRoutes(deps, revokeLinkAndClose));
  app.use(refundRoutes(deps));
  app.use(deliveryRoutes(deps));

  for (const router of options.extraRouters ?? []) app.use(router);
  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
