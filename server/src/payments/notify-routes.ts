/**
 * `POST /v1/wechatpay/notify`: WeChat Pay tells us a payment or refund succeeded. The route reads
 * the exact bytes received and answers; `notification-service.ts` decides. WeChat expects an
 * answer within 5 s: 204 on success, otherwise an error status with `{"code":"FAIL","message":...}`
 * so it retries.
 */
import express, { Router, type Response } from 'express';
import type { ServiceDeps } from '../service-deps';
import { notificationFailureAnswer } from '../wechat/notification';
import { handleWechatPayNotification } from './notification-service';

/** Notifications are small; WeChat's are about 1 KB. */
const MAX_NOTIFICATION_BYTES = 64 * 1024;

function fail(res: Response, status: number, message: string): void {
  res.status(status).json(notificationFailureAnswer(message));
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
  return router;
}
