// The WeChat Pay API v3 simulator: the real paths, the real signatures, an in-memory ledger.
// Our server's pay client talks to it exactly as it would to api.mch.weixin.qq.com.
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { unixSeconds, type Clock } from '../../../clock';
import { parseAuthorization } from '../../../wechat/authorization';
import {
  AUTH_SCHEME,
  BILL_DATE_PATTERN,
  BILL_HASH_TYPE_SHA1,
  BILL_READY_HOUR_CHINA,
  BILL_TYPES,
  CERTIFICATE_ASSOCIATED_DATA,
  CURRENCY_CNY,
  HEADER_AUTHORIZATION,
  HEADER_REQUEST_ID,
  HEADER_WECHATPAY_NONCE,
  HEADER_WECHATPAY_SERIAL,
  HEADER_WECHATPAY_SIGNATURE,
  HEADER_WECHATPAY_SIGNATURE_TYPE,
  HEADER_WECHATPAY_TIMESTAMP,
  PATH_BILL_DOWNLOAD,
  PATH_CERTIFICATES,
  MAX_REFUNDS_PER_TRANSACTION,
  PATH_CLOSE,
  PATH_JSAPI_PREPAY,
  PATH_PARTNER_CLOSE,
  PATH_PARTNER_JSAPI_PREPAY,
  PATH_PARTNER_QUERY_BY_OUT_TRADE_NO,
  PATH_QUERY_BY_OUT_TRADE_NO,
  PATH_REFUND_BY_OUT_REFUND_NO,
  PATH_REFUNDS,
  PATH_TRADE_BILL,
  PREPAY_ID_TTL_MS,
  RESOURCE_ALGORITHM,
  REFUND_PERIOD_MS,
  RESOURCE_ORIGINAL_TYPE_REFUND,
  RESOURCE_ORIGINAL_TYPE_TRANSACTION,
  TRADE_TYPE_JSAPI,
  WECHATPAY_ERROR_STATUS,
  requestSignatureMessage,
  responseSignatureMessage,
  type RefundStatus,
  type TradeState,
  type WechatPayServerCode,
} from '../../../wechat/consts';
import { encryptResource } from '../../../wechat/aead';
import { randomNonce, randomResourceNonce } from '../../../wechat/random';
import { chinaDayRange, formatWechatTime, parseWechatTime } from '../../../wechat/time';
import { isTimestampFresh, loadPublicKey } from '../../../wechat/verifier';
import { SandboxError } from '../sandbox-error';
import type { SandboxWechatKeys } from '../sandbox-keys';
import { buildTradeBill } from './bills';
import { createFaultSwitches, type FaultEndpoint, type FaultSwitches } from './faults';
import { createNotifier, type DeliveryAttempt } from './notifier';
import { createPlatformSigning, type SimulatedCertificate } from './platform-signing';
import {
  closeBodySchema,
  partnerCloseBodySchema,
  partnerPrepayBodySchema,
  prepayBodySchema,
  refundBodySchema,
  validate,
  type ParamErrorDetail,
  type PartnerPrepayBody,
  type PrepayBody,
  type RefundBody,
} from './requests';

/** How the simulator is built. */
export interface WechatPaySimulatorOptions {
  /** Shared with the server, so signature timestamps agree when QA moves the clock. */
  clock: Clock;
  keys: SandboxWechatKeys;
  /** Multiplies WeChat's notification retry delays and the refund processing time (ABNORMAL and CLOSED too). @default 1 */
  timeFactor?: number;
  /** Real ms a refund stays PROCESSING, before `timeFactor`. @default 5000 */
  refundSettleMs?: number;
  /** Real ms one notification attempt may take. @default 5000 */
  notifyTimeoutMs?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Used to send notifications. @default global fetch */
  fetch?: typeof fetch;
  /** How long a platform certificate is valid. @default five years, as WeChat's */
  certificateLifetimeMs?: number;
  /** Chooses the key under the `random` signing switch. @default Math.random */
  random?: () => number;
}

/** What the payer does in the pay sheet. */
export type PayOutcome = 'success' | 'cancel' | 'fail';

/** A transaction as the simulator keeps it (read-only copy). */
export interface SimulatedTransaction {
  outTradeNo: string;
  appId: string;
  mchId: string;
  description: string;
  amountTotal: number;
  payerOpenid: string;
  notifyUrl: string;
  attach: string | undefined;
  /** Epoch ms, when the order had `time_expire`. */
  timeExpire: number | undefined;
  tradeState: TradeState;
  transactionId: string | undefined;
  successTime: number | undefined;
  createdAt: number;
  closedAt: number | undefined;
  prepayIds: readonly string[];
  /** Fen refunded or being refunded (a closed refund gave nothing back; an abnormal one is spent, for the merchant to settle). */
  refundedAmount: number;
  /** Partner mode: the sub-merchant the order was placed for (then `appId`/`mchId` are `sp_appid`/`sp_mchid`). */
  subMchId?: string | undefined;
  /** Partner mode: the sub-merchant's app the order named. */
  subAppId?: string | undefined;
}

