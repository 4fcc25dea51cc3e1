/**
 * Sends refunds to WeChat Pay. A refund record is written in the same transaction as the change
 * that calls for it; this pushes it to WeChat and is repeated by the reconciler until WeChat has
 * it (the same out_refund_no never refunds twice), then checks on it until it succeeds.
 */
import type { ServiceDeps } from '../service-deps';
import { subMerchantForShop } from '../shops/shop-merchant';
import type { RefundRecord } from '../store/records';
import { WechatPayError } from '../wechat/errors';
import { isRefundProcessing, isRefundSucceeded } from '../wechat/states';
import { applyRefundSuccess } from './settlement';

/** Backoff for refund attempts: 10 s, 20 s, 40 s ... up to 30 minutes. */
function nextAttemptDelay(attempts: number): number {
  return Math.min(10_000 * 2 ** attempts, 30 * 60_000);
}

/** Pushes one refund forward: request it, or ask how it went. */
export async function advanceRefund(deps: ServiceDeps, refund: RefundRecord): Promise<RefundRecord['status']> {
  const payment = await deps.store.getPayment(refund.paymentId);
  if (payment === undefined) throw new Error(`refund ${refund.id} has no payment`);
  try {
    const subMerchant = await subMerchantForShop(deps, payment.shopId);
    const answer =
      refund.status === 'pending'
        ? await deps.wechat.pay.refund({
            outTradeNo: payment.outTradeNo,
            outRefundNo: refund.outRefundNo,
            amountRefund: refund.amount,
            amountTotal: payment.amount,
            reason: '好友代付退款',
            notifyUrl: deps.wechat.notifyUrl,
          }, subMerchant)
        : await deps.wechat.pay.queryRefund(refund.outRefundNo, subMerchant);
    if (isRefundSucceeded(answer.status)) {
      await applyRefundSuccess(deps, { outRefundNo: refund.outRefundNo, wechatRefundId: answer.refundId, amount: answer.amountRefund });
      return 'succeeded';
    }
    const now = deps.clock.now();
    if (isRefundProcessing(answer.status)) {
      await deps.store.transaction((tx) =>
        tx.updateRefund(refund.id, { status: 'processing', wechatRefundId: answer.refundId, attempts: refund.attempts + 1, nextAttemptAt: now + nextAttemptDelay(refund.attempts), updatedAt: now }, ['pending', 'processing']),
      );
      return 'processing';
    }
    // CLOSED or ABNORMAL: money could not go back by itself; a person must look.
    await deps.store.transaction((tx) => tx.updateRefund(refund.id, { status: 'failed', lastError: `WeChat Pay refund status ${answer.status}`, updatedAt: now }, ['pending', 'processing']));
    deps.logger.error({ refund_id: refund.id, status: answer.status }, 'refund failed at WeChat Pay; needs attention');
    return 'failed';
  } catch (error: unknown) {
    const now = deps.clock.now();
    const code = error instanceof WechatPayError ? error.code : 'UNKNOWN';
    await deps.store.transaction((tx) =>
      tx.updateRefund(refund.id, { attempts: refund.attempts + 1, nextAttemptAt: now + nextAttemptDelay(refund.attempts), lastError: code, updatedAt: now }, ['pending', 'processing']),
    );
    deps.logger.warn({ refund_id: refund.id, code }, 'refund attempt failed; will retry');
    return refund.status;
  }
}
