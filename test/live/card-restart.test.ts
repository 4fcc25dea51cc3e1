// A group link's share card across a server crash: the production server (`npm run serve`) runs
// against WeChat's simulators in a process of their own, friends pay, and the server is killed
// (SIGKILL) while an update of the card is waiting for WeChat. After the restart the card still
// goes 0/3 -> 1/3 -> 2/3 -> done, each state reaching WeChat exactly once and in order, and the
// shopper's two subscriptions bring exactly two "friend paid" messages for three payments.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ActivityResponse, CreatePaymentResponse, IssuedLinkResponse, OrderResponse, SessionResponse } from '../../shared/api-types';
import type { SentSubscribeMessage, SimulatedCard } from '../../server/src/sandbox/simulators/wechat-messages-simulator';
import { eventually } from '../support/friends';
import { freePort } from '../support/ports';
import { runCli, startCli, stopChild } from '../support/run-command';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-card-crash-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.status} ${text}`);
  return JSON.parse(text) as T;
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('a share card across a SIGKILL of the server', () => {
  it('goes 0/3 -> 1/3 -> 2/3 -> done with each update sent once, and sends one message per subscription', async () => {
    const simulators = await startCli('server/src/sandbox/simulators/simulators-cli.ts', {}, 'settings:', 20_000, ['--port', '0', '--data', path.join(tmp, 'wechat'), '--time-factor', '0.01']);
    let server: Awaited<ReturnType<typeof startCli>> | undefined;
    try {
      const settings = JSON.parse(/settings: (.*)/.exec(simulators.stdout())![1]) as Record<string, string>;
      const wechat = settings.WECHATPAY_BASE_URL;
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const dbFile = path.join(tmp, 'friend-pay.sqlite');
      const env = {
        ...settings,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_BASE_URL: base,
        NOTIFY_URL: `${base}/v1/wechatpay/notify`,
        DATABASE_URL: `sqlite:${dbFile}`,
        DATA_DIR: tmp,
        LINK_SIGNING_KEYS: `k1:${crypto.randomBytes(32).toString('base64url')}`,
        SESSION_SIGNING_KEY: crypto.randomBytes(32).toString('base64url'),
        LOG_LEVEL: 'error',
      };
      const shop = JSON.parse((await runCli('server/src/cli/shop-create.ts', ['--name', 'Card Shop'], env)).stdout) as { api_key: string };
      server = await startCli('server/src/cli/serve.ts', env, 'listening on');
      const auth = { authorization: `Bearer ${shop.api_key}` };

      const order = await json<OrderResponse>(await post(`${base}/v1/orders`, {
        shop_order_id: 'card-crash-1', shopper_id: 's1', amount_total: 900, items: [{ title: 'Tea', quantity: 1, unit_price: 900 }],
        pay_deadline: new Date(Date.now() + 3600_000).toISOString(),
      }, auth));
      const link = await json<IssuedLinkResponse>(await post(`${base}/v1/orders/${order.id}/links`, { requester: { id: 's1', name: 'Lin' }, mode: 'group' }, auth));
      expect(link.room_limit).toBe(3);

      const login = async (openid: string): Promise<string> => {
        const { code } = await json<{ code: string }>(await post(`${wechat}/sandbox/wx/login`, { openid }));
        return (await json<SessionResponse>(await post(`${base}/v1/sessions`, { code }))).session_token;
      };
      // The shopper opens the share page, asks to hear of payments twice, and shares the card to the group.
      const shopperSession = await login('o_card_shopper');
      await json(await post(`${base}/v1/share/${link.shopper_token}/session`, {}, { authorization: `Bearer ${shopperSession}` }));
      for (let i = 0; i < 2; i++) {
        await json(await post(`${wechat}/sandbox/wx/subscribe`, { openid: 'o_card_shopper', template_ids: [settings.WECHAT_TEMPLATE_FRIEND_PAID] }));
        await json(await post(`${base}/v1/subscriptions`, { link: link.shopper_token, templates: [{ id: settings.WECHAT_TEMPLATE_FRIEND_PAID, result: 'accept' }] }, { authorization: `Bearer ${shopperSession}` }));
      }
      const activity = await json<ActivityResponse>(await post(`${base}/v1/share/${link.shopper_token}/activity`, {}));
      await json(await post(`${wechat}/sandbox/wx/share`, { activity_id: activity.activity_id, from_openid: 'o_card_shopper', to_openids: ['o_card_a', 'o_card_b', 'o_card_c'], template_info: activity.template_info }));

      const card = async (): Promise<SimulatedCard> => json<SimulatedCard>(await fetch(`${wechat}/sandbox/wx/cards/${activity.activity_id}`));
      const states = async (): Promise<string[]> => (await card()).changes.map((change) => (change.targetState === 1 ? `done ${change.memberCount}/${change.roomLimit}` : `${change.memberCount}/${change.roomLimit}`));
      const pay = async (openid: string): Promise<void> => {
        const created = await json<CreatePaymentResponse>(await post(`${base}/v1/pay/${link.code}/payments`, { amount: 300 }, { authorization: `Bearer ${await login(openid)}`, 'idempotency-key': `card-crash-${openid}` }));
        await json(await post(`${wechat}/sandbox/wechatpay/pay`, { prepay_id: created.request_payment.package.replace('prepay_id=', ''), openid, outcome: 'success' }));
      };
      expect(await states()).toEqual(['0/3']);

      await pay('o_card_a');
      await eventually(async () => (await states()).length === 2, 20_000, 'the card to show 1/3');
      expect(await states()).toEqual(['0/3', '1/3']);

      // WeChat stops taking card updates; the second friend pays; the update waits in the outbox.
      await json(await post(`${wechat}/sandbox/wx/message-faults`, { api: 'updatablemsg_send', errcode: -1 }));
      await pay('o_card_b');
      const refusedOnce = async (): Promise<boolean> => {
        const { refused } = await json<{ refused: { api: string }[] }>(await fetch(`${wechat}/sandbox/wx/messages`));
        return refused.some((call) => call.api === 'updatablemsg_send');
      };
      await eventually(refusedOnce, 20_000, 'WeChat to refuse the 2/3 update');
      server.child.kill('SIGKILL');
      await new Promise((resolve) => server!.child.once('close', resolve));
      const db = new Database(dbFile, { readonly: true });
      const pending = db.prepare('SELECT member_count, target_state, done_at FROM card_updates WHERE link_id = ? ORDER BY id').all(link.id);
      db.close();
      expect(pending).toEqual([{ member_count: 1, target_state: 0, done_at: expect.any(Number) as number }, { member_count: 2, target_state: 0, done_at: null }]);
      expect(await states()).toEqual(['0/3', '1/3']);

      await fetch(`${wechat}/sandbox/wx/message-faults`, { method: 'DELETE' });
      server = await startCli('server/src/cli/serve.ts', env, 'listening on');
      // The kill lands somewhere in the pass that met the refusal: before the 2/3 update was put
      // back for its 2 s retry, or after the second friend's message was claimed and before it was
      // sent. A row claimed by the dead server is anyone's again when its claim lapses (30 s, the
      // messenger's CLAIM_MS), so either may take that long to arrive, never longer.
      await eventually(async () => (await states()).length === 3, 45_000, 'the card to show 2/3 after the restart');
      await pay('o_card_c');
      await eventually(async () => (await states()).length === 4, 20_000, 'the card to be done');
      const sentMessages = async (): Promise<SentSubscribeMessage[]> => (await json<{ messages: SentSubscribeMessage[] }>(await fetch(`${wechat}/sandbox/wx/messages`))).messages;
      await eventually(async () => (await sentMessages()).length >= 2, 45_000, 'both "friend paid" messages to reach WeChat');

      // Settle: nothing more reaches WeChat.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(await states()).toEqual(['0/3', '1/3', '2/3', 'done 3/3']);
      expect((await card()).changes.map((change) => change.kind)).toEqual(['shared', 'update', 'update', 'update']);
      expect((await card()).text).toBe('已开始');
      const messages = await sentMessages();
      expect(messages.map((message) => `${message.touser}:${message.templateId}`)).toEqual([
        `o_card_shopper:${settings.WECHAT_TEMPLATE_FRIEND_PAID}`,
        `o_card_shopper:${settings.WECHAT_TEMPLATE_FRIEND_PAID}`,
      ]);
      expect(messages.map((message) => message.data['thing3']?.value)).toEqual(['o_c***d_a', 'o_c***d_b']);
    } finally {
      if (server) await stopChild(server.child);
      await stopChild(simulators.child);
    }
  }, 180_000);
});
