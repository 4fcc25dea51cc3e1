/**
 * Daily reconciliation with WeChat Pay's trade bill (交易账单): every row of a day's bill is
 * compared with our payments and refunds, and every payment and refund of ours that the day's
 * bill should hold is looked for in it. What is safe is applied: a payment WeChat took that we
 * missed settles exactly as its late notification would (after asking WeChat about it: the
 * verified answer, not the file, decides), and a refund WeChat finished settles as its
 * notification would. Everything else is reported for a person. Running it again changes nothing
 * more: settling is idempotent, and what was applied then matches.
 */
import type { ServiceDeps } from '../service-deps';
import { subMerchantOf } from '../shops/shop-merchant';
import type { BillReconciliationRecord, PaymentRecord, RefundRecord, ShopRecord } from '../store/records';
import { isPaymentRow, isRefundRow, type TradeBillRow } from '../wechat/bill/trade-bill';
import { WechatPayError } from '../wechat/errors';
import type { SubMerchant } from '../wechat/merchant';
import { isRefundProcessing, isTradePaid } from '../wechat/states';
import { chinaDayRange, parseWechatTime } from '../wechat/time';
import { billReportJson, counted, type BillDifference, type BillReconciliationReport } from './bill-report';

export type { BillDifference, BillDifferenceKind, BillReconciliationReport } from './bill-report';
import { advanceRefund } from './refund-runner';
import { applyPaymentSuccess, applyRefundSettlement, refundSettlementOf } from './settlement';

/** A request the command or the daily job could not carry out as asked. */
export class BillReconciliationError extends Error {
  override readonly name = 'BillReconciliationError';
}

/** What to reconcile. */
export interface ReconcileBillOptions {
  /** `YYYY-MM-DD`, China Standard Time. */
  billDate: string;
  /**
   * Direct mode: the merchant (must be the configured one). Partner mode: a sub-merchant's id
   * (its bill only) or the service provider's (every sub-merchant's). Default: the whole account.
   */
  mchId?: string | undefined;
  /** Told what is happening, for people watching. */
  onProgress?: (message: string) => void;
}

/** Payment statuses in which we hold that WeChat took the money. */
const PAID_HERE: ReadonlySet<string> = new Set(['paid', 'refunding', 'refunded']);
/** Refund statuses in which WeChat has accepted the refund (so its bill lists it). */
const ACCEPTED_HERE: ReadonlySet<string> = new Set(['processing', 'succeeded']);

/** Whose bill a request is about. */
interface Scope {
  key: string;
  subMchId: string | undefined;
  /** Whether a shop's payments belong to this scope. */
  includes(shop: ShopRecord | undefined): boolean;
}

function scopeOf(deps: ServiceDeps, mchId: string | undefined): Scope {
  const pay = deps.wechat.pay;
  if (pay.mode === 'direct') {
    if (mchId !== undefined && mchId !== pay.mchId) throw new BillReconciliationError(`--mchid ${mchId} is not this merchant (${pay.mchId}); in direct mode only its own bill can be reconciled`);
    return { key: `mch:${pay.mchId}`, subMchId: undefined, includes: () => true };
  }
  if (mchId === undefined || mchId === pay.mchId) return { key: `all-sub:${pay.mchId}`, subMchId: undefined, includes: () => true };
  if (!/^\d{6,32}$/.test(mchId)) throw new BillReconciliationError(`--mchid must be a merchant id (digits), not "${mchId.slice(0, 40)}"`);
  return { key: `sub:${mchId}`, subMchId: mchId, includes: (shop) => shop?.subMchId === mchId };
}

