// A shop's retry after a crash: the claim its first attempt left is free again seconds later,
// while a slow request on a live instance keeps its claim however long it runs.
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Clock } from '../../server/src/clock';
import { AppError } from '../../server/src/errors/app-error';
import { idempotent } from '../../server/src/http/idempotency';
import { setShop } from '../../server/src/http/request-context';
import type { Store } from '../../server/src/store/store';
import { shopRecord } from '../store/records';
import { storeHarness } from '../support/store-harness';
import { engines } from '../support/test-database';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  constructor(private at = 1_800_000_000_000) {}
  now(): number {
    return this.at;
  }
  /** Moves the clock and fires the renewals that would have run meanwhile. */
  pass(ms: number): void {
    for (let step = 0; step < ms; step += 1000) {
      this.at += Math.min(1000, ms - step);
      vi.advanceTimersByTime(Math.min(1000, ms - step));
    }
  }
}

/**
 * An instance's view of the store that can die: after `kill()` nothing it asks of the store ever
 * happens, as when its process was SIGKILLed mid-request.
 */
function mortal(store: Store): { store: Store; kill: () => void } {
  let dead = false;
  const proxy = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => (dead ? new Promise(() => undefined) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { store: proxy, kill: () => { dead = true; } };
}

interface Instance { url: string; close: () => Promise<void> }

/** One server instance: a shop write (`POST /orders`) behind `idempotent`, answered by `handler`. */
async function instance(store: Store, clock: Clock, handler: () => Promise<{ status: number; body: unknown }>): Promise<Instance> {
  const app = express();
  app.use(express.json());
  app.use((req: Request, _res: Response, next: NextFunction) => { setShop(req, shopRecord('shop_1', 0)); next(); });
  app.post('/orders', idempotent(store, clock, handler));
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    res.status(error instanceof AppError ? error.status : 500).json({ code: error instanceof AppError ? error.code : 'INTERNAL' });
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function post(url: string, key: string, body: unknown): Promise<{ status: number; json: { code?: string; id?: string } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { code?: string; id?: string } };
}

describe.each(engines)('idempotency claims across instances (%s)', (engine) => {
  const { openInstances } = storeHarness(engine);
  const open: Instance[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const server of open.splice(0)) await server.close();
  });

  it('runs a retry within seconds of the crash that left its key claimed, not a minute later', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const [storeA, storeB] = (await openInstances(2)) as [Store, Store];
    const clock = new ManualClock();
    const a = mortal(storeA);
    let ran = 0;
    // Instance A takes the request and dies in the middle of it.
    const first = await instance(a.store, clock, () => { ran += 1; return new Promise(() => undefined); });
    const second = await instance(storeB, clock, () => { ran += 1; return Promise.resolve({ status: 201, body: { id: 'ord_1' } }); });
    open.push(first, second);
    void fetch(first.url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: '{"amount":900}' }).catch(() => undefined);
    await vi.waitFor(() => expect(ran).toBe(1), { timeout: 10_000 });
    a.kill();
    expect((await post(second.url, 'k-1', { amount: 900 })).json.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    clock.pass(9_000);
    expect((await post(second.url, 'k-1', { amount: 900 })).json.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    // Another body under the same key is still refused as a mismatch, claim or no claim.
    clock.pass(2_000);
    expect((await post(second.url, 'k-1', { amount: 1 })).json.code).toBe('IDEMPOTENCY_MISMATCH');
    const retried = await post(second.url, 'k-1', { amount: 900 });
    expect(retried).toEqual({ status: 201, json: { id: 'ord_1' } });
    expect(ran).toBe(2);
    // Done: later retries get the stored answer, the handler does not run again.
    clock.pass(120_000);
    expect(await post(second.url, 'k-1', { amount: 900 })).toEqual({ status: 201, json: { id: 'ord_1' } });
    expect(ran).toBe(2);
  });

  it('keeps the claim of a slow request on a live instance for as long as it runs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const [storeA, storeB] = (await openInstances(2)) as [Store, Store];
    const clock = new ManualClock();
    let finish: (reply: { status: number; body: unknown }) => void = () => undefined;
    let ran = 0;
    const slow = await instance(storeA, clock, () => { ran += 1; return new Promise((resolve) => { finish = resolve; }); });
    const other = await instance(storeB, clock, () => { ran += 1; return Promise.resolve({ status: 201, body: { id: 'ord_other' } }); });
    open.push(slow, other);
    const answer = post(slow.url, 'k-slow', { amount: 900 });
    await vi.waitFor(() => expect(ran).toBe(1), { timeout: 10_000 });
    // Renewals are store writes: let each one land before the clock moves on.
    for (let second = 0; second < 90; second += 3) {
      clock.pass(3_000);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await post(other.url, 'k-slow', { amount: 900 })).json.code).toBe('IDEMPOTENCY_IN_PROGRESS');
    finish({ status: 201, body: { id: 'ord_slow' } });
    expect(await answer).toEqual({ status: 201, json: { id: 'ord_slow' } });
    expect(await post(other.url, 'k-slow', { amount: 900 })).toEqual({ status: 201, json: { id: 'ord_slow' } });
    expect(ran).toBe(1);
  });
});
