/**
 * Bench-only seeding: rows generated inside the database (a recursive CTE in SQLite,
 * generate_series in PostgreSQL) and inserted in one transaction straight into the tables the
 * server's own migrations made. A million links take seconds this way instead of an hour of API
 * calls. Ids are deterministic (`lnk_v00000000042`), so the benchmark can sign tokens for any of
 * them without reading them back.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { hashApiKey } from '../server/src/shops/shop-service';
import { openStore } from '../server/src/store/open-store';
import type { DatabaseConfig } from '../server/src/config/config';

/** The one shop every seeded row belongs to. */
export const BENCH_SHOP = { id: 'shop_bench', name: '好物小店 Bench Shop' } as const;

/** Amount of every seeded order, in fen. */
export const SEED_AMOUNT = 1234;

/** Openids of the payers of seeded open payments (the notifications name them). */
export const seedPayerOpenid = (index: number): string => `o_bench_payer_${index % 100}`;

/** What to put in a database. */
export interface SeedPlan {
  /** Links (each with its own pending order) that friends view: `lnk_v…`. */
  viewLinks: number;
  /** Active single-mode links to create payments on: `lnk_p…`. */
  payLinks: number;
  /** Open payments (with their order and link) for WeChat Pay notifications: `pay_n…`. */
  openPayments: number;
  /** Pending orders without links, to issue links on: `ord_i…`. */
  issueOrders: number;
}

/** Ids of the seeded rows of kind `kind` (`v`, `p`, `n`, `i`) and index. */
export const seedIds = {
  order: (kind: string, index: number): string => `ord_${kind}${String(index).padStart(11, '0')}`,
  link: (kind: string, index: number): string => `lnk_${kind}${String(index).padStart(11, '0')}`,
  payment: (index: number): string => `pay_n${String(index).padStart(11, '0')}`,
  /** outTradeNoFor(pay_…) = FP…, as the server makes it. */
  outTradeNo: (index: number): string => `FPn${String(index).padStart(11, '0')}`,
};

const items = JSON.stringify([
  { title: '云南小粒咖啡豆 250g', quantity: 1, unit_price: SEED_AMOUNT - 100 },
  { title: '包装费 Packaging', quantity: 1, unit_price: 100 },
]);

/** Times every seeded row uses: created `now`, deadline in a week, links live for six days. */
export function seedTimes(now: number): { now: number; deadline: number; expires: number } {
  return { now, deadline: now + 7 * 24 * 3600 * 1000, expires: Math.floor((now + 6 * 24 * 3600 * 1000) / 1000) * 1000 };
}

