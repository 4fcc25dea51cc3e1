/**
 * Puts a database's files back in the OS page cache before a scenario runs. The machines here
 * reclaim memory nobody touched for about a minute (DAMON `pageout` of regions idle for 12 × 5 s,
 * /sys/kernel/mm/damon/admin), and a round passes more than a minute between two runs on the same
 * server. Without this, the million-link runs began by reading their pages back from disk and
 * measured the host's reclaim instead of the database's size (1M ÷ 1k fell from about 1.0 to
 * 0.78 in a full run while a run of the two alone gave 0.98).
 */
import fs from 'node:fs';
import pg from 'pg';
import { postgresTarget } from './seed';

/** Reads `file` (if it exists) from start to end, discarding what it reads. */
function readThrough(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return 0;
  }
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  let total = 0;
  try {
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) total += n;
  } finally {
    fs.closeSync(fd);
  }
  return total;
}

/** A SQLite database (`sqlite:<file>`) with its WAL. Returns the bytes read. */
function warmSqlite(file: string): number {
  return readThrough(file) + readThrough(`${file}-wal`);
}

/**
 * A PostgreSQL schema's tables and indexes (`...?schema=name`), read from the data directory
 * (the bench runs as root on the database's machine; elsewhere nothing is read). Returns the bytes read.
 */
async function warmPostgres(url: string): Promise<number> {
  const { connectionString, schema } = postgresTarget(url);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const directory = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]?.data_directory;
    const files = await client.query<{ path: string }>(
      `SELECT pg_relation_filepath(c.oid) AS path FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'i', 't') AND pg_relation_filepath(c.oid) IS NOT NULL`,
      [schema],
    );
    if (directory === undefined) return 0;
    let total = 0;
    for (const { path } of files.rows) {
      // Relations over 1 GiB continue in `<path>.1`, `<path>.2`, ...
      for (let segment = 0; ; segment++) {
        const read = readThrough(`${directory}/${path}${segment === 0 ? '' : `.${segment}`}`);
        if (read === 0) break;
        total += read;
      }
    }
    return total;
  } finally {
    await client.end();
  }
}

/** Reads the files of the database at `url` (`sqlite:` or `postgres://`) into the page cache. */
export async function warmPageCache(url: string): Promise<number> {
  if (url.startsWith('sqlite:')) return warmSqlite(url.slice('sqlite:'.length));
  if (url.startsWith('postgres')) return warmPostgres(url);
  return 0;
}
