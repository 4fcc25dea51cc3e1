/**
 * Sends refunds to WeChat Pay. A refund record is written in the same transaction as the change
 * that calls for it; this pushes it to WeChat and is repeated by the reconciler until WeChat
 * answers, always with the refund's one out_refund_no (the same number never refunds twice),
 * then asks how it went until WeChat settles it: SUCCESS, ABNORMAL or CLOSED, each applied once
 * (settlement.ts), whether the answer, a query or a notification says it first.
 */
import type { ServiceDeps } from '../service-deps';
import { subMerchantForShop } from '../shops/shop-merchant';
import type { RefundRecord } from '../store/records';
import { WechatPayError, isPayerAccountAbnormalCode } from '../wechat/errors';
import { isRefundProcessing } from '../wechat/states';
import { applyRefundSettlement, refundSettlementOf } from './settlement';

/** Backoff for refund attempts: 10 s, 20 s, 40 s ... up to 30 minutes. */
function nextAttemptDelay(attempts: number): number {
  return Math.min(10_000 * 2 ** attempts, 30 * 60_000);
}

/** The refund reason WeChat shows the payer (at most 80 characters): the shop's words, or ours. */
function wechatReasonOf(refund: RefundRecord): string {
  return Array.from(refund.note ?? '好友代付退款').slice(0, 80).join('');
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
            reason: wechatReasonOf(refund),
            notifyUrl: deps.wechat.notifyUrl,
          }, subMerchant)
        : await deps.wechat.pay.queryRefund(refund.outRefundNo, subMerchant);
    const settlement = refundSettlementOf(answer.status);
    if (settlement !== undefined) {
      await applyRefundSettlement(deps, { outRefundNo: refund.outRefundNo, wechatRefundId: answer.refundId, amount: answer.amountRefund, settlement });
      if (settlement !== 'succeeded') deps.logger.error({ refund_id: refund.id, status: answer.status }, 'refund did not reach the payer; the shop was told (refund.abnormal)');
      return settlement;
    }
    const now = deps.clock.now();
    if (isRefundProcessing(answer.status)) {
      await deps.store.transaction((tx) =>
        tx.updateRefund(refund.id, { status: 'processing', wechatRefundId: answer.refundId, attempts: refund.attempts + 1, nextAttemptAt: now + nextAttemptDelay(refund.attempts), updatedAt: now }, ['pending', 'processing']),
      );
    }
    return 'processing';
  } catch (error: unknown) {
    const code = error instanceof WechatPayError ? error.code : 'UNKNOWN';
    if (refund.status === 'pending' && isPayerAccountAbnormalCode(code)) {
      // WeChat refused outright: the payer's account is gone. Retrying cannot help; the shop must.
      await applyRefundSettlement(deps, { outRefundNo: refund.outRefundNo, wechatRefundId: null, amount: undefined, settlement: 'abnormal' });
      deps.logger.error({ refund_id: refund.id, code }, 'refund refused: the payer\'s account cannot take it; the shop was told (refund.abnormal)');
      return 'abnormal';
    }
    const now = deps.clock.now();
    await deps.store.transaction((tx) =>
      tx.updateRefund(refund.id, { attempts: refund.attempts + 1, nextAttemptAt: now + nextAttemptDelay(refund.attempts), lastError: code, updatedAt: now }, ['pending', 'processing']),
    );
    deps.logger.warn({ refund_id: refund.id, code }, 'refund attempt failed; will retry with the same out_refund_no');
    return refund.status;
  }
}
