/** Opens the store engine a configuration names. */
import type { DatabaseConfig } from '../config/config';
import { openSqliteStore } from './sqlite/sqlite-store';
import type { Store } from './store';

/** The store for `database` (not yet migrated). */
export async function openStore(database: DatabaseConfig): Promise<Store> {
  if (database.engine === 'sqlite') return openSqliteStore(database.file);
  throw new Error('The PostgreSQL engine is not built yet (issue 6); use DATABASE_URL=sqlite:./data/friend-pay.sqlite');
}
