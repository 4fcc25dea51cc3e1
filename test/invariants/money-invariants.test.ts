import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CreatePaymentResponse, CreateRefundResponse, IssuedLinkResponse } from '../../shared/api-types';
import { isCountedRefund } from '../../shared/states';
import { reconcileOnce } from '../../server/src/payments/reconciler';
import type { EventRecord } from '../../server/src/store/records';
import { loginFriend, payInSheet, startPayment, type Friend } from '../support/friends';
import { paymentNotification, refundNotification } from '../support/notifications';
import { startTestServer, type TestServer } from '../support/test-server';

/** One thing that can happen to an order, its links and the friends paying it. */
type Step =
  | { kind: 'issue'; mode: 'single' | 'group' }
  | { kind: 'view'; link: number }
  | { kind: 'pay'; friend: number; link: number; amount: number; confirm: boolean }
  | { kind: 'confirmOpen'; payment: number }
  | { kind: 'cancelInSheet'; payment: number }
  | { kind: 'duplicateNotify'; payment: number }
  | { kind: 'cancelOrder' }
  | { kind: 'revoke'; link: number }
  | { kind: 'advance'; seconds: number }
  | { kind: 'failCloses' }
  | { kind: 'reconcile' }
  /** Leases end while WeChat refuses to close: open payments are released yet stay payable. */
  | { kind: 'releaseWithFailedClose' }
  /** An after-sale refund: split over the contributions, or from one payment. */
  | { kind: 'refund'; amount: number | 'rest'; payment: number | null }
  /** The shop sends its last refund request again (same Idempotency-Key, same body). */
  | { kind: 'replayRefund' }
  /** WeChat settles the next refund ABNORMAL or CLOSED. */
  | { kind: 'refundOutcome'; status: 'ABNORMAL' | 'CLOSED' }
  /** WeChat's notifications arrive newest first (or late, after the query has settled things). */
  | { kind: 'notifications'; mode: 'reorder' | 'delay' | 'normal' }
  /** WeChat sends a refund's notification again (any time later, even after the query settled it). */
  | { kind: 'replayRefundNotification'; refund: number }
  /** Time passes and the reconciler asks WeChat how processing refunds went. */
  | { kind: 'queryRefunds' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('issue' as const), mode: fc.constantFrom('single' as const, 'group' as const) }),
  fc.record({ kind: fc.constant('view' as const), link: fc.nat(5) }),
  { arbitrary: fc.record({ kind: fc.constant('pay' as const), friend: fc.nat(3), link: fc.nat(5), amount: fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 1200 })), confirm: fc.boolean() }), weight: 10 },
  // Paying an old, released payment is where races hide: make it common.
  { arbitrary: fc.record({ kind: fc.constant('confirmOpen' as const), payment: fc.nat(20) }), weight: 6 },
  fc.record({ kind: fc.constant('cancelInSheet' as const), payment: fc.nat(20) }),
  fc.record({ kind: fc.constant('duplicateNotify' as const), payment: fc.nat(20) }),
  fc.record({ kind: fc.constant('cancelOrder' as const) }),
  fc.record({ kind: fc.constant('revoke' as const), link: fc.nat(5) }),
  { arbitrary: fc.record({ kind: fc.constant('advance' as const), seconds: fc.constantFrom(30, 301, 301, 3600) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('failCloses' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('reconcile' as const) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('releaseWithFailedClose' as const) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('refund' as const), amount: fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1200 }), fc.constant('rest' as const)), payment: fc.option(fc.nat(20), { nil: null }) }), weight: 6 },
  fc.record({ kind: fc.constant('replayRefund' as const) }),
  { arbitrary: fc.record({ kind: fc.constant('refundOutcome' as const), status: fc.constantFrom('ABNORMAL' as const, 'CLOSED' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('notifications' as const), mode: fc.constantFrom('reorder' as const, 'delay' as const, 'normal' as const) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('replayRefundNotification' as const), refund: fc.nat(20) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('queryRefunds' as const) }), weight: 2 },
);

/** Shop events about one refund: it settles once, so at most one of them. */
function settlementEventsOf(events: readonly EventRecord[], refundId: string): string[] {
  return events.filter((event) => (event.type === 'payment.refunded' || event.type === 'refund.abnormal') && (event.payload as { refund_id: string }).refund_id === refundId).map((event) => event.type);
}

