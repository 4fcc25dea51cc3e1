/**
 * The embedded SQLite engine (better-sqlite3, WAL). better-sqlite3 is synchronous, so each
 * method runs its whole transaction before returning: nothing else can interleave with it in
 * this process, and BEGIN IMMEDIATE makes other processes on the same file wait their turn.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  billReconciliationColumns,
  billReconciliationFromRow,
  eventFromRow,
  idempotencyFromRow,
  linkColumns,
  linkFromRow,
  orderColumns,
  orderFromRow,
  paymentColumns,
  paymentFromRow,
  refundColumns,
  refundFromRow,
  shopColumns,
  shopFromRow,
  toColumnValue,
  type ColumnMap,
  type Row,
} from '../columns';
import type {
  AccessTokenRecord,
  BillReconciliationRecord,
  EventRecord,
  FriendLinkView,
  IdempotencyRecord,
  LinkCodeRecord,
  LinkRecord,
  LinkUrlLinkRecord,
  LinkView,
  NewEvent,
  OrderRecord,
  PaymentRecord,
  RefundRecord,
  ShopRecord,
} from '../records';
import { accessTokenFromRow, linkCodeFromRow, linkUrlLinkFromRow } from '../wechat-rows';
import type { CardUpdateRecord, LinkActivityRecord, LinkLiveRecord, NewCardUpdate, SubscribeMessageRecord, SubscriptionKind, SubscriptionRecord } from '../records';
import {
  cardUpdateFromRow,
  linkActivityColumns,
  linkActivityFromRow,
  linkLiveColumns,
  linkLiveFromRow,
  subscribeMessageColumns,
  subscribeMessageFromRow,
  subscriptionColumns,
  subscriptionFromRow,
} from '../columns';
import type { IdempotencyClaim, LinkTransition, OrderListQuery, ShopperBinding, Store, StoreTx, UpsertOrderResult } from '../store';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer';
import { sqliteMigrations } from './migrations';
import { LINK_FIELDS, linkFromValues, num, ORDER_FIELDS, orderFromValues, PAYMENT_FIELDS, paymentFromValues, qualified, str } from './positional-rows';

/**
 * The friend view's join, read as one positional row (better-sqlite3 `raw`): building an object
 * with 28 keys per row cost about as much as the three index searches (27-34 vs 14-18 µs a read
 * in a loop). `linkViewFromValues` reads the columns in exactly this order.
 */
const LINK_VIEW_SQL = `SELECT ${qualified('l', LINK_FIELDS)}, ${qualified('o', ORDER_FIELDS)}, s.name, v.audience
  FROM links l JOIN orders o ON o.id = l.order_id JOIN shops s ON s.id = l.shop_id
  LEFT JOIN link_live v ON v.link_id = l.id
  WHERE l.id = ?`;
/** Where the shop's name and the link's audience sit in a row of LINK_VIEW_SQL. */
const VIEW_SHOP_NAME = LINK_FIELDS.length + ORDER_FIELDS.length;
const VIEW_AUDIENCE = VIEW_SHOP_NAME + 1;

/**
 * A payment with its order, its link, the link's shopper and how many other payments of the order
 * were paid: what a WeChat Pay success reads, in one positional row (getPaymentToSettle).
 */
const PAYMENT_TO_SETTLE_SQL = `SELECT ${qualified('p', PAYMENT_FIELDS)}, ${qualified('o', ORDER_FIELDS)}, ${qualified('l', LINK_FIELDS)}, v.shopper_openid,
  (SELECT COUNT(*) FROM payments q WHERE q.order_id = p.order_id AND q.paid_at IS NOT NULL AND q.id <> p.id)
  FROM payments p JOIN orders o ON o.id = p.order_id JOIN links l ON l.id = p.link_id
  LEFT JOIN link_live v ON v.link_id = p.link_id
  WHERE p.out_trade_no = ?`;
const SETTLE_ORDER_AT = PAYMENT_FIELDS.length;
const SETTLE_LINK_AT = SETTLE_ORDER_AT + ORDER_FIELDS.length;
const SETTLE_SHOPPER = SETTLE_LINK_AT + LINK_FIELDS.length;

const PAYMENT_LIST = PAYMENT_FIELDS.join(', ');
const ORDER_LIST = ORDER_FIELDS.join(', ');
const LINK_LIST = LINK_FIELDS.join(', ');

/** A `transaction` call waiting for its turn. */
interface PendingTransaction {
  work: (tx: StoreTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** The most transactions one commit takes: a bound on how long the first of them waits for its answer. */
const MAX_BATCH = 64;

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * A synchronous better-sqlite3 operation as the async Store method its interface asks for: a
 * throw becomes a rejected promise, exactly as it would in an `async` function.
 */
function settled<A extends unknown[], R>(work: (...args: A) => R): (...args: A) => Promise<Awaited<R>> {
  return (...args) => {
    try {
      return Promise.resolve<R>(work(...args));
    } catch (error: unknown) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
}

/** A row of LINK_VIEW_SQL as a LinkView (positional-rows.ts says why it is read by position). */
function linkViewFromValues(v: readonly unknown[]): LinkView {
  return { link: linkFromValues(v, 0), order: orderFromValues(v, LINK_FIELDS.length), shopName: String(v[VIEW_SHOP_NAME]) };
}

/**
 * Address space SQLite may map the database file into (capped at the build's SQLITE_MAX_MMAP_SIZE,
 * about 2 GiB). Reads of mapped pages are memory reads of the OS page cache, without a read() call
 * and a copy into SQLite's own 16 MB cache. With a million links the friend view's random reads
 * miss that cache nearly every time; mapping saved about a sixth of its server CPU per request in
 * the benchmark (bench/README.md). It is address space, not memory: untouched pages cost nothing.
 */
const MMAP_BYTES = 2 * 1024 ** 3;

/** Opens (creating the folder and file if needed) a SQLite store. Call `migrate()` before use. */
export function openSqliteStore(file: string, options: { busyTimeoutMs?: number } = {}): SqliteStore {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`mmap_size = ${MMAP_BYTES}`);
  // How long a write waits for another process's lock before the request gets 503.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  // Savepoint journals (every transaction of a group commit is a savepoint) in memory: on disk,
  // each savepoint opened a temporary file and wrote every page it touched there first, about 30
  // write() calls per payment notification.
  db.pragma('temp_store = MEMORY');
  return new SqliteStore(db, { checkpointInBackground: file !== ':memory:' });
}

/** The SQLite engine of the store: every feature's part (shops, orders, links, ...) on one file. */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  #statements = new Map<string, Database.Statement>();
  #rawStatements = new Map<string, Database.Statement>();
  /** Conditional updates' statements by the shape of their patch (conditionalUpdate). */
  #updates = new Map<string, Database.Statement>();
  /** `transaction` calls not yet started, in the order they were made. */
  #pending: PendingTransaction[] = [];
  /** True between BEGIN and COMMIT of a batch of `transaction` callbacks, which may await between statements. */
  #inTransaction = false;
  /** Settles when the open batch has committed or rolled back. */
  #batchEnded: Promise<void> = Promise.resolve();
  #totalChanges: Database.Statement | undefined;
  /** How many of the first queued callbacks are a rolled-back batch, to run again each in a savepoint. */
  #carefulCount = 0;
  /** True while the WAL checkpointer catches up (wal-checkpointer.ts): no batch begins until it has. */
  #writesHeld = false;
  readonly #checkpointer: WalCheckpointer | undefined;
  readonly #tx: StoreTx;

  /** `checkpointInBackground`: WAL checkpoints on a worker thread rather than inside commits (a file database). */
  constructor(
    private readonly db: Database.Database,
    options: { checkpointInBackground?: boolean } = {},
  ) {
    this.#tx = this.createTx();
    this.#checkpointer = options.checkpointInBackground ? startWalCheckpointer(db, { hold: () => this.#holdWrites(), release: () => this.#releaseWrites() }) : undefined;
  }

  #holdWrites(): Promise<void> {
    this.#writesHeld = true;
    return this.#inTransaction ? this.#batchEnded : Promise.resolve();
  }

