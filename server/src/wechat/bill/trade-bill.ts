/**
 * WeChat Pay's trade bill file (交易账单): a byte order mark, a header line of column names,
 * one line per payment or refund whose every field starts with a backtick (so spreadsheets keep
 * long numbers as text), then the summary's names and values. Amounts are yuan with two
 * decimals; we read them into fen without floating point. Columns are found by name, as
 * WeChat asks, not by position.
 */
import {
  BILL_ALL_COLUMNS,
  BILL_BOM,
  BILL_COLUMNS,
  BILL_FIELD_PREFIX,
  BILL_ROW_STATE_PAID,
  BILL_ROW_STATE_REFUND,
  BILL_SUMMARY_COLUMNS,
} from '../consts';
import { WechatPayError } from '../errors';
import { parseBillTime } from '../time';

/** A bill column, by our name for it. */
export type BillColumn = keyof typeof BILL_COLUMNS;

/** One detail line: a payment (`tradeState` SUCCESS) or a refund of one (`REFUND`). */
export interface TradeBillRow {
  /** Epoch ms of `交易时间`: when the payment succeeded, or when WeChat accepted the refund. */
  tradeTime: number;
  appId: string;
  mchId: string;
  /** `特约商户号`; undefined for a direct merchant's row (WeChat writes `0`). */
  subMchId: string | undefined;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeType: string;
  /** `SUCCESS` for a payment, `REFUND` for a refund (or another state WeChat may add). */
  tradeState: string;
  /** Fen of the order (`订单金额`; `应结订单金额` in bills without it). */
  orderAmount: number;
  /** Undefined on a payment's row. */
  refundId: string | undefined;
  outRefundNo: string | undefined;
  /** Fen asked to be refunded (`申请退款金额`; `退款金额` in bills without it); 0 on a payment's row. */
  refundAmount: number;
  /** e.g. SUCCESS or PROCESSING, as it was when WeChat made the bill; undefined on a payment's row. */
  refundStatus: string | undefined;
  /** Every field as text (without its backtick), by column name. */
  fields: Readonly<Record<string, string>>;
}

/** The summary lines. */
export interface TradeBillSummary {
  count: number;
  /** Fen; undefined when the bill has no such column. */
  orderTotal: number | undefined;
  refundTotal: number | undefined;
  fields: Readonly<Record<string, string>>;
}

/** A parsed trade bill. */
export interface TradeBill {
  columns: readonly string[];
  rows: readonly TradeBillRow[];
  summary: TradeBillSummary;
}

