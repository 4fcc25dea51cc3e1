import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../server/src/shops/shop-service';
import { runCli, startCli, stopChild } from '../support/run-command';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm start (sandbox)', () => {
  it('prints a demo link whose friend view answers 200 active, and stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'start-'));
    const { child, stdout } = await startCli('server/src/cli/start.ts', { PORT: '0', DATA_DIR: dir, DATABASE_URL: `sqlite:${dir}/fp.sqlite`, LOG_LEVEL: 'warn' }, 'Press Ctrl+C', 150_000);
    try {
      const friendView = /friend view\s+(\S+)/.exec(stdout())?.[1];
      const apiKey = /api key\s+(\S+)/.exec(stdout())?.[1];
      expect(friendView, stdout()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/pay\/eyJ/);
      const answer = await fetch(friendView!);
      expect(answer.status).toBe(200);
      expect(((await answer.json()) as { link: { status: string } }).link.status).toBe('active');
      const linkUrl = /link url\s+(\S+)/.exec(stdout())?.[1];
      expect((await fetch(linkUrl!)).status).toBe(200);
      expect(apiKey).toMatch(/^fp_key_/);
      expect(fs.statSync(path.join(dir, 'sandbox-secrets.json')).mode & 0o777).toBe(0o600);
    } finally {
      expect(await stopChild(child)).toBe(0);
    }
  }, 180_000);
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
  });

  it('explains its usage when --name is missing', async () => {
    const result = await runCli('server/src/cli/shop-create.ts', [], { DATABASE_URL: `sqlite:${tmp}/x.sqlite` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--name is required');
    expect(result.stderr).toContain('usage:');
  });
});