const TOTAL = 1000;
/** Sequences per run; FC_RUNS=<n> runs more (locally, to hunt). */
const RUNS = Number(process.env.FC_RUNS ?? 25);

/** Checks every money invariant of the order against our store and WeChat Pay's ledger. */
async function checkInvariants(server: TestServer, orderId: string, links: IssuedLinkResponse[], history: string[], settled = false): Promise<void> {
  const why = `after: ${history.join(' -> ')}`;
  const order = (await server.deps.store.getOrder(orderId))!;
  const payments = await server.deps.store.listPaymentsOfOrder(orderId);
  const allRefunds = await server.deps.store.listRefundsOfOrder(orderId);
  // A refund WeChat closed gave nothing back; every other one is money on its way (or gone) back.
  const refunds = allRefunds.filter((refund) => refund.status !== 'closed');
  const paidIn = payments.filter((p) => p.paidAt !== null).reduce((sum, p) => sum + p.amount, 0);
  const owedBack = refunds.reduce((sum, r) => sum + r.amount, 0);
  expect(paidIn - owedBack, `paid minus refunded exceeds the total, ${why}`).toBeLessThanOrEqual(order.amountTotal);
  const kept = payments.reduce((sum, p) => sum + p.keptAmount, 0);
  expect(kept, `kept differs from the order's paid amount, ${why}`).toBe(order.amountPaid);
  // An order is paid exactly when contributions reach its total; refunded only once all of it went back.
  if (order.status === 'paid' || order.status === 'refunded') expect(order.amountPaid, `paid without reaching the total, ${why}`).toBe(order.amountTotal);
  if (order.status === 'pending') expect(order.amountPaid, `total reached but not paid, ${why}`).toBeLessThan(order.amountTotal);
  if (order.status === 'refunded') expect(order.amountRefunded, `refunded before everything went back, ${why}`).toBe(order.amountPaid);
  if (order.status === 'paid') expect(order.amountRefunded, `everything went back but the order is still paid, ${why}`).toBeLessThan(order.amountPaid);
  expect(order.amountPaid, why).toBeLessThanOrEqual(order.amountTotal);
  // Order: refunded never above paid, and exactly the counted refunds that succeeded.
  expect(order.amountRefunded, `order refunded above paid, ${why}`).toBeLessThanOrEqual(order.amountPaid);
  expect(order.amountRefunded, `order refunded is not its succeeded counted refunds, ${why}`).toBe(
    allRefunds.filter((r) => r.status === 'succeeded' && isCountedRefund(r.reason)).reduce((sum, r) => sum + r.amount, 0),
  );
  for (const payment of payments) {
    const mine = refunds.filter((r) => r.paymentId === payment.id);
    // Per contribution: refunded never above what it paid, nor (of counted money) above what the order kept of it.
    expect(mine.reduce((sum, r) => sum + r.amount, 0), `payment ${payment.id} refunded more than paid, ${why}`).toBeLessThanOrEqual(payment.paidAt === null ? 0 : payment.amount);
    expect(mine.filter((r) => isCountedRefund(r.reason)).reduce((sum, r) => sum + r.amount, 0), `payment ${payment.id} refunded more than it counted, ${why}`).toBeLessThanOrEqual(payment.keptAmount);
    expect(payment.refundedAmount, `payment ${payment.id} refunded amount is not its succeeded refunds, ${why}`).toBe(mine.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0));
    // Refunds only to the payer.
    for (const refund of mine) expect(refund.payerOpenid, `refund to someone else, ${why}`).toBe(payment.payerOpenid);
  }
  const ledger = server.sandbox!.paySimulator!.ledger;
  for (const refund of ledger.refunds()) {
    const ours = allRefunds.find((r) => r.outRefundNo === refund.outRefundNo);
    if (ours === undefined) continue;
    expect(ledger.transaction(refund.outTradeNo)!.payerOpenid, `WeChat refunded another payer, ${why}`).toBe(ours.payerOpenid);
    expect(payments.find((p) => p.id === ours.paymentId)?.outTradeNo, `WeChat refunded another payment, ${why}`).toBe(refund.outTradeNo);
  }
  // Every refund settles exactly once: one shop event when it settled, none before.
  const events = await server.deps.store.listEvents(order.shopId, 10_000);
  for (const refund of allRefunds) {
    const told = settlementEventsOf(events, refund.id);
    const expected = refund.status === 'succeeded' ? ['payment.refunded'] : refund.status === 'abnormal' || refund.status === 'closed' ? ['refund.abnormal'] : [];
    expect(told, `refund ${refund.id} (${refund.status}) settled ${told.length} times, ${why}`).toEqual(expected);
  }
  expect(events.filter((event) => event.type === 'order.refunded').length, `order.refunded more than once, ${why}`).toBeLessThanOrEqual(1);
  for (const link of links.filter((l) => l.mode === 'single')) {
    const keptOnLink = payments.filter((p) => p.linkId === link.id && p.keptAmount > 0);
    expect(keptOnLink.length, `single-mode link ${link.id} paid more than once, ${why}`).toBeLessThanOrEqual(1);
  }
  // Every payment WeChat holds as paid is paid (or refunded) in our store, once the dust settles.
  for (const trade of ledger.transactions().filter((t) => t.tradeState === 'SUCCESS' || t.tradeState === 'REFUND')) {
    const ours = payments.find((p) => p.outTradeNo === trade.outTradeNo);
    if (ours === undefined) continue;
    expect(ours.paidAt, `WeChat has ${trade.outTradeNo} paid but we do not, ${why}`).not.toBeNull();
  }
  if (settled) {
    // Every refund has settled, the same way and for the same amount at WeChat Pay and in our store.
    const wechatStatus = { succeeded: 'SUCCESS', abnormal: 'ABNORMAL', closed: 'CLOSED' } as const;
    for (const refund of allRefunds) {
      expect(['succeeded', 'abnormal', 'closed'], `refund ${refund.id} not settled, ${why}`).toContain(refund.status);
      const theirs = ledger.refunds().find((r) => r.outRefundNo === refund.outRefundNo);
      expect(theirs?.amountRefund, why).toBe(refund.amount);
      expect(theirs?.status, `refund ${refund.id} is ${refund.status} here but not at WeChat, ${why}`).toBe(wechatStatus[refund.status as keyof typeof wechatStatus]);
    }
    for (const payment of payments) expect(payment.status === 'created', `payment ${payment.id} still open after settling, ${why}`).toBe(false);
  }
}

