import { describe, expect, it } from 'vitest';
import { decryptResource, encryptResource } from '../../server/src/wechat/aead';
import { WechatPayError } from '../../server/src/wechat/errors';

const apiV3Key = 'a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb';
const nonce = 'fdasflkja484';
const associatedData = 'transaction';

function decryptCode(resource: { ciphertext: string; nonce: string; associatedData: string }, key = apiV3Key): string | undefined {
  try {
    decryptResource(resource, key);
    return undefined;
  } catch (error: unknown) {
    return error instanceof WechatPayError ? error.code : 'other';
  }
}

function flipByte(base64: string, position: number): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[position] = (bytes[position]) ^ 0x01;
  return bytes.toString('base64');
}

describe('AEAD_AES_256_GCM resources', () => {
  const plaintext = JSON.stringify({ out_trade_no: 'T1234567', trade_state: 'SUCCESS', 说明: '支付成功' });
  const ciphertext = encryptResource(plaintext, apiV3Key, nonce, associatedData);

  it('decrypts what was encrypted with the APIv3 key', () => {
    expect(decryptResource({ ciphertext, nonce, associatedData }, apiV3Key)).toBe(plaintext);
  });

  it('rejects a broken tag', () => {
    const lastByte = Buffer.from(ciphertext, 'base64').length - 1;

    expect(decryptCode({ ciphertext: flipByte(ciphertext, lastByte), nonce, associatedData })).toBe('DECRYPTION_FAILED');
  });

  it('rejects a broken ciphertext at any byte', () => {
    const length = Buffer.from(ciphertext, 'base64').length;
    const accepted: number[] = [];

    for (let position = 0; position < length; position += 1) {
      if (decryptCode({ ciphertext: flipByte(ciphertext, position), nonce, associatedData }) !== 'DECRYPTION_FAILED') accepted.push(position);
    }

    expect(accepted).toEqual([]);
  });

  it('rejects other associated data, another nonce or another key', () => {
    expect(decryptCode({ ciphertext, nonce, associatedData: 'refund' })).toBe('DECRYPTION_FAILED');
    expect(decryptCode({ ciphertext, nonce: 'fdasflkja485', associatedData })).toBe('DECRYPTION_FAILED');
    expect(decryptCode({ ciphertext, nonce, associatedData }, 'b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb')).toBe('DECRYPTION_FAILED');
  });

  it('rejects a ciphertext shorter than a tag', () => {
    expect(decryptCode({ ciphertext: Buffer.alloc(8).toString('base64'), nonce, associatedData })).toBe('DECRYPTION_FAILED');
  });

  it('refuses an APIv3 key that is not 32 bytes, without repeating it', () => {
    expect(() => decryptResource({ ciphertext, nonce, associatedData }, 'short-key')).toThrow('the APIv3 key must be 32 bytes');
  });
});
