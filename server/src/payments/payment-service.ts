/**
 * A friend pays: reserve (single-mode lease or group-mode amount) in one transaction, then ask
 * WeChat Pay for a prepay outside it, then hand back the `wx.requestPayment` parameters. The same
 * friend retrying gets the same payment and parameters; another friend gets LINK_BUSY.
 */
import type { CreatePaymentResponse } from '../../../shared/api-types';
import { AppError } from '../errors/app-error';
import { requirePrivateProof } from '../links/link-audience';
import { verifyLinkRef } from '../links/link-ref';
import { settleLink } from '../links/link-service';
import { presentPayment } from '../presenters/payment-presenter';
import type { ServiceDeps } from '../service-deps';
import { subMerchantForShop } from '../shops/shop-merchant';
import type { PaymentRecord, RefundRecord } from '../store/records';
import { WechatPayError, isOrderNotExistCode, isOrderUnpayableCloseCode } from '../wechat/errors';
import { isExpectedPaymentKind, isTradeClosed, isTradeNotPaid, isTradePaid } from '../wechat/states';
import { PAYMENT_LEASE_MS, WECHAT_CLOCK_SKEW_MS, amountDue, linkRefusal, outTradeNoFor, secondsUntil } from './payment-rules';
import { applyPaymentSuccess } from './settlement';

/** Reserves the payment (or finds the friend's open one) in one transaction. */
async function reserve(deps: ServiceDeps, linkId: string, openid: string, idempotencyKey: string, requested: number | undefined, leaseMs: number, payerName: string | null): Promise<PaymentRecord> {
  let created = false;
  const payment = await deps.store.transaction(async (tx) => {
    // Either engine may run this twice (store.ts): only the run that counts says whether it created.
    created = false;
    const now = deps.clock.now();
    const byKey = await tx.findPaymentByIdempotencyKey(openid, idempotencyKey);
    if (byKey !== undefined) {
      if (byKey.linkId !== linkId || (requested !== undefined && requested !== byKey.amount)) {
        throw new AppError('IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was used for another payment request.');
      }
      if (byKey.status === 'created') return byKey;
      if (byKey.keptAmount > 0) throw new AppError('LINK_PAID', 'You have already paid this.');
      throw new AppError('IDEMPOTENCY_MISMATCH', 'The payment made with this Idempotency-Key has ended; start a new one with a new key.');
    }
    const link = await tx.getLink(linkId, true);
    if (link === undefined) throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
    const order = await tx.getOrder(link.orderId, true);
    if (order === undefined) throw new Error(`link ${link.id} has no order`);
    const refusal = linkRefusal(link, order, now);
    if (refusal) throw refusal;

    const open = (await tx.listPaymentsOfOrder(order.id)).filter((payment) => payment.status === 'created');
    let amount: number;
    if (link.mode === 'single') {
      const mine = open.find((payment) => payment.linkId === link.id && payment.payerOpenid === openid);
      // Past its time_expire the friend's own WeChat order cannot be paid: they wait for it to close like anyone.
      if (mine !== undefined && now < mine.payableUntil) return mine;
      // One friend pays everything that is left, so nobody else may be paying any part of the
      // order (through this link or another): otherwise the link would be paid in pieces.
      if (open.length > 0) {
        // Free once the open WeChat order is closed, at the latest when it cannot be paid any more.
        const retryAfter = secondsUntil(Math.min(...open.map((payment) => payment.payableUntil)), now);
        throw new AppError('LINK_BUSY', 'Another friend is paying this right now; try again when they are done.', { retryAfter });
      }
      if (requested !== undefined) throw new AppError('AMOUNT_INVALID', 'A single-mode link pays the whole amount due; send no amount.');
      amount = order.amountTotal - order.amountPaid;
    } else {
      const due = amountDue(order, open);
      if (requested === undefined) throw new AppError('AMOUNT_INVALID', `Say how much you pay: from 1 to ${due} fen.`);
      if (due === 0) {
        const retryAfter = secondsUntil(Math.min(...open.map((payment) => payment.leaseExpiresAt)), now);
        throw new AppError('LINK_BUSY', 'Other friends are paying the rest right now.', { retryAfter });
      }
      if (!Number.isSafeInteger(requested) || requested < 1 || requested > due) {
        throw new AppError('AMOUNT_INVALID', `The amount must be a whole number of fen from 1 to ${due}.`);
      }
      amount = requested;
    }
    if (amount <= 0) {
      // Other links of the order hold the rest in open payments.
      const retryAfter = secondsUntil(Math.min(...open.map((payment) => payment.leaseExpiresAt)), now);
      throw new AppError('LINK_BUSY', 'Someone is paying this order right now.', { retryAfter });
    }
    // The WeChat order is payable exactly while the lease (single) or reservation (group) holds,
    // never past the link: its time_expire is the lease's end (whole seconds, as WeChat writes
    // times). So once the lease is over nobody can pay it, whether or not our close got through,
    // and the link can go to another friend without anyone being charged twice.
    const leaseExpiresAt = Math.floor(Math.min(now + leaseMs, link.expiresAt) / 1000) * 1000;
    const payableUntil = leaseExpiresAt;
    const id = deps.ids.newId('pay');
    const payment: PaymentRecord = {
      id,
      linkId: link.id,
      orderId: order.id,
      shopId: order.shopId,
      mode: link.mode,
      payerOpenid: openid,
      idempotencyKey,
      amount,
      status: 'created',
      outTradeNo: outTradeNoFor(id),
      prepayId: null,
      requestPayment: null,
      payableUntil,
      leaseExpiresAt,
      transactionId: null,
      paidAt: null,
      closedAt: null,
      keptAmount: 0,
      refundedAmount: 0,
      checkedAt: null,
      createdAt: now,
      updatedAt: now,
      payerName,
      notificationId: null,
    };
    await tx.insertPayment(payment);
    created = true;
    return payment;
  }).catch((error: unknown) => {
    // Counted here, not in the callback: PostgreSQL may run the callback twice.
    if (error instanceof AppError && error.code === 'LINK_BUSY') deps.metrics.payment('busy');
    throw error;
  });
  if (created) deps.metrics.payment('created');
  return payment;
}