/** Yuan text with at most two decimals (`12.34`, `-0.05`) as fen; undefined when it is not one. */
export function yuanToFen(text: string): number | undefined {
  const match = /^(-?)(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (match === null) return undefined;
  const fen = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -fen : fen;
}

/** Fen as yuan text with two decimals, as bills write amounts. */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function malformed(message: string): WechatPayError {
  return new WechatPayError('BILL_MALFORMED', `the trade bill ${message}`);
}

/** Column names of a header line; a stray backtick before a name is tolerated. */
function namesOf(line: string): string[] {
  return line.split(',').map((name) => name.trim().replace(/^`/, ''));
}

/** The fields of a detail or summary line: each starts with a backtick, so `,\`` separates them (a comma inside a field does not). */
function fieldsOf(line: string, names: readonly string[], what: string): Record<string, string> {
  if (!line.startsWith(BILL_FIELD_PREFIX)) throw malformed(`has a ${what} line whose fields do not start with a backtick`);
  const values = line.slice(BILL_FIELD_PREFIX.length).split(`,${BILL_FIELD_PREFIX}`);
  if (values.length !== names.length) throw malformed(`has a ${what} line of ${values.length} fields under ${names.length} column names`);
  return Object.fromEntries(names.map((name, index) => [name, values[index] ?? '']));
}

/** A value WeChat writes for "none" in id columns of the other kind of row. */
const absent = (value: string | undefined): string | undefined => (value === undefined || value === '' || value === '0' ? undefined : value);

function amountIn(fields: Record<string, string>, columns: readonly string[], what: string): number {
  for (const column of columns) {
    const text = fields[column];
    if (text === undefined) continue;
    const fen = yuanToFen(text);
    if (fen === undefined) throw malformed(`has ${column} "${text.slice(0, 20)}" for ${what}, which is not an amount`);
    return fen;
  }
  return 0;
}

function rowOf(fields: Record<string, string>, line: number): TradeBillRow {
  const text = (column: BillColumn): string => fields[BILL_COLUMNS[column]] ?? '';
  const tradeTime = parseBillTime(text('tradeTime'));
  if (tradeTime === undefined) throw malformed(`line ${line} has no readable ${BILL_COLUMNS.tradeTime}`);
  const outTradeNo = text('outTradeNo');
  if (outTradeNo === '') throw malformed(`line ${line} has no ${BILL_COLUMNS.outTradeNo}`);
  const refund = text('tradeState') === BILL_ROW_STATE_REFUND;
  return {
    tradeTime,
    appId: text('appId'),
    mchId: text('mchId'),
    subMchId: absent(text('subMchId')),
    transactionId: text('transactionId'),
    outTradeNo,
    openid: text('openid'),
    tradeType: text('tradeType'),
    tradeState: text('tradeState'),
    orderAmount: amountIn(fields, [BILL_COLUMNS.orderAmount, BILL_COLUMNS.settlementAmount], `line ${line}`),
    refundId: refund ? absent(text('refundId')) : undefined,
    outRefundNo: refund ? absent(text('outRefundNo')) : undefined,
    refundAmount: refund ? amountIn(fields, [BILL_COLUMNS.requestedRefundAmount, BILL_COLUMNS.refundAmount], `line ${line}`) : 0,
    refundStatus: refund ? absent(text('refundStatus')) : undefined,
    fields,
  };
}

/**
 * Parses a trade bill and checks it adds up: as many rows as the summary counts, and (where the
 * columns exist) the order and refund totals equal the rows' sums. Throws `BILL_MALFORMED`.
 */
export function parseTradeBill(text: string): TradeBill {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 3) throw malformed('has fewer than three lines (header, summary names, summary values)');
  const columns = namesOf(lines[0] ?? '');
  for (const required of [BILL_COLUMNS.tradeTime, BILL_COLUMNS.outTradeNo, BILL_COLUMNS.tradeState]) {
    if (!columns.includes(required)) throw malformed(`has no ${required} column`);
  }
  const summaryNames = namesOf(lines[lines.length - 2] ?? '');
  if (!summaryNames.includes(BILL_SUMMARY_COLUMNS.count)) throw malformed(`summary has no ${BILL_SUMMARY_COLUMNS.count}`);
  const rows = lines.slice(1, -2).map((line, index) => rowOf(fieldsOf(line, columns, 'detail'), index + 2));
  const summaryFields = fieldsOf(lines[lines.length - 1] ?? '', summaryNames, 'summary');

  const countText = summaryFields[BILL_SUMMARY_COLUMNS.count] ?? '';
  // Some bills write the count as `45.0`.
  const count = /^\d+(\.0+)?$/.test(countText) ? Number.parseInt(countText, 10) : Number.NaN;
  if (count !== rows.length) throw malformed(`counts ${countText} rows but has ${rows.length}`);
  const total = (column: string): number | undefined => (summaryFields[column] === undefined ? undefined : amountIn(summaryFields, [column], 'the summary'));
  const orderTotal = total(BILL_SUMMARY_COLUMNS.orderTotal);
  const refundTotal = total(BILL_SUMMARY_COLUMNS.requestedRefundTotal);
  if (orderTotal !== undefined && columns.includes(BILL_COLUMNS.orderAmount)) {
    const sum = rows.reduce((acc, row) => acc + row.orderAmount, 0);
    if (sum !== orderTotal) throw malformed(`sums its orders to ${fenToYuan(sum)} yuan but its summary says ${fenToYuan(orderTotal)}`);
  }
  if (refundTotal !== undefined && columns.includes(BILL_COLUMNS.requestedRefundAmount)) {
    const sum = rows.reduce((acc, row) => acc + row.refundAmount, 0);
    if (sum !== refundTotal) throw malformed(`sums its refunds to ${fenToYuan(sum)} yuan but its summary says ${fenToYuan(refundTotal)}`);
  }
  return { columns, rows, summary: { count, orderTotal, refundTotal, fields: summaryFields } };
}

/** True for a payment's row. */
export function isPaymentRow(row: TradeBillRow): boolean {
  return row.tradeState === BILL_ROW_STATE_PAID;
}

/** True for a refund's row. */
export function isRefundRow(row: TradeBillRow): boolean {
  return row.tradeState === BILL_ROW_STATE_REFUND;
}

/** A detail line to write: every `ALL` column as text, amounts already in yuan. */
export type TradeBillLine = Record<BillColumn, string>;

/**
 * Writes an `ALL` trade bill exactly as WeChat Pay serves it: BOM, header, backtick-prefixed
 * lines, summary (its totals summed here in fen), CRLF line ends.
 */
export function formatTradeBill(lines: readonly TradeBillLine[]): string {
  const sum = (column: BillColumn): string => fenToYuan(lines.reduce((acc, line) => acc + (yuanToFen(line[column]) ?? 0), 0));
  const header = BILL_ALL_COLUMNS.map((column) => BILL_COLUMNS[column]).join(',');
  const details = lines.map((line) => BILL_ALL_COLUMNS.map((column) => `${BILL_FIELD_PREFIX}${line[column]}`).join(','));
  const summaryNames = Object.values(BILL_SUMMARY_COLUMNS).join(',');
  const summaryValues = [
    String(lines.length),
    sum('settlementAmount'),
    sum('refundAmount'),
    sum('rechargeCouponRefundAmount'),
    sum('fee'),
    sum('orderAmount'),
    sum('requestedRefundAmount'),
  ].map((value) => `${BILL_FIELD_PREFIX}${value}`).join(',');
  return `${BILL_BOM}${[header, ...details, summaryNames, summaryValues].join('\r\n')}\r\n`;
}
