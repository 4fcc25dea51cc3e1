import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../server/src/store/open-store';
import { postgresMigrations } from '../../server/src/store/postgres/migrations';
import { openPostgresStore, parsePostgresUrl } from '../../server/src/store/postgres/postgres-store';
import { sqliteMigrations } from '../../server/src/store/sqlite/migrations';
import type { Store, StoreTx } from '../../server/src/store/store';
import { startTcpProxy } from '../support/tcp-proxy';
import { connectPostgres, createTestDatabase, postgresAdmin, POSTGRES_URL, type TestDatabase } from '../support/test-database';
import { orderRecord, paymentRecord, seedLink, shopRecord } from './records';

// What only the PostgreSQL engine does; the contract both engines keep is in store.test.ts.
describe('PostgreSQL store', () => {
  const stores: Store[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const database of databases.splice(0)) await database.drop();
  });

  async function newDatabase(): Promise<TestDatabase> {
    const database = await createTestDatabase('postgres');
    databases.push(database);
    return database;
  }

  function open(url: string, idleConnectionMs?: number): Store {
    const store = openPostgresStore({ url, ...(idleConnectionMs === undefined ? {} : { idleConnectionMs }) });
    stores.push(store);
    return store;
  }

  /** Resolves once `count` callers have arrived: makes two transactions interleave on purpose. */
  function barrier(count: number): () => Promise<void> {
    let arrived = 0;
    let release: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (release = resolve));
    return () => {
      arrived += 1;
      if (arrived === count) release();
      return all;
    };
  }

  it('has the same numbered migrations as the SQLite engine', () => {
    expect(postgresMigrations.map(({ version, name }) => ({ version, name }))).toEqual(sqliteMigrations.map(({ version, name }) => ({ version, name })));
  });

  it('migrates once when several instances start at the same moment, creating the schema the URL names', async () => {
    const database = await newDatabase();
    const instances = Array.from({ length: 4 }, () => open(database.url));
    await Promise.all(instances.map((store) => store.migrate()));
    await Promise.all(instances.map((store) => store.migrate()));
    const admin = await postgresAdmin();
    const applied = await admin.query<{ version: number }>(`SELECT version FROM "${database.schema}".schema_migrations ORDER BY version`);
    expect(applied.rows.map((row) => row.version)).toEqual(postgresMigrations.map((migration) => migration.version));
  });

  it('keeps the tables of two schemas apart, and opens from a DATABASE_URL through openStore', async () => {
    const [first, second] = [await newDatabase(), await newDatabase()];
    const a = await openStore({ engine: 'postgres', url: first.url });
    stores.push(a);
    const b = open(second.url);
    await a.migrate();
    await b.migrate();
    expect(a.engine).toBe('postgres');
    await a.insertShop(shopRecord('shop_1', Date.now()));
    expect(await a.getShop('shop_1')).toBeDefined();
    expect(await b.getShop('shop_1')).toBeUndefined();
  });

  it('takes the schema out of the URL and refuses one that is not a plain identifier', () => {
    expect(parsePostgresUrl(`${POSTGRES_URL}?schema=fp_x&sslmode=disable`)).toEqual({ connectionString: `${POSTGRES_URL}?sslmode=disable`, schema: 'fp_x', options: undefined });
    expect(() => openPostgresStore({ url: `${POSTGRES_URL}?schema=x%22%3Bdrop` })).toThrow(/schema/);
    expect(() => openPostgresStore({ url: POSTGRES_URL, schema: 'Upper' })).toThrow(/schema/);
  });

  it('runs a transaction again when PostgreSQL breaks a deadlock by aborting it', async () => {
    const store = open((await newDatabase()).url);
    await store.migrate();
    const now = Date.now();
    await store.insertShop(shopRecord('shop_1', now));
    await store.upsertOrder(orderRecord('ord_a', 'shop_1', now));
    await store.upsertOrder(orderRecord('ord_b', 'shop_1', now));
    const bothHoldOne = barrier(2);
    const attempts = { ab: 0, ba: 0 };
    // Each locks one order, waits until the other holds the other order, then asks for it.
    const lockBoth = (name: 'ab' | 'ba', firstId: string, secondId: string) => store.transaction(async (tx) => {
      attempts[name] += 1;
      const held = await tx.getOrder(firstId, true);
      if (attempts[name] === 1) await bothHoldOne();
      await tx.getOrder(secondId, true);
      await tx.updateOrder(firstId, { amountPaid: (held?.amountPaid ?? 0) + 1 }, ['pending']);
    });
    await Promise.all([lockBoth('ab', 'ord_a', 'ord_b'), lockBoth('ba', 'ord_b', 'ord_a')]);
    expect(attempts.ab + attempts.ba).toBe(3);
    expect((await store.getOrder('ord_a'))?.amountPaid).toBe(1);
    expect((await store.getOrder('ord_b'))?.amountPaid).toBe(1);
  });

  it('runs a transaction again when another committed the same unique row meanwhile, and then finds that row', async () => {
    const store = open((await newDatabase()).url);
    await store.migrate();
    const now = Date.now();
    const link = await seedLink(store, now, { mode: 'group' });
    const bothLooked = barrier(2);
    let runs = 0;
    // The same friend's request twice at once: each looks for its key, finds nothing, inserts.
    const findOrCreate = (id: string) => store.transaction(async (tx: StoreTx) => {
      runs += 1;
      const found = await tx.findPaymentByIdempotencyKey('o_same', 'k-same');
      if (found !== undefined) return found.id;
      if (runs <= 2) await bothLooked();
      await tx.insertPayment(paymentRecord(id, link, 'o_same', now, { idempotencyKey: 'k-same', amount: 10 }));
      return id;
    });
    const ids = await Promise.all([findOrCreate('pay_1'), findOrCreate('pay_2')]);
    expect(ids[0]).toBe(ids[1]);
    expect(runs).toBe(3);
    expect(await store.listPaymentsOfOrder('ord_1')).toHaveLength(1);
  });

  it('refuses to run a statement through a StoreTx after its transaction ended', async () => {
    const store = open((await newDatabase()).url);
    await store.migrate();
    let kept: StoreTx | undefined;
    await store.transaction((tx) => {
      kept = tx;
      return Promise.resolve();
    });
    await expect(kept!.getOrder('ord_1')).rejects.toThrow('after its transaction ended');
  });

  it('closes an unused connection after idleConnectionMs, and keeps it with 0', async () => {
    // A TCP proxy in front of PostgreSQL counts this test's connections, whatever else runs.
    const target = new URL(POSTGRES_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    try {
      const proxied = new URL(POSTGRES_URL);
      proxied.host = `127.0.0.1:${proxy.port}`;
      const closing = open(proxied.toString(), 100);
      await closing.ping();
      expect(proxy.connections).toBe(1);
      const deadline = Date.now() + 5000;
      while (proxy.connections > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(proxy.connections).toBe(0);

      const keeping = open(proxied.toString(), 0);
      await keeping.ping();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(proxy.connections).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('fails with how to start PostgreSQL when nothing answers at the address', async () => {
    await expect(connectPostgres('postgres://postgres@127.0.0.1:1/test')).rejects.toThrow(
      /^PostgreSQL is not reachable at 127\.0\.0\.1:1 \(start it with: pg_ctlcluster --skip-systemctl-redirect \$\(ls \/etc\/postgresql\) main start\)/,
    );
  });
});
