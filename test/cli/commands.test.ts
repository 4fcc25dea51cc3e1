import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../server/src/shops/shop-service';
import { repoRoot, runCli, startCli, stopChild } from '../support/run-command';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm start (sandbox)', () => {
  it('prints a demo link whose friend view answers 200 active, and stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'start-'));
    const { child, stdout, stderr } = await startCli('server/src/cli/start.ts', { PORT: '0', DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/fp.sqlite`, LOG_LEVEL: 'info' }, 'Press Ctrl+C', 150_000);
    let shopId: string | undefined;
    let apiKey: string | undefined;
    try {
      // The demo is made in process: no request log line to land in the middle of the banner.
      expect(stderr()).not.toContain('/sandbox/demo');
      shopId = /shop id\s+(\S+)/.exec(stdout())?.[1];
      expect(stdout()).toContain('new for this data folder');
      const friendView = /friend view\s+(\S+)/.exec(stdout())?.[1];
      apiKey = /api key\s+(\S+)/.exec(stdout())?.[1];
      expect(friendView, stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/pay\/eyJ/);
      const answer = await fetch(friendView!);
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { link: { status: string } }).link.status).toBe('active');
      const linkUrl = /link url\s+(\S+)/.exec(stdout())?.[1];
      expect((await fetch(linkUrl!)).status).toBe(200);
      expect(apiKey).toMatch(/^fp_key_/);
      expect(fs.statSync(path.join(dir, 'sandbox-secrets.json')).mode & 0o777).toBe(0o600);
      expect(fs.statSync(path.join(dir, 'sandbox-demo-shop.json')).mode & 0o777).toBe(0o600);
      // Move the clock an hour: the next start keeps the move (rows written now carry its times).
      const base = /listening on (\S+)/.exec(stdout())?.[1];
      expect((await fetch(`${base}/sandbox/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance_seconds":3600}' })).status).toBe(200);
    } finally {
      expect(await stopChild(child)).toBe(0);
    }

    // A second start on the same data folder: the same demo shop and key, a new order and link, the clock still moved.
    const again = await startCli('server/src/cli/start.ts', { PORT: '0', DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/fp.sqlite`, LOG_LEVEL: 'warn' }, 'Press Ctrl+C', 150_000);
    try {
      expect(/shop id\s+(\S+)/.exec(again.stdout())?.[1]).toBe(shopId);
      expect(/api key\s+(\S+)/.exec(again.stdout())?.[1]).toBe(apiKey);
      expect(again.stdout()).toContain('the same for this data folder');
      expect(again.stdout()).toContain('Sandbox clock: +1 h 0 min ahead');
      const base = /listening on (\S+)/.exec(again.stdout())?.[1];
      const clock = (await (await fetch(`${base}/sandbox/clock`)).json()) as { offset_seconds: number };
      expect(clock.offset_seconds).toBeGreaterThanOrEqual(3600);
    } finally {
      expect(await stopChild(again.child)).toBe(0);
    }
  }, 240_000);
});

describe('a port already in use', () => {
  it('stops with a message that names the port and says to set PORT', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const fixtures = path.join(repoRoot, 'test', 'wechat', 'fixtures');
      const result = await runCli('server/src/cli/serve.ts', [], {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${tmp}/port-clash.sqlite`,
        PUBLIC_BASE_URL: 'https://pay.example.com',
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
        LOG_LEVEL: 'silent',
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(result.stderr).toContain('set PORT');
      expect(result.stderr).not.toContain('EADDRINUSE');
    } finally {
      blocker.close();
    }
  });
});

describe('npm run serve (production)', () => {
  it('refuses to start without the WeChat configuration, naming each missing variable', async () => {
    const result = await runCli('server/src/cli/serve.ts', [], { PORT: '0', DATABASE_URL: `sqlite:${tmp}/serve.sqlite` });
    expect(result.code).toBe(1);
    for (const name of ['PUBLIC_BASE_URL', 'LINK_SIGNING_KEYS', 'WECHAT_APPID', 'WECHATPAY_MCHID', 'WECHATPAY_APIV3_KEY', 'NOTIFY_URL']) {
      expect(result.stderr).toContain(name);
    }
    expect(result.stderr).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('stops with exit 1 and names the variable when a value is bad', async () => {
    const result = await runCli('server/src/cli/start.ts', [], { PORT: 'eighty', LINK_SIGNING_KEYS: 'k1:short', DATA_DIR: tmp });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT: must be a whole number');
    expect(result.stderr).toContain('LINK_SIGNING_KEYS: the secret of key "k1" must be at least 32 characters');
  });
});

describe('npm run shop:create', () => {
  it('prints the new shop with its key once and stores only the hash of the key', async () => {
    const file = path.join(tmp, 'shops.sqlite');
    const result = await runCli('server/src/cli/shop-create.ts', ['--name', 'Tea House', '--webhook-url', 'https://tea.example.com/hooks'], { DATABASE_URL: `sqlite:${file}` });
    expect(result.code, result.stderr).toBe(0);
    const shop = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.keys(shop).sort()).toEqual(['api_key', 'id', 'name', 'webhook_secret']);
    expect(shop.name).toBe('Tea House');
    const db = new Database(file, { readonly: true });
    const row = db.prepare('SELECT * FROM shops WHERE id = ?').get(shop.id) as Record<string, unknown>;
    db.close();
    expect(row.api_key_hash).toBe(hashApiKey(shop.api_key));
    expect(JSON.stringify(row)).not.toContain(shop.api_key);
    expect(row.webhook_url).toBe('https://tea.example.com/hooks');
    // Which database it wrote to, so nobody registers a shop in a file the server never reads.
    expect(result.stderr).toContain(`SQLite file ${file}`);
  });

  it('explains its usage when --name is missing', async () => {
    const result = await runCli('server/src/cli/shop-create.ts', [], { DATABASE_URL: `sqlite:${tmp}/x.sqlite` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--name is required');
    expect(result.stderr).toContain('usage:');
  });
});