/** The description WeChat shows in the pay sheet and the payer's bill (at most 127 characters). */
function descriptionFor(shopName: string): string {
  return Array.from(`${shopName}-好友代付`).slice(0, 127).join('');
}

/** Creates (or returns the friend's open) payment and its `wx.requestPayment` parameters. */
export async function createPayment(
  deps: ServiceDeps,
  input: { ref: string; openid: string; idempotencyKey: string; amount: number | undefined; /** What the friend wants the shopper to call them. */ payerName?: string | undefined },
): Promise<CreatePaymentResponse> {
  const linkId = verifyLinkRef(deps.keyring, input.ref, deps.clock.now());
  const view = await deps.store.getLinkView(linkId);
  if (view === undefined) throw new AppError('LINK_NOT_FOUND', 'This pay link does not exist.');
  await settleLink(deps, view.link);
  // Partner mode: the shop's money goes to its sub-merchant; a shop without one takes no payment.
  const subMerchant = await subMerchantForShop(deps, view.link.shopId);
  // A private link takes money only from friends who proved they received its card.
  await requirePrivateProof(deps, linkId, input.openid);
  let payment = await reserve(deps, linkId, input.openid, input.idempotencyKey, input.amount, PAYMENT_LEASE_MS, input.payerName ?? null);

  if (payment.prepayId === null || payment.requestPayment === null) {
    let prepayId: string;
    try {
      ({ prepayId } = await deps.wechat.pay.prepay({
        outTradeNo: payment.outTradeNo,
        description: descriptionFor(view.shopName),
        amountTotal: payment.amount,
        payerOpenid: payment.payerOpenid,
        notifyUrl: deps.wechat.notifyUrl,
        timeExpire: payment.payableUntil,
      }, subMerchant));
    } catch (error: unknown) {
      // No prepay_id came back, so the friend has nothing to pay with: release the lease or
      // reservation now rather than hold the link for its whole lease (another friend would get
      // LINK_BUSY for minutes). Safe even when a timeout hid an order WeChat did create: paying it
      // needs a paySign over its prepay_id, which only we can make, and this payment, now ended,
      // never gets one. The friend's retry starts a new payment (the mini program does so on
      // IDEMPOTENCY_MISMATCH).
      const released = await deps.store.transaction((tx) => tx.updatePayment(payment.id, { status: 'failed', closedAt: deps.clock.now(), updatedAt: deps.clock.now() }, ['created']));
      if (released !== undefined) deps.metrics.payment('failed');
      deps.logger.warn({ payment_id: payment.id, code: error instanceof WechatPayError ? error.code : 'UNKNOWN' }, 'prepay failed');
      throw new AppError('WECHAT_UNAVAILABLE', 'WeChat Pay is not answering; try again in a moment.', { retryAfter: 5 });
    }
    const params = deps.wechat.pay.requestPaymentParams(prepayId, subMerchant);
    // Two requests of the same friend may race here: the parameters stored first are kept.
    payment = (await deps.store.attachPrepay(payment.id, prepayId, params, deps.clock.now())) ?? payment;
  }
  if (payment.requestPayment === null || payment.prepayId === null) throw new AppError('PAYMENT_NOT_OPEN', 'This payment is no longer open.');
  return {
    payment: presentPayment(payment),
    request_payment: payment.requestPayment,
    ...(deps.sandboxMode ? { sandbox: { prepay_id: payment.prepayId, openid: payment.payerOpenid } } : {}),
  };
}

