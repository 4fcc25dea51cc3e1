/** Builds WeChat Pay notifications the way WeChat Pay does, for replay and forgery tests. */
import crypto from 'node:crypto';
import type { SandboxWechatKeys } from '../../server/src/sandbox/simulators/sandbox-keys';
import { encryptResource } from '../../server/src/wechat/aead';
import { responseSignatureMessage } from '../../server/src/wechat/consts';
import { formatWechatTime } from '../../server/src/wechat/time';

/** A notification ready to POST. */
export interface BuiltNotification {
  body: string;
  headers: Record<string, string>;
}

/** What the payment notification says. */
export interface TransactionFacts {
  outTradeNo: string;
  transactionId: string;
  amount: number;
  openid: string;
  successTime: number;
}

/** A TRANSACTION.SUCCESS notification; `signWith` and `timestamp` let a test forge or age it, `currency` and `tradeType` make it one we never asked for. */
export function paymentNotification(
  keys: SandboxWechatKeys,
  facts: TransactionFacts,
  options: {
    eventId?: string;
    timestamp?: number;
    signWith?: string;
    mchId?: string;
    /** The `Wechatpay-Serial` to send (default: the public key's id). */
    serial?: string;
    /** Partner mode: the resource a service provider gets, naming this sub-merchant. */
    partner?: { subMchId: string; subAppId?: string };
    currency?: string;
    tradeType?: string;
  } = {},
): BuiltNotification {
  const ids = options.partner === undefined
    ? { appid: keys.appId, mchid: options.mchId ?? keys.mchId }
    : { sp_appid: keys.appId, sp_mchid: options.mchId ?? keys.mchId, ...(options.partner.subAppId === undefined ? {} : { sub_appid: options.partner.subAppId }), sub_mchid: options.partner.subMchId };
  const payer = options.partner === undefined ? { openid: facts.openid } : options.partner.subAppId === undefined ? { sp_openid: facts.openid } : { sub_openid: facts.openid };
  const resource = {
    ...ids,
    out_trade_no: facts.outTradeNo,
    transaction_id: facts.transactionId,
    trade_type: options.tradeType ?? 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    attach: '',
    success_time: formatWechatTime(facts.successTime),
    payer,
    amount: { total: facts.amount, payer_total: facts.amount, currency: options.currency ?? 'CNY', payer_currency: options.currency ?? 'CNY' },
  };
  const nonce = crypto.randomBytes(6).toString('hex');
  const body = JSON.stringify({
    id: options.eventId ?? crypto.randomUUID(),
    create_time: formatWechatTime(facts.successTime),
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptResource(JSON.stringify(resource), keys.apiV3Key, nonce, 'transaction'), associated_data: 'transaction', nonce },
  });
  const timestamp = String(options.timestamp ?? Math.floor(facts.successTime / 1000));
  const headerNonce = crypto.randomBytes(16).toString('hex');
  const signature = crypto.sign('sha256', Buffer.from(responseSignatureMessage(timestamp, headerNonce, body)), options.signWith ?? keys.platform.privateKeyPem).toString('base64');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': headerNonce,
      'wechatpay-serial': options.serial ?? keys.platform.publicKeyId,
      'wechatpay-signature': signature,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
  };
}

/** What a refund notification says. */
export interface RefundFacts {
  outTradeNo: string;
  transactionId: string;
  outRefundNo: string;
  refundId: string;
  status: 'SUCCESS' | 'ABNORMAL' | 'CLOSED';
  amountTotal: number;
  amountRefund: number;
  at: number;
}

/** A REFUND.* notification, signed and encrypted as WeChat Pay sends it (for replays and reordering). */
export function refundNotification(keys: SandboxWechatKeys, facts: RefundFacts, options: { eventId?: string; timestamp?: number; partner?: { subMchId: string } } = {}): BuiltNotification {
  const resource = {
    ...(options.partner === undefined ? { mchid: keys.mchId } : { sp_mchid: keys.mchId, sub_mchid: options.partner.subMchId }),
    out_trade_no: facts.outTradeNo,
    transaction_id: facts.transactionId,
    out_refund_no: facts.outRefundNo,
    refund_id: facts.refundId,
    refund_status: facts.status,
    ...(facts.status === 'SUCCESS' ? { success_time: formatWechatTime(facts.at) } : {}),
    user_received_account: '支付用户零钱',
    amount: { total: facts.amountTotal, refund: facts.amountRefund, payer_total: facts.amountTotal, payer_refund: facts.amountRefund },
  };
  const nonce = crypto.randomBytes(6).toString('hex');
  const body = JSON.stringify({
    id: options.eventId ?? crypto.randomUUID(),
    create_time: formatWechatTime(facts.at),
    resource_type: 'encrypt-resource',
    event_type: `REFUND.${facts.status}`,
    summary: '退款通知',
    resource: { original_type: 'refund', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptResource(JSON.stringify(resource), keys.apiV3Key, nonce, 'refund'), associated_data: 'refund', nonce },
  });
  const timestamp = String(options.timestamp ?? Math.floor(facts.at / 1000));
  const headerNonce = crypto.randomBytes(16).toString('hex');
  const signature = crypto.sign('sha256', Buffer.from(responseSignatureMessage(timestamp, headerNonce, body)), keys.platform.privateKeyPem).toString('base64');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': headerNonce,
      'wechatpay-serial': keys.platform.publicKeyId,
      'wechatpay-signature': signature,
      'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
    },
  };
}
