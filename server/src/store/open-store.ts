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
export async function openStore(database: DatabaseConfig): Promise<Store> {
  if (database.engine === 'sqlite') return openSqliteStore(database.file);
  return openPostgresStore({ url: database.url });
}
