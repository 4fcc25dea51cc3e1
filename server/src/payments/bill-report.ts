/**
 * A reconciliation report for people (one line per difference, naming its out_trade_no or
 * out_refund_no and its kind) and for machines (`--json`, also what the store keeps).
 */
import { fenToYuan } from '../wechat/bill/trade-bill';

/** How a row of WeChat's and ours differ. */
export type BillDifferenceKind = 'only_at_wechat' | 'only_here' | 'amount_differs' | 'state_differs';

/** One difference: a payment (named by out_trade_no) or a refund (by out_refund_no). */
export interface BillDifference {
  kind: BillDifferenceKind;
  subject: 'payment' | 'refund';
  outTradeNo: string;
  /** For a refund. */
  outRefundNo: string | undefined;
  /** What WeChat's bill says (fen), when it has the row. */
  wechat: { amount: number; state: string } | undefined;
  /** What we have (fen), when we have it. */
  here: { amount: number; state: string } | undefined;
  /** True when it was settled here, so it no longer differs. */
  applied: boolean;
  /** What was done, or why nothing could be. */
  note: string;
}

/** What one run found. */
export interface BillReconciliationReport {
  billDate: string;
  /** `mch:<mchid>`, `sub:<sub_mchid>` or `all-sub:<sp_mchid>`. */
  scope: string;
  mchId: string;
  subMchId: string | undefined;
  /** The bill file's SHA1, as WeChat gave it and the file matched. */
  sha1: string;
  wechatPayments: number;
  wechatRefunds: number;
  herePayments: number;
  hereRefunds: number;
  /** Rows that agree. */
  matched: number;
  differences: BillDifference[];
  applied: number;
  unapplied: number;
}

/** The report as `npm run reconcile -- --json` prints it (snake_case, amounts in fen). */
export function billReportJson(report: BillReconciliationReport): Record<string, unknown> {
  return {
    bill_date: report.billDate,
    scope: report.scope,
    mchid: report.mchId,
    sub_mchid: report.subMchId ?? null,
    sha1: report.sha1,
    wechat: { payments: report.wechatPayments, refunds: report.wechatRefunds },
    here: { payments: report.herePayments, refunds: report.hereRefunds },
    matched: report.matched,
    differences: report.differences.map((difference) => ({
      kind: difference.kind,
      subject: difference.subject,
      out_trade_no: difference.outTradeNo,
      out_refund_no: difference.outRefundNo ?? null,
      wechat: difference.wechat ?? null,
      here: difference.here ?? null,
      applied: difference.applied,
      note: difference.note,
    })),
    applied: report.applied,
    unapplied: report.unapplied,
    ok: report.unapplied === 0,
  };
}

/** `1 refund`, `2 refunds`. */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

const money = (side: { amount: number; state: string } | undefined): string => (side === undefined ? 'none' : `¥${fenToYuan(side.amount)} ${side.state}`);

/** One line for a difference: kind, the number it names, both sides, and what became of it. */
export function billDifferenceLine(difference: BillDifference): string {
  const subject = difference.subject === 'refund' ? `refund ${difference.outRefundNo ?? '(no out_refund_no)'} (out_trade_no ${difference.outTradeNo || 'unknown'})` : `payment ${difference.outTradeNo}`;
  const outcome = difference.applied ? 'APPLIED' : 'NEEDS A PERSON';
  return `${difference.kind.padEnd(14)} ${subject}: WeChat ${money(difference.wechat)}, here ${money(difference.here)}; ${outcome}: ${difference.note}`;
}

/** The whole report as lines of text. */
export function billReportLines(report: BillReconciliationReport): string[] {
  const whose = report.subMchId === undefined ? `merchant ${report.mchId}` : `sub-merchant ${report.subMchId} of ${report.mchId}`;
  const lines = [
    `bill ${report.billDate}, ${whose}: WeChat lists ${counted(report.wechatPayments, 'payment')} and ${counted(report.wechatRefunds, 'refund')}; here ${counted(report.herePayments, 'payment')} and ${counted(report.hereRefunds, 'refund')} fall on that day; ${counted(report.matched, 'row')} ${report.matched === 1 ? 'matches' : 'match'}`,
    ...report.differences.map(billDifferenceLine),
  ];
  if (report.differences.length === 0) lines.push('no differences: the day matches');
  else lines.push(`${counted(report.differences.length, 'difference')}: ${report.applied} applied, ${report.unapplied} need${report.unapplied === 1 ? 's' : ''} a person`);
  return lines;
}
