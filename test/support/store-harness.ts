// What every store contract test opens: migrated stores on databases of their own, or several
// stores on one database as several server instances would be; all closed and dropped after each test.
import { afterEach } from 'vitest';
import type { Store } from '../../server/src/store/store';
import { createTestDatabase, openStoreOn, openTestStore, type Engine, type TestDatabase } from './test-database';

export interface StoreHarness {
  /** One migrated store on a database of its own. */
  openStore: () => Promise<Store>;
  /** `count` migrated stores on one database, as `count` server instances would be. */
  openInstances: (count: number) => Promise<Store[]>;
}

/** Call inside a `describe`: registers the `afterEach` that closes and drops what the test opened. */
export function storeHarness(engine: Engine): StoreHarness {
  const stores: Store[] = [];
  const databases: TestDatabase[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const database of databases.splice(0)) await database.drop();
  });
  return {
    async openStore() {
      const store = await openTestStore(engine);
      stores.push(store);
      await store.migrate();
      return store;
    },
    async openInstances(count) {
      const database = await createTestDatabase(engine);
      databases.push(database);
      const opened = Array.from({ length: count }, () => openStoreOn(database));
      stores.push(...opened);
      for (const store of opened) await store.migrate();
      return opened;
    },
  };
}
