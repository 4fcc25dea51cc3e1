// WeChat's encrypted user data (加密数据解密算法): WeChat's own published sample decrypts, what
// the sandbox encrypts decrypts the same way, and nothing else does.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptPrivateMessageData, decryptUserData, encryptUserData } from '../../server/src/wechat/user-data';

// The sample of WeChat's decryption guide (its demo code ships it in every language).
const SAMPLE = {
  appId: 'wx4f4bc4dec97d474b',
  sessionKey: 'tiihtNczf5v6AKRyjwEUhQ==',
  iv: 'r7BXXKkLb8qrSNn05n0qiA==',
  encryptedData:
    'CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==',
};

describe("WeChat's user data cipher", () => {
  it("decrypts WeChat's published sample to its user and watermark", () => {
    const data = decryptUserData(SAMPLE.encryptedData, SAMPLE.iv, SAMPLE.sessionKey);
    expect(data).toMatchObject({ openId: 'oGZUI0egBJY1zhBYw2KhdUfwVJJE', nickName: 'Band', watermark: { appid: SAMPLE.appId, timestamp: 1477314187 } });
  });

  it('decrypts what it encrypts, and a private message carries its activity id and watermark', () => {
    const sessionKey = crypto.randomBytes(16).toString('base64');
    const payload = { activityId: '1193_abc', watermark: { appid: 'wx0123456789abcdef', timestamp: 1_800_000_000 } };
    const sealed = encryptUserData(JSON.stringify(payload), sessionKey);
    expect(decryptPrivateMessageData(sealed.encryptedData, sealed.iv, sessionKey)).toEqual(payload);
  });

  it('refuses another key, another iv, tampered bytes, bad base64 and data without an activity id', () => {
    const sessionKey = crypto.randomBytes(16).toString('base64');
    const sealed = encryptUserData(JSON.stringify({ activityId: 'a', watermark: { appid: 'wx1', timestamp: 1 } }), sessionKey);
    const tampered = Buffer.from(sealed.encryptedData, 'base64');
    // The second-to-last block's last byte flips the padding byte: never valid padding again.
    tampered[tampered.length - 17] = (tampered[tampered.length - 17] ?? 0) ^ 1;
    expect(decryptUserData(sealed.encryptedData, sealed.iv, crypto.randomBytes(16).toString('base64'))).toBeUndefined();
    expect(decryptPrivateMessageData(sealed.encryptedData, crypto.randomBytes(16).toString('base64'), sessionKey)).toBeUndefined();
    expect(decryptUserData(tampered.toString('base64'), sealed.iv, sessionKey)).toBeUndefined();
    expect(decryptUserData('%%%', sealed.iv, sessionKey)).toBeUndefined();
    expect(decryptUserData(sealed.encryptedData, sealed.iv, 'short')).toBeUndefined();
    const noActivity = encryptUserData(JSON.stringify({ watermark: { appid: 'wx1', timestamp: 1 } }), sessionKey);
    expect(decryptUserData(noActivity.encryptedData, noActivity.iv, sessionKey)).toBeDefined();
    expect(decryptPrivateMessageData(noActivity.encryptedData, noActivity.iv, sessionKey)).toBeUndefined();
  });
});