/** Fetches, compares, applies what is safe, records the run and returns its report. */
export async function reconcileBill(deps: ServiceDeps, options: ReconcileBillOptions): Promise<BillReconciliationReport> {
  const range = chinaDayRange(options.billDate);
  if (range === undefined) throw new BillReconciliationError(`--date must be a day as YYYY-MM-DD, not "${options.billDate.slice(0, 40)}"`);
  const scope = scopeOf(deps, options.mchId);
  const progress = options.onProgress ?? (() => undefined);
  const startedAt = deps.clock.now();
  const shops = new Map<string, ShopRecord | undefined>();
  const shopOf = async (shopId: string): Promise<ShopRecord | undefined> => {
    if (!shops.has(shopId)) shops.set(shopId, await deps.store.getShop(shopId));
    return shops.get(shopId);
  };
  const subMerchantOfShop = async (shopId: string): Promise<SubMerchant | undefined> => {
    if (deps.wechat.pay.mode === 'direct') return undefined;
    const shop = await shopOf(shopId);
    return shop === undefined ? undefined : subMerchantOf(shop);
  };

  progress(`asking WeChat Pay for the trade bill of ${options.billDate} (${scope.key})`);
  const { bill, sha1, bytes } = await deps.wechat.pay.tradeBill({ billDate: options.billDate, billType: 'ALL', subMchId: scope.subMchId });
  const paymentRows = bill.rows.filter((row) => !isRefundRow(row));
  const refundRows = bill.rows.filter(isRefundRow);
  progress(`downloaded ${bytes} bytes, SHA1 ${sha1} checked: ${counted(paymentRows.length, 'payment')} and ${counted(refundRows.length, 'refund')} at WeChat`);

  const differences: BillDifference[] = [];
  let matched = 0;
  const differ = (difference: BillDifference): void => {
    differences.push(difference);
  };

  // WeChat's rows, one by one.
  const seenPayments = new Set<string>();
  for (const row of paymentRows) {
    seenPayments.add(row.outTradeNo);
    const wechat = { amount: row.orderAmount, state: row.tradeState };
    const payment = await deps.store.findPaymentByOutTradeNo(row.outTradeNo);
    if (payment === undefined) {
      differ({ kind: 'only_at_wechat', subject: 'payment', outTradeNo: row.outTradeNo, outRefundNo: undefined, wechat, here: undefined, applied: false, note: 'WeChat took this payment; no payment here has this out_trade_no' });
      continue;
    }
    const here = { amount: payment.amount, state: payment.status };
    const shop = await shopOf(payment.shopId);
    if (deps.wechat.pay.mode === 'partner' && row.subMchId !== (shop?.subMchId ?? undefined)) {
      differ({ kind: 'state_differs', subject: 'payment', outTradeNo: row.outTradeNo, outRefundNo: undefined, wechat, here, applied: false, note: `WeChat collected it for sub-merchant ${row.subMchId ?? 'none'}, but the shop's is ${shop?.subMchId ?? 'none'}` });
      continue;
    }
    if (row.orderAmount !== payment.amount) {
      differ({ kind: 'amount_differs', subject: 'payment', outTradeNo: row.outTradeNo, outRefundNo: undefined, wechat, here, applied: false, note: 'the amounts differ; nothing was changed' });
      continue;
    }
    if (!isPaymentRow(row) || PAID_HERE.has(payment.status)) {
      if (isPaymentRow(row)) matched += 1;
      else differ({ kind: 'state_differs', subject: 'payment', outTradeNo: row.outTradeNo, outRefundNo: undefined, wechat, here, applied: false, note: `WeChat's bill says ${row.tradeState}` });
      continue;
    }
    progress(`payment ${row.outTradeNo}: WeChat took it, here it is ${payment.status}; settling it as its notification would`);
    differ(await settleMissedPayment(deps, payment, row, await subMerchantOfShop(payment.shopId)));
  }

  const seenRefunds = new Set<string>();
  for (const row of refundRows) {
    const wechat = { amount: row.refundAmount, state: row.refundStatus ?? row.tradeState };
    if (row.outRefundNo === undefined) {
      differ({ kind: 'only_at_wechat', subject: 'refund', outTradeNo: row.outTradeNo, outRefundNo: undefined, wechat, here: undefined, applied: false, note: 'a refund row without out_refund_no' });
      continue;
    }
    seenRefunds.add(row.outRefundNo);
    const refund = await deps.store.findRefundByOutRefundNo(row.outRefundNo);
    if (refund === undefined) {
      differ({ kind: 'only_at_wechat', subject: 'refund', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, wechat, here: undefined, applied: false, note: 'WeChat refunded this; no refund here has this out_refund_no (refunded outside Friend Pay?)' });
      continue;
    }
    const here = { amount: refund.amount, state: refund.status };
    if (row.refundAmount !== refund.amount) {
      differ({ kind: 'amount_differs', subject: 'refund', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, wechat, here, applied: false, note: 'the amounts differ; nothing was changed' });
      continue;
    }
    if (refund.status === 'succeeded') {
      matched += 1;
      continue;
    }
    const outcome = await settleRefundAsWechatSays(deps, refund, await subMerchantOfShop(refund.shopId));
    if (outcome === undefined) matched += 1;
    else differ({ kind: 'state_differs', subject: 'refund', outTradeNo: row.outTradeNo, outRefundNo: row.outRefundNo, wechat, here, ...outcome });
  }

  // Ours that the day's bill should hold.
  const herePayments: PaymentRecord[] = [];
  for (const payment of await deps.store.listPaymentsPaidBetween(range.from, range.to)) {
    if (PAID_HERE.has(payment.status) && scope.includes(await shopOf(payment.shopId))) herePayments.push(payment);
  }
  for (const payment of herePayments) {
    if (seenPayments.has(payment.outTradeNo)) continue;
    differ({ kind: 'only_here', subject: 'payment', outTradeNo: payment.outTradeNo, outRefundNo: undefined, wechat: undefined, here: { amount: payment.amount, state: payment.status }, applied: false, note: "paid here (at WeChat's success time, in this day) but not in WeChat's bill" });
  }
  const hereRefunds: RefundRecord[] = [];
  for (const refund of await deps.store.listRefundsCreatedBetween(range.from, range.to)) {
    if (ACCEPTED_HERE.has(refund.status) && scope.includes(await shopOf(refund.shopId))) hereRefunds.push(refund);
  }
  for (const refund of hereRefunds) {
    if (seenRefunds.has(refund.outRefundNo)) continue;
    const note = await refundMissingFromBill(deps, refund, range, await subMerchantOfShop(refund.shopId));
    if (note === undefined) continue;
    const payment = await deps.store.getPayment(refund.paymentId);
    differ({ kind: 'only_here', subject: 'refund', outTradeNo: payment?.outTradeNo ?? '', outRefundNo: refund.outRefundNo, wechat: undefined, here: { amount: refund.amount, state: refund.status }, applied: false, note });
  }

  const applied = differences.filter((difference) => difference.applied).length;
  const report: BillReconciliationReport = {
    billDate: options.billDate,
    scope: scope.key,
    mchId: deps.wechat.pay.mchId,
    subMchId: scope.subMchId,
    sha1,
    wechatPayments: paymentRows.length,
    wechatRefunds: refundRows.length,
    herePayments: herePayments.length,
    hereRefunds: hereRefunds.length,
    matched,
    differences,
    applied,
    unapplied: differences.length - applied,
  };
  await recordRun(deps, report, startedAt);
  return report;
}

