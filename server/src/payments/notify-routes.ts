/**
 * `POST /v1/wechatpay/notify`: WeChat Pay tells us a payment or refund succeeded. The route reads
 * the exact bytes received and answers; `notification-service.ts` decides. WeChat expects an
 * answer within 5 s: 204 on success, otherwise an error status with `{"code":"FAIL","message":...}`
 * so it retries. Every failure of this route, reading the body included, answers in that shape.
 */
import express, { Router, type ErrorRequestHandler, type Response } from 'express';
import type { ServiceDeps } from '../service-deps';
import { isStoreUnavailable } from '../store/store-errors';
import { notificationFailureAnswer } from '../wechat/notification';
import { handleWechatPayNotification } from './notification-service';

/** WeChat's notifications are about 1 KiB; 16 KiB leaves room and no more (docs/architecture.md, "Security"). */
export const MAX_NOTIFICATION_BYTES = 16 * 1024;

function fail(res: Response, status: number, message: string): void {
  res.status(status).json(notificationFailureAnswer(message));
}

/** What went wrong reading or handling a notification, as WeChat's answer: body errors are 4xx, ours 5xx. */
function notificationErrors(deps: ServiceDeps): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { type, status, expose } = (typeof error === 'object' && error !== null ? error : {}) as { type?: unknown; status?: unknown; expose?: unknown };
    if (type === 'entity.too.large') {
      fail(res, 413, `notification bodies are limited to ${MAX_NOTIFICATION_BYTES} bytes`);
      return;
    }
    if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
      fail(res, status, status === 415 ? 'unsupported content encoding' : 'the body could not be read');
      return;
    }
    if (isStoreUnavailable(error)) {
      deps.logger.warn({ code: (error as { code?: unknown }).code }, 'store unavailable for a notification');
      fail(res, 503, 'temporarily unavailable');
      return;
    }
    deps.logger.error({ err: error }, 'notification failed');
    fail(res, 500, 'internal error');
  };
}

/** The notification route; mount before any JSON body parser. */
export function notifyRoutes(deps: ServiceDeps): Router {
  const router = Router({ caseSensitive: true });
  router.post('/v1/wechatpay/notify', express.raw({ type: () => true, limit: MAX_NOTIFICATION_BYTES }), async (req, res) => {
    const rawBody: unknown = req.body;
    if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) {
      fail(res, 400, 'empty body');
      return;
    }
    const answer = await handleWechatPayNotification(deps, { headers: req.headers, rawBody });
    if (answer.kind === 'rejected') {
      fail(res, answer.status, answer.message);
      return;
    }
    res.status(204).end();
    answer.afterAnswer?.();
  });
  router.use('/v1/wechatpay/notify', notificationErrors(deps));
  return router;
}
