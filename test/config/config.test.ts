import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/src/config/config';

const fixtures = path.resolve(__dirname, '..', 'wechat', 'fixtures');

/** Everything production needs but NOTIFY_URL. */
function productionEnv(): Record<string, string> {
  return {
    PUBLIC_BASE_URL: 'https://pay.example.com/',
    LINK_SIGNING_KEYS: `k1:${'s'.repeat(32)}`,
    SESSION_SIGNING_KEY: 'x'.repeat(32),
    WECHAT_APPID: 'wx1234567890abcdef',
    WECHAT_APP_SECRET: 'app-secret',
    WECHATPAY_MCHID: '1900000001',
    WECHATPAY_MERCHANT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: path.join(fixtures, 'merchant-test-private-key.pem'),
    WECHATPAY_APIV3_KEY: 'a'.repeat(32),
    WECHATPAY_PUBLIC_KEY_FILE: path.join(fixtures, 'wechatpay-public-key-sample.pem'),
    WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0000000000000024101100397200000006',
    WECHAT_MINIPROGRAM_USERNAME: 'gh_0123456789ab',
  };
}

function problemsOf(env: Record<string, string>, mode: 'sandbox' | 'production'): string[] {
  try {
    loadConfig(env, mode);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('starts the sandbox with no configuration at all, on SQLite in ./data', () => {
    const config = loadConfig({}, 'sandbox', '/srv/app');
    expect(config).toMatchObject({ sandbox: true, port: 3000, database: { engine: 'sqlite', file: '/srv/app/data/friend-pay.sqlite' } });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad value at once', () => {
    const problems = problemsOf({ PORT: '70000', DATABASE_URL: 'mysql://x', SANDBOX: 'yes', PUBLIC_BASE_URL: 'ftp://x', LOG_LEVEL: 'loud' }, 'sandbox');
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(['SANDBOX', 'PORT', 'PUBLIC_BASE_URL', 'DATABASE_URL', 'LOG_LEVEL']);
  });

  it('rejects duplicate key ids and short secrets in LINK_SIGNING_KEYS', () => {
    const secret = 'x'.repeat(32);
    expect(problemsOf({ LINK_SIGNING_KEYS: `a:${secret},a:${secret}` }, 'sandbox')[0]).toContain('appears twice');
    expect(problemsOf({ LINK_SIGNING_KEYS: 'a:short' }, 'sandbox')[0]).toContain('at least 32');
    expect(problemsOf({ LINK_SIGNING_KEYS: 'nokid' }, 'sandbox')[0]).toContain('kid:secret');
  });

  it('requires every secret in production and refuses SANDBOX=1 there', () => {
    const problems = problemsOf({ SANDBOX: '1' }, 'production');
    expect(problems[0]).toContain('SANDBOX');
    expect(problems.join('\n')).toContain('WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: required in production');
  });

  it('defaults NOTIFY_URL to PUBLIC_BASE_URL/v1/wechatpay/notify in production, as README says', () => {
    expect(problemsOf(productionEnv(), 'production')).toEqual([]);
    expect(loadConfig(productionEnv(), 'production').wechatPay?.notifyUrl).toBe('https://pay.example.com/v1/wechatpay/notify');
    expect(loadConfig({ ...productionEnv(), NOTIFY_URL: 'https://notify.example.com/wx' }, 'production').wechatPay?.notifyUrl).toBe('https://notify.example.com/wx');
  });

  it('names NOTIFY_URL in production only when PUBLIC_BASE_URL is missing too', () => {
    const { PUBLIC_BASE_URL: _omitted, ...withoutBase } = productionEnv();
    expect(problemsOf(withoutBase, 'production').filter((problem) => problem.startsWith('NOTIFY_URL'))).toHaveLength(1);
  });

  it('refuses a half-configured WeChat Pay in the sandbox rather than mixing it with the simulator', () => {
    const problems = problemsOf({ WECHATPAY_BASE_URL: 'http://127.0.0.1:9999', WECHATPAY_MCHID: '1900000001' }, 'sandbox');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('WECHATPAY_APIV3_KEY');
  });

  describe('reaching the mini program from outside it', () => {
    it('defaults to the release build, with no check file and, in the sandbox, the simulated mini program', () => {
      expect(loadConfig({}, 'sandbox').miniProgram).toEqual({ userName: undefined, envVersion: 'release', qrcodeVerifyFile: undefined });
    });

    it('reads the original id, the env version and the check file', () => {
      const config = loadConfig({ WECHAT_MINIPROGRAM_USERNAME: 'gh_0123456789ab', WECHAT_ENV_VERSION: 'trial', WECHAT_QRCODE_VERIFY_FILE: 'AbC123xyz.txt:0f1e2d3c4b5a69788796a5b4c3d2e1f0' }, 'sandbox');
      expect(config.miniProgram).toEqual({ userName: 'gh_0123456789ab', envVersion: 'trial', qrcodeVerifyFile: { name: 'AbC123xyz.txt', content: '0f1e2d3c4b5a69788796a5b4c3d2e1f0' } });
    });

    it('names each bad value clearly', () => {
      const problems = problemsOf({ WECHAT_MINIPROGRAM_USERNAME: 'wx0123456789abcdef', WECHAT_ENV_VERSION: 'beta', WECHAT_QRCODE_VERIFY_FILE: '../etc/passwd:x' }, 'sandbox');
      expect(problems).toHaveLength(3);
      expect(problems[0]).toMatch(/^WECHAT_MINIPROGRAM_USERNAME: must be the mini program's original id, gh_/);
      expect(problems[1]).toBe('WECHAT_ENV_VERSION: must be one of release, trial, develop');
      expect(problems[2]).toMatch(/^WECHAT_QRCODE_VERIFY_FILE: the file name "\.\.\/etc\/passwd" must be/);
      expect(problemsOf({ WECHAT_QRCODE_VERIFY_FILE: 'check.txt' }, 'sandbox')[0]).toContain('must be "<name>.txt:<content>"');
      expect(problemsOf({ WECHAT_QRCODE_VERIFY_FILE: 'check.txt:two words' }, 'sandbox')[0]).toContain('visible ASCII');
    });

    it('requires the original id in production, where native shop apps share by it', () => {
      expect(problemsOf({}, 'production')).toContain('WECHAT_MINIPROGRAM_USERNAME: required in production (npm run serve)');
    });
  });
});

describe('configuration of merchant-grade WeChat Pay', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-config-'));
  const keyFile = path.join(dir, 'wechatpay-public-key.pem');
  fs.writeFileSync(keyFile, crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const merchantKeyFile = path.join(dir, 'merchant.pem');
  fs.writeFileSync(merchantKeyFile, 'not read until the client is built');
  const production = {
    PUBLIC_BASE_URL: 'https://pay.example.com',
    LINK_SIGNING_KEYS: `k1:${'s'.repeat(32)}`,
    SESSION_SIGNING_KEY: 'x'.repeat(32),
    WECHAT_APPID: 'wx1234567890abcdef',
    WECHAT_APP_SECRET: 'secret',
    WECHAT_MINIPROGRAM_USERNAME: 'gh_0123456789ab',
    WECHATPAY_MCHID: '1900000109',
    WECHATPAY_MERCHANT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: merchantKeyFile,
    WECHATPAY_APIV3_KEY: 'k'.repeat(32),
    NOTIFY_URL: 'https://pay.example.com/v1/wechatpay/notify',
  };

  it('serves with platform certificates alone: the public key is optional in production', () => {
    const config = loadConfig(production, 'production');
    expect(config.wechatPay).toMatchObject({ mode: 'direct', mchId: '1900000109', platformPublicKeyPem: undefined, platformPublicKeyId: undefined });
  });

  it('takes the public key and certificates both, the key checked at start', () => {
    const config = loadConfig({ ...production, WECHATPAY_PUBLIC_KEY_FILE: keyFile, WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0114232019112100397700000001' }, 'production');
    expect(config.wechatPay?.platformPublicKeyId).toBe('PUB_KEY_ID_0114232019112100397700000001');
    expect(problemsOf({ ...production, WECHATPAY_PUBLIC_KEY_FILE: merchantKeyFile, WECHATPAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_1' }, 'production')).toEqual([expect.stringMatching(/^WECHATPAY_PUBLIC_KEY_FILE: .* does not hold a PEM public key/)]);
    expect(problemsOf({ ...production, WECHATPAY_PUBLIC_KEY_FILE: keyFile }, 'production')).toEqual([expect.stringContaining('WECHATPAY_PUBLIC_KEY_FILE, WECHATPAY_PUBLIC_KEY_ID: give both')]);
    expect(problemsOf({ ...production, WECHATPAY_PUBLIC_KEY_FILE: keyFile, WECHATPAY_PUBLIC_KEY_ID: '5157F09E' }, 'production')).toEqual([expect.stringContaining('WECHATPAY_PUBLIC_KEY_ID: must be the key\'s id as WeChat shows it, PUB_KEY_ID_...')]);
  });

  it('refuses to serve when neither the public key nor the APIv3 key that fetches certificates is given, saying why', () => {
    const { WECHATPAY_APIV3_KEY: _key, ...withoutKey } = production;
    const problems = problemsOf(withoutKey, 'production');
    expect(problems).toEqual([expect.stringContaining('WECHATPAY_APIV3_KEY: required in production (npm run serve): it decrypts notifications and, as no WECHATPAY_PUBLIC_KEY_FILE/_ID is given, fetches the platform certificates')]);
  });

  it('runs partner mode with the service provider\'s merchant and app, and checks them', () => {
    const { WECHATPAY_MCHID: _mchid, ...rest } = production;
    const partner = { ...rest, WECHATPAY_MODE: 'partner', WECHATPAY_SP_MCHID: '1900000100', WECHATPAY_SP_APPID: 'wxaaaaaaaaaaaaaaaa' };
    expect(loadConfig(partner, 'production').wechatPay).toMatchObject({ mode: 'partner', mchId: '1900000100', spAppId: 'wxaaaaaaaaaaaaaaaa' });
    expect(problemsOf({ ...rest, WECHATPAY_MODE: 'partner' }, 'production').join('\n')).toMatch(/WECHATPAY_SP_MCHID: required in production .*partner[\s\S]*WECHATPAY_SP_APPID: required/);
    expect(problemsOf({ ...partner, WECHATPAY_MCHID: '1900000999' }, 'production')).toEqual([expect.stringContaining('WECHATPAY_MCHID: in partner mode the signing merchant is WECHATPAY_SP_MCHID')]);
    expect(problemsOf({ ...production, WECHATPAY_MODE: 'agent' }, 'production')).toEqual([expect.stringContaining('WECHATPAY_MODE: must be direct or partner')]);
    expect(problemsOf({ ...production, WECHATPAY_SP_MCHID: '1900000100' }, 'production')).toEqual([expect.stringContaining('only for WECHATPAY_MODE=partner')]);
    expect(loadConfig({ WECHATPAY_MODE: 'partner' }, 'sandbox')).toMatchObject({ wechatPayMode: 'partner', wechatPay: undefined });
  });
});