/** How long a payment stays `created` before reading it asks WeChat Pay (the notification may be late). */
const QUERY_AFTER_MS = 3000;

/** The payer's own payment with its refunds; a still-open one a few seconds old is checked with WeChat Pay first. */
export async function getPaymentForPayer(deps: ServiceDeps, paymentId: string, openid: string): Promise<{ payment: PaymentRecord; refunds: RefundRecord[] }> {
  let payment = await deps.store.getPayment(paymentId);
  if (payment === undefined || payment.payerOpenid !== openid) throw new AppError('PAYMENT_NOT_FOUND', 'No such payment of yours.');
  const now = deps.clock.now();
  if (payment.status === 'created' && payment.prepayId !== null && now - payment.createdAt >= QUERY_AFTER_MS && (payment.checkedAt === null || now - payment.checkedAt >= QUERY_AFTER_MS)) {
    await checkWithWechat(deps, payment);
    payment = (await deps.store.getPayment(paymentId)) ?? payment;
  }
  // A payment that never went through has no refunds: no need to ask.
  const refunds = payment.paidAt === null ? [] : await deps.store.listRefundsOfPayment(payment.id);
  return { payment, refunds };
}

/**
 * Asks WeChat Pay about an open payment and applies a success it reports; returns the trade state
 * (or the error code saying WeChat has no such order), undefined when WeChat could not be asked.
 */
export async function checkWithWechat(deps: ServiceDeps, payment: PaymentRecord): Promise<string | undefined> {
  await deps.store.markPaymentChecked(payment.id, deps.clock.now());
  try {
    const transaction = await deps.wechat.pay.queryByOutTradeNo(payment.outTradeNo, await subMerchantForShop(deps, payment.shopId));
    if (isTradePaid(transaction.tradeState) && !isExpectedPaymentKind(transaction)) {
      // As for notifications: a payment in another currency or of another trade type is not applied.
      deps.logger.error({ payment_id: payment.id, currency: transaction.currency?.slice(0, 8), trade_type: transaction.tradeType?.slice(0, 16) }, 'WeChat Pay reports a payment of a kind we never asked for');
      return undefined;
    }
    if (isTradePaid(transaction.tradeState)) {
      await applyPaymentSuccess(deps, {
        outTradeNo: transaction.outTradeNo,
        transactionId: transaction.transactionId ?? '',
        amount: transaction.amountTotal ?? payment.amount,
        payerOpenid: transaction.payerOpenid ?? payment.payerOpenid,
        paidAt: transaction.successTime ? Date.parse(transaction.successTime) : deps.clock.now(),
      });
    }
    return transaction.tradeState;
  } catch (error: unknown) {
    if (error instanceof WechatPayError && isOrderNotExistCode(error.code)) return error.code;
    deps.logger.warn({ payment_id: payment.id, code: error instanceof WechatPayError ? error.code : 'UNKNOWN' }, 'payment query failed');
    return undefined;
  }
}