  #releaseWrites(): void {
    this.#writesHeld = false;
    this.#runBatch();
  }

  /**
   * Runs `work` once no `transaction` is open: every method other than `transaction` (and
   * `migrate`, `close`) goes through here, since a statement run while a transaction's callback
   * is suspended would become part of that transaction. The test and `work` run in one
   * synchronous stretch, so nothing can open a transaction between them; outside transactions
   * the test is all it costs.
   */
  async #whenIdle<T>(work: () => T): Promise<T> {
    while (this.#inTransaction) await this.#batchEnded;
    return work();
  }

  /**
   * Group commit: transactions run one after another, as before, but those that queue up while
   * one runs, or arrive in the same turn of the event loop (concurrent notifications, payments),
   * share one BEGIN IMMEDIATE ... COMMIT. Each is atomic and sees the writes of those before it,
   * exactly as when run alone, and no caller hears of its result before the COMMIT that makes it
   * durable. Saves a commit (and the WAL write of pages the batch's transactions share) per
   * transaction but one.
   *
   * No savepoint per transaction: a savepoint copies every page its transaction first touches
   * into a journal, which cost a payment notification about a tenth of its server time
   * (bench/README.md, eleventh pass). A callback that throws having written nothing (a refusal:
   * link busy, nothing to refund) leaves nothing to undo and the batch goes on. One that throws
   * after writing cannot be undone alone, so the whole batch is rolled back and run again from
   * its first transaction, this time each in a savepoint (`#carefulCount`): callbacks may run
   * twice, which the Store contract allows (no effect outside `tx`).
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#inTransaction) this.#runBatch();
    });
  }

  #runBatch(): void {
    const first = this.#pending[0];
    if (first === undefined || this.#inTransaction || this.#writesHeld) return;
    try {
      this.sql('BEGIN IMMEDIATE').run();
    } catch (error: unknown) {
      // The write lock could not be had (another process held it past busy_timeout): this one fails, the next tries again.
      this.#pending.shift();
      this.#carefulCount = Math.max(0, this.#carefulCount - 1);
      first.reject(asError(error));
      queueMicrotask(() => this.#runBatch());
      return;
    }
    this.#inTransaction = true;
    let endBatch!: () => void;
    this.#batchEnded = new Promise<void>((resolve) => (endBatch = resolve));
    const careful = this.#carefulCount;
    this.#carefulCount = 0;
    void (careful > 0 ? this.#fillCarefully(careful) : this.#fillBatch()).finally(() => {
      this.#inTransaction = false;
      endBatch();
      // Reads that waited for this batch were queued by endBatch(), so they run before the next batch begins.
      if (this.#pending.length > 0) queueMicrotask(() => this.#runBatch());
    });
  }

  /** Rows changed by this connection's statements so far (not by triggers): whether a callback wrote anything. */
  #changes(): number {
    this.#totalChanges ??= this.db.prepare('SELECT total_changes()').pluck();
    return this.#totalChanges.get() as number;
  }

  /** Runs queued callbacks in the open transaction until none is left (or the batch is full), then commits. */
  async #fillBatch(): Promise<void> {
    const ran: PendingTransaction[] = [];
    const done: { item: PendingTransaction; value: unknown }[] = [];
    const refused: { item: PendingTransaction; error: Error }[] = [];
    let waited = false;
    let changes = this.#changes();
    for (let count = 0; count < MAX_BATCH; count++) {
      if (this.#pending.length === 0) {
        // A callback that awaits only the store runs to its end within one turn of the event loop,
        // so the requests that arrived in the same turn have not called `transaction` yet. Wait
        // once, to the end of this turn (the I/O of every request ready now is handled first), and
        // take those too: one commit for all of them.
        if (waited) break;
        waited = true;
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.#pending.length === 0) break;
      }
      const item = this.#pending.shift()!;
      ran.push(item);
      try {
        done.push({ item, value: await item.work(this.#tx) });
      } catch (error: unknown) {
        if (this.db.inTransaction && this.#changes() === changes) {
          refused.push({ item, error: asError(error) });
          continue;
        }
        // Writes of its own that only undoing the whole batch takes back: all of it runs again,
        // carefully, and nobody has heard anything yet (a refusal too may rest on what is undone).
        this.#rollBack();
        this.#pending.unshift(...ran);
        this.#carefulCount = ran.length;
        return;
      }
      changes = this.#changes();
    }
    this.#commit(done, refused);
  }

  /**
   * Runs the first `count` queued callbacks, a rolled-back batch, each in a savepoint of its own:
   * one that throws loses its writes only, the others keep theirs. Then commits.
   */
  async #fillCarefully(count: number): Promise<void> {
    const done: { item: PendingTransaction; value: unknown }[] = [];
    const failed: { item: PendingTransaction; error: Error }[] = [];
    for (let taken = 0; taken < count && this.#pending.length > 0; taken++) {
      const item = this.#pending.shift()!;
      let value: unknown;
      try {
        this.sql('SAVEPOINT tx').run();
        value = await item.work(this.#tx);
        this.sql('RELEASE tx').run();
      } catch (error: unknown) {
        failed.push({ item, error: asError(error) });
        try {
          if (!this.db.inTransaction) throw asError(error);
          this.sql('ROLLBACK TO tx').run();
          this.sql('RELEASE tx').run();
        } catch (undone: unknown) {
          // SQLite rolled the whole transaction back (e.g. disk full): the batch's earlier writes are gone too.
          const lost = new Error(`SQLite rolled back the transaction: ${asError(undone).message}`);
          this.#rollBack();
          for (const { item: failedItem, error: its } of failed) failedItem.reject(its);
          for (const { item: earlier } of done) earlier.reject(lost);
          return;
        }
        continue;
      }
      done.push({ item, value });
    }
    this.#commit(done, failed);
  }

  /** Ends the open transaction without keeping anything (nothing to end when SQLite already rolled it back or the connection is gone). */
  #rollBack(): void {
    try {
      if (this.db.inTransaction) this.sql('ROLLBACK').run();
    } catch {
      // A closed connection committed nothing.
    }
  }

  /** Commits the open batch, then answers: `done` with its value (or the commit's failure), `failed` with its error. */
  #commit(done: readonly { item: PendingTransaction; value: unknown }[], failed: readonly { item: PendingTransaction; error: Error }[]): void {
    let lost: Error | undefined;
    try {
      this.sql('COMMIT').run();
    } catch (error: unknown) {
      lost = asError(error);
      this.#rollBack();
    }
    for (const { item, error } of failed) item.reject(error);
    for (const { item, value } of done) {
      if (lost === undefined) item.resolve(value);
      else item.reject(lost);
    }
  }

  migrate(): Promise<void> {
    return settled(() => this.#migrateNow())();
  }

  #migrateNow(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    // A migration that rebuilds a table drops the old one while other tables still point at it:
    // SQLite's documented way is foreign keys off (a pragma that only works outside a
    // transaction), the rebuild, then foreign_key_check before committing.
    this.db.pragma('foreign_keys = OFF');
    try {
      this.write(() => {
        const applied = new Set(
          (this.db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((row) => num(row.version)),
        );
        for (const migration of sqliteMigrations) {
          if (applied.has(migration.version)) continue;
          this.db.exec(migration.sql);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(migration.version, migration.name, Date.now());
        }
        const broken = this.db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`migrations left ${broken.length} rows pointing at nothing: ${JSON.stringify(broken.slice(0, 3))}`);
      });
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }

  ping(): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    // The checkpointer first: it lets go of any writes it was holding back, and its connection
    // closes before this one, which as the last leaves no WAL behind.
    await this.#checkpointer?.stop();
    // A batch may be waiting for the end of the event loop's turn before it commits, and others
    // may be queued behind it: let them all run.
    while (this.#inTransaction || this.#pending.length > 0) {
      if (this.#inTransaction) await this.#batchEnded;
      else this.#runBatch();
    }
    return settled(() => {
      this.#statements.clear();
      this.#rawStatements.clear();
      this.#updates.clear();
      this.db.close();
    })();
  }

  /** A prepared statement, compiled once and reused: the hot paths never re-parse SQL. */
  private sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  /** As `sql`, returning rows positionally (arrays, not objects): compiled and cached apart from the object form. */
  private rawSql(text: string): Database.Statement {
    // A map of its own rather than a prefixed key: a key built per call is a new string to hash
    // (the settlement's read is a kilobyte of SQL), where `text`, a constant, keeps its hash.
    let statement = this.#rawStatements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text).raw(true);
      this.#rawStatements.set(text, statement);
    }
    return statement;
  }

  /** Runs `work` in a BEGIN IMMEDIATE transaction (takes the write lock up front, so no upgrade deadlock). */
  private write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /**
   * A conditional UPDATE of the patched fields of one row, applied only while its status is one of
   * `onlyIf`, returning nothing, the row as an object (`*`) or positionally (`fields`): its
   * statement (one per shape of patch, compiled once) and values. The statement is found by a
   * short key of the shape, not by its SQL: a text built per call is a new string to hash.
   */
  private conditionalUpdate<T extends object>(table: string, columns: ColumnMap<T>, id: string, patch: Partial<T>, onlyIf: readonly string[], returning: { fields: string; raw: boolean } | undefined): { statement: Database.Statement; params: unknown[] } {
    const keys = (Object.keys(patch) as (keyof T & string)[]).filter((key) => key in columns);
    if (keys.length === 0) throw new Error(`empty update of ${table}`);
    const shape = `${table}|${keys.join(',')}|${onlyIf.length}|${returning === undefined ? '' : returning.raw ? 'values' : returning.fields}`;
    let statement = this.#updates.get(shape);
    if (statement === undefined) {
      const sets = keys.map((key) => `${columns[key].column} = ?`).join(', ');
      const statuses = onlyIf.map(() => '?').join(', ');
      const text = `UPDATE ${table} SET ${sets} WHERE id = ? AND status IN (${statuses})${returning === undefined ? '' : ` RETURNING ${returning.fields}`}`;
      statement = returning?.raw === true ? this.rawSql(text) : this.sql(text);
      this.#updates.set(shape, statement);
    }
    return { statement, params: [...keys.map((key) => toColumnValue(columns[key], patch[key])), id, ...onlyIf] };
  }

  /** A conditional UPDATE (`conditionalUpdate`), returning the row as an object. */
  private update<T extends object>(table: string, columns: ColumnMap<T>, id: string, patch: Partial<T>, onlyIf: readonly string[]): Row | undefined {
    const { statement, params } = this.conditionalUpdate(table, columns, id, patch, onlyIf, { fields: '*', raw: false });
    return statement.get(...params) as Row | undefined;
  }

  /** As `update`, for a hot table: the row comes back positionally, as `fields` (the table's own list, one per table) lists its columns. */
  private updateValues<T extends object>(table: string, columns: ColumnMap<T>, fields: string, id: string, patch: Partial<T>, onlyIf: readonly string[]): unknown[] | undefined {
    const { statement, params } = this.conditionalUpdate(table, columns, id, patch, onlyIf, { fields, raw: true });
    return statement.get(...params) as unknown[] | undefined;
  }

  /**
   * As `update`, for a row this transaction has read (`current`): the record as updated is made
   * from `current` and `patch` rather than read back. RETURNING the row cost a hot UPDATE about
   * half again its own time; the transaction holds the write lock, so nothing else changed it.
   */
  private updateFrom<T extends { id: string }>(table: string, columns: ColumnMap<T>, current: T, patch: Partial<T>, onlyIf: readonly string[]): T | undefined {
    const { statement, params } = this.conditionalUpdate(table, columns, current.id, patch, onlyIf, undefined);
    return statement.run(...params).changes === 1 ? Object.assign({}, current, patch) : undefined;
  }

  /** A positional read of one row of a hot table (`…FromValues` maps it). */
  private values(text: string, ...params: unknown[]): unknown[] | undefined {
    return this.rawSql(text).get(...params) as unknown[] | undefined;
  }

  /** Inserts every column of `record` into `table`. */
  private insertRow<T extends object>(table: string, columns: ColumnMap<T>, record: T): void {
    const keys = Object.keys(columns) as (keyof T & string)[];
    this.sql(`INSERT INTO ${table} (${keys.map((key) => columns[key].column).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`)
      .run(...keys.map((key) => toColumnValue(columns[key], record[key])));
  }

  /** The operations of `transaction`'s callback: statements run directly, inside the open transaction. */
  private createTx(): StoreTx {
    const refund = (row: Row | undefined) => (row === undefined ? undefined : refundFromRow(row));
    return {
      // Shops
      getShop: settled((id) => {
        const row = this.sql('SELECT * FROM shops WHERE id = ?').get(id) as Row | undefined;
        return row && shopFromRow(row);
      }),

      // Orders
      getOrder: settled((id) => {
        const values = this.values(`SELECT ${ORDER_LIST} FROM orders WHERE id = ?`, id);
        return values && orderFromValues(values);
      }),
      updateOrderFrom: settled((current, patch, onlyIf) => this.updateFrom('orders', orderColumns, current, patch, onlyIf)),
      updatePaymentFrom: settled((current, patch, onlyIf) => this.updateFrom('payments', paymentColumns, current, patch, onlyIf)),
      updateOrder: settled((id, patch, onlyIf) => {
        const values = this.updateValues('orders', orderColumns, ORDER_LIST, id, patch, onlyIf);
        return values && orderFromValues(values);
      }),

      // Links
      getLink: settled((id) => {
        const values = this.values(`SELECT ${LINK_LIST} FROM links WHERE id = ?`, id);
        return values && linkFromValues(values);
      }),
      updateLink: settled((id, patch, onlyIf) => {
        const values = this.updateValues('links', linkColumns, LINK_LIST, id, patch, onlyIf);
        return values && linkFromValues(values);
      }),
      endLinksOfPaidOrder: settled((orderId, paidLinkId, at) => {
        this.sql(`UPDATE links SET status = CASE WHEN id = ? THEN 'paid' ELSE 'void' END, closed_at = ?
          WHERE order_id = ? AND (status = 'active' OR (id = ? AND status = 'expired'))`).run(paidLinkId, at, orderId, paidLinkId);
      }),
      voidActiveLinks: settled((orderId, at, exceptLinkId) =>
        (this.sql("UPDATE links SET status = 'void', closed_at = ? WHERE order_id = ? AND status = 'active' AND id <> ? RETURNING *").all(at, orderId, exceptLinkId ?? '') as Row[]).map(linkFromRow)),

      // Payments
      getPayment: settled((id) => this.payment(`SELECT ${PAYMENT_LIST} FROM payments WHERE id = ?`, id)),
      getPaymentByOutTradeNo: settled((outTradeNo) => this.payment(`SELECT ${PAYMENT_LIST} FROM payments WHERE out_trade_no = ?`, outTradeNo)),
      getPaymentToSettle: settled((outTradeNo) => {
        const v = this.values(PAYMENT_TO_SETTLE_SQL, outTradeNo);
        if (v === undefined) return undefined;
        return {
          payment: paymentFromValues(v, 0),
          order: orderFromValues(v, SETTLE_ORDER_AT),
          link: linkFromValues(v, SETTLE_LINK_AT),
          shopperOpenid: typeof v[SETTLE_SHOPPER] === 'string' ? v[SETTLE_SHOPPER] : null,
          otherPaidPayments: Number(v[SETTLE_SHOPPER + 1]),
        };
      }),
      findPaymentByIdempotencyKey: settled((payerOpenid, key) =>
        this.payment(`SELECT ${PAYMENT_LIST} FROM payments WHERE payer_openid = ? AND idempotency_key = ?`, payerOpenid, key)),
      listPaymentsOfOrder: settled((orderId) => this.paymentsOfOrder(orderId)),
      insertPayment: settled((record) => this.insertRow('payments', paymentColumns, record)),
      updatePayment: settled((id, patch, onlyIf) => {
        const values = this.updateValues('payments', paymentColumns, PAYMENT_LIST, id, patch, onlyIf);
        return values && paymentFromValues(values);
      }),
      recordNotification: settled((id, type, at) =>
        this.sql('INSERT INTO wechatpay_notifications (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, type, at).changes === 1),

      // Refunds
      insertRefund: settled((record) => this.insertRow('refunds', refundColumns, record)),
      getRefundByOutRefundNo: settled((outRefundNo) => refund(this.sql('SELECT * FROM refunds WHERE out_refund_no = ?').get(outRefundNo) as Row | undefined)),
      updateRefund: settled((id, patch, onlyIf) => refund(this.update('refunds', refundColumns, id, patch, onlyIf))),
      listRefundsOfOrder: settled((orderId) => this.refundsOfOrder(orderId)),

      // Webhook events
      insertEvent: settled((event) => this.insertEvent(event)),

      // Live status in the chat
      getLinkLive: settled((linkId) => this.linkLive(linkId)),
      listLiveActivities: settled((linkId, now) =>
        (this.sql('SELECT * FROM link_activities WHERE link_id = ? AND expires_at > ? ORDER BY created_at, activity_id').all(linkId, now) as Row[]).map(linkActivityFromRow)),
      insertCardUpdate: settled((update) => this.insertCardUpdate(update)),
      takeSubscription: settled((linkId, openid, kind, at) => this.takeSubscription(linkId, openid, kind, at)),
      insertSubscribeMessage: settled((record) => this.insertRow('subscribe_messages', subscribeMessageColumns, record)),
      markExpiryWarned: settled((linkId, at) =>
        this.sql('UPDATE link_live SET expiring_notice_at = ? WHERE link_id = ? AND expiring_notice_at IS NULL').run(at, linkId).changes === 1),
    };
  }

  // Shops

  insertShop(shop: ShopRecord): Promise<void> {
    return this.#whenIdle(() => this.insertRow('shops', shopColumns, shop));
  }

  findShopByApiKeyHash(apiKeyHash: string): Promise<ShopRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM shops WHERE api_key_hash = ?').get(apiKeyHash) as Row | undefined;
      return row && shopFromRow(row);
    });
  }

  getShop(id: string): Promise<ShopRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM shops WHERE id = ?').get(id) as Row | undefined;
      return row && shopFromRow(row);
    });
  }

  setShopWebhookUrl(id: string, webhookUrl: string | null): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE shops SET webhook_url = ? WHERE id = ?').run(webhookUrl, id);
    });
  }

  updateShopMerchant(id: string, subMchId: string | null, subAppId: string | null): Promise<ShopRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('UPDATE shops SET sub_mchid = ?, sub_appid = ? WHERE id = ? RETURNING *').get(subMchId, subAppId, id) as Row | undefined;
      return row && shopFromRow(row);
    });
  }

  listShopsBySubMchId(subMchId: string): Promise<ShopRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM shops WHERE sub_mchid = ? ORDER BY created_at, id').all(subMchId) as Row[]).map(shopFromRow));
  }

  // Orders

  listOrdersOfShop(shopId: string, query: OrderListQuery): Promise<OrderRecord[]> {
    return this.#whenIdle(() => {
      const before = query.before;
      const rows = this.sql(
        `SELECT * FROM orders WHERE shop_id = ?
           AND (? IS NULL OR status = ?)
           AND (? IS NULL OR created_at < ? OR (created_at = ? AND id < ?))
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      ).all(shopId, query.status ?? null, query.status ?? null, before?.createdAt ?? null, before?.createdAt ?? null, before?.createdAt ?? null, before?.id ?? null, query.limit) as Row[];
      return rows.map(orderFromRow);
    });
  }

  upsertOrder(order: OrderRecord): Promise<UpsertOrderResult> {
    return this.#whenIdle(() => this.write((): UpsertOrderResult => {
      const existing = this.sql('SELECT * FROM orders WHERE shop_id = ? AND shop_order_id = ?').get(order.shopId, order.shopOrderId) as Row | undefined;
      if (existing !== undefined) {
        const stored = orderFromRow(existing);
        return { outcome: stored.fingerprint === order.fingerprint ? 'identical' : 'conflict', order: stored };
      }
      this.insertRow('orders', orderColumns, order);
      return { outcome: 'created', order };
    }));
  }

  getOrder(id: string): Promise<OrderRecord | undefined> {
    return this.#whenIdle(() => {
      const values = this.values(`SELECT ${ORDER_LIST} FROM orders WHERE id = ?`, id);
      return values && orderFromValues(values);
    });
  }

  findOrderByShopOrderId(shopId: string, shopOrderId: string): Promise<OrderRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM orders WHERE shop_id = ? AND shop_order_id = ?').get(shopId, shopOrderId) as Row | undefined;
      return row && orderFromRow(row);
    });
  }

  closeOverdueOrder(id: string, now: number): Promise<OrderRecord | undefined> {
    return this.#whenIdle(() => this.write(() => {
      const row = this.sql(
        "UPDATE orders SET status = 'closed', updated_at = ? WHERE id = ? AND status = 'pending' AND pay_deadline <= ? RETURNING *",
      ).get(now, id, now) as Row | undefined;
      if (row === undefined) return undefined;
      this.voidActiveLinks(id, now);
      return orderFromRow(row);
    }));
  }

  closeOverdueOrders(now: number, limit: number): Promise<number> {
    return this.#whenIdle(() => this.write(() => {
      const rows = this.sql(
        `UPDATE orders SET status = 'closed', updated_at = ?
         WHERE id IN (SELECT id FROM orders WHERE status = 'pending' AND pay_deadline <= ? LIMIT ?) AND status = 'pending'
         RETURNING id`,
      ).all(now, now, limit) as Row[];
      for (const row of rows) this.voidActiveLinks(str(row.id), now);
      return rows.length;
    }));
  }

  /** Voids the order's active links; inside a transaction. */
  private voidActiveLinks(orderId: string, at: number): LinkRecord[] {
    const rows = this.sql("UPDATE links SET status = 'void', closed_at = ? WHERE order_id = ? AND status = 'active' RETURNING *").all(at, orderId) as Row[];
    return rows.map(linkFromRow);
  }

  // Links

  insertLink(link: LinkRecord): Promise<void> {
    return this.#whenIdle(() => this.insertRow('links', linkColumns, link));
  }

  getLink(id: string): Promise<LinkRecord | undefined> {
    return this.#whenIdle(() => {
      const values = this.values(`SELECT ${LINK_LIST} FROM links WHERE id = ?`, id);
      return values && linkFromValues(values);
    });
  }

  listLinksOfOrder(orderId: string): Promise<LinkRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM links WHERE order_id = ? ORDER BY created_at, id').all(orderId) as Row[]).map(linkFromRow));
  }

  getLinkView(id: string): Promise<LinkView | undefined> {
    return this.#whenIdle(() => {
      const values = this.linkViewValues(id);
      return values && linkViewFromValues(values);
    });
  }

  getFriendLinkView(id: string): Promise<FriendLinkView | undefined> {
    return this.#whenIdle(() => {
      const values = this.linkViewValues(id);
      if (values === undefined) return undefined;
      const { link, order, shopName } = linkViewFromValues(values);
      // The link's audience rides in the same row (no link_live row: issued before audiences, `group`).
      // Written out, not `{ ...view, audience, payments }` (the lint rule's reason, eslint.config.mjs).
      return { link, order, shopName, audience: values[VIEW_AUDIENCE] === 'private' ? 'private' : 'group', payments: this.paymentsOfOrder(order.id) };
    });
  }

  private linkViewValues(id: string): unknown[] | undefined {
    return this.rawSql(LINK_VIEW_SQL).get(id) as unknown[] | undefined;
  }

  transitionLink(change: LinkTransition): Promise<LinkRecord | undefined> {
    return this.#whenIdle(() => this.write(() => {
      const placeholders = change.from.map(() => '?').join(', ');
      const row = this.sql(`UPDATE links SET status = ?, closed_at = ? WHERE id = ? AND status IN (${placeholders}) RETURNING *`)
        .get(change.to, change.at, change.id, ...change.from) as Row | undefined;
      if (row === undefined) return undefined;
      if (change.event) this.insertEvent(change.event);
      return linkFromRow(row);
    }));
  }

  expireDueLinks(now: number, limit: number, eventFor: (link: LinkRecord) => NewEvent): Promise<LinkRecord[]> {
    return this.#whenIdle(() => this.write(() => {
      const rows = this.sql(
        `UPDATE links SET status = 'expired', closed_at = ?
         WHERE id IN (SELECT id FROM links WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?)
           AND status = 'active'
         RETURNING *`,
      ).all(now, now, limit) as Row[];
      const links = rows.map(linkFromRow);
      for (const link of links) this.insertEvent(eventFor(link));
      return links;
    }));
  }

  // Payments

  private paymentsOfOrder(orderId: string): PaymentRecord[] {
    return (this.rawSql(`SELECT ${PAYMENT_LIST} FROM payments WHERE order_id = ? ORDER BY created_at, id`).all(orderId) as unknown[][]).map((values) => paymentFromValues(values));
  }

  private payment(text: string, ...params: unknown[]): PaymentRecord | undefined {
    const values = this.values(text, ...params);
    return values && paymentFromValues(values);
  }

  getPayment(id: string): Promise<PaymentRecord | undefined> {
    return this.#whenIdle(() => this.payment(`SELECT ${PAYMENT_LIST} FROM payments WHERE id = ?`, id));
  }

  listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]> {
    return this.#whenIdle(() => this.paymentsOfOrder(orderId));
  }

  listOpenPayments(createdBefore: number, limit: number): Promise<PaymentRecord[]> {
    return this.#whenIdle(() =>
      (this.sql("SELECT * FROM payments WHERE status = 'created' AND created_at <= ? ORDER BY COALESCE(checked_at, 0), created_at LIMIT ?").all(createdBefore, limit) as Row[])
        .map(paymentFromRow),
    );
  }

  attachPrepay(id: string, prepayId: string, requestPayment: NonNullable<PaymentRecord['requestPayment']>, at: number): Promise<PaymentRecord | undefined> {
    return this.#whenIdle(() => {
      const values = this.values(
        `UPDATE payments SET prepay_id = ?, request_payment_json = ?, updated_at = ? WHERE id = ? AND status = 'created' AND request_payment_json IS NULL RETURNING ${PAYMENT_LIST}`,
        prepayId, JSON.stringify(requestPayment), at, id,
      );
      return values === undefined ? this.payment(`SELECT ${PAYMENT_LIST} FROM payments WHERE id = ?`, id) : paymentFromValues(values);
    });
  }

  markPaymentChecked(id: string, at: number): Promise<void> {
    return this.#whenIdle(() => {
      this.sql("UPDATE payments SET checked_at = ? WHERE id = ? AND status = 'created'").run(at, id);
    });
  }

  // Refunds

  private refundsOfOrder(orderId: string): RefundRecord[] {
    return (this.sql('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, id').all(orderId) as Row[]).map(refundFromRow);
  }

  listRefundsOfOrder(orderId: string): Promise<RefundRecord[]> {
    return this.#whenIdle(() => this.refundsOfOrder(orderId));
  }

  getRefund(id: string): Promise<RefundRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM refunds WHERE id = ?').get(id) as Row | undefined;
      return row && refundFromRow(row);
    });
  }

  listRefundsOfPayment(paymentId: string): Promise<RefundRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM refunds WHERE payment_id = ? ORDER BY created_at, id').all(paymentId) as Row[]).map(refundFromRow));
  }

  listRefundsDue(now: number, limit: number): Promise<RefundRecord[]> {
    return this.#whenIdle(() =>
      (this.sql("SELECT * FROM refunds WHERE status IN ('pending', 'processing') AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?").all(now, limit) as Row[])
        .map(refundFromRow),
    );
  }

  // Webhook events

  /** Writes an event of the outbox, due at once; inside a transaction. */
  private insertEvent(event: NewEvent): void {
    this.sql(
      'INSERT INTO events (id, shop_id, type, payload_json, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(event.id, event.shopId, event.type, JSON.stringify(event.payload), event.createdAt, event.createdAt);
  }

  listEvents(shopId: string, limit: number): Promise<EventRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM events WHERE shop_id = ? ORDER BY created_at DESC, id LIMIT ?').all(shopId, limit) as Row[]).map(eventFromRow));
  }

  oldestUndeliveredEventAt(): Promise<number | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT MIN(created_at) AS oldest FROM events WHERE delivered_at IS NULL').get() as Row;
      return row.oldest === null ? undefined : num(row.oldest);
    });
  }

  claimDueEvents(now: number, limit: number, claimUntil: number): Promise<EventRecord[]> {
    return this.#whenIdle(() => this.write(() =>
      (this.sql(
        `UPDATE events SET next_attempt_at = ?
         WHERE id IN (SELECT id FROM events WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)
         RETURNING *`,
      ).all(claimUntil, now, limit) as Row[]).map(eventFromRow),
    ));
  }

  markEventDelivered(id: string, at: number): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE events SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND delivered_at IS NULL').run(at, id);
    });
  }

  markEventFailed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND delivered_at IS NULL').run(nextAttemptAt, error.slice(0, 500), id);
    });
  }

  markEventSkipped(id: string, at: number, reason: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE events SET delivered_at = ?, last_error = ? WHERE id = ? AND delivered_at IS NULL').run(at, reason.slice(0, 500), id);
    });
  }

  // Reconciliation with WeChat Pay's bills

  findPaymentByOutTradeNo(outTradeNo: string): Promise<PaymentRecord | undefined> {
    return this.#whenIdle(() => this.payment(`SELECT ${PAYMENT_LIST} FROM payments WHERE out_trade_no = ?`, outTradeNo));
  }

  findRefundByOutRefundNo(outRefundNo: string): Promise<RefundRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM refunds WHERE out_refund_no = ?').get(outRefundNo) as Row | undefined;
      return row && refundFromRow(row);
    });
  }

  listPaymentsPaidBetween(from: number, to: number): Promise<PaymentRecord[]> {
    return this.#whenIdle(() =>
      (this.sql('SELECT * FROM payments WHERE paid_at IS NOT NULL AND paid_at >= ? AND paid_at < ? ORDER BY paid_at, id').all(from, to) as Row[]).map(paymentFromRow));
  }

  listRefundsCreatedBetween(from: number, to: number): Promise<RefundRecord[]> {
    return this.#whenIdle(() =>
      (this.sql('SELECT * FROM refunds WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id').all(from, to) as Row[]).map(refundFromRow));
  }

  getBillReconciliation(billDate: string, scope: string): Promise<BillReconciliationRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM bill_reconciliations WHERE bill_date = ? AND scope = ?').get(billDate, scope) as Row | undefined;
      return row && billReconciliationFromRow(row);
    });
  }

  saveBillReconciliation(record: BillReconciliationRecord): Promise<void> {
    return this.#whenIdle(() => {
      const keys = Object.keys(billReconciliationColumns) as (keyof BillReconciliationRecord)[];
      this.sql(
        `INSERT OR REPLACE INTO bill_reconciliations (${keys.map((key) => billReconciliationColumns[key].column).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`,
      ).run(...keys.map((key) => toColumnValue(billReconciliationColumns[key], record[key])));
    });
  }

  acquireJobLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    return this.#whenIdle(() => {
      // One statement: insert, or take over an expired lease, or renew one's own.
      const taken = this.sql(
        `INSERT INTO job_leases (name, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE job_leases.expires_at <= ? OR job_leases.holder = excluded.holder`,
      ).run(name, holder, now + ttlMs, now);
      return taken.changes === 1;
    });
  }

  releaseJobLease(name: string, holder: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('DELETE FROM job_leases WHERE name = ? AND holder = ?').run(name, holder);
    });
  }

  // Idempotency keys

  claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyClaim> {
    return this.#whenIdle(() => this.write((): IdempotencyClaim => {
      const claimed = this.sql(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, status_code, response_body, created_at, holder, held_until)
         VALUES (?, ?, ?, 'pending', NULL, NULL, ?, ?, ?)
         ON CONFLICT (scope, key) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until
         WHERE idempotency_keys.state = 'pending' AND idempotency_keys.request_hash = excluded.request_hash
           AND idempotency_keys.held_until < excluded.created_at`,
      ).run(record.scope, record.key, record.requestHash, record.createdAt, record.holder, record.heldUntil);
      if (claimed.changes === 1) return { claimed: true };
      const row = this.sql('SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?').get(record.scope, record.key) as Row;
      return { claimed: false, existing: idempotencyFromRow(row) };
    }));
  }

  holdIdempotencyKey(scope: string, key: string, holder: string, heldUntil: number): Promise<boolean> {
    return this.#whenIdle(() =>
      this.sql("UPDATE idempotency_keys SET held_until = ? WHERE scope = ? AND key = ? AND holder = ? AND state = 'pending'")
        .run(heldUntil, scope, key, holder).changes === 1);
  }

  completeIdempotencyKey(scope: string, key: string, holder: string, statusCode: number, responseBody: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql("UPDATE idempotency_keys SET state = 'done', status_code = ?, response_body = ? WHERE scope = ? AND key = ? AND holder = ? AND state = 'pending'")
        .run(statusCode, responseBody, scope, key, holder);
    });
  }

  releaseIdempotencyKey(scope: string, key: string, holder: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql("DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND holder = ? AND state = 'pending'").run(scope, key, holder);
    });
  }

  // WeChat: the shared access token and each link's code image and URL Link

  getLinkCode(linkId: string, envVersion: string): Promise<LinkCodeRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM link_codes WHERE link_id = ? AND env_version = ?').get(linkId, envVersion) as Row | undefined;
      return row && linkCodeFromRow(row);
    });
  }

  keepLinkCode(code: LinkCodeRecord): Promise<LinkCodeRecord> {
    return this.#whenIdle(() => this.write(() => {
      this.sql('INSERT INTO link_codes (link_id, env_version, image, content_type, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (link_id, env_version) DO NOTHING')
        .run(code.linkId, code.envVersion, code.image, code.contentType, code.createdAt);
      return linkCodeFromRow(this.sql('SELECT * FROM link_codes WHERE link_id = ? AND env_version = ?').get(code.linkId, code.envVersion) as Row);
    }));
  }

  getLinkUrlLink(linkId: string, envVersion: string): Promise<LinkUrlLinkRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM link_url_links WHERE link_id = ? AND env_version = ?').get(linkId, envVersion) as Row | undefined;
      return row && linkUrlLinkFromRow(row);
    });
  }

  keepLinkUrlLink(urlLink: LinkUrlLinkRecord): Promise<LinkUrlLinkRecord> {
    return this.#whenIdle(() => this.write(() => {
      this.sql('INSERT INTO link_url_links (link_id, env_version, url, expires_at, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (link_id, env_version) DO NOTHING')
        .run(urlLink.linkId, urlLink.envVersion, urlLink.url, urlLink.expiresAt, urlLink.createdAt);
      return linkUrlLinkFromRow(this.sql('SELECT * FROM link_url_links WHERE link_id = ? AND env_version = ?').get(urlLink.linkId, urlLink.envVersion) as Row);
    }));
  }

  readAccessToken(appId: string): Promise<AccessTokenRecord | undefined> {
    return this.#whenIdle(() => accessTokenFromRow(this.sql('SELECT * FROM wechat_access_tokens WHERE app_id = ?').get(appId) as Row | undefined));
  }

  writeAccessToken(token: AccessTokenRecord): Promise<void> {
    return this.#whenIdle(() => {
      this.sql(
        `INSERT INTO wechat_access_tokens (app_id, access_token, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (app_id) DO UPDATE SET access_token = excluded.access_token, expires_at = excluded.expires_at`,
      ).run(token.appId, token.token, token.expiresAt);
    });
  }

  claimAccessTokenLease(appId: string, holder: string, now: number, until: number): Promise<boolean> {
    return this.#whenIdle(() =>
      this.sql(
        `INSERT INTO wechat_access_tokens (app_id, lease_holder, lease_until) VALUES (?, ?, ?)
         ON CONFLICT (app_id) DO UPDATE SET lease_holder = excluded.lease_holder, lease_until = excluded.lease_until
         WHERE wechat_access_tokens.lease_until <= ? OR wechat_access_tokens.lease_holder = excluded.lease_holder`,
      ).run(appId, holder, until, now).changes === 1);
  }

  releaseAccessTokenLease(appId: string, holder: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE wechat_access_tokens SET lease_holder = NULL, lease_until = 0 WHERE app_id = ? AND lease_holder = ?').run(appId, holder);
    });
  }

  // Live status in the chat

  private linkLive(linkId: string): LinkLiveRecord | undefined {
    const row = this.sql('SELECT * FROM link_live WHERE link_id = ?').get(linkId) as Row | undefined;
    return row && linkLiveFromRow(row);
  }

  private insertCardUpdate(update: NewCardUpdate): void {
    this.sql(
      `INSERT INTO card_updates (link_id, activity_id, target_state, member_count, room_limit, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(update.linkId, update.activityId, update.targetState, update.memberCount, update.roomLimit, update.createdAt, update.createdAt);
  }

  private takeSubscription(linkId: string, openid: string, kind: SubscriptionKind, at: number): SubscriptionRecord | undefined {
    const row = this.sql(
      `UPDATE subscriptions SET status = 'used', used_at = ?
       WHERE id = (SELECT id FROM subscriptions WHERE link_id = ? AND openid = ? AND kind = ? AND status = 'available' ORDER BY created_at, id LIMIT 1)
         AND status = 'available'
       RETURNING *`,
    ).get(at, linkId, openid, kind) as Row | undefined;
    return row && subscriptionFromRow(row);
  }

  insertLinkLive(record: LinkLiveRecord): Promise<void> {
    return this.#whenIdle(() => this.insertRow('link_live', linkLiveColumns, record));
  }

  getLinkLive(linkId: string): Promise<LinkLiveRecord | undefined> {
    return this.#whenIdle(() => this.linkLive(linkId));
  }

  bindShopper(linkId: string, openid: string, at: number): Promise<ShopperBinding> {
    return this.#whenIdle(() => this.write((): ShopperBinding => {
      const bound = this.sql('UPDATE link_live SET shopper_openid = ?, shopper_bound_at = ? WHERE link_id = ? AND shopper_openid IS NULL RETURNING *').get(openid, at, linkId) as Row | undefined;
      if (bound !== undefined) return { outcome: 'bound', live: linkLiveFromRow(bound) };
      const live = this.linkLive(linkId);
      if (live === undefined) return { outcome: 'missing' };
      return { outcome: live.shopperOpenid === openid ? 'already' : 'other', live };
    }));
  }

  insertLinkActivity(record: LinkActivityRecord): Promise<void> {
    return this.#whenIdle(() => this.insertRow('link_activities', linkActivityColumns, record));
  }

  listLinkActivities(linkId: string): Promise<LinkActivityRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM link_activities WHERE link_id = ? ORDER BY created_at DESC, activity_id DESC').all(linkId) as Row[]).map(linkActivityFromRow));
  }

  getLinkActivity(activityId: string): Promise<LinkActivityRecord | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT * FROM link_activities WHERE activity_id = ?').get(activityId) as Row | undefined;
      return row && linkActivityFromRow(row);
    });
  }

  savePrivateProof(linkId: string, openid: string, activityId: string, at: number): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('INSERT INTO private_proofs (link_id, openid, activity_id, proved_at) VALUES (?, ?, ?, ?) ON CONFLICT (link_id, openid) DO NOTHING').run(linkId, openid, activityId, at);
    });
  }

  hasPrivateProof(linkId: string, openid: string): Promise<boolean> {
    return this.#whenIdle(() => this.sql('SELECT 1 FROM private_proofs WHERE link_id = ? AND openid = ?').get(linkId, openid) !== undefined);
  }

  saveWechatSessionKey(openid: string, sealed: string, at: number): Promise<void> {
    return this.#whenIdle(() => {
      this.sql(
        `INSERT INTO wechat_sessions (openid, sealed_session_key, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (openid) DO UPDATE SET sealed_session_key = excluded.sealed_session_key, updated_at = excluded.updated_at`,
      ).run(openid, sealed, at);
    });
  }

  getWechatSessionKey(openid: string): Promise<string | undefined> {
    return this.#whenIdle(() => {
      const row = this.sql('SELECT sealed_session_key FROM wechat_sessions WHERE openid = ?').get(openid) as Row | undefined;
      return row === undefined ? undefined : str(row.sealed_session_key);
    });
  }

  insertSubscriptions(records: readonly SubscriptionRecord[]): Promise<void> {
    return this.#whenIdle(() => this.write(() => {
      for (const record of records) this.insertRow('subscriptions', subscriptionColumns, record);
    }));
  }

  listSubscriptions(linkId: string): Promise<SubscriptionRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM subscriptions WHERE link_id = ? ORDER BY created_at, id').all(linkId) as Row[]).map(subscriptionFromRow));
  }

  listCardUpdates(linkId: string): Promise<CardUpdateRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM card_updates WHERE link_id = ? ORDER BY id').all(linkId) as Row[]).map(cardUpdateFromRow));
  }

  claimDueCardUpdates(now: number, limit: number, claimUntil: number): Promise<CardUpdateRecord[]> {
    return this.#whenIdle(() => this.write(() =>
      (this.sql(
        `UPDATE card_updates SET next_attempt_at = ?
         WHERE id IN (
           SELECT c.id FROM card_updates c
           WHERE c.done_at IS NULL AND c.next_attempt_at <= ?
             AND NOT EXISTS (SELECT 1 FROM card_updates e WHERE e.activity_id = c.activity_id AND e.done_at IS NULL AND e.id < c.id)
           ORDER BY c.id LIMIT ?
         )
         RETURNING *`,
      ).all(claimUntil, now, limit) as Row[]).map(cardUpdateFromRow).sort((a, b) => a.id - b.id),
    ));
  }

  finishCardUpdate(id: number, at: number, outcome: NonNullable<CardUpdateRecord['outcome']>, error: string | null): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE card_updates SET done_at = ?, outcome = ?, attempts = attempts + 1, last_error = ? WHERE id = ? AND done_at IS NULL').run(at, outcome, error?.slice(0, 500) ?? null, id);
    });
  }

  retryCardUpdate(id: number, nextAttemptAt: number, error: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE card_updates SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND done_at IS NULL').run(nextAttemptAt, error.slice(0, 500), id);
    });
  }

  listSubscribeMessages(linkId: string): Promise<SubscribeMessageRecord[]> {
    return this.#whenIdle(() => (this.sql('SELECT * FROM subscribe_messages WHERE link_id = ? ORDER BY created_at, id').all(linkId) as Row[]).map(subscribeMessageFromRow));
  }

  claimDueSubscribeMessages(now: number, limit: number, claimUntil: number): Promise<SubscribeMessageRecord[]> {
    return this.#whenIdle(() => this.write(() =>
      (this.sql(
        `UPDATE subscribe_messages SET next_attempt_at = ?
         WHERE id IN (SELECT id FROM subscribe_messages WHERE done_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)
         RETURNING *`,
      ).all(claimUntil, now, limit) as Row[]).map(subscribeMessageFromRow),
    ));
  }

  finishSubscribeMessage(id: string, at: number, outcome: NonNullable<SubscribeMessageRecord['outcome']>, error: string | null): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE subscribe_messages SET done_at = ?, outcome = ?, attempts = attempts + 1, last_error = ? WHERE id = ? AND done_at IS NULL').run(at, outcome, error?.slice(0, 500) ?? null, id);
    });
  }

  retrySubscribeMessage(id: string, nextAttemptAt: number, error: string): Promise<void> {
    return this.#whenIdle(() => {
      this.sql('UPDATE subscribe_messages SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND done_at IS NULL').run(nextAttemptAt, error.slice(0, 500), id);
    });
  }

  listLinksToWarnOfExpiry(now: number, until: number, limit: number): Promise<string[]> {
    return this.#whenIdle(() =>
      (this.sql(
        `SELECT l.id FROM links l JOIN link_live v ON v.link_id = l.id
         WHERE l.status = 'active' AND l.expires_at > ? AND l.expires_at <= ? AND v.expiring_notice_at IS NULL AND v.shopper_openid IS NOT NULL
           AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.link_id = l.id AND s.openid = v.shopper_openid AND s.kind = 'link_expiring' AND s.status = 'available')
         ORDER BY l.expires_at LIMIT ?`,
      ).all(now, until, limit) as Row[]).map((row) => str(row.id)),
    );
  }
}
