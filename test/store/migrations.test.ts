import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../server/src/store/postgres/migrations';
import { openPostgresStore } from '../../server/src/store/postgres/postgres-store';
import { sqliteMigrations } from '../../server/src/store/sqlite/migrations';
import { openSqliteStore } from '../../server/src/store/sqlite/sqlite-store';
import type { Store } from '../../server/src/store/store';
import { POSTGRES_URL, createTestDatabase, engines, type TestDatabase } from '../support/test-database';

/**
 * Rows as the server wrote them before after-sale refunds (migrations 1 and 2): a cancelled order
 * whose refunded amount counted a refund of money it never took (paid 600, "refunded" 900), a
 * cancel that zeroed what its payment counted, and refunds marked 'failed' for ABNORMAL and CLOSED.
 */
const LEGACY_ROWS = `
  INSERT INTO shops (id, name, api_key_hash, webhook_url, webhook_secret, created_at) VALUES ('shop_1', 'S', 'h', NULL, 'w', 1);
  INSERT INTO orders (id, shop_id, shop_order_id, shopper_id, amount_total, amount_paid, amount_refunded, currency, items_json, ship_to_json, pay_deadline, status, fingerprint, created_at, updated_at, cancelled_at)
    VALUES ('ord_a', 'shop_1', 'so-a', 's', 1000, 600, 900, 'CNY', '[]', NULL, 9, 'cancelled', 'f', 1, 1, 5),
           ('ord_b', 'shop_1', 'so-b', 's', 500, 500, 0, 'CNY', '[]', NULL, 9, 'paid', 'f', 1, 1, NULL);
  INSERT INTO links (id, order_id, shop_id, mode, status, requester_id, requester_name, requester_avatar_url, message, expires_at, created_at, closed_at)
    VALUES ('lnk_a', 'ord_a', 'shop_1', 'group', 'void', 'r', 'R', NULL, NULL, 9, 1, 5),
           ('lnk_b', 'ord_b', 'shop_1', 'group', 'paid', 'r', 'R', NULL, NULL, 9, 1, 5);
  INSERT INTO payments (id, link_id, order_id, shop_id, mode, payer_openid, idempotency_key, amount, status, out_trade_no, prepay_id, request_payment_json,
                        payable_until, lease_expires_at, transaction_id, paid_at, closed_at, kept_amount, refunded_amount, checked_at, created_at, updated_at)
    VALUES ('pay_1', 'lnk_a', 'ord_a', 'shop_1', 'group', 'o_1', 'k1', 600, 'refunded', 'FP1', NULL, NULL, 9, 9, 't1', 2, NULL, 0, 600, NULL, 1, 5),
           ('pay_2', 'lnk_a', 'ord_a', 'shop_1', 'group', 'o_2', 'k2', 300, 'refunded', 'FP2', NULL, NULL, 9, 9, 't2', 6, 5, 0, 300, NULL, 1, 6),
           ('pay_3', 'lnk_b', 'ord_b', 'shop_1', 'group', 'o_3', 'k3', 600, 'refunding', 'FP3', NULL, NULL, 9, 9, 't3', 2, NULL, 500, 0, NULL, 1, 5);
  INSERT INTO refunds (id, payment_id, order_id, shop_id, payer_openid, out_refund_no, amount, reason, status, wechat_refund_id, attempts, next_attempt_at, last_error, created_at, updated_at, succeeded_at)
    VALUES ('rfd_1', 'pay_1', 'ord_a', 'shop_1', 'o_1', 'FR1', 600, 'order_cancelled', 'succeeded', 'w1', 1, 5, NULL, 5, 7, 7),
           ('rfd_2', 'pay_2', 'ord_a', 'shop_1', 'o_2', 'FR2', 300, 'link_unpayable', 'succeeded', 'w2', 1, 6, NULL, 6, 8, 8),
           ('rfd_3', 'pay_3', 'ord_b', 'shop_1', 'o_3', 'FR3', 50, 'over_contribution', 'failed', 'w3', 1, 6, 'WeChat Pay refund status ABNORMAL', 6, 8, NULL),
           ('rfd_4', 'pay_3', 'ord_b', 'shop_1', 'o_3', 'FR4', 50, 'over_contribution', 'failed', 'w4', 1, 6, 'WeChat Pay refund status CLOSED', 6, 8, NULL);
  INSERT INTO idempotency_keys (scope, key, request_hash, state, status_code, response_body, created_at)
    VALUES ('shop:shop_1', 'k-pending', 'h', 'pending', NULL, NULL, 1000), ('shop:shop_1', 'k-done', 'h', 'done', 201, '{}', 1000);
`;

