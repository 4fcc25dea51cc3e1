/**
 * What a WeChat Pay notification does to our payments. The caller hands over the exact bytes
 * received; they are verified (signature, then the 5-minute window) and decrypted, checked
 * against our merchant and app and the payment's own amount and payer, then applied once. The
 * answer says whether WeChat should stop sending it (accepted) or send it again (rejected).
 */
import type { ServiceDeps } from '../service-deps';
import { WechatPayError, isUnauthenticatedCode } from '../wechat/errors';
import type { IncomingNotification, PaymentNotification, RefundNotification, WechatPayNotification } from '../wechat/notification';
import { isExpectedPaymentKind, isTradeSucceeded } from '../wechat/states';
import { paymentNotificationMerchantProblem, refundNotificationMerchantProblem } from './notification-merchant';
import { advanceRefund } from './refund-runner';
import { applyPaymentSuccess, applyRefundSettlement, refundSettlementOf } from './settlement';

/** How to answer a notification; `afterAnswer` runs once the answer is sent (WeChat waits at most 5 s). */
export type NotificationAnswer =
  | { kind: 'accepted'; afterAnswer?: () => void }
  | { kind: 'rejected'; status: 400 | 401; message: string };

const accepted: NotificationAnswer = { kind: 'accepted' };

function rejected(status: 400 | 401, message: string): NotificationAnswer {
  return { kind: 'rejected', status, message };
}

/** Verifies, decrypts and applies one notification sent to our notify_url. */
export async function handleWechatPayNotification(deps: ServiceDeps, incoming: IncomingNotification): Promise<NotificationAnswer> {
  let notification: WechatPayNotification;
  try {
    notification = await deps.wechat.pay.parseNotification(incoming);
  } catch (error: unknown) {
    const code = error instanceof WechatPayError ? error.code : 'UNKNOWN';
    deps.logger.warn({ code }, 'notification rejected');
    deps.metrics.notificationRejected(code);
    return isUnauthenticatedCode(code) ? rejected(401, 'signature verification failed') : rejected(400, 'notification could not be read');
  }
  return notification.kind === 'payment' ? applyPaymentNotification(deps, notification) : applyRefundNotification(deps, notification);
}

async function applyPaymentNotification(deps: ServiceDeps, notification: PaymentNotification): Promise<NotificationAnswer> {
  const transaction = notification.transaction;
  if (transaction.mchId !== deps.wechat.pay.mchId || transaction.appId !== deps.wechat.pay.appId) {
    deps.logger.error({ event_id: notification.eventId }, 'notification for another merchant or app');
    return rejected(400, 'mchid or appid mismatch');
  }
  const merchantProblem = await paymentNotificationMerchantProblem(deps, transaction);
  if (merchantProblem !== undefined) {
    deps.logger.error({ event_id: notification.eventId, problem: merchantProblem }, 'notification for another sub-merchant');
    return rejected(400, merchantProblem);
  }
  if (!isTradeSucceeded(transaction.tradeState)) return accepted;
  if (!isExpectedPaymentKind(transaction)) {
    // We only ever ask for yuan through the mini program: anything else is not our payment to apply.
    deps.logger.error({ event_id: notification.eventId, currency: transaction.currency?.slice(0, 8), trade_type: transaction.tradeType?.slice(0, 16) }, 'payment notification of a kind we never asked for');
    deps.metrics.notificationRejected('UNEXPECTED_KIND');
    return rejected(400, 'currency or trade_type is not what was ordered');
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
    return rejected(400, outcome.kind === 'unknown' ? 'unknown out_trade_no' : 'amount or payer mismatch');
  }
  const refund = outcome.kind === 'applied' ? outcome.refund : undefined;
  if (refund === undefined) return accepted;
  // Money the order cannot keep goes back now rather than at the reconciler's next round.
  return {
    kind: 'accepted',
    afterAnswer: () => {
      advanceRefund(deps, refund).catch((error: unknown) => deps.logger.error({ err: error }, 'refund after notification failed'));
    },
  };
}

/**
 * REFUND.SUCCESS, REFUND.ABNORMAL and REFUND.CLOSED each settle the refund once; they may come
 * in any order relative to the refund call's answer and the reconciler's query (first one wins).
 */
async function applyRefundNotification(deps: ServiceDeps, notification: RefundNotification): Promise<NotificationAnswer> {
  const refund = notification.refund;
  const merchantProblem = await refundNotificationMerchantProblem(deps, refund);
  if (merchantProblem !== undefined) {
    deps.logger.error({ event_id: notification.eventId, problem: merchantProblem }, 'refund notification for another merchant');
    return rejected(400, merchantProblem);
  }
  const settlement = refundSettlementOf(refund.status);
  if (settlement === undefined) return accepted;
  const outcome = await applyRefundSettlement(
    deps,
    { outRefundNo: refund.outRefundNo, wechatRefundId: refund.refundId, amount: refund.amountRefund, settlement },
    { eventId: notification.eventId, eventType: notification.eventType },
  );
  if (outcome === 'applied' && settlement !== 'succeeded') {
    deps.logger.error({ event_id: notification.eventId, status: refund.status }, 'refund did not reach the payer; the shop was told (refund.abnormal)');
  }
  if (outcome === 'unknown' || outcome === 'mismatch') {
    deps.logger.error({ event_id: notification.eventId, outcome }, 'refund notification not applied');
    return rejected(400, outcome === 'unknown' ? 'unknown out_refund_no' : 'amount mismatch');
  }
  return accepted;
}