/**
 * A payment WeChat's bill lists that we do not hold as paid: WeChat is asked (a verified answer)
 * and its success applied exactly as the notification would have been, refund of an excess included.
 */
async function settleMissedPayment(deps: ServiceDeps, payment: PaymentRecord, row: TradeBillRow, subMerchant: SubMerchant | undefined): Promise<BillDifference> {
  const base = { kind: 'state_differs' as const, subject: 'payment' as const, outTradeNo: payment.outTradeNo, outRefundNo: undefined, wechat: { amount: row.orderAmount, state: row.tradeState }, here: { amount: payment.amount, state: payment.status } };
  let transaction;
  try {
    transaction = await deps.wechat.pay.queryByOutTradeNo(payment.outTradeNo, subMerchant);
  } catch (error: unknown) {
    return Object.assign({}, base, { applied: false, note: `WeChat Pay could not be asked about it (${error instanceof WechatPayError ? error.code : 'error'}); run again later` });
  }
  if (!isTradePaid(transaction.tradeState)) return Object.assign({}, base, { applied: false, note: `WeChat's bill says paid, but its query answers ${transaction.tradeState}` });
  const outcome = await applyPaymentSuccess(deps, {
    outTradeNo: transaction.outTradeNo,
    transactionId: transaction.transactionId ?? row.transactionId,
    amount: transaction.amountTotal ?? -1,
    payerOpenid: transaction.payerOpenid ?? '',
    paidAt: (transaction.successTime === undefined ? undefined : parseWechatTime(transaction.successTime)) ?? row.tradeTime,
  });
  if (outcome.kind === 'unknown' || outcome.kind === 'mismatch') return Object.assign({}, base, { applied: false, note: outcome.kind === 'mismatch' ? `not applied: ${outcome.reason}` : 'not applied: the payment vanished' });
  if (outcome.kind === 'applied' && outcome.refund !== undefined) {
    // Money the order could not take goes back now, as after a notification.
    await advanceRefund(deps, outcome.refund).catch((error: unknown) => deps.logger.error({ err: error }, 'refund after reconciliation failed; the reconciler retries'));
  }
  return Object.assign({}, base, { applied: true, note: outcome.kind === 'applied' ? `settled as its late notification would: now ${outcome.payment.status}` : 'already settled meanwhile' });
}

