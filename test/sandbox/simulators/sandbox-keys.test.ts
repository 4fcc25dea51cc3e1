import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSandboxWechatKeys, SANDBOX_WECHAT_KEYS_FILE } from '../../../server/src/sandbox/simulators/sandbox-keys';

const folders: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-keys-'));
  folders.push(dir);
  return dir;
}

describe('sandbox WeChat keys', () => {
  afterEach(() => {
    for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('generates matching RSA-2048 key pairs, a PUB_KEY_ID serial and a 32-byte APIv3 key', () => {
    const keys = loadOrCreateSandboxWechatKeys(undefined);

    const merchantSignature = crypto.sign('sha256', Buffer.from('m'), keys.merchant.privateKeyPem);
    const platformSignature = crypto.sign('sha256', Buffer.from('p'), keys.platform.privateKeyPem);

    expect(crypto.verify('sha256', Buffer.from('m'), keys.merchant.publicKeyPem, merchantSignature)).toBe(true);
    expect(crypto.verify('sha256', Buffer.from('p'), keys.platform.publicKeyPem, platformSignature)).toBe(true);
    expect(crypto.createPublicKey(keys.platform.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(keys.platform.publicKeyId).toMatch(/^PUB_KEY_ID_\d+$/);
    expect(Buffer.byteLength(keys.apiV3Key)).toBe(32);
    expect(keys.mchId).toMatch(/^\d{10}$/);
    expect(keys.appId).toMatch(/^wx[0-9a-f]{16}$/);
    expect(keys.merchant.serial).toMatch(/^[0-9A-F]{40}$/);
  });

  it('saves the keys once with owner-only permissions and loads the same keys afterwards', () => {
    const dir = path.join(tempDir(), 'data');

    const first = loadOrCreateSandboxWechatKeys(dir);
    const second = loadOrCreateSandboxWechatKeys(dir);
    const mode = fs.statSync(path.join(dir, SANDBOX_WECHAT_KEYS_FILE)).mode & 0o777;

    expect(second).toEqual(first);
    expect(mode).toBe(0o600);
  });

  it('refuses a damaged key file instead of silently replacing it', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, SANDBOX_WECHAT_KEYS_FILE), '{"mchId":"x"}');

    expect(() => loadOrCreateSandboxWechatKeys(dir)).toThrow(/does not hold sandbox WeChat keys/);
  });
});