/** Creates the schema with the server's migrations (through the store the server would open). */
async function migrate(database: DatabaseConfig): Promise<void> {
  const store = await openStore(database);
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

/** Seeds a SQLite file (created and migrated here). */
export async function seedSqlite(file: string, plan: SeedPlan, apiKey: string, now: number): Promise<void> {
  await migrate({ engine: 'sqlite', file });
  const t = seedTimes(now);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const series = (count: number): string => `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ${count})`;
  const id = (prefix: string): string => `'${prefix}' || printf('%011d', i)`;
  const orders = (kind: string, count: number): void => {
    if (count === 0) return;
    db.prepare(`${series(count)}
      INSERT INTO orders (id, shop_id, shop_order_id, shopper_id, amount_total, amount_paid, amount_refunded, currency,
        items_json, ship_to_json, pay_deadline, status, fingerprint, created_at, updated_at, cancelled_at)
      SELECT ${id(`ord_${kind}`)}, @shop, ${id(`so_${kind}`)}, 'bench-shopper', @amount, 0, 0, 'CNY',
        @items, NULL, @deadline, 'pending', ${id('fp')}, @now, @now, NULL FROM seq`).run({ shop: BENCH_SHOP.id, amount: SEED_AMOUNT, items, deadline: t.deadline, now: t.now });
  };
  const links = (kind: string, count: number): void => {
    if (count === 0) return;
    db.prepare(`${series(count)}
      INSERT INTO links (id, order_id, shop_id, mode, status, requester_id, requester_name, requester_avatar_url, message, expires_at, created_at, closed_at)
      SELECT ${id(`lnk_${kind}`)}, ${id(`ord_${kind}`)}, @shop, 'single', 'active', 'bench-shopper', '张小明', NULL,
        '帮我付一下咖啡豆，谢谢！', @expires, @now, NULL FROM seq`).run({ shop: BENCH_SHOP.id, expires: t.expires, now: t.now });
  };
  db.transaction(() => {
    db.prepare('INSERT INTO shops (id, name, api_key_hash, webhook_url, webhook_secret, created_at) VALUES (?, ?, ?, NULL, ?, ?)')
      .run(BENCH_SHOP.id, BENCH_SHOP.name, hashApiKey(apiKey), 'whsec_bench', now);
    orders('v', plan.viewLinks);
    links('v', plan.viewLinks);
    orders('p', plan.payLinks);
    links('p', plan.payLinks);
    orders('n', plan.openPayments);
    links('n', plan.openPayments);
    orders('i', plan.issueOrders);
    if (plan.openPayments > 0) {
      db.prepare(`${series(plan.openPayments)}
        INSERT INTO payments (id, link_id, order_id, shop_id, mode, payer_openid, idempotency_key, amount, status, out_trade_no,
          prepay_id, request_payment_json, payable_until, lease_expires_at, transaction_id, paid_at, closed_at, kept_amount,
          refunded_amount, checked_at, created_at, updated_at)
        SELECT ${id('pay_n')}, ${id('lnk_n')}, ${id('ord_n')}, @shop, 'single', 'o_bench_payer_' || (i % 100), ${id('seed-')},
          @amount, 'created', ${id('FPn')}, ${id('wx_prepay_')}, NULL, @expires, @expires, NULL, NULL, NULL, 0, 0, NULL, @now, @now FROM seq`)
        .run({ shop: BENCH_SHOP.id, amount: SEED_AMOUNT, expires: t.expires, now: t.now });
    }
  })();
  // No ANALYZE: the server never runs it, and with its statistics (STAT4) SQLite re-plans a
  // join on every new parameter value, which would make the friend view slower than in use.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Connection settings and schema of a `postgres://…?schema=name` URL. */
export function postgresTarget(url: string): { connectionString: string; schema: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  if (schema === null || !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`the bench needs ?schema=<name> in ${url}`);
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** Drops the schema a `postgres://…?schema=` URL names, with everything in it. */
export async function dropPostgresSchema(url: string): Promise<void> {
  const { connectionString, schema } = postgresTarget(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Seeds the schema a `postgres://…?schema=` URL names (dropped first, then migrated here). */
export async function seedPostgres(url: string, plan: SeedPlan, apiKey: string, now: number): Promise<void> {
  await dropPostgresSchema(url);
  await migrate({ engine: 'postgres', url });
  const { connectionString, schema } = postgresTarget(url);
  const t = seedTimes(now);
  const client = new pg.Client({ connectionString });
  await client.connect();
  const id = (prefix: string): string => `'${prefix}' || lpad(i::text, 11, '0')`;
  const series = (count: number): string => `generate_series(0, ${count - 1}) AS i`;
  try {
    await client.query(`SET search_path TO "${schema}"`);
    await client.query('BEGIN');
    await client.query('INSERT INTO shops (id, name, api_key_hash, webhook_url, webhook_secret, created_at) VALUES ($1, $2, $3, NULL, $4, $5)', [BENCH_SHOP.id, BENCH_SHOP.name, hashApiKey(apiKey), 'whsec_bench', now]);
    const orders = async (kind: string, count: number): Promise<void> => {
      if (count === 0) return;
      await client.query(`INSERT INTO orders (id, shop_id, shop_order_id, shopper_id, amount_total, amount_paid, amount_refunded, currency,
          items_json, ship_to_json, pay_deadline, status, fingerprint, created_at, updated_at, cancelled_at)
        SELECT ${id(`ord_${kind}`)}, $1, ${id(`so_${kind}`)}, 'bench-shopper', $2, 0, 0, 'CNY', $3, NULL, $4, 'pending', ${id('fp')}, $5, $5, NULL
        FROM ${series(count)}`, [BENCH_SHOP.id, SEED_AMOUNT, items, t.deadline, t.now]);
    };
    const links = async (kind: string, count: number): Promise<void> => {
      if (count === 0) return;
      await client.query(`INSERT INTO links (id, order_id, shop_id, mode, status, requester_id, requester_name, requester_avatar_url, message, expires_at, created_at, closed_at)
        SELECT ${id(`lnk_${kind}`)}, ${id(`ord_${kind}`)}, $1, 'single', 'active', 'bench-shopper', '张小明', NULL, '帮我付一下咖啡豆，谢谢！', $2, $3, NULL
        FROM ${series(count)}`, [BENCH_SHOP.id, t.expires, t.now]);
    };
    await orders('v', plan.viewLinks);
    await links('v', plan.viewLinks);
    await orders('p', plan.payLinks);
    await links('p', plan.payLinks);
    await orders('n', plan.openPayments);
    await links('n', plan.openPayments);
    await orders('i', plan.issueOrders);
    if (plan.openPayments > 0) {
      await client.query(`INSERT INTO payments (id, link_id, order_id, shop_id, mode, payer_openid, idempotency_key, amount, status, out_trade_no,
          prepay_id, request_payment_json, payable_until, lease_expires_at, transaction_id, paid_at, closed_at, kept_amount,
          refunded_amount, checked_at, created_at, updated_at)
        SELECT ${id('pay_n')}, ${id('lnk_n')}, ${id('ord_n')}, $1, 'single', 'o_bench_payer_' || (i % 100), ${id('seed-')},
          $2, 'created', ${id('FPn')}, ${id('wx_prepay_')}, NULL, $3, $3, NULL, NULL, NULL, 0, 0, NULL, $4, $4
        FROM ${series(plan.openPayments)}`, [BENCH_SHOP.id, SEED_AMOUNT, t.expires, t.now]);
    }
    await client.query('COMMIT');
    // Vacuumed and analyzed now, then checkpointed, rather than by autovacuum in the middle of the
    // rounds: after a million inserted rows it vacuumed the tables while the bench measured, on
    // the load core PostgreSQL shares with the open-loop driver, and each first read of a fresh
    // row set its hint bits and dirtied its page for the checkpointer to write. A database in
    // use has long had both done.
    await client.query('VACUUM (ANALYZE)');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}
