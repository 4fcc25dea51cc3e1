/**
 * The sandbox clock's move, kept across restarts: rows written after `POST /sandbox/clock` carry
 * times in the moved clock's future, so a restart that forgot the move would find links created
 * "tomorrow" and expiring days later. The offset is kept in DATA_DIR/sandbox-clock.json with the
 * database it belongs to, and applied again only to that database (never to an in-memory one).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AdjustableClock } from '../../clock';
import type { DatabaseConfig } from '../../config/config';

/** The file, in the data folder. */
export function sandboxClockFile(dataDir: string): string {
  return path.join(dataDir, 'sandbox-clock.json');
}

/** Names a database without its password: what the offset belongs to; undefined for one that dies with the process. */
export function databaseIdentity(database: DatabaseConfig): string | undefined {
  if (database.engine === 'sqlite') return database.file === ':memory:' ? undefined : `sqlite:${database.file}`;
  const url = new URL(database.url);
  url.password = '';
  return url.toString();
}

/** Moves `clock` as far as it was moved last time on this database; returns that offset in ms (0 when none). */
export function restoreSandboxClock(clock: AdjustableClock, dataDir: string, database: DatabaseConfig): number {
  const identity = databaseIdentity(database);
  const file = sandboxClockFile(dataDir);
  if (identity === undefined || !fs.existsSync(file)) return 0;
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { database?: unknown; offset_ms?: unknown };
    if (saved.database !== identity || typeof saved.offset_ms !== 'number' || !(saved.offset_ms > 0)) return 0;
    clock.advance(saved.offset_ms / 1000);
    return clock.offsetMs;
  } catch {
    return 0;
  }
}

/** Writes the clock's offset for this database (nothing for an in-memory one). */
export function saveSandboxClock(clock: AdjustableClock, dataDir: string, database: DatabaseConfig): void {
  const identity = databaseIdentity(database);
  if (identity === undefined) return;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(sandboxClockFile(dataDir), `${JSON.stringify({ database: identity, offset_ms: clock.offsetMs })}\n`);
}