/** A refund as the simulator keeps it (read-only copy). */
export interface SimulatedRefund {
  refundId: string;
  outRefundNo: string;
  outTradeNo: string;
  transactionId: string;
  amountRefund: number;
  amountTotal: number;
  reason: string | undefined;
  notifyUrl: string | undefined;
  status: RefundStatus;
  createdAt: number;
  successTime: number | undefined;
  /** Partner mode: the `sub_mchid` the refund request named. */
  subMchId?: string | undefined;
}

/** Read-only views of the simulator's state, for consistency checks. */
export interface WechatPayLedger {
  transactions(): readonly SimulatedTransaction[];
  transaction(outTradeNo: string): SimulatedTransaction | undefined;
  refunds(): readonly SimulatedRefund[];
  /** Every notification delivery attempt (and drop). */
  notifications(): readonly DeliveryAttempt[];
  /** Every API call that reached an endpoint, in order (after faults, before the signature check). */
  calls(): readonly { endpoint: SimulatorEndpoint; at: number }[];
}

/** The simulator's endpoints, as its call log names them. */
export type SimulatorEndpoint = FaultEndpoint | 'partner_prepay' | 'partner_query' | 'partner_close' | 'bill_download';

/** What `pay` did. */
export interface PayResult {
  outTradeNo: string;
  tradeState: TradeState;
  transactionId: string | undefined;
  /** Id of the notification sent, when the payment succeeded. */
  notificationId: string | undefined;
}

/** A running simulator. */
export interface WechatPaySimulator {
  /** Serves the API v3 paths relative to its mount point (mount before any JSON body parser). */
  router: Router;
  /** Plays the payer confirming, cancelling or failing in WeChat's pay sheet. Throws SandboxError. */
  pay(prepayId: string, openid: string, outcome: PayOutcome): PayResult;
  faults: FaultSwitches;
  ledger: WechatPayLedger;
  /** The platform certificates `/v3/certificates` lists, and their rotation. */
  certificates: { listed(): readonly SimulatedCertificate[]; rotate(): SimulatedCertificate };
  /** Resolves when no refund is processing and no notification is scheduled or in flight. */
  idle(): Promise<void>;
  /** Stops timers, notification requests and requests held open by a timeout fault. */
  close(): void;
}

interface TransactionState extends Omit<SimulatedTransaction, 'prepayIds' | 'refundedAmount'> {
  fingerprint: string;
  prepayIds: string[];
}

interface RefundState extends SimulatedRefund {
  fingerprint: string;
  /** How it will settle (the fault switch at the time it was made). */
  settlesAs: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
}

interface Answer {
  status: number;
  payload?: unknown;
}

const TRADE_STATE_DESC: Record<TradeState, string> = {
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  NOTPAY: '未支付',
  CLOSED: '已关闭',
  REVOKED: '已撤销',
  USERPAYING: '用户支付中',
  PAYERROR: '支付失败',
};

function wechatError(code: WechatPayServerCode, message: string, detail?: ParamErrorDetail): Answer {
  return { status: WECHATPAY_ERROR_STATUS[code], payload: detail === undefined ? { code, message } : { code, message, detail } };
}

function digits(count: number): string {
  let out = '';
  while (out.length < count) out += crypto.randomInt(0, 10).toString();
  return out;
}

/** The fault switch an endpoint answers to: partner forms share their direct form's. */
function faultEndpointOf(endpoint: SimulatorEndpoint): FaultEndpoint {
  switch (endpoint) {
    case 'partner_prepay':
      return 'prepay';
    case 'partner_query':
      return 'query';
    case 'partner_close':
      return 'close';
    case 'bill_download':
      return 'trade_bill';
    default:
      return endpoint;
  }
}

function rawBodyOf(req: Request): string {
  const body: unknown = req.body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  return '';
}

