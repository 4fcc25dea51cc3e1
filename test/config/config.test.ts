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
});
