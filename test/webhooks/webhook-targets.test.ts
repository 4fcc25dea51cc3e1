import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShop } from '../../server/src/shops/shop-service';
import { deliverOnce } from '../../server/src/webhooks/webhook-deliverer';
import { localWebhookTargets, publicWebhookTargets, type WebhookTargetPolicy } from '../../server/src/webhooks/webhook-targets';
import { startWebhookReceiver } from '../support/friends';
import { runCli } from '../support/run-command';
import { startTestServer, type TestServer } from '../support/test-server';

/** Where a webhook must never be sent in production, in the spellings that reach those places. */
const refusedInProduction = [
  'http://169.254.169.254/latest/meta-data/', 'https://169.254.169.254/latest/meta-data/', 'https://[fe80::1]/hooks', 'https://[::ffff:169.254.169.254]/',
  'https://10.0.0.1/hooks', 'https://172.16.5.4/', 'https://192.168.1.10/', 'https://100.64.0.1/', 'https://100.100.100.200/latest/meta-data/',
  'https://127.0.0.1/', 'https://0x7f000001/', 'https://2130706433/', 'https://0177.0.0.1/', 'https://127.1/', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/',
  'https://[0:0:0:0:0:ffff:7f00:1]/', 'https://[fc00::1]/', 'https://[fd12:3456::1]/', 'https://[fd00:ec2::254]/', 'https://[64:ff9b::a9fe:a9fe]/', 'https://[2002:7f00:1::]/',
  'https://0.0.0.0/', 'https://0/', 'https://[::]/', 'https://224.0.0.1/', 'https://[ff02::1]/', 'https://255.255.255.255/',
  'https://localhost/', 'https://LOCALHOST./', 'https://%6c%6f%63%61%6c%68%6f%73%74/', 'https://api.localhost/', 'https://printer.local/', 'https://metadata.google.internal/computeMetadata/v1/',
  'https://metadata/', 'https://intranet/', 'https://user:secret@shop.example.com/hooks', 'https://token@shop.example.com/hooks',
  'http://shop.example.com/hooks', 'ftp://shop.example.com/', 'javascript:alert(1)', 'not a url',
];
const acceptedInProduction = ['https://shop.example.com/hooks', 'https://hooks.tea.example.cn:8443/friend-pay?x=1', 'https://8.8.8.8/hooks', 'https://[2001:4860:4860::8888]/hooks'];