/** Creates a WeChat Pay simulator with its own platform key and the merchant's public key. */
export function createWechatPaySimulator(options: WechatPaySimulatorOptions): WechatPaySimulator {
  const { clock, keys } = options;
  const timeFactor = options.timeFactor ?? 1;
  const refundSettleMs = (options.refundSettleMs ?? 5000) * timeFactor;
  const merchantPublicKey = loadPublicKey(keys.merchant.publicKeyPem);
  const faults = createFaultSwitches();
  const signing = createPlatformSigning({
    clock,
    keys,
    ...(options.certificateLifetimeMs === undefined ? {} : { certificateLifetimeMs: options.certificateLifetimeMs }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  const calls: { endpoint: SimulatorEndpoint; at: number }[] = [];
  const notifier = createNotifier({
    clock,
    signingKey: () => signing.pick(faults.current().signWith),
    apiV3Key: keys.apiV3Key,
    timeFactor,
    faults,
    logger: options.logger,
    ...(options.notifyTimeoutMs === undefined ? {} : { timeoutMs: options.notifyTimeoutMs }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });

  const transactions = new Map<string, TransactionState>();
  const prepays = new Map<string, { outTradeNo: string; expiresAt: number }>();
  const refunds = new Map<string, RefundState>();
  const hanging = new Set<Response>();
  const settlements = new Set<NodeJS.Timeout>();
  let settleWaiters: (() => void)[] = [];

  // A closed refund gave nothing back; an abnormal one was taken from the merchant and waits for it to be settled by hand.
  const refundedAmount = (outTradeNo: string): number =>
    [...refunds.values()].filter((r) => r.outTradeNo === outTradeNo && r.status !== 'CLOSED').reduce((sum, r) => sum + r.amountRefund, 0);
  const refundCount = (outTradeNo: string): number => [...refunds.values()].filter((r) => r.outTradeNo === outTradeNo).length;

  /** An unpaid order past its time_expire is closed, as WeChat does. */
  function refreshExpiry(tx: TransactionState): void {
    const now = clock.now();
    if ((tx.tradeState === 'NOTPAY' || tx.tradeState === 'PAYERROR') && tx.timeExpire !== undefined && tx.timeExpire <= now) {
      tx.tradeState = 'CLOSED';
      tx.closedAt = tx.timeExpire;
    }
  }

  function transactionJson(tx: TransactionState): Record<string, unknown> {
    const paid = tx.tradeState === 'SUCCESS' || tx.tradeState === 'REFUND';
    const json = {
      appid: tx.appId,
      mchid: tx.mchId,
      out_trade_no: tx.outTradeNo,
      ...(tx.transactionId === undefined ? {} : { transaction_id: tx.transactionId }),
      ...(paid ? { trade_type: TRADE_TYPE_JSAPI, bank_type: 'OTHERS' } : {}),
      trade_state: tx.tradeState,
      trade_state_desc: TRADE_STATE_DESC[tx.tradeState],
      ...(tx.attach === undefined ? {} : { attach: tx.attach }),
      ...(tx.successTime === undefined ? {} : { success_time: formatWechatTime(tx.successTime) }),
      payer: paid ? { openid: tx.payerOpenid } : {},
      amount: paid ? { total: tx.amountTotal, payer_total: tx.amountTotal, currency: CURRENCY_CNY, payer_currency: CURRENCY_CNY } : { total: tx.amountTotal, currency: CURRENCY_CNY, payer_currency: CURRENCY_CNY },
      promotion_detail: [],
    };
    if (tx.subMchId === undefined) return json;
    // A service provider sees its sub-merchant's order with sp_*/sub_* ids and the payer by app.
    const { appid, mchid, payer: _payer, ...rest } = json;
    return {
      sp_appid: appid,
      sp_mchid: mchid,
      ...(tx.subAppId === undefined ? {} : { sub_appid: tx.subAppId }),
      sub_mchid: tx.subMchId,
      ...rest,
      payer: paid ? (tx.subAppId === undefined ? { sp_openid: tx.payerOpenid } : { sub_openid: tx.payerOpenid }) : {},
    };
  }

  function refundJson(refund: RefundState): Record<string, unknown> {
    return {
      refund_id: refund.refundId,
      out_refund_no: refund.outRefundNo,
      transaction_id: refund.transactionId,
      out_trade_no: refund.outTradeNo,
      channel: 'ORIGINAL',
      user_received_account: '支付用户零钱',
      ...(refund.successTime === undefined ? {} : { success_time: formatWechatTime(refund.successTime) }),
      create_time: formatWechatTime(refund.createdAt),
      status: refund.status,
      funds_account: 'AVAILABLE',
      amount: {
        total: refund.amountTotal,
        refund: refund.amountRefund,
        from: [],
        payer_total: refund.amountTotal,
        payer_refund: refund.amountRefund,
        settlement_refund: refund.amountRefund,
        settlement_total: refund.amountTotal,
        discount_refund: 0,
        currency: CURRENCY_CNY,
        refund_fee: 0,
      },
      promotion_detail: [],
    };
  }

  function sendSigned(res: Response, answer: Answer): void {
    const body = answer.payload === undefined ? '' : JSON.stringify(answer.payload);
    const timestamp = String(unixSeconds(clock));
    const nonce = randomNonce();
    const key = signing.pick(faults.current().signWith);
    res.set({
      [HEADER_WECHATPAY_TIMESTAMP]: timestamp,
      [HEADER_WECHATPAY_NONCE]: nonce,
      [HEADER_WECHATPAY_SERIAL]: key.serial,
      [HEADER_WECHATPAY_SIGNATURE]: key.signer.sign(responseSignatureMessage(timestamp, nonce, body)),
      [HEADER_WECHATPAY_SIGNATURE_TYPE]: AUTH_SCHEME,
      [HEADER_REQUEST_ID]: `08${digits(10)}${crypto.randomBytes(12).toString('hex').toUpperCase()}`,
    });
    if (answer.status === 204) res.status(204).end();
    else res.status(answer.status).type('application/json').send(body);
  }

  /** Verifies the merchant's request signature; parse -> serial -> signature -> time window. */
  function checkRequestSignature(req: Request, body: string): Answer | undefined {
    const auth = parseAuthorization(req.get(HEADER_AUTHORIZATION));
    if (auth === undefined) return wechatError('SIGN_ERROR', `${HEADER_AUTHORIZATION} header is missing or is not ${AUTH_SCHEME}`);
    if (auth.mchid !== keys.mchId) return wechatError('SIGN_ERROR', 'mchid in Authorization is not this merchant');
    if (auth.serialNo !== keys.merchant.serial) return wechatError('SIGN_ERROR', 'serial_no does not name the merchant certificate');
    const message = requestSignatureMessage(req.method, req.originalUrl, auth.timestamp, auth.nonceStr, body);
    const signature = Buffer.from(auth.signature, 'base64');
    if (!crypto.verify('sha256', Buffer.from(message, 'utf8'), merchantPublicKey, signature)) {
      return wechatError('SIGN_ERROR', 'signature verification failed');
    }
    if (!isTimestampFresh(auth.timestamp, clock.now())) return wechatError('SIGN_ERROR', 'timestamp is more than five minutes away');
    return undefined;
  }

  function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; answer: Answer } {
    try {
      return { ok: true, value: JSON.parse(body) as unknown };
    } catch {
      return { ok: false, answer: wechatError('PARAM_ERROR', 'body is not valid JSON') };
    }
  }

  /** Runs an endpoint: faults, then the signature, then the handler; every answer is signed. */
  function serve(endpoint: SimulatorEndpoint, handler: (req: Request, body: string) => Answer) {
    return (req: Request, res: Response): void => {
      calls.push({ endpoint, at: clock.now() });
      const fault = faults.takeEndpointFault(faultEndpointOf(endpoint));
      if (fault?.fail === 'timeout') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (fault?.fail === '5xx') {
        sendSigned(res, { status: fault.status, payload: { code: 'SYSTEM_ERROR', message: '系统错误' } });
        return;
      }
      const body = rawBodyOf(req);
      const answer = checkRequestSignature(req, body) ?? handler(req, body);
      sendSigned(res, answer);
    };
  }

  function withBody<T>(body: string, parse: (value: unknown) => { ok: true; value: T } | { ok: false; detail: ParamErrorDetail }, run: (value: T) => Answer): Answer {
    const json = parseJsonBody(body);
    if (!json.ok) return json.answer;
    const parsed = parse(json.value);
    if (!parsed.ok) return wechatError('PARAM_ERROR', `参数错误: ${parsed.detail.field} ${parsed.detail.issue}`, parsed.detail);
    return run(parsed.value);
  }

  function issuePrepayId(tx: TransactionState): string {
    const stamp = formatWechatTime(clock.now()).slice(0, 19).replace(/\D/g, '');
    const prepayId = `wx${stamp}${crypto.randomBytes(10).toString('hex')}`;
    prepays.set(prepayId, { outTradeNo: tx.outTradeNo, expiresAt: clock.now() + PREPAY_ID_TTL_MS });
    tx.prepayIds.push(prepayId);
    return prepayId;
  }

  /** Places (or repeats) an order; `sub` makes it a sub-merchant's, placed by its service provider. */
  function prepay(body: PrepayBody, sub?: { subMchId: string; subAppId: string | undefined }): Answer {
    if (body.mchid !== keys.mchId) return wechatError('MCH_NOT_EXISTS', 'mchid does not match the signing merchant');
    if (body.appid !== keys.appId) return wechatError('APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    let timeExpire: number | undefined;
    if (body.time_expire !== undefined) {
      timeExpire = parseWechatTime(body.time_expire);
      if (timeExpire === undefined) return wechatError('PARAM_ERROR', '参数错误: /time_expire is not a valid time', { field: '/time_expire', value: body.time_expire, issue: 'is not a valid time', location: 'body' });
      if (timeExpire <= clock.now()) return wechatError('INVALID_REQUEST', 'time_expire is already past');
    }
    const fingerprint = JSON.stringify([body.appid, body.mchid, body.description, body.amount.total, body.payer.openid, body.attach ?? '', body.goods_tag ?? '']);
    const existing = transactions.get(body.out_trade_no);
    // A sub-merchant's order is not the service provider's own, nor another sub-merchant's.
    if (existing !== undefined && (existing.subMchId !== sub?.subMchId || existing.subAppId !== sub?.subAppId)) return wechatError('OUT_TRADE_NO_USED', '商户订单号重复');
    if (existing !== undefined) {
      refreshExpiry(existing);
      if (existing.tradeState === 'SUCCESS' || existing.tradeState === 'REFUND') return wechatError('ORDERPAID', '该订单已支付');
      if (existing.tradeState === 'CLOSED') return wechatError('ORDER_CLOSED', '订单已关闭');
      if (existing.fingerprint !== fingerprint) return wechatError('OUT_TRADE_NO_USED', '商户订单号重复');
      return { status: 200, payload: { prepay_id: issuePrepayId(existing) } };
    }
    const tx: TransactionState = {
      outTradeNo: body.out_trade_no,
      appId: body.appid,
      mchId: body.mchid,
      description: body.description,
      amountTotal: body.amount.total,
      payerOpenid: body.payer.openid,
      notifyUrl: body.notify_url,
      attach: body.attach,
      timeExpire,
      tradeState: 'NOTPAY',
      transactionId: undefined,
      successTime: undefined,
      createdAt: clock.now(),
      closedAt: undefined,
      fingerprint,
      prepayIds: [],
      ...(sub === undefined ? {} : { subMchId: sub.subMchId, subAppId: sub.subAppId }),
    };
    transactions.set(tx.outTradeNo, tx);
    return { status: 200, payload: { prepay_id: issuePrepayId(tx) } };
  }

  function checkMchidQuery(req: Request): Answer | undefined {
    const mchid = req.query['mchid'];
    if (typeof mchid !== 'string' || mchid === '') return wechatError('PARAM_ERROR', '参数错误: mchid is required', { field: 'mchid', issue: 'is required', location: 'query' });
    if (mchid !== keys.mchId) return wechatError('MCH_NOT_EXISTS', 'mchid does not match the signing merchant');
    return undefined;
  }

  function query(req: Request): Answer {
    const problem = checkMchidQuery(req);
    if (problem !== undefined) return problem;
    const tx = transactions.get(String(req.params['outTradeNo']));
    if (tx === undefined || tx.subMchId !== undefined) return wechatError('ORDER_NOT_EXIST', '订单不存在');
    refreshExpiry(tx);
    return { status: 200, payload: transactionJson(tx) };
  }

  function close(req: Request, body: string): Answer {
    return withBody(body, (value) => validate(closeBodySchema, value), (parsed) => {
      if (parsed.mchid !== keys.mchId) return wechatError('MCH_NOT_EXISTS', 'mchid does not match the signing merchant');
      const tx = transactions.get(String(req.params['outTradeNo']));
      if (tx === undefined || tx.subMchId !== undefined) return wechatError('ORDER_NOT_EXIST', '订单不存在');
      refreshExpiry(tx);
      if (tx.tradeState === 'SUCCESS' || tx.tradeState === 'REFUND') return wechatError('ORDERPAID', '订单已支付');
      if (tx.tradeState !== 'CLOSED') {
        tx.tradeState = 'CLOSED';
        tx.closedAt = clock.now();
      }
      return { status: 204 };
    });
  }

  function settleRefund(refund: RefundState, tx: TransactionState): void {
    const timer = setTimeout(() => {
      settlements.delete(timer);
      refund.status = refund.settlesAs;
      // Only a refund that reached the payer has a success_time.
      if (refund.settlesAs === 'SUCCESS') refund.successTime = clock.now();
      notifier.send({
        eventType: `REFUND.${refund.settlesAs}`,
        originalType: RESOURCE_ORIGINAL_TYPE_REFUND,
        url: refund.notifyUrl ?? tx.notifyUrl,
        resource: Object.assign({}, tx.subMchId === undefined ? { mchid: tx.mchId } : { sp_mchid: tx.mchId, sub_mchid: tx.subMchId }, {
          out_trade_no: refund.outTradeNo,
          transaction_id: refund.transactionId,
          out_refund_no: refund.outRefundNo,
          refund_id: refund.refundId,
          refund_status: refund.status,
          ...(refund.successTime === undefined ? {} : { success_time: formatWechatTime(refund.successTime) }),
          user_received_account: '支付用户零钱',
          amount: { total: refund.amountTotal, refund: refund.amountRefund, payer_total: refund.amountTotal, payer_refund: refund.amountRefund },
        }),
      });
      if (settlements.size === 0) {
        const waiters = settleWaiters;
        settleWaiters = [];
        for (const resolve of waiters) resolve();
      }
    }, Math.round(refundSettleMs));
    settlements.add(timer);
  }

  function refund(body: RefundBody): Answer {
    const tx =
      body.out_trade_no !== undefined ? transactions.get(body.out_trade_no) : [...transactions.values()].find((t) => t.transactionId === body.transaction_id);
    if (tx === undefined || (body.transaction_id !== undefined && tx.transactionId !== body.transaction_id)) return wechatError('RESOURCE_NOT_EXISTS', '订单不存在');
    // Partner mode: the request names the sub-merchant whose order it is; any other finds nothing.
    if (tx.subMchId !== body.sub_mchid) return wechatError('RESOURCE_NOT_EXISTS', '订单不存在');
    const fingerprint = JSON.stringify([tx.outTradeNo, body.amount.refund, body.amount.total, body.reason ?? '', body.notify_url ?? '']);
    const existing = refunds.get(body.out_refund_no);
    if (existing !== undefined) {
      if (existing.fingerprint !== fingerprint) return wechatError('INVALID_REQUEST', 'out_refund_no was used with other parameters');
      return { status: 200, payload: refundJson(existing) };
    }
    if ((tx.tradeState !== 'SUCCESS' && tx.tradeState !== 'REFUND') || tx.transactionId === undefined) return wechatError('INVALID_REQUEST', '订单未支付，不能退款');
    if (body.amount.total !== tx.amountTotal) return wechatError('INVALID_REQUEST', 'amount.total does not equal the order total');
    // WeChat's own limits: 交易时间超过一年的订单无法提交退款; 每个支付订单的部分退款次数不能超过50次.
    if (tx.successTime !== undefined && clock.now() >= tx.successTime + REFUND_PERIOD_MS) return wechatError('INVALID_REQUEST', '交易时间超过一年的订单无法提交退款');
    if (refundCount(tx.outTradeNo) >= MAX_REFUNDS_PER_TRANSACTION) return wechatError('INVALID_REQUEST', `该订单退款次数已达上限（${MAX_REFUNDS_PER_TRANSACTION}次）`);
    if (refundedAmount(tx.outTradeNo) + body.amount.refund > tx.amountTotal) return wechatError('INVALID_REQUEST', '申请退款金额超过订单可退金额');
    const created: RefundState = {
      refundId: `50${digits(29)}`,
      outRefundNo: body.out_refund_no,
      outTradeNo: tx.outTradeNo,
      transactionId: tx.transactionId,
      amountRefund: body.amount.refund,
      amountTotal: tx.amountTotal,
      reason: body.reason,
      notifyUrl: body.notify_url,
      status: 'PROCESSING',
      createdAt: clock.now(),
      successTime: undefined,
      subMchId: body.sub_mchid,
      fingerprint,
      settlesAs: faults.takeRefundOutcome(),
    };
    refunds.set(created.outRefundNo, created);
    tx.tradeState = 'REFUND';
    settleRefund(created, tx);
    return { status: 200, payload: refundJson(created) };
  }

  function queryRefund(req: Request): Answer {
    const found = refunds.get(String(req.params['outRefundNo']));
    const subMchId = typeof req.query['sub_mchid'] === 'string' ? req.query['sub_mchid'] : undefined;
    if (found === undefined || found.subMchId !== subMchId) return wechatError('RESOURCE_NOT_EXISTS', '退款单不存在');
    return { status: 200, payload: refundJson(found) };
  }

  function partnerPrepay(body: PartnerPrepayBody): Answer {
    if (body.sp_mchid !== keys.mchId) return wechatError('MCH_NOT_EXISTS', 'sp_mchid does not match the signing merchant');
    if (body.sp_appid !== keys.appId) return wechatError('APPID_MCHID_NOT_MATCH', 'sp_appid和sp_mchid不匹配');
    const { sp_appid: appid, sp_mchid: mchid, sub_appid: subAppId, sub_mchid: subMchId, payer, ...order } = body;
    // The schema makes sure one of the two is there.
    const openid = payer.sub_openid ?? payer.sp_openid ?? '';
    return prepay(Object.assign({}, order, { appid, mchid, payer: { openid } }), { subMchId, subAppId });
  }

  /** The sub-merchant's order named by the path, or the error WeChat answers instead. */
  function partnerOrder(req: Request, spMchId: unknown, subMchId: unknown, location: 'query' | 'body'): TransactionState | Answer {
    if (typeof spMchId !== 'string' || spMchId === '') return wechatError('PARAM_ERROR', '参数错误: sp_mchid is required', { field: 'sp_mchid', issue: 'is required', location });
    if (typeof subMchId !== 'string' || subMchId === '') return wechatError('PARAM_ERROR', '参数错误: sub_mchid is required', { field: 'sub_mchid', issue: 'is required', location });
    if (spMchId !== keys.mchId) return wechatError('MCH_NOT_EXISTS', 'sp_mchid does not match the signing merchant');
    const tx = transactions.get(String(req.params['outTradeNo']));
    if (tx === undefined || tx.subMchId !== subMchId) return wechatError('ORDER_NOT_EXIST', '订单不存在');
    refreshExpiry(tx);
    return tx;
  }

  function partnerQuery(req: Request): Answer {
    const found = partnerOrder(req, req.query['sp_mchid'], req.query['sub_mchid'], 'query');
    return 'outTradeNo' in found ? { status: 200, payload: transactionJson(found) } : found;
  }

  function partnerClose(req: Request, body: string): Answer {
    return withBody(body, (value) => validate(partnerCloseBodySchema, value), (parsed) => {
      const found = partnerOrder(req, parsed.sp_mchid, parsed.sub_mchid, 'body');
      if (!('outTradeNo' in found)) return found;
      if (found.tradeState === 'SUCCESS' || found.tradeState === 'REFUND') return wechatError('ORDERPAID', '订单已支付');
      if (found.tradeState !== 'CLOSED') {
        found.tradeState = 'CLOSED';
        found.closedAt = clock.now();
      }
      return { status: 204 };
    });
  }

  /** `/v3/certificates`: every valid platform certificate, encrypted with the APIv3 key. */
  function certificatesAnswer(): Answer {
    const data = signing.listed().map((certificate) => {
      const nonce = randomResourceNonce();
      return {
        serial_no: certificate.serial,
        effective_time: formatWechatTime(certificate.notBefore),
        expire_time: formatWechatTime(certificate.notAfter),
        encrypt_certificate: {
          algorithm: RESOURCE_ALGORITHM,
          nonce,
          associated_data: CERTIFICATE_ASSOCIATED_DATA,
          ciphertext: encryptResource(certificate.pem, keys.apiV3Key, nonce, CERTIFICATE_ASSOCIATED_DATA),
        },
      };
    });
    return { status: 200, payload: { data } };
  }

  /** A day's bill is made once, after 10:00 China time of the next day; later changes do not alter it. */
  const billSnapshots = new Map<string, Buffer>();
  const billDownloads = new Map<string, { bytes: Buffer; expiresAt: number }>();

  function tradeBill(req: Request): Answer {
    const billDate = req.query['bill_date'];
    const range = typeof billDate === 'string' && BILL_DATE_PATTERN.test(billDate) ? chinaDayRange(billDate) : undefined;
    if (typeof billDate !== 'string' || range === undefined) return wechatError('PARAM_ERROR', '参数错误: bill_date must be yyyy-MM-DD', { field: 'bill_date', issue: 'must be yyyy-MM-DD', location: 'query' });
    const billType = req.query['bill_type'] ?? 'ALL';
    if (typeof billType !== 'string' || !(BILL_TYPES as readonly string[]).includes(billType)) return wechatError('PARAM_ERROR', '参数错误: bill_type', { field: 'bill_type', issue: `must be one of ${BILL_TYPES.join(', ')}`, location: 'query' });
    const subMchId = req.query['sub_mchid'];
    if (subMchId !== undefined && (typeof subMchId !== 'string' || !/^\d{6,32}$/.test(subMchId))) return wechatError('PARAM_ERROR', '参数错误: sub_mchid', { field: 'sub_mchid', issue: 'must be a merchant id', location: 'query' });
    const readyAt = range.to + BILL_READY_HOUR_CHINA * 60 * 60 * 1000;
    if (faults.current().bills.notReady || clock.now() < readyAt) return wechatError('NO_STATEMENT_EXIST', '账单文件不存在，请检查当前商户号在指定日期内是否有成功的交易或退款（账单在次日10点后生成）');
    const key = `${billDate}|${billType}|${subMchId ?? ''}`;
    let bytes = billSnapshots.get(key);
    if (bytes === undefined) {
      bytes = Buffer.from(buildTradeBill(Object.assign({}, range, { subMchId, type: billType as 'ALL' | 'SUCCESS' | 'REFUND' }), [...transactions.values()], [...refunds.values()]), 'utf8');
      billSnapshots.set(key, bytes);
    }
    const token = crypto.randomBytes(24).toString('base64url');
    const served = faults.current().bills.hashMismatch ? Buffer.concat([bytes, Buffer.from('`tampered\r\n', 'utf8')]) : bytes;
    // WeChat's download URLs live 30 seconds.
    billDownloads.set(token, { bytes: served, expiresAt: clock.now() + 30_000 });
    return {
      status: 200,
      payload: {
        hash_type: BILL_HASH_TYPE_SHA1,
        hash_value: crypto.createHash('sha1').update(bytes).digest('hex'),
        download_url: `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}${PATH_BILL_DOWNLOAD}?token=${token}`,
      },
    };
  }

  /** The file itself: a signed request, an unsigned answer (the hash in the bill answer vouches for it). */
  function downloadBill(req: Request, res: Response): void {
    calls.push({ endpoint: 'bill_download', at: clock.now() });
    const problem = checkRequestSignature(req, rawBodyOf(req));
    if (problem !== undefined) return sendSigned(res, problem);
    const token = req.query['token'];
    const found = typeof token === 'string' ? billDownloads.get(token) : undefined;
    if (found === undefined || found.expiresAt < clock.now()) return sendSigned(res, wechatError('INVALID_REQUEST', '下载链接过期，请重新请求文件下载'));
    res.status(200).type('application/octet-stream').send(found.bytes);
  }

  const router = express.Router({ caseSensitive: true });
  // The signature covers the exact bytes sent, so the body is kept raw here.
  router.use(express.raw({ type: () => true, limit: '64kb' }));
  const expressPath = (template: string): string => template.replace(/\{([a-z_]+)\}/g, (_m, name: string) => `:${name.replace(/_([a-z])/g, (_n, c: string) => c.toUpperCase())}`);
  router.post(PATH_JSAPI_PREPAY, serve('prepay', (_req, body) => withBody(body, (value) => validate(prepayBodySchema, value), prepay)));
  router.get(expressPath(PATH_QUERY_BY_OUT_TRADE_NO), serve('query', (req) => query(req)));
  router.post(expressPath(PATH_CLOSE), serve('close', close));
  router.post(PATH_REFUNDS, serve('refund', (_req, body) => withBody(body, (value) => validate(refundBodySchema, value), refund)));
  router.get(expressPath(PATH_REFUND_BY_OUT_REFUND_NO), serve('query_refund', (req) => queryRefund(req)));
  router.post(PATH_PARTNER_JSAPI_PREPAY, serve('partner_prepay', (_req, body) => withBody(body, (value) => validate(partnerPrepayBodySchema, value), partnerPrepay)));
  router.get(expressPath(PATH_PARTNER_QUERY_BY_OUT_TRADE_NO), serve('partner_query', (req) => partnerQuery(req)));
  router.post(expressPath(PATH_PARTNER_CLOSE), serve('partner_close', partnerClose));
  router.get(PATH_CERTIFICATES, serve('certificates', () => certificatesAnswer()));
  router.get(PATH_TRADE_BILL, serve('trade_bill', (req) => tradeBill(req)));
  router.get(PATH_BILL_DOWNLOAD, downloadBill);
  router.use((_req: Request, res: Response) => sendSigned(res, { status: 404, payload: { code: 'RESOURCE_NOT_EXISTS', message: 'no such API in the sandbox' } }));

  function pay(prepayId: string, openid: string, outcome: PayOutcome): PayResult {
    const prepayRecord = prepays.get(prepayId);
    if (prepayRecord === undefined) throw new SandboxError('PREPAY_NOT_FOUND', 404, 'no such prepay_id');
    const tx = transactions.get(prepayRecord.outTradeNo);
    if (tx === undefined) throw new SandboxError('PREPAY_NOT_FOUND', 404, 'no such prepay_id');
    if (clock.now() > prepayRecord.expiresAt) throw new SandboxError('PREPAY_EXPIRED', 410, 'prepay_id is older than two hours');
    refreshExpiry(tx);
    if (tx.tradeState === 'SUCCESS' || tx.tradeState === 'REFUND') throw new SandboxError('ORDER_PAID', 409, 'the order is already paid');
    if (tx.tradeState === 'CLOSED') throw new SandboxError('ORDER_CLOSED', 409, 'the order is closed');
    if (openid !== tx.payerOpenid) throw new SandboxError('OPENID_MISMATCH', 403, 'this WeChat user is not the payer the order was placed for');

    const result = (notificationId?: string): PayResult => ({ outTradeNo: tx.outTradeNo, tradeState: tx.tradeState, transactionId: tx.transactionId, notificationId });
    if (outcome === 'cancel') return result();
    if (outcome === 'fail') {
      tx.tradeState = 'PAYERROR';
      return result();
    }
    tx.tradeState = 'SUCCESS';
    tx.transactionId = `4200${digits(24)}`;
    tx.successTime = clock.now();
    const notificationId = notifier.send({
      eventType: 'TRANSACTION.SUCCESS',
      originalType: RESOURCE_ORIGINAL_TYPE_TRANSACTION,
      url: tx.notifyUrl,
      resource: transactionJson(tx),
    });
    options.logger?.info({ outTradeNo: tx.outTradeNo, amountTotal: tx.amountTotal }, 'sandbox wechatpay: paid');
    return result(notificationId);
  }

  const viewTransaction = (tx: TransactionState): SimulatedTransaction => {
    const { fingerprint: _fingerprint, ...rest } = tx;
    return Object.freeze(Object.assign({}, rest, { prepayIds: Object.freeze([...tx.prepayIds]), refundedAmount: refundedAmount(tx.outTradeNo) }));
  };
  const viewRefund = (refund: RefundState): SimulatedRefund => {
    const { fingerprint: _fingerprint, settlesAs: _settlesAs, ...rest } = refund;
    return Object.freeze({ ...rest });
  };

  return {
    router,
    pay,
    faults,
    ledger: {
      transactions: () => [...transactions.values()].map((tx) => (refreshExpiry(tx), viewTransaction(tx))),
      transaction: (outTradeNo: string) => {
        const tx = transactions.get(outTradeNo);
        if (tx === undefined) return undefined;
        refreshExpiry(tx);
        return viewTransaction(tx);
      },
      refunds: () => [...refunds.values()].map(viewRefund),
      notifications: () => notifier.attempts(),
      calls: () => calls.map((call) => Object.freeze({ ...call })),
    },
    certificates: { listed: () => signing.listed(), rotate: () => signing.rotate() },
    async idle(): Promise<void> {
      if (settlements.size > 0) await new Promise<void>((resolve) => settleWaiters.push(resolve));
      await notifier.idle();
    },
    close(): void {
      for (const timer of settlements) clearTimeout(timer);
      settlements.clear();
      const waiters = settleWaiters;
      settleWaiters = [];
      for (const resolve of waiters) resolve();
      notifier.close();
      for (const res of hanging) res.destroy();
      hanging.clear();
    },
  };
}
