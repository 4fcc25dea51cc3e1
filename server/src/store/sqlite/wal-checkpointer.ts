/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * takes the WAL past 1,000 pages: that commit copies the pages into the database file and fsyncs
 * it on the thread that answers requests. Under a stream of payment notifications the bench saw
 * one commit in five take over a millisecond and some 100–400 ms, every request waiting behind them.
 *
 * So the serving connection turns the automatic checkpoint off and a worker thread, with a
 * connection of its own, runs a PASSIVE checkpoint every `intervalMs`. PASSIVE never waits for
 * readers or the writer: it copies what it can. SQLite starts the WAL over when a write begins
 * after a checkpoint has copied the last page; under a stream of commits that moment never
 * comes (each checkpoint ends behind the commits made while it ran), and an ever longer WAL
 * makes every read search a longer index. So once the WAL is RESTART_PAGES long the worker asks
 * the store to hold its next write transaction (reads and everything else go on), copies the
 * rest, and the held write starts the WAL over.
 *
 * Commits are as durable as before (synchronous=NORMAL: every commit is in the WAL; a checkpoint
 * only moves pages into the file). If the worker cannot run, the connection goes back to
 * SQLite's automatic checkpoint, so the WAL never grows without bound.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the worker checkpoints: at a few thousand writes a second, a few hundred WAL pages each time. */
export const CHECKPOINT_INTERVAL_MS = 100;

/** WAL pages (16 MiB) past which the worker has the WAL start over. */
export const RESTART_PAGES = 4000;

/** How long a write may be held for the worker's catching up before it goes ahead anyway. */
const HOLD_LIMIT_MS = 2000;

/** SQLite's own default (pages), restored when the worker is gone. */
const AUTOMATIC_CHECKPOINT_PAGES = 1000;

/** How the checkpointer holds the store's writes back: `hold` settles once no write transaction is open. */
export interface WriteGate {
  hold(): Promise<void>;
  release(): void;
}

/**
 * The worker's program: plain CommonJS, so its thread needs no TypeScript loader. Messages:
 * `long` (to the store: the WAL needs to start over), `held` (from the store: no write is open
 * or will start), `caught-up` (to the store: every page is copied), `go-on` (from the store: a
 * transaction outlasted the hold, which ended without `held`; back to checkpointing and asking),
 * `stop` (from the store).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let asked = false;
const timer = setInterval(() => {
  if (asked) return;
  if (checkpoint.get().log >= workerData.restartPages) {
    asked = true;
    parentPort.postMessage('long');
  }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'go-on') {
    asked = false;
    return;
  }
  if (message === 'held') {
    try {
      checkpoint.get();
    } finally {
      asked = false;
      parentPort.postMessage('caught-up');
    }
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** A running checkpointer; `stop` ends it (before the store closes its connection). */
export interface WalCheckpointer {
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `db`'s file on a worker thread and turns off `db`'s automatic checkpoint.
 * Should the worker fail (a checkpoint error, a thread that cannot start), `db` checkpoints
 * automatically again.
 */
export function startWalCheckpointer(db: Database.Database, gate: WriteGate, intervalMs = CHECKPOINT_INTERVAL_MS): WalCheckpointer {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver: require.resolve('better-sqlite3'), file: db.name, intervalMs, restartPages: RESTART_PAGES } });
  // A process that forgets to close its store still exits; a checkpoint cut short is safe (SQLite is crash-proof).
  worker.unref();
  let stopping = false;
  let holding: NodeJS.Timeout | undefined;
  const release = (): void => {
    if (holding === undefined) return;
    clearTimeout(holding);
    holding = undefined;
    gate.release();
  };
  worker.on('message', (message: unknown) => {
    if (message === 'caught-up') {
      release();
      return;
    }
    if (message !== 'long' || holding !== undefined || stopping) return;
    holding = setTimeout(() => {
      // The open transaction outlasted the hold: writes go on, and so must the worker, which
      // would otherwise wait for a `held` that no longer comes and never checkpoint again.
      release();
      worker.postMessage('go-on');
    }, HOLD_LIMIT_MS).unref();
    void gate.hold().then(() => {
      if (holding === undefined) return;
      worker.postMessage('held');
    });
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = (): void => {
    release();
    if (stopping || !db.open) return;
    db.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
  };
  worker.once('error', fallBack);
  worker.once('exit', fallBack);
  db.pragma('wal_autocheckpoint = 0');
  return {
    async stop(): Promise<void> {
      stopping = true;
      release();
      // Held until it has closed its connection: an unreferenced worker would let the process exit first.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