/**
 * A refund the bill lists that we have not seen finish: WeChat is asked how it is now. Undefined
 * when nothing differs (finished and applied, or still on its way, which the refund runner follows).
 */
async function settleRefundAsWechatSays(deps: ServiceDeps, refund: RefundRecord, subMerchant: SubMerchant | undefined): Promise<{ applied: boolean; note: string } | undefined> {
  if (refund.status === 'abnormal' || refund.status === 'closed') return { applied: false, note: `settled here as ${refund.status}, but WeChat's bill lists it: a person must look` };
  let answer;
  try {
    answer = await deps.wechat.pay.queryRefund(refund.outRefundNo, subMerchant);
  } catch (error: unknown) {
    return { applied: false, note: `WeChat Pay could not be asked about it (${error instanceof WechatPayError ? error.code : 'error'}); run again later` };
  }
  if (isRefundProcessing(answer.status)) return undefined;
  const settlement = refundSettlementOf(answer.status);
  if (settlement === undefined) return { applied: false, note: `WeChat says the refund is ${answer.status}: a person must look` };
  // ABNORMAL and CLOSED settle here as their notifications would (the shop is told), and still need a person.
  const outcome = await applyRefundSettlement(deps, { outRefundNo: refund.outRefundNo, wechatRefundId: answer.refundId, amount: answer.amountRefund, settlement });
  if (settlement !== 'succeeded') return { applied: outcome === 'applied', note: `WeChat says the refund is ${answer.status}: settled as ${settlement}; the shop was told (refund.abnormal)` };
  if (outcome === 'applied' || outcome === 'duplicate') return undefined;
  return { applied: false, note: `not applied: ${outcome}` };
}

/**
 * Why a refund WeChat accepted (by our records) is missing from the day's bill, or undefined
 * when it belongs to another day's bill (WeChat accepted it after midnight).
 */
async function refundMissingFromBill(deps: ServiceDeps, refund: RefundRecord, range: { from: number; to: number }, subMerchant: SubMerchant | undefined): Promise<string | undefined> {
  try {
    const answer = await deps.wechat.pay.queryRefund(refund.outRefundNo, subMerchant);
    const accepted = answer.createTime === undefined ? undefined : parseWechatTime(answer.createTime);
    if (accepted !== undefined && (accepted < range.from || accepted >= range.to)) return undefined;
    return 'WeChat has this refund but its bill of the day does not list it';
  } catch (error: unknown) {
    if (error instanceof WechatPayError && error.code === 'RESOURCE_NOT_EXISTS') return 'refunded here, but WeChat has no refund with this out_refund_no';
    return `not in WeChat's bill, and WeChat Pay could not be asked (${error instanceof WechatPayError ? error.code : 'error'})`;
  }
}

async function recordRun(deps: ServiceDeps, report: BillReconciliationReport, startedAt: number): Promise<void> {
  const previous = await deps.store.getBillReconciliation(report.billDate, report.scope);
  const record: BillReconciliationRecord = {
    billDate: report.billDate,
    scope: report.scope,
    status: report.unapplied === 0 ? 'matched' : 'differences',
    differences: report.differences.length,
    unapplied: report.unapplied,
    report: billReportJson(report),
    attempts: (previous?.attempts ?? 0) + 1,
    startedAt,
    finishedAt: deps.clock.now(),
  };
  await deps.store.saveBillReconciliation(record);
}

/** Records a run that got no bill (not made yet, or not to be trusted), so the daily job knows to try again. */
export async function recordFailedRun(deps: ServiceDeps, billDate: string, mchId: string | undefined, reason: string, startedAt: number): Promise<void> {
  const scope = scopeOf(deps, mchId);
  const previous = await deps.store.getBillReconciliation(billDate, scope.key);
  await deps.store.saveBillReconciliation({
    billDate,
    scope: scope.key,
    status: 'failed',
    differences: 0,
    unapplied: 0,
    report: { bill_date: billDate, scope: scope.key, error: reason },
    attempts: (previous?.attempts ?? 0) + 1,
    startedAt,
    finishedAt: deps.clock.now(),
  });
}

/** The scope key a request would reconcile (for the daily job's bookkeeping). */
export function billScopeKey(deps: ServiceDeps, mchId?: string): string {
  return scopeOf(deps, mchId).key;
}
