import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../harness';

describe('login simulator over HTTP', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  async function jscode2session(query: Record<string, string>) {
    const response = await fetch(`${sandbox.loginBaseUrl}/sns/jscode2session?${new URLSearchParams(query).toString()}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('answers like WeChat: openid and session_key on success', async () => {
    const { code, openid } = sandbox.loginSimulator.issueCode();

    const response = await jscode2session({ appid: sandbox.keys.appId, secret: sandbox.keys.appSecret, js_code: code, grant_type: 'authorization_code' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ openid, session_key: expect.stringMatching(/^[A-Za-z0-9+/]{22}==$/) as unknown });
  });

  it('answers errors with HTTP 200 and an errcode/errmsg body, as WeChat does', async () => {
    const response = await jscode2session({ appid: sandbox.keys.appId, secret: sandbox.keys.appSecret, js_code: 'nope', grant_type: 'authorization_code' });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ errcode: 40029, errmsg: expect.stringMatching(/^invalid code, rid: /) as unknown });
  });

  it('checks the appid before anything else', async () => {
    const { code } = sandbox.loginSimulator.issueCode();

    const response = await jscode2session({ appid: 'wx0000000000000000', secret: sandbox.keys.appSecret, js_code: code, grant_type: 'authorization_code' });

    expect(response.body).toMatchObject({ errcode: 40013 });
  });
});
