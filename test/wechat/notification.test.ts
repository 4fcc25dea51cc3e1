import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptResource } from '../../server/src/wechat/aead';
import { WechatPayError } from '../../server/src/wechat/errors';
import { createNotificationParser } from '../../server/src/wechat/notification';
import { createRsaSigner } from '../../server/src/wechat/signer';
import { createPublicKeyVerifier } from '../../server/src/wechat/verifier';

const platform = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKeyId = 'PUB_KEY_ID_0100000000000000000000000001';
const apiV3Key = crypto.randomBytes(16).toString('hex');
const nowMs = 1_722_850_421_000;
const clock = { now: () => nowMs };
const parser = createNotificationParser({ verifier: createPublicKeyVerifier({ [publicKeyId]: platform.publicKey }), apiV3Key, clock });
const signer = createRsaSigner(platform.privateKey);

const transaction = {
  appid: 'wxd678efh567hg6787',
  mchid: '1230000109',
  out_trade_no: '1217752501201407033233368018',
  transaction_id: '4200000000000000000000000001',
  trade_type: 'JSAPI',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
  bank_type: 'CMC',
  success_time: '2018-06-08T10:34:56+08:00',
  payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
  amount: { total: 100, payer_total: 100, currency: 'CNY', payer_currency: 'CNY' },
};

const refund = {
  mchid: '1230000109',
  out_trade_no: '1217752501201407033233368018',
  transaction_id: '4200000000000000000000000001',
  out_refund_no: 'R1',
  refund_id: '50200207182018070300011301001',
  refund_status: 'SUCCESS',
  success_time: '2018-06-08T10:34:56+08:00',
  user_received_account: '支付用户零钱',
  amount: { total: 100, refund: 40, payer_total: 100, payer_refund: 40 },
};

function notification(eventType: string, resource: object, originalType: string, options: { timestamp?: number; mutateCiphertext?: (c: string) => string } = {}) {
  const nonce = 'fdasflkja484';
  let ciphertext = encryptResource(JSON.stringify(resource), apiV3Key, nonce, originalType);
  if (options.mutateCiphertext) ciphertext = options.mutateCiphertext(ciphertext);
  const rawBody = JSON.stringify({
    id: 'EV-2018022511223320873',
    create_time: '2015-05-20T13:29:35+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: '支付成功',
    resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: originalType, nonce },
  });
  const timestamp = String(options.timestamp ?? Math.floor(nowMs / 1000));
  const headerNonce = crypto.randomBytes(16).toString('hex');
  const headers = {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': headerNonce,
    'wechatpay-serial': publicKeyId,
    'wechatpay-signature': signer.sign(`${timestamp}\n${headerNonce}\n${rawBody}\n`),
  };
  return { headers, rawBody };
}

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error: unknown) {
    return error instanceof WechatPayError ? error.code : `other: ${String(error)}`;
  }
}

function flipLastByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[bytes.length - 1] = (bytes[bytes.length - 1]) ^ 0x01;
  return bytes.toString('base64');
}

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0]) ^ 0x01;
  return bytes.toString('base64');
}

describe('notification parser', () => {
  it('returns a verified, decrypted payment notification with its event id', () => {
    const incoming = notification('TRANSACTION.SUCCESS', transaction, 'transaction');

    const parsed = parser.parseNotification(incoming);

    expect(parsed).toMatchObject({
      kind: 'payment',
      eventId: 'EV-2018022511223320873',
      eventType: 'TRANSACTION.SUCCESS',
      transaction: { outTradeNo: transaction.out_trade_no, tradeState: 'SUCCESS', amountTotal: 100, payerOpenid: transaction.payer.openid, appId: transaction.appid, mchId: transaction.mchid },
    });
  });

  it('returns a refund notification from a Buffer body', () => {
    const incoming = notification('REFUND.SUCCESS', refund, 'refund');

    const parsed = parser.parseNotification({ headers: incoming.headers, rawBody: Buffer.from(incoming.rawBody, 'utf8') });

    expect(parsed).toMatchObject({ kind: 'refund', eventType: 'REFUND.SUCCESS', refund: { outRefundNo: 'R1', status: 'SUCCESS', amountRefund: 40, amountTotal: 100 } });
  });

  it('rejects a notification whose resource has a broken tag', () => {
    const incoming = notification('TRANSACTION.SUCCESS', transaction, 'transaction', { mutateCiphertext: flipLastByte });

    expect(codeOf(() => parser.parseNotification(incoming))).toBe('DECRYPTION_FAILED');
  });

  it('rejects a notification whose ciphertext is broken', () => {
    const incoming = notification('TRANSACTION.SUCCESS', transaction, 'transaction', { mutateCiphertext: flipFirstByte });

    expect(codeOf(() => parser.parseNotification(incoming))).toBe('DECRYPTION_FAILED');
  });

  it('rejects a body changed after signing', () => {
    const incoming = notification('TRANSACTION.SUCCESS', transaction, 'transaction');

    expect(codeOf(() => parser.parseNotification({ ...incoming, rawBody: incoming.rawBody.replace('EV-', 'EX-') }))).toBe('SIGNATURE_INVALID');
  });

  it('rejects a stale notification', () => {
    const incoming = notification('TRANSACTION.SUCCESS', transaction, 'transaction', { timestamp: Math.floor(nowMs / 1000) - 301 });

    expect(codeOf(() => parser.parseNotification(incoming))).toBe('TIMESTAMP_OUT_OF_WINDOW');
  });

  it('rejects a notification signed under an unknown serial', () => {
    const incoming = notification('TRANSACTION.SUCCESS', transaction, 'transaction');

    expect(codeOf(() => parser.parseNotification({ ...incoming, headers: { ...incoming.headers, 'wechatpay-serial': 'PUB_KEY_ID_OTHER' } }))).toBe('SERIAL_UNKNOWN');
  });

  it('rejects a signed notification whose decrypted resource is not a transaction', () => {
    const incoming = notification('TRANSACTION.SUCCESS', { hello: 'world' }, 'transaction');

    expect(codeOf(() => parser.parseNotification(incoming))).toBe('NOTIFICATION_MALFORMED');
  });

  it('rejects an event type it does not know', () => {
    const incoming = notification('TRANSACTION.SOMETHING', transaction, 'transaction');

    expect(codeOf(() => parser.parseNotification(incoming))).toBe('NOTIFICATION_MALFORMED');
  });

  it('never puts the APIv3 key into an error', () => {
    const incoming = notification('TRANSACTION.SUCCESS', transaction, 'transaction', { mutateCiphertext: flipLastByte });

    let error: unknown;
    try {
      parser.parseNotification(incoming);
    } catch (caught: unknown) {
      error = caught;
    }

    expect(error).toBeInstanceOf(WechatPayError);
    expect(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain(apiV3Key);
  });
});