const MIGRATIONS_TABLE = 'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)';

describe.each(engines)('migration 4, after-sale refunds (%s)', (engine) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A store on a database that has migrations 1 and 2 and the legacy rows. */
  async function legacyStore(): Promise<Store> {
    const [first, second] = engine === 'sqlite' ? sqliteMigrations : postgresMigrations;
    if (engine === 'sqlite') {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-migrate-'));
      cleanups.push(() => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })));
      const file = path.join(dir, 'old.sqlite');
      const db = new Database(file);
      db.exec(MIGRATIONS_TABLE);
      for (const migration of [first, second]) {
        db.exec(migration.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, 1);
      }
      db.exec(LEGACY_ROWS);
      db.close();
      const store = openSqliteStore(file);
      cleanups.push(() => store.close());
      return store;
    }
    const database: TestDatabase = await createTestDatabase('postgres');
    cleanups.push(() => database.drop());
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA "${database.schema}"`);
      await client.query(`SET search_path TO "${database.schema}"`);
      await client.query(MIGRATIONS_TABLE);
      for (const migration of [first, second]) {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, 1)', [migration.version, migration.name]);
      }
      await client.query(LEGACY_ROWS);
    } finally {
      await client.end();
    }
    const store = openPostgresStore({ url: database.url });
    cleanups.push(() => store.close());
    return store;
  }

  it('recounts refunded amounts as what went back of what was paid, restores what a cancel zeroed, and names failed refunds', async () => {
    const store = await legacyStore();
    await store.migrate();

    expect(await store.getOrder('ord_a')).toMatchObject({ status: 'cancelled', amountPaid: 600, amountRefunded: 600 });
    expect(await store.getOrder('ord_b')).toMatchObject({ status: 'paid', amountPaid: 500, amountRefunded: 0 });
    expect(await store.getPayment('pay_1')).toMatchObject({ keptAmount: 600, refundedAmount: 600, status: 'refunded' });
    expect(await store.getPayment('pay_2')).toMatchObject({ keptAmount: 0, refundedAmount: 300 });
    expect((await store.listRefundsOfOrder('ord_b')).map((r) => [r.id, r.status, r.note, r.requestKey])).toEqual([['rfd_3', 'abnormal', null, null], ['rfd_4', 'closed', null, null]]);
    expect(await store.getRefund('rfd_1')).toMatchObject({ status: 'succeeded', reason: 'order_cancelled', amount: 600 });
    // The new rules hold from now on: an order can be refunded, never above what was paid.
    expect(await store.transaction((tx) => tx.updateOrder('ord_b', { amountRefunded: 500, status: 'refunded' }, ['paid']))).toMatchObject({ status: 'refunded' });
    await expect(store.transaction((tx) => tx.updateOrder('ord_a', { amountRefunded: 601 }, ['cancelled']))).rejects.toThrow();
    // Links, payments and refunds still point at their (rebuilt) orders.
    expect(await store.getLinkView('lnk_a')).toMatchObject({ order: { id: 'ord_a' }, shopName: 'S' });
    expect((await store.listPaymentsOfOrder('ord_a')).map((p) => p.id)).toEqual(['pay_1', 'pay_2']);
    // Migration 8: a claim pending from before is held for the minute the old rule gave it, then lapses.
    const retry = { scope: 'shop:shop_1', key: 'k-pending', requestHash: 'h', state: 'pending' as const, statusCode: null, responseBody: null, holder: 'retry' };
    expect((await store.claimIdempotencyKey({ ...retry, createdAt: 60_999, heldUntil: 70_999 })).claimed).toBe(false);
    expect((await store.claimIdempotencyKey({ ...retry, createdAt: 61_001, heldUntil: 71_001 })).claimed).toBe(true);
    expect(await store.claimIdempotencyKey({ ...retry, key: 'k-done', createdAt: 61_001, heldUntil: 71_001 })).toMatchObject({ claimed: false, existing: { state: 'done', statusCode: 201 } });
    await store.migrate();
  });
});