/**
 * Closes an open payment at WeChat Pay and releases its lease or reservation, but only once
 * WeChat can no longer take the money (docs/architecture.md, "Lifecycles"): the close went
 * through, or WeChat says the order is closed, or it says not paid and the order's time_expire
 * has passed. A close that failed while the order is still payable keeps the lease (the
 * reconciler tries again), so no other friend can pay meanwhile. One WeChat reports paid is applied.
 */
export async function closeOpenPayment(deps: ServiceDeps, payment: PaymentRecord): Promise<'closed' | 'paid' | 'pending'> {
  let confirmed = false;
  try {
    await deps.wechat.pay.close(payment.outTradeNo, await subMerchantForShop(deps, payment.shopId));
    confirmed = true;
  } catch (error: unknown) {
    const code = error instanceof WechatPayError ? error.code : 'UNKNOWN';
    if (isOrderUnpayableCloseCode(code)) confirmed = true;
    else deps.logger.warn({ payment_id: payment.id, code }, 'close failed; asking WeChat Pay whether it was paid');
  }
  if (!confirmed) {
    const state = await checkWithWechat(deps, payment);
    if (isTradePaid(state)) return 'paid';
    const expired = isTradeNotPaid(state) && deps.clock.now() >= payment.payableUntil + WECHAT_CLOCK_SKEW_MS;
    if (!isTradeClosed(state) && !expired) return 'pending';
  }
  const now = deps.clock.now();
  const closed = await deps.store.transaction((tx) => tx.updatePayment(payment.id, { status: 'closed', closedAt: now, updatedAt: now }, ['created']));
  if (closed) {
    deps.metrics.payment('closed');
    return 'closed';
  }
  return (await deps.store.getPayment(payment.id))?.keptAmount ? 'paid' : 'pending';
}

/**
 * Closes these open payments now (cancel and revoke do, before they answer, so nobody can pay
 * what was just withdrawn); returns the ids WeChat did not confirm, which the reconciler keeps
 * closing and which a payer may still pay until their time_expire (that money goes back to them).
 */
export async function closeOpenPayments(deps: ServiceDeps, payments: readonly PaymentRecord[]): Promise<string[]> {
  const stillOpen: string[] = [];
  for (const payment of payments.filter((p) => p.status === 'created')) {
    if ((await closeOpenPayment(deps, payment)) === 'pending') stillOpen.push(payment.id);
  }
  return stillOpen;
}

/** The payer gave up in the pay sheet: close the WeChat order at once and free the link. */
export async function cancelPayment(deps: ServiceDeps, paymentId: string, openid: string): Promise<PaymentRecord> {
  const payment = await deps.store.getPayment(paymentId);
  if (payment === undefined || payment.payerOpenid !== openid) throw new AppError('PAYMENT_NOT_FOUND', 'No such payment of yours.');
  if (payment.status !== 'created') return payment;
  const outcome = await closeOpenPayment(deps, payment);
  if (outcome === 'pending') throw new AppError('WECHAT_UNAVAILABLE', 'WeChat Pay did not confirm the cancellation; try again in a moment.', { retryAfter: 5 });
  return (await deps.store.getPayment(paymentId)) ?? payment;
}
