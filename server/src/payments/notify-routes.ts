/**
 * `POST /v1/wechatpay/notify`: WeChat Pay tells us a payment or refund succeeded. Verified over the
 * exact bytes received (signature, then the 5-minute window), decrypted, checked against our
 * merchant and app and the payment's own amount and payer, then applied once. WeChat expects an
 * answer within 5 s: 204 on success, otherwise an error status with `{"code":"FAIL","message":...}`
 * so it retries.
 */
import express, { Router, type Response } from 'express';
import type { ServiceDeps } from '../service-deps';
import { WechatPayError } from '../wechat/errors';
import { advanceRefund } from './refund-runner';
import { applyPaymentSuccess, applyRefundSuccess } from './settlement';

/** Notifications are small; WeChat's are about 1 KB. */
const MAX_NOTIFICATION_BYTES = 64 * 1024;

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ code: 'FAIL', message });
}

/** The notification route; mount before any JSON body parser. */
export function notifyRoutes(deps: ServiceDeps): Router {
  const router = Router();
  router.post('/v1/wechatpay/notify', express.raw({ type: () => true, limit: MAX_NOTIFICATION_BYTES }), async (req, res) => {
    const rawBody: unknown = req.body;
    if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) {
      fail(res, 400, 'empty body');
      return;
    }
    let notification;
    try {
      notification = deps.wechat.pay.parseNotification({ headers: req.headers, rawBody });
    } catch (error: unknown) {
      const code = error instanceof WechatPayError ? error.code : 'UNKNOWN';
      deps.logger.warn({ code }, 'notification rejected');
      deps.metrics.notificationRejected(code);
      const unauthenticated = ['SIGNATURE_MISSING', 'SIGNATURE_INVALID', 'SERIAL_UNKNOWN', 'TIMESTAMP_OUT_OF_WINDOW'].includes(code);
      fail(res, unauthenticated ? 401 : 400, unauthenticated ? 'signature verification failed' : 'notification could not be read');
      return;
    }

    if (notification.kind === 'payment') {
      const transaction = notification.transaction;
      if (transaction.mchId !== deps.wechat.pay.mchId || transaction.appId !== deps.wechat.pay.appId) {
        deps.logger.error({ event_id: notification.eventId }, 'notification for another merchant or app');
        fail(res, 400, 'mchid or appid mismatch');
        return;
      }
      if (transaction.tradeState !== 'SUCCESS') {
        res.status(204).end();
        return;
      }
      const outcome = await applyPaymentSuccess(
        deps,
        {
          outTradeNo: transaction.outTradeNo,
          transactionId: transaction.transactionId ?? '',
          amount: transaction.amountTotal ?? -1,
          payerOpenid: transaction.payerOpenid ?? '',
          paidAt: transaction.successTime ? Date.parse(transaction.successTime) : deps.clock.now(),
        },
        notification.eventId,
      );
      if (outcome.kind === 'unknown' || outcome.kind === 'mismatch') {
        deps.logger.error({ event_id: notification.eventId, outcome: outcome.kind, reason: outcome.kind === 'mismatch' ? outcome.reason : undefined }, 'payment notification not applied');
        fail(res, 400, outcome.kind === 'unknown' ? 'unknown out_trade_no' : 'amount or payer mismatch');
        return;
      }
      res.status(204).end();
      // Money the order cannot keep goes back now rather than at the reconciler's next round.
      if (outcome.kind === 'applied' && outcome.refund) {
        advanceRefund(deps, outcome.refund).catch((error: unknown) => deps.logger.error({ err: error }, 'refund after notification failed'));
      }
      return;
    }

    const refund = notification.refund;
    if (refund.status === 'SUCCESS') {
      const outcome = await applyRefundSuccess(deps, { outRefundNo: refund.outRefundNo, wechatRefundId: refund.refundId, amount: refund.amountRefund }, notification.eventId);
      if (outcome === 'unknown' || outcome === 'mismatch') {
        deps.logger.error({ event_id: notification.eventId, outcome }, 'refund notification not applied');
        fail(res, 400, outcome === 'unknown' ? 'unknown out_refund_no' : 'amount mismatch');
        return;
      }
    } else {
      deps.logger.error({ event_id: notification.eventId, status: refund.status }, 'refund did not succeed at WeChat Pay; the reconciler will mark it');
    }
    res.status(204).end();
  });
  return router;
}
