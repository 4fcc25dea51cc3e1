/** Opens the store engine a configuration names. */
import type { DatabaseConfig } from '../config/config';
import { openPostgresStore } from './postgres/postgres-store';
import { openSqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/**
 * The store for `database` (not yet migrated). A `postgres://` URL may name the schema of the
 * tables with `?schema=name` (created at migration if missing); without it, the role's
 * search_path decides (usually `public`).
 */
export function openStore(database: DatabaseConfig): Promise<Store> {
  if (database.engine === 'sqlite') return settledOpen(() => openSqliteStore(database.file));
  return settledOpen(() => openPostgresStore({ url: database.url }));
}

/** Opening SQLite is synchronous; a failure (bad path, locked file) still arrives as a rejection. */
function settledOpen(open: () => Store): Promise<Store> {
  try {
    return Promise.resolve(open());
  } catch (error: unknown) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
