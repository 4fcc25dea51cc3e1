/**
 * Gives every request an id of ours (sent back as X-Request-Id) and logs one line when it finishes.
 * A client's own X-Request-Id is never taken over or echoed: anyone could make their requests'
 * log lines look like another's. It is logged, cleaned, in a field of its own.
 */
import type { RequestHandler } from 'express';
import type pino from 'pino';
import { randomBase62 } from '../ids';
import { loggablePath } from '../logging/logger';
import type { Metrics } from '../observability/metrics';
import { setRequestId } from './request-context';

/** What is kept of a client's X-Request-Id: printable id characters, at most 64 of them. */
function clientRequestId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = value.replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 64);
  return cleaned === '' ? undefined : cleaned;
}
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Request ids only correlate log lines; they are not secrets. A random prefix per server and a
 * counter keep them unique across instances for a fraction of the cost of 16 CSPRNG characters
 * on every request.
 */
function requestIds(): () => string {
  const prefix = `req_${randomBase62(8)}`;
  let counter = 0;
  return () => {
    let n = ++counter;
    let suffix = '';
    for (let i = 0; i < 8; i++) {
      suffix = BASE62[n % 62] + suffix;
      n = Math.floor(n / 62);
    }
    return prefix + suffix;
  };
}

/** First middleware of the app; also feeds the request-duration metric, labelled by route pattern. */
export function requestLog(logger: pino.Logger, metrics: Metrics): RequestHandler {
  const nextId = requestIds();
  return (req, res, next) => {
    const id = nextId();
    setRequestId(req, id);
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The route pattern (`/v1/pay/:ref`), never the path: paths hold capabilities and ids.
      const routePath: unknown = (req.route as { path?: unknown } | undefined)?.path;
      metrics.request(req.method, typeof routePath === 'string' ? routePath : 'unmatched', res.statusCode, ms / 1000);
      // Build the line only when it is written: the path rewrite is not free on the hot path.
      if (logger.isLevelEnabled('info')) {
        const line: Record<string, unknown> = { request_id: id, method: req.method, path: loggablePath(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10 };
        const client = clientRequestId(req.get('x-request-id'));
        if (client !== undefined) line.client_request_id = client;
        logger.info(line, 'request');
      }
    });
    next();
  };
}
