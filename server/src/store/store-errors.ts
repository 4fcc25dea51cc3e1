/**
 * Which errors mean "the store is unavailable for now" (a 503 the client may retry) rather than a
 * bug (a 500): SQLite busy, read-only, out of disk or unopenable; PostgreSQL unreachable, shutting
 * down or out of connections.
 */
const sqliteUnavailable = /^SQLITE_(BUSY|LOCKED|READONLY|IOERR|FULL|CANTOPEN|PROTOCOL)/;
const networkUnavailable = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
/** PostgreSQL SQLSTATE classes 08 (connection) and 53 (resources), and 57P01-57P03 (shutdown). */
const postgresUnavailable = /^(08|53|57P0[123])/;

/** True when `error` says the store cannot be reached or written right now. */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (sqliteUnavailable.test(code) || networkUnavailable.has(code) || postgresUnavailable.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  // pg reports a dropped connection or a closed pool without a code.
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error/i.test(message);
}
