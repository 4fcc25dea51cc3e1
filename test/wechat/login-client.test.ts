import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WechatLoginError } from '../../server/src/wechat/errors';
import { createWechatLoginClient } from '../../server/src/wechat/login-client';
import { listen, startSandbox, type Sandbox } from '../sandbox/harness';

async function loginFailure(promise: Promise<unknown>): Promise<WechatLoginError> {
  try {
    await promise;
  } catch (error: unknown) {
    if (error instanceof WechatLoginError) return error;
    throw error;
  }
  throw new Error('expected a login failure');
}

describe('login client against the login simulator over HTTP', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterEach(() => {
    sandbox.loginSimulator.faults.reset();
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('exchanges a fresh code for the openid and never hands out the session key', async () => {
    const { code, openid } = sandbox.loginSimulator.issueCode('oFriend000000000000000000001');

    const identity = await sandbox.loginClient().exchangeCode(code);

    expect(identity).toEqual({ openid: 'oFriend000000000000000000001' });
    expect(openid).toBe('oFriend000000000000000000001');
  });

  it('passes the unionid on when WeChat gives one', async () => {
    const { code } = sandbox.loginSimulator.issueCode('oFriend000000000000000000002', 'oUnion00000000000000000000002');

    const identity = await sandbox.loginClient().exchangeCode(code);

    expect(identity).toEqual({ openid: 'oFriend000000000000000000002', unionid: 'oUnion00000000000000000000002' });
  });

  it('issues a random WeChat-shaped openid when none is asked for', () => {
    const { openid } = sandbox.loginSimulator.issueCode();

    expect(openid).toMatch(/^o[0-9A-Za-z_-]{27}$/);
  });

  it('accepts a code only once', async () => {
    const { code } = sandbox.loginSimulator.issueCode();
    await sandbox.loginClient().exchangeCode(code);

    const error = await loginFailure(sandbox.loginClient().exchangeCode(code));

    expect(error).toMatchObject({ code: 'CODE_INVALID', errcode: 40163 });
  });

  it('refuses a code older than five minutes', async () => {
    const { code } = sandbox.loginSimulator.issueCode();

    sandbox.clock.advance(5 * 60 + 1);
    const error = await loginFailure(sandbox.loginClient().exchangeCode(code));

    expect(error).toMatchObject({ code: 'CODE_INVALID', errcode: 40029 });
  });

  it('accepts a code just under five minutes old', async () => {
    const { code } = sandbox.loginSimulator.issueCode();

    sandbox.clock.advance(5 * 60 - 1);

    await expect(sandbox.loginClient().exchangeCode(code)).resolves.toHaveProperty('openid');
  });

  it('refuses a code it never issued', async () => {
    const error = await loginFailure(sandbox.loginClient().exchangeCode('made-up-code'));

    expect(error).toMatchObject({ code: 'CODE_INVALID', errcode: 40029, retryable: false });
  });

  it.each([
    [45011, 'RATE_LIMITED', true],
    [40226, 'USER_BLOCKED', false],
    [-1, 'SYSTEM_BUSY', true],
    [40029, 'CODE_INVALID', false],
  ] as const)('maps errcode %i to %s', async (errcode, code, retryable) => {
    sandbox.loginSimulator.faults.set({ errcode, times: 1 });
    const { code: loginCode } = sandbox.loginSimulator.issueCode();

    const error = await loginFailure(sandbox.loginClient().exchangeCode(loginCode));
    const retried = await sandbox.loginClient().exchangeCode(loginCode);

    expect(error).toMatchObject({ code, errcode, retryable });
    expect(retried).toHaveProperty('openid');
  });

  it('reports a wrong app secret as CREDENTIALS_INVALID without repeating the secret', async () => {
    const secret = 'wrong-secret-0123456789abcdef';
    const client = createWechatLoginClient({ baseUrl: sandbox.loginBaseUrl, appId: sandbox.keys.appId, appSecret: secret });
    const { code } = sandbox.loginSimulator.issueCode();

    const error = await loginFailure(client.exchangeCode(code));

    expect(error).toMatchObject({ code: 'CREDENTIALS_INVALID', errcode: 40125 });
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack ?? ''}`).not.toContain(secret);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(code);
  });
});

describe('login client against a broken WeChat', () => {
  it('reports TIMEOUT when WeChat does not answer and never leaks the secret', async () => {
    const server = await listen(() => undefined);
    const client = createWechatLoginClient({ baseUrl: server.url, appId: 'wx1', appSecret: 'the-app-secret-value', timeoutMs: 100 });

    const error = await loginFailure(client.exchangeCode('abc'));
    await server.close();

    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack ?? ''}`).not.toContain('the-app-secret-value');
  });

  it('reports RESPONSE_MALFORMED for a body that is not WeChat JSON', async () => {
    const server = await listen((_req, res) => res.end('<html>'));
    const client = createWechatLoginClient({ baseUrl: server.url, appId: 'wx1', appSecret: 's' });

    const error = await loginFailure(client.exchangeCode('abc'));
    await server.close();

    expect(error.code).toBe('RESPONSE_MALFORMED');
  });

  it('reports NETWORK_ERROR when nothing listens', async () => {
    const server = await listen(() => undefined);
    await server.close();
    const client = createWechatLoginClient({ baseUrl: server.url, appId: 'wx1', appSecret: 's' });

    const error = await loginFailure(client.exchangeCode('abc'));

    expect(error.code).toBe('NETWORK_ERROR');
  });
});
