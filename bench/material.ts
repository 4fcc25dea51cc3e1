/**
 * What the load generator sends, written as request files for lua/requests.lua: friend views
 * over random signed tokens, landing pages over codes, link issues, payments (a distinct link and Idempotency-Key each) and
 * signed, encrypted WeChat Pay notifications (one per open payment, first-time each).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { LinkKeyring } from '../server/src/tokens/link-keys';
import { signLinkCode } from '../server/src/links/link-code';
import { signLinkToken } from '../server/src/links/link-token';
import type { SandboxWechatKeys } from '../server/src/sandbox/simulators/sandbox-keys';
import { encryptResource } from '../server/src/wechat/aead';
import { responseSignatureMessage } from '../server/src/wechat/consts';
import { formatWechatTime } from '../server/src/wechat/time';
import { SEED_AMOUNT, seedIds, seedPayerOpenid, seedTimes } from './seed';

/** One request of a request file. */
export interface RequestLine {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Writes `lines` in the format lua/requests.lua reads (tab-separated; no tabs or newlines inside). */
export function writeRequestFile(file: string, lines: readonly RequestLine[]): void {
  const text = lines
    .map((line) => {
      const headers = Object.entries(line.headers ?? {}).map(([name, value]) => `${name}: ${value}`).join('|');
      const row = [line.method, line.path, headers, line.body ?? ''].join('\t');
      if (/[\n\r]/.test(row) || row.split('\t').length !== 4) throw new Error(`request line cannot be written: ${row.slice(0, 80)}`);
      return row;
    })
    .join('\n');
  fs.writeFileSync(file, `${text}\n`);
}

/** The token of seeded link `index` of `kind`, as the server would have issued it. */
export function seededLinkToken(keyring: LinkKeyring, kind: string, index: number, seededAt: number): string {
  return signLinkToken(keyring, { linkId: seedIds.link(kind, index), orderId: seedIds.order(kind, index), expiresAt: seedTimes(seededAt).expires }, seededAt);
}

/** `GET /v1/pay/{token}` for `sample` links drawn at random from `links` seeded view links. */
export function friendViewRequests(keyring: LinkKeyring, links: number, sample: number, seededAt: number): RequestLine[] {
  const lines: RequestLine[] = [];
  const count = Math.min(sample, links);
  for (let n = 0; n < count; n++) {
    // Every link once when the sample covers them all, otherwise uniformly at random.
    const index = count === links ? n : crypto.randomInt(links);
    lines.push({ method: 'GET', path: `/v1/pay/${seededLinkToken(keyring, 'v', index, seededAt)}` });
  }
  return lines;
}

/** `GET /p/{code}` (the landing page) for the first `count` seeded view links. */
export function landingRequests(keyring: LinkKeyring, count: number): RequestLine[] {
  return Array.from({ length: count }, (_, index) => ({ method: 'GET', path: `/p/${signLinkCode(keyring, seedIds.link('v', index))}` }));
}

/** `POST /v1/orders/{id}/links` over the seeded link-less orders, as the shop's backend. */
export function linkIssueRequests(apiKey: string, orders: number): RequestLine[] {
  const body = JSON.stringify({ requester: { id: 'bench-shopper', name: '王小二' }, message: '帮我付一下，谢谢！', ttl_seconds: 24 * 3600 });
  return Array.from({ length: orders }, (_, index) => ({
    method: 'POST',
    path: `/v1/orders/${seedIds.order('i', index)}/links`,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body,
  }));
}

/** `POST /v1/pay/{token}/payments`: link `index` of the seeded pay links, friends taken in turn. */
export function paymentRequests(keyring: LinkKeyring, links: number, sessions: readonly string[], seededAt: number): RequestLine[] {
  const run = crypto.randomBytes(4).toString('hex');
  return Array.from({ length: links }, (_, index) => ({
    method: 'POST',
    path: `/v1/pay/${seededLinkToken(keyring, 'p', index, seededAt)}/payments`,
    headers: {
      authorization: `Bearer ${sessions[index % sessions.length]}`,
      'idempotency-key': `bench-${run}-${index}`,
      'content-type': 'application/json',
    },
    body: '{}',
  }));
}

const sign = promisify(crypto.sign);

/**
 * TRANSACTION.SUCCESS notifications for seeded open payments `from` .. `from + count - 1`, signed
 * with the sandbox's WeChat Pay key at `now` (WeChat's 5-minute window applies, so build them just
 * before use). Signing runs on libuv's thread pool, so it uses every core while the server idles.
 */
export async function notificationRequests(keys: SandboxWechatKeys, from: number, count: number, now: number): Promise<RequestLine[]> {
  const privateKey = crypto.createPrivateKey(keys.platform.privateKeyPem);
  const timestamp = String(Math.floor(now / 1000));
  const build = async (index: number): Promise<RequestLine> => {
    const resource = {
      appid: keys.appId,
      mchid: keys.mchId,
      out_trade_no: seedIds.outTradeNo(index),
      transaction_id: `42000${String(index).padStart(23, '0')}`,
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: '支付成功',
      bank_type: 'OTHERS',
      attach: '',
      success_time: formatWechatTime(now),
      payer: { openid: seedPayerOpenid(index) },
      amount: { total: SEED_AMOUNT, payer_total: SEED_AMOUNT, currency: 'CNY', payer_currency: 'CNY' },
    };
    const nonce = crypto.randomBytes(6).toString('hex');
    const body = JSON.stringify({
      id: crypto.randomUUID(),
      create_time: formatWechatTime(now),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: encryptResource(JSON.stringify(resource), keys.apiV3Key, nonce, 'transaction'), associated_data: 'transaction', nonce },
    });
    const headerNonce = crypto.randomBytes(16).toString('hex');
    const signature = await sign('sha256', Buffer.from(responseSignatureMessage(timestamp, headerNonce, body)), privateKey);
    return {
      method: 'POST',
      path: '/v1/wechatpay/notify',
      headers: {
        'content-type': 'application/json',
        'wechatpay-timestamp': timestamp,
        'wechatpay-nonce': headerNonce,
        'wechatpay-serial': keys.platform.publicKeyId,
        'wechatpay-signature': signature.toString('base64'),
        'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      },
      body,
    };
  };
  const lines: RequestLine[] = [];
  // In batches, so the thread pool stays busy without a million pending promises.
  for (let start = from; start < from + count; start += 256) {
    const batch = [];
    for (let index = start; index < Math.min(from + count, start + 256); index++) batch.push(build(index));
    lines.push(...(await Promise.all(batch)));
  }
  return lines;
}
