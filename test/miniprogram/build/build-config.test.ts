// How the WeChat DevTools build is pointed at a server and an appid (README.md, "WeChat DevTools").
import { afterEach, describe, expect, it } from 'vitest';
import buildConfig from '../../../miniprogram/config/index';

type ConfigFunction = (merge: (...parts: object[]) => object, env: { command: string; mode: string }) => Promise<{ defineConstants?: Record<string, string> }>;

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['TARO_ENV', 'FRIEND_PAY_API_BASE_URL', 'WECHAT_APPID', 'TARO_APP_ID', 'FRIEND_PAY_SANDBOX']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

async function configFor(env: Record<string, string>): Promise<{ defineConstants?: Record<string, string> }> {
  Object.assign(process.env, env);
  const merge = (...parts: object[]): object => Object.assign({}, ...parts) as object;
  return (buildConfig as unknown as ConfigFunction)(merge, { command: 'build', mode: 'production' });
}

describe('the weapp build configuration', () => {
  it('calls the server FRIEND_PAY_API_BASE_URL names (another port, host or a phone on the LAN)', async () => {
    const config = await configFor({ TARO_ENV: 'weapp', FRIEND_PAY_API_BASE_URL: 'http://192.168.1.20:3001' });
    expect(config.defineConstants?.API_BASE_URL).toBe(JSON.stringify('http://192.168.1.20:3001'));
  });

  it('calls http://127.0.0.1:3000 by default, where npm start listens', async () => {
    delete process.env.FRIEND_PAY_API_BASE_URL;
    const config = await configFor({ TARO_ENV: 'weapp' });
    expect(config.defineConstants?.API_BASE_URL).toBe(JSON.stringify('http://127.0.0.1:3000'));
  });

  it('writes the appid of WECHAT_APPID into the DevTools project (Taro reads TARO_APP_ID), else keeps touristappid', async () => {
    Reflect.deleteProperty(process.env, 'TARO_APP_ID');
    await configFor({ TARO_ENV: 'weapp', WECHAT_APPID: 'wx0123456789abcdef' });
    expect(process.env.TARO_APP_ID).toBe('wx0123456789abcdef');
  });
});
