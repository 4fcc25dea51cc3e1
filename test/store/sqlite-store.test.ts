import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../server/src/store/sqlite/sqlite-store';

// What only the SQLite engine does; the contract both engines keep is in store.test.ts.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-store-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SQLite store', () => {
  it('creates its folder and file, and running the migrations twice changes nothing', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'fp.sqlite');
    const store = openSqliteStore(file);
    await store.migrate();
    await store.migrate();
    await store.close();
    expect(fs.existsSync(file)).toBe(true);
  });
});
