/**
 * The daily reconciliation job: once WeChat Pay has made yesterday's trade bill (after 10:00
 * China time), one instance (the holder of a lease in the store) reconciles it; a day is done
 * once a run got its bill, whatever it found. A day whose bill could not be had is tried again
 * later. Differences that need a person are logged at error level, one line each.
 */
import type { ServiceDeps } from '../service-deps';
import { billScopeKey, reconcileBill, recordFailedRun } from '../payments/bill-reconciliation';
import { billDifferenceLine } from '../payments/bill-report';
import { WechatPayError } from '../wechat/errors';
import { BILL_READY_HOUR_CHINA } from '../wechat/consts';
import { chinaDayOf } from '../wechat/time';

/** What a round did. */
export type DailyBillRound = 'not_due' | 'done' | 'busy' | 'ran' | 'failed';

/** How the job behaves. */
export interface DailyBillJobOptions {
  /** Who this instance is, in the lease. */
  holder: string;
  /** How long the lease lasts without renewal (longer than a run). @default 15 minutes */
  leaseMs?: number;
  /** How long after a failed run (no bill yet) the next is tried. @default 15 minutes */
  retryAfterMs?: number;
}

/** The lease's name in the store. */
export const BILL_RECONCILIATION_LEASE = 'daily-bill-reconciliation';
const DAY_MS = 24 * 60 * 60 * 1000;
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;

/** One round of the job; the worker loop calls it every minute or so. */
export async function dailyBillReconciliationOnce(deps: ServiceDeps, options: DailyBillJobOptions): Promise<DailyBillRound> {
  const now = deps.clock.now();
  if (new Date(now + CHINA_OFFSET_MS).getUTCHours() < BILL_READY_HOUR_CHINA) return 'not_due';
  const billDate = chinaDayOf(now - DAY_MS);
  const scope = billScopeKey(deps);
  const retryAfterMs = options.retryAfterMs ?? 15 * 60_000;
  const due = async (): Promise<DailyBillRound | undefined> => {
    const last = await deps.store.getBillReconciliation(billDate, scope);
    if (last === undefined) return undefined;
    if (last.status !== 'failed') return 'done';
    return deps.clock.now() - last.finishedAt < retryAfterMs ? 'not_due' : undefined;
  };
  const before = await due();
  if (before !== undefined) return before;
  if (!(await deps.store.acquireJobLease(BILL_RECONCILIATION_LEASE, options.holder, now, options.leaseMs ?? 15 * 60_000))) return 'busy';
  try {
    // Another instance may have finished the day between the look above and the lease.
    const meanwhile = await due();
    if (meanwhile !== undefined) return meanwhile;
    try {
      const report = await reconcileBill(deps, { billDate, onProgress: (message) => deps.logger.info({ bill_date: billDate }, message) });
      for (const difference of report.differences) {
        const line = billDifferenceLine(difference);
        if (difference.applied) deps.logger.warn({ bill_date: billDate, kind: difference.kind }, line);
        else deps.logger.error({ bill_date: billDate, kind: difference.kind }, line);
      }
      deps.logger.info({ bill_date: billDate, scope, matched: report.matched, differences: report.differences.length, unapplied: report.unapplied }, 'daily bill reconciliation done');
      return 'ran';
    } catch (error: unknown) {
      const reason = error instanceof WechatPayError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
      await recordFailedRun(deps, billDate, undefined, reason, now);
      deps.logger.warn({ bill_date: billDate, reason }, 'daily bill reconciliation got no bill; will try again');
      return 'failed';
    }
  } finally {
    await deps.store.releaseJobLease(BILL_RECONCILIATION_LEASE, options.holder);
  }
}