describe('money invariants under random sequences of everything that can happen', () => {
  it('holds every invariant after every step', async () => {
    let sequences = 0;
    let steps = 0;
    const seen = { paid: 0, refunds: 0, afterSale: 0, abnormal: 0, closed: 0, ordersPaid: 0, ordersRefunded: 0, cancelled: 0, cancelledAfterPaying: 0, notificationsReplayed: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 30 }), async (sequence) => {
        sequences += 1;
        const server = await startTestServer({ RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE: '100000', RATE_LIMIT_PAYMENTS_PER_MINUTE: '100000', RATE_LIMIT_SESSIONS_PER_MINUTE: '100000', RATE_LIMIT_SHOP_PER_MINUTE: '100000' });
        try {
          const shop = await server.newShop();
          const orderId = (await server.newOrder(shop, { amount_total: TOTAL, items: [{ title: 'x', quantity: 1, unit_price: TOTAL }] })).id;
          const friends: Friend[] = [];
          for (let i = 0; i < 4; i++) friends.push(await loginFriend(server, `o_model_${i}`));
          const links: IssuedLinkResponse[] = [];
          // Every sequence starts with one link of each mode, so most steps have something to act on.
          for (const mode of ['group', 'single'] as const) {
            links.push((await server.call<IssuedLinkResponse>('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'Rui' }, mode } })).json);
          }
          const started: { friend: Friend; created: CreatePaymentResponse }[] = [];
          const history: string[] = [];
          let lastRefund: { key: string; body: unknown; answer: { status: number; ids: string[] } } | undefined;
          let refundKeys = 0;
          const sendRefund = async (key: string, body: unknown) => {
            const answer = await server.call<CreateRefundResponse>('POST', `/v1/orders/${orderId}/refunds`, { key: shop.api_key, body, headers: { 'idempotency-key': key } });
            expect(answer.status, answer.text).toBeLessThan(500);
            // A refund the shop may not make is refused as such: nothing left, more than is left, not paid, a payment of no contribution.
            if (answer.status !== 201) expect([404, 409, 422], answer.text).toContain(answer.status);
            return { status: answer.status, ids: answer.status === 201 ? answer.json.refunds.map((r) => r.id).sort() : [] };
          };
          for (const action of sequence) {
            steps += 1;
            history.push(action.kind);
            const linkAt = (index: number) => links[index % Math.max(1, links.length)];
            switch (action.kind) {
              case 'issue': {
                const answer = await server.call<IssuedLinkResponse>('POST', `/v1/orders/${orderId}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'Rui' }, mode: action.mode } });
                if (answer.status === 201) links.push(answer.json);
                else expect(answer.status).toBe(409);
                break;
              }
              case 'view': {
                const link = linkAt(action.link);
                if (link) expect((await server.call('GET', `/v1/pay/${link.code}`)).status).toBe(200);
                break;
              }
              case 'pay': {
                const link = linkAt(action.link);
                if (!link) break;
                const friend = friends[action.friend];
                const answer = await startPayment(server, friend, link.code, link.mode === 'group' ? { amount: action.amount } : {});
                expect(answer.status, answer.text).toBeLessThan(500);
                if (answer.status === 201) {
                  started.push({ friend, created: answer.json });
                  if (action.confirm) await payInSheet(server, friend, answer.json);
                }
                break;
              }
              case 'confirmOpen': {
                const open = started[action.payment % Math.max(1, started.length)];
                if (open) await payInSheet(server, open.friend, open.created); // may be refused by WeChat: closed or paid
                break;
              }
              case 'cancelInSheet': {
                const open = started[action.payment % Math.max(1, started.length)];
                if (!open) break;
                const answer = await server.call<{ code?: string }>('POST', `/v1/payments/${open.created.payment.id}/cancel`, { headers: { authorization: `Bearer ${open.friend.token}` } });
                // While WeChat will not confirm the close, the WeChat order stays payable: the friend is told to try again.
                if (answer.status >= 500) expect(answer.json.code, answer.text).toBe('WECHAT_UNAVAILABLE');
                break;
              }
              case 'duplicateNotify': {
                const open = started[action.payment % Math.max(1, started.length)];
                const stored = open && (await server.deps.store.getPayment(open.created.payment.id));
                if (stored && stored.paidAt !== null && stored.transactionId) {
                  const built = paymentNotification(server.sandbox!.keys, { outTradeNo: stored.outTradeNo, transactionId: stored.transactionId, amount: stored.amount, openid: stored.payerOpenid, successTime: stored.paidAt }, { timestamp: Math.floor(server.deps.clock.now() / 1000) });
                  const answer = await fetch(`${server.url}/v1/wechatpay/notify`, { method: 'POST', headers: built.headers, body: built.body });
                  expect(answer.status).toBe(204);
                }
                break;
              }
              case 'cancelOrder': {
                const before = await server.deps.store.getOrder(orderId);
                const answer = await server.call('POST', `/v1/orders/${orderId}/cancel`, { key: shop.api_key });
                expect(answer.status, answer.text).toBeLessThan(500);
                if (answer.status === 200 && before !== undefined && before.amountPaid > 0 && before.status !== 'cancelled') seen.cancelledAfterPaying += 1;
                break;
              }
              case 'refund': {
                const stored = action.payment === null ? undefined : started[action.payment % Math.max(1, started.length)];
                let amount = action.amount;
                if (amount === 'rest') {
                  // Everything the order still has to give back: the way to a `refunded` order.
                  const order = (await server.deps.store.getOrder(orderId))!;
                  const given = (await server.deps.store.listRefundsOfOrder(orderId)).filter((r) => isCountedRefund(r.reason) && r.status !== 'closed').reduce((sum, r) => sum + r.amount, 0);
                  amount = Math.max(1, order.amountPaid - given);
                }
                const body = { amount, ...(stored === undefined ? {} : { payment_id: stored.created.payment.id }) };
                const key = `model-refund-${++refundKeys}`;
                lastRefund = { key, body, answer: await sendRefund(key, body) };
                break;
              }
              case 'replayRefund': {
                if (lastRefund === undefined) break;
                const again = await sendRefund(lastRefund.key, lastRefund.body);
                // The same request gets the same refunds back, never new ones.
                if (lastRefund.answer.status === 201) expect(again).toEqual(lastRefund.answer);
                break;
              }
              case 'refundOutcome':
                await server.call('POST', '/sandbox/faults', { body: { refund_outcome: { status: action.status, times: 1 } } });
                break;
              case 'notifications': {
                const notifications = { reorder: { reorder: true, reorder_window_ms: 30, delay_ms: 0 }, delay: { reorder: false, delay_ms: 40 }, normal: { reorder: false, delay_ms: 0 } }[action.mode];
                await server.call('POST', '/sandbox/faults', { body: { notifications } });
                break;
              }
              case 'replayRefundNotification': {
                const settledAtWechat = server.sandbox!.paySimulator!.ledger.refunds().filter((r) => r.status !== 'PROCESSING');
                const refund = settledAtWechat[action.refund % Math.max(1, settledAtWechat.length)];
                if (refund === undefined || refund.status === 'PROCESSING') break;
                const built = refundNotification(server.sandbox!.keys, {
                  outTradeNo: refund.outTradeNo, transactionId: refund.transactionId, outRefundNo: refund.outRefundNo, refundId: refund.refundId,
                  status: refund.status, amountTotal: refund.amountTotal, amountRefund: refund.amountRefund, at: server.deps.clock.now(),
                });
                const answer = await fetch(`${server.url}/v1/wechatpay/notify`, { method: 'POST', headers: built.headers, body: built.body });
                expect(answer.status).toBe(204);
                seen.notificationsReplayed += 1;
                break;
              }
              case 'queryRefunds':
                server.sandboxClock!.advance(60);
                await reconcileOnce(server.deps);
                break;
              case 'revoke': {
                const link = linkAt(action.link);
                if (link) expect((await server.call('POST', `/v1/links/${link.id}/revoke`, { key: shop.api_key })).status).toBeLessThan(500);
                break;
              }
              case 'advance':
                server.sandboxClock!.advance(action.seconds);
                break;
              case 'failCloses':
                await server.call('POST', '/sandbox/faults', { body: { endpoints: { close: { fail: '5xx', times: 6 } } } });
                break;
              case 'reconcile':
                await reconcileOnce(server.deps);
                break;
              case 'releaseWithFailedClose':
                await server.call('POST', '/sandbox/faults', { body: { endpoints: { close: { fail: '5xx', times: 30 } } } });
                server.sandboxClock!.advance(301);
                await reconcileOnce(server.deps);
                await server.call('POST', '/sandbox/faults', { body: { endpoints: { close: null } } });
                break;
            }
            await server.sandbox!.paySimulator!.idle();
            await checkInvariants(server, orderId, links, history);
          }
          // Let everything settle: refunds pushed, WeChat and our ledger agree.
          await server.call('POST', '/sandbox/faults', { body: { notifications: { reorder: false, delay_ms: 0 } } });
          for (let i = 0; i < 3; i++) {
            server.sandboxClock!.advance(3600);
            await reconcileOnce(server.deps);
            await server.sandbox!.paySimulator!.idle();
          }
          await checkInvariants(server, orderId, links, [...history, 'settle'], true);
          const payments = await server.deps.store.listPaymentsOfOrder(orderId);
          seen.paid += payments.filter((p) => p.paidAt !== null).length;
          const refunds = await server.deps.store.listRefundsOfOrder(orderId);
          seen.refunds += refunds.length;
          seen.afterSale += refunds.filter((r) => r.reason === 'after_sale').length;
          seen.abnormal += refunds.filter((r) => r.status === 'abnormal').length;
          seen.closed += refunds.filter((r) => r.status === 'closed').length;
          const final = await server.deps.store.getOrder(orderId);
          if (final?.status === 'paid') seen.ordersPaid += 1;
          if (final?.status === 'refunded') seen.ordersRefunded += 1;
          if (final?.status === 'cancelled') seen.cancelled += 1;
        } finally {
          await server.stop();
        }
      }),
      // FC_SEED=<seed from a failure> replays that exact run.
      { numRuns: RUNS, endOnFailure: true, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
    );
    console.info(`money invariants: ${sequences} sequences, ${steps} steps, 0 violations; seen ${JSON.stringify(seen)}`);
    // The runs must have reached what they are about: refunds after payment, of every outcome.
    expect(seen.afterSale + seen.cancelledAfterPaying).toBeGreaterThan(0);
  }, 240_000 * Math.max(1, RUNS / 25));
});
