import { describe, expect, it } from 'vitest';
import { WechatPayError } from '../../server/src/wechat/errors';
import { createPublicKeyVerifier, verifySignedBody } from '../../server/src/wechat/verifier';
import { vectors, wechatpaySamplePublicKeyPem } from './vectors';

const serial = 'PUB_KEY_ID_0114232134912410000000000000';
const v = vectors.responseSignature;
const verifier = createPublicKeyVerifier({ [serial]: wechatpaySamplePublicKeyPem });
const atSignatureTime = { now: () => Number(v.timestamp) * 1000 };
const headers = { 'wechatpay-timestamp': v.timestamp, 'wechatpay-nonce': v.nonce, 'wechatpay-signature': v.signature, 'wechatpay-serial': serial };

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error: unknown) {
    return error instanceof WechatPayError ? error.code : `not a WechatPayError: ${String(error)}`;
  }
}

describe('response signature verifier', () => {
  it('accepts the published response signature', () => {
    expect(() => verifier.verify(serial, v.message, v.signature)).not.toThrow();
  });

  it('accepts the published response through the header pipeline, with a fetch Headers object too', () => {
    const fetchHeaders = new Headers(headers);

    expect(() => verifySignedBody({ headers, body: v.body, verifier, clock: atSignatureTime })).not.toThrow();
    expect(() => verifySignedBody({ headers: fetchHeaders, body: v.body, verifier, clock: atSignatureTime })).not.toThrow();
  });

  it('rejects the published signature after any one-byte change of the message', () => {
    const message = Buffer.from(v.message, 'utf8');
    const accepted: number[] = [];

    for (let position = 0; position < message.length; position += 1) {
      const changed = Buffer.from(message);
      changed[position] = (changed[position]) ^ 0x01;
      if (codeOf(() => verifier.verify(serial, changed.toString('latin1'), v.signature)) !== 'SIGNATURE_INVALID') accepted.push(position);
    }

    expect(message.length).toBeGreaterThan(80);
    expect(accepted).toEqual([]);
  });

  it('rejects the published signature after any one-byte change of the signature', () => {
    const signature = Buffer.from(v.signature, 'base64');
    const accepted: number[] = [];

    for (let position = 0; position < signature.length; position += 1) {
      const changed = Buffer.from(signature);
      changed[position] = (changed[position]) ^ 0x80;
      if (codeOf(() => verifier.verify(serial, v.message, changed.toString('base64'))) !== 'SIGNATURE_INVALID') accepted.push(position);
    }

    expect(signature.length).toBe(256);
    expect(accepted).toEqual([]);
  });

  it('rejects any one-character change of the base64 signature text', () => {
    const accepted: number[] = [];

    for (let position = 0; position < v.signature.length; position += 1) {
      const original = v.signature[position];
      const replacement = original === 'A' ? 'B' : 'A';
      const changed = `${v.signature.slice(0, position)}${replacement}${v.signature.slice(position + 1)}`;
      if (codeOf(() => verifier.verify(serial, v.message, changed)) !== 'SIGNATURE_INVALID') accepted.push(position);
    }

    expect(accepted).toEqual([]);
  });

  it('rejects a signature from an unknown serial', () => {
    expect(codeOf(() => verifier.verify('PUB_KEY_ID_SOMEONE_ELSE', v.message, v.signature))).toBe('SERIAL_UNKNOWN');
  });

  it('rejects a timestamp more than five minutes behind or ahead of the clock', () => {
    const late = { now: () => (Number(v.timestamp) + 301) * 1000 };
    const early = { now: () => (Number(v.timestamp) - 301) * 1000 };
    const edge = { now: () => (Number(v.timestamp) + 300) * 1000 };

    expect(codeOf(() => verifySignedBody({ headers, body: v.body, verifier, clock: late }))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(codeOf(() => verifySignedBody({ headers, body: v.body, verifier, clock: early }))).toBe('TIMESTAMP_OUT_OF_WINDOW');
    expect(codeOf(() => verifySignedBody({ headers, body: v.body, verifier, clock: edge }))).toBeUndefined();
  });

  it('rejects a response without its signature headers', () => {
    const { 'wechatpay-signature': _dropped, ...unsigned } = headers;

    expect(codeOf(() => verifySignedBody({ headers: unsigned, body: v.body, verifier, clock: atSignatureTime }))).toBe('SIGNATURE_MISSING');
  });

  it('checks the signature before the time window, so a forged stale message reads as forged', () => {
    const late = { now: () => (Number(v.timestamp) + 3600) * 1000 };

    expect(codeOf(() => verifySignedBody({ headers, body: `${v.body} `, verifier, clock: late }))).toBe('SIGNATURE_INVALID');
  });
});
