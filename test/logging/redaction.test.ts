import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, loggablePath, redactCapabilities } from '../../server/src/logging/logger';

const token = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJsaWQiOiJsbmtfUGJRMVc0Y0xUWlR3In0.Qb_OE6Ipz-68Spigyu1DAuNc0L-tS9BLOf77w-Kf6_Y';
const code = 'lnk_PbQ1W4cLTZTw.Xq3-vB9_kLmN0p';
const encode = (value: string) => Array.from(Buffer.from(value), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');

describe('what a log line may hold of a request path', () => {
  it('keeps our route words in any case and replaces every capability, however it is spelt', () => {
    expect(loggablePath(`/v1/pay/${token}`)).toBe('/v1/pay/{redacted}');
    expect(loggablePath(`/V1/PAY/${token}/payments?x=${token}`)).toBe('/V1/PAY/{redacted}/payments');
    expect(loggablePath(`/P/${code}`)).toBe('/P/{redacted}');
    expect(loggablePath(`/p/${code}/qr.png`)).toBe('/p/{redacted}/qr.png');
    for (const spelling of [encode(code), encode(encode(code)), `${code}%zz`, code.toUpperCase(), code.toLowerCase(), code.replace('.', '%2e'), `${code};x=1`, `${code.slice(0, 4)}%E0%A4${code.slice(4)}`]) {
      expect(loggablePath(`/p/${spelling}`), spelling).toBe('/p/{redacted}');
    }
    expect(loggablePath(`/v1//pay/./${token}`)).toBe('/v1//pay/./{redacted}');
    expect(loggablePath('/v1/payments/pay_yXhA8AjDE76vXfvi/cancel')).toBe('/v1/payments/{redacted}/cancel');
  });

  it('keeps the ids a shop names its orders and links by, and the H5 bundle names', () => {
    expect(loggablePath('/v1/orders/ord_v0aTE6a8nlkcLIsG/links')).toBe('/v1/orders/ord_v0aTE6a8nlkcLIsG/links');
    expect(loggablePath('/app/js/app.8c2559aa.js')).toBe('/app/js/app.8c2559aa.js');
    expect(loggablePath('/sandbox/wechatpay-api/v3/pay/transactions/out-trade-no/FPyXhA8AjDE76vXfvi/close')).toBe('/sandbox/wechatpay-api/v3/pay/transactions/out-trade-no/{redacted}/close');
  });
});

describe('the last scrub of every log line', () => {
  it('replaces anything shaped like a token or code, in any case or encoding, and leaves ordinary text alone', () => {
    for (const spelling of [token, code, code.toUpperCase(), encode(code), `${encode(code)}%zz`, encode(encode(token))]) {
      expect(redactCapabilities(`Failed to decode param '${spelling}'`), spelling).toBe("Failed to decode param '[redacted]'");
    }
    const ordinary = 'connect ECONNREFUSED 127.0.0.1:5432 at /work/server/src/payments/payment-service.ts:123:45 req_b1HNR16o00000005 api.mch.weixin.qq.com';
    expect(redactCapabilities(ordinary)).toBe(ordinary);
  });

  it('keeps a URIError quoting a link out of the error log, message and stack', () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write(chunk: Buffer, _encoding, done) { lines.push(chunk.toString()); done(); } }));
    const error = new URIError(`Failed to decode param '${code}%zz'`);
    logger.error({ err: error, detail: `/v1/pay/${token}`, client_request_id: code }, 'unhandled error');
    const written = lines.join('');
    expect(written).toContain('Failed to decode param');
    for (const secret of [code, token, code.split('.')[1] ?? '', token.split('.')[2] ?? '']) expect(written.toLowerCase()).not.toContain(secret.toLowerCase());
  });
});
