/**
 * Databases for tests on either store engine: SQLite in memory or in a temporary file, or a
 * PostgreSQL schema of its own (`fp_test_<time>_<random>`), dropped afterwards. PostgreSQL is
 * never optional: when it cannot be reached, the tests that need it fail and say how to start it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgresStore } from '../../server/src/store/postgres/postgres-store';
import { openSqliteStore } from '../../server/src/store/sqlite/sqlite-store';
import type { Store } from '../../server/src/store/store';

/** A store engine the tests run on. */
export type Engine = 'sqlite' | 'postgres';

/** Every engine: parameterized tests run once on each (`describe.each(engines)`). */
export const engines: readonly Engine[] = ['sqlite', 'postgres'];

/** The PostgreSQL every machine here runs (trust authentication). */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';
const START_HINT = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
const SCHEMA_PREFIX = 'fp_test_';
/** Schemas left behind by a test process that died are dropped once they are this old. */
const STALE_SCHEMA_MS = 3600_000;

/**
 * The engine of tests that do not choose one: `TEST_STORE_ENGINE=postgres npx vitest run` runs
 * every such test on PostgreSQL (the parameterized ones run on both whatever it says).
 */
export function defaultEngine(): Engine {
  const chosen = process.env.TEST_STORE_ENGINE ?? 'sqlite';
  if (chosen !== 'sqlite' && chosen !== 'postgres') throw new Error(`TEST_STORE_ENGINE must be sqlite or postgres, not "${chosen}"`);
  return chosen;
}

/** Connects a pool to `url`, or fails saying PostgreSQL is not reachable and how to start it. */
export async function connectPostgres(url = POSTGRES_URL): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 3000, idleTimeoutMillis: 1000, allowExitOnIdle: true });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
  } catch (error: unknown) {
    await pool.end().catch(() => undefined);
    const { hostname, port } = new URL(url);
    const cause = error instanceof Error ? error.message || error.name : String(error);
    throw new Error(`PostgreSQL is not reachable at ${hostname}:${port || '5432'} (start it with: ${START_HINT}): ${cause}`);
  }
  return pool;
}

let admin: Promise<pg.Pool> | undefined;

/** This test file's one administrative pool (schemas are created and dropped through it). */
export function postgresAdmin(): Promise<pg.Pool> {
  admin ??= connectPostgres().then(async (pool) => {
    await dropStaleSchemas(pool);
    return pool;
  });
  return admin;
}

/** Drops test schemas of test runs that died before dropping their own (names carry their birth time). */
async function dropStaleSchemas(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'fp\\_test\\_%'");
  for (const { nspname } of rows) {
    const born = parseInt(nspname.slice(SCHEMA_PREFIX.length).split('_')[0] ?? '', 36);
    if (!(Date.now() - born * 1000 > STALE_SCHEMA_MS)) continue;
    // Another test process may be dropping the same one: whoever loses has nothing to do.
    await pool.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`).catch(() => undefined);
  }
}

/** A fresh schema name: its birth second (base 36) and randomness. */
function newSchemaName(): string {
  return `${SCHEMA_PREFIX}${Math.floor(Date.now() / 1000).toString(36)}_${crypto.randomBytes(6).toString('hex')}`;
}

/** A database a test may start several servers on, one after the other or at once. */
export interface TestDatabase {
  engine: Engine;
  /** The DATABASE_URL to configure. */
  url: string;
  /** The PostgreSQL schema; undefined on SQLite. */
  schema: string | undefined;
  /** Removes it (the SQLite file, or the schema with everything in it). */
  drop(): Promise<void>;
}

/** A new empty database: a SQLite file in a temporary folder, or a PostgreSQL schema (created at migration). */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-db-'));
    return { engine, url: `sqlite:${path.join(dir, 'friend-pay.sqlite')}`, schema: undefined, drop: () => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })) };
  }
  const pool = await postgresAdmin();
  const schema = newSchemaName();
  return {
    engine,
    url: `${POSTGRES_URL}?schema=${schema}`,
    schema,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

/** Replaces `close` of `store` so it runs `after` once the store is closed. */
function closingAlso(store: Store, after: () => Promise<void>): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'close') {
        return async () => {
          await target.close();
          await after();
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      // Bound to the store itself: its private fields do not exist on the proxy.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A new, not yet migrated store on its own database; closing it drops the database. */
export async function openTestStore(engine: Engine): Promise<Store> {
  if (engine === 'sqlite') return openSqliteStore(':memory:');
  const database = await createTestDatabase('postgres');
  return closingAlso(openPostgresStore({ url: database.url }), () => database.drop());
}

/** A second store on the database of `database` (for races between two instances). */
export function openStoreOn(database: TestDatabase): Store {
  if (database.engine === 'sqlite') return openSqliteStore(database.url.slice('sqlite:'.length));
  return openPostgresStore({ url: database.url });
}
