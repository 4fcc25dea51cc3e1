/**
 * Starts a real server on port 0 (sandbox mode) and talks to it over HTTP. The store is in-memory
 * SQLite, or with `{ engine: 'postgres' }` (or TEST_STORE_ENGINE=postgres) a PostgreSQL schema of
 * the server's own, dropped when it stops.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OrderInput } from '../../shared/api-types';
import { loadConfig } from '../../server/src/config/config';
import { startServer, type RunningServer, type ServerOverrides } from '../../server/src/composition/server';
import { createShop, type CreatedShop } from '../../server/src/shops/shop-service';
import { createTestDatabase, defaultEngine, type Engine, type TestDatabase } from './test-database';

/** A fresh random signing key (test keys are made at test time, never committed). */
export function testSigningKey(kid: string): string {
  return `${kid}:${crypto.randomBytes(32).toString('base64url')}`;
}

/** What a test gets back from an HTTP call. */
export interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** A running test server and helpers to call it. */
export interface TestServer extends RunningServer {
  dataDir: string;
  call<T = Record<string, unknown>>(method: string, path: string, options?: { body?: unknown; rawBody?: string; key?: string; headers?: Record<string, string> }): Promise<Answer<T>>;
  newShop(name?: string): Promise<CreatedShop>;
  newOrder(shop: CreatedShop, overrides?: Partial<OrderInput>): Promise<Record<string, unknown> & { id: string }>;
  stop(): Promise<void>;
}

/** An order body with a deadline two days ahead of `now`. */
export function orderBody(now: number, overrides: Partial<OrderInput> = {}): OrderInput {
  return {
    shop_order_id: `so-${crypto.randomBytes(6).toString('hex')}`,
    shopper_id: 'shopper-1',
    amount_total: 1234,
    items: [
      { title: 'Coffee beans', quantity: 2, unit_price: 567 },
      { title: 'Packaging', quantity: 1, unit_price: 100 },
    ],
    pay_deadline: new Date(now + 48 * 3600 * 1000).toISOString(),
    ...overrides,
  };
}

/** How to start a test server. */
export interface TestServerOptions {
  /** The store engine (default: TEST_STORE_ENGINE, else sqlite); ignored when `env` or `overrides` name the store. */
  engine?: Engine;
}

/** Starts a sandbox server; `env` adds or replaces configuration variables. */
export async function startTestServer(env: Record<string, string> = {}, overrides: ServerOverrides = {}, options: TestServerOptions = {}): Promise<TestServer> {
  const engine = options.engine ?? defaultEngine();
  // A schema of the server's own, unless the test brought its database (or store) along.
  const database: TestDatabase | undefined =
    engine === 'postgres' && env.DATABASE_URL === undefined && overrides.store === undefined ? await createTestDatabase('postgres') : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-test-'));
  const config = loadConfig(
    {
      SANDBOX: '1',
      PORT: '0',
      DATABASE_URL: database?.url ?? 'sqlite::memory:',
      DATA_DIR: dataDir,
      LINK_SIGNING_KEYS: testSigningKey('k1'),
      LOG_LEVEL: 'silent',
      ...env,
    },
    'sandbox',
  );
  let server: RunningServer;
  try {
    server = await startServer(config, { workers: false, sandboxTimeFactor: 0.001, ...overrides });
  } catch (error: unknown) {
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  async function call<T>(method: string, urlPath: string, options: { body?: unknown; rawBody?: string; key?: string; headers?: Record<string, string> } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${server.url}${urlPath}`, { method, headers, body });
    const text = await response.text();
    let json: unknown = undefined;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON (HTML, PNG): the test reads `text`
    }
    return { status: response.status, headers: response.headers, text, json: json as T };
  }

  return {
    ...server,
    dataDir,
    call,
    newShop: (name = 'Test Shop') => createShop(server.deps, { name }),
    async newOrder(shop, overrides = {}) {
      const answer = await call<Record<string, unknown> & { id: string }>('POST', '/v1/orders', { key: shop.api_key, body: orderBody(server.deps.clock.now(), overrides) });
      if (answer.status !== 201) throw new Error(`creating an order failed: ${answer.status} ${answer.text}`);
      return answer.json;
    },
    async stop() {
      await server.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The engines, for tests that take everything from here. */
export { engines, type Engine } from './test-database';
