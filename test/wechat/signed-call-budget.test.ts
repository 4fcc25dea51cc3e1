import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WechatPayError } from '../../server/src/wechat/errors';
import { TransportError, type HttpTransport, type TransportRequest } from '../../server/src/wechat/http-transport';
import { createRsaSigner } from '../../server/src/wechat/signer';
import { createSignedCaller } from '../../server/src/wechat/v3/signed-call';
import { createPublicKeyVerifier } from '../../server/src/wechat/verifier';

const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: crypto.KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();

/** A WeChat Pay that never answers: each attempt uses up its whole timeout on a clock the test moves. */
function silentWechat(): { transport: HttpTransport; elapsed: () => number; timeouts: number[] } {
  let now = 0;
  const timeouts: number[] = [];
  return {
    timeouts,
    elapsed: () => now,
    transport: {
      send(request: TransportRequest) {
        timeouts.push(request.timeoutMs);
        now += request.timeoutMs;
        return Promise.reject(new TransportError('timeout', `no answer within ${request.timeoutMs} ms`));
      },
      close() {},
    },
  };
}

function callerFor(wechat: ReturnType<typeof silentWechat>, options: { timeoutMs: number; budgetMs: number; maxRetries: number }) {
  return createSignedCaller({
    baseUrl: 'https://api.mch.weixin.qq.com',
    mchId: '1900000001',
    merchantSerial: 'SERIAL',
    signer: createRsaSigner(pem(keys.privateKey, 'pkcs8')),
    verifier: createPublicKeyVerifier({ PUB_KEY_ID_1: pem(keys.publicKey, 'spki') }),
    clock: { now: () => Date.now() },
    nonce: () => 'nonce',
    transport: wechat.transport,
    retryDelayMs: 1,
    elapsed: wechat.elapsed,
    ...options,
  });
}

describe('a WeChat Pay call that gets no answer', () => {
  it('gives up within its budget, retries included, instead of waiting out every attempt\'s full timeout', async () => {
    const wechat = silentWechat();
    const caller = callerFor(wechat, { timeoutMs: 3000, budgetMs: 5000, maxRetries: 2 });
    const error = await caller.call({ method: 'POST', path: '/v3/pay/transactions/jsapi', body: {}, safeToRepeat: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatPayError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(wechat.elapsed()).toBeLessThanOrEqual(5000);
    expect(wechat.timeouts[0]).toBe(3000);
    expect(wechat.timeouts.length).toBeGreaterThanOrEqual(2);
  });

  it('uses every attempt when the budget allows them, and one attempt for a call that is not safe to repeat', async () => {
    const roomy = silentWechat();
    await callerFor(roomy, { timeoutMs: 100, budgetMs: 5000, maxRetries: 2 }).call({ method: 'GET', path: '/v3/x', safeToRepeat: true }).catch(() => undefined);
    expect(roomy.timeouts).toEqual([100, 100, 100]);
    const once = silentWechat();
    await callerFor(once, { timeoutMs: 3000, budgetMs: 5000, maxRetries: 2 }).call({ method: 'POST', path: '/v3/refund/domestic/refunds', body: {}, safeToRepeat: false }).catch(() => undefined);
    expect(once.timeouts).toEqual([3000]);
  });
});