describe('webhook URLs at registration', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  const register = (webhookUrl: string, webhookTargets: WebhookTargetPolicy) => createShop({ ...server.deps, webhookTargets }, { name: 'Hooks', webhookUrl });

  it('refuses loopback, private, link-local, CGNAT, multicast, unspecified and metadata targets in any spelling, credentials and plain http in production', async () => {
    for (const url of refusedInProduction) {
      await expect(register(url, publicWebhookTargets), url).rejects.toThrow(/--webhook-url /);
    }
    for (const url of acceptedInProduction) {
      await expect(register(url, publicWebhookTargets), url).resolves.toMatchObject({ webhook_url: url });
    }
  });

  it('says why, without quoting the URL back', async () => {
    await expect(register('https://user:hunter2@shop.example.com/', publicWebhookTargets)).rejects.toThrow(/credentials/);
    await expect(register('https://user:hunter2@shop.example.com/', publicWebhookTargets)).rejects.not.toThrow(/hunter2/);
    await expect(register('https://0x7f000001/', publicWebhookTargets)).rejects.toThrow('must name a public host: 127.0.0.1 is a loopback, private or otherwise non-public address');
    await expect(register('http://shop.example.com/', publicWebhookTargets)).rejects.toThrow(/https/);
  });

  it('lets the sandbox deliver over http to loopback and private networks, never to link-local or metadata targets', async () => {
    for (const url of ['http://127.0.0.1:8080/hooks', 'http://localhost:3000/hooks', 'http://10.0.0.5/hooks', 'http://[::1]:9000/', 'http://qa-box/hooks']) {
      await expect(register(url, localWebhookTargets), url).resolves.toMatchObject({ webhook_url: url });
    }
    for (const url of ['http://169.254.169.254/latest/meta-data/', 'http://[fe80::1]/', 'http://100.100.100.200/', 'http://metadata.google.internal/', 'http://0.0.0.0:80/', 'http://user:pw@127.0.0.1/']) {
      await expect(register(url, localWebhookTargets), url).rejects.toThrow(/--webhook-url /);
    }
  });

  it('refuses them in shop:create, which is strict unless WEBHOOK_TARGETS=local (or SANDBOX=1)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-hooks-'));
    try {
      const env = { DATABASE_URL: `sqlite:${path.join(dir, 'shops.sqlite')}` };
      const metadata = await runCli('server/src/cli/shop-create.ts', ['--name', 'Evil', '--webhook-url', 'http://169.254.169.254/latest/meta-data/'], env);
      expect(metadata.code).toBe(1);
      expect(metadata.stderr).toContain('--webhook-url must be an https URL');
      const loopback = await runCli('server/src/cli/shop-create.ts', ['--name', 'Evil', '--webhook-url', 'https://2130706433/'], env);
      expect(loopback.code).toBe(1);
      expect(loopback.stderr).toContain('127.0.0.1 is a loopback');
      const local = await runCli('server/src/cli/shop-create.ts', ['--name', 'QA', '--webhook-url', 'http://127.0.0.1:8080/hooks'], { ...env, WEBHOOK_TARGETS: 'local' });
      expect(local.code, local.stderr).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('webhook targets at delivery', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  /** A shop whose stored URL is `webhookUrl` (as if set before the rule, or by hand), and one event due for it. */
  async function shopWithEvent(webhookUrl: string): Promise<{ shopId: string; eventId: string }> {
    const now = server.deps.clock.now();
    const shopId = server.deps.ids.newId('shop');
    await server.deps.store.insertShop({ id: shopId, name: 'Stored', apiKeyHash: `h-${shopId}`, webhookUrl, webhookSecret: 'whsec_test', createdAt: now, subMchId: null, subAppId: null });
    const eventId = server.deps.ids.newId('evt');
    await server.deps.store.transaction((tx) => tx.insertEvent({ id: eventId, shopId, type: 'link.revoked', payload: { link_id: 'lnk_x', order_id: 'ord_x', status: 'revoked', at: new Date(now).toISOString() }, createdAt: now }));
    return { shopId, eventId };
  }

  async function lastError(shopId: string): Promise<string | null | undefined> {
    return (await server.deps.store.listEvents(shopId, 1))[0]?.lastError;
  }

  /** A resolver under the test's control: every name resolves to 127.0.0.1. */
  const toLoopback = ((_host: string, options: unknown, callback: (error: null, addresses: { address: string; family: number }[]) => void) => {
    void options;
    callback(null, [{ address: '127.0.0.1', family: 4 }]);
  }) as unknown as NonNullable<WebhookTargetPolicy['lookup']>;

  it('refuses at delivery a stored URL the policy does not allow, before connecting', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const { shopId } = await shopWithEvent(receiver.url);
      await deliverOnce({ ...server.deps, webhookTargets: publicWebhookTargets });
      expect(receiver.received).toHaveLength(0);
      expect(await lastError(shopId)).toMatch(/^refused: the webhook URL must be an https URL/);
    } finally {
      await receiver.close();
    }
  });

  it('checks the address the host resolves to at delivery, and connects to that address', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const port = new URL(receiver.url).port;
      // A public-looking name that resolves to loopback (DNS rebinding, or a record pointing inside).
      const strict = await shopWithEvent(`http://hooks.shop.example:${port}/hooks`);
      await deliverOnce({ ...server.deps, webhookTargets: { requireHttps: false, allowPrivateNetworks: false, lookup: toLoopback } });
      expect(receiver.received).toHaveLength(0);
      expect(await lastError(strict.shopId)).toBe('refused: the host resolves to an address that is a loopback, private or otherwise non-public address');
      // The same lookup under a policy that allows loopback: the request goes to the address it returned.
      server.sandboxClock!.advance(24 * 3600);
      await deliverOnce({ ...server.deps, webhookTargets: { requireHttps: false, allowPrivateNetworks: true, lookup: toLoopback } });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.headers.host).toBe(`hooks.shop.example:${port}`);
    } finally {
      await receiver.close();
    }
  });

  it('never follows a redirect', async () => {
    const elsewhere = await startWebhookReceiver();
    const redirecting = http.createServer((_req, res) => {
      res.writeHead(307, { location: elsewhere.url }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { shopId } = await shopWithEvent(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/hooks`);
      expect(await deliverOnce(server.deps)).toBe(0);
      expect(elsewhere.received).toHaveLength(0);
      expect(await lastError(shopId)).toBe('HTTP 307');
    } finally {
      redirecting.close();
      await elsewhere.close();
    }
  });
});
