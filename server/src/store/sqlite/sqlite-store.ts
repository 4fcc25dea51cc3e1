/**
 * The embedded SQLite engine (better-sqlite3, WAL). better-sqlite3 is synchronous, so each
 * method runs its whole transaction before returning: nothing else can interleave with it in
 * this process, and BEGIN IMMEDIATE makes other processes on the same file wait their turn.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { LinkStatus, OrderStatus, LinkMode } from '../../../../shared/states';
import type {
  EventRecord,
  FriendLinkView,
  IdempotencyRecord,
  LinkRecord,
  LinkView,
  NewEvent,
  OrderRecord,
  PaymentRecord,
  RefundRecord,
  ShopRecord,
} from '../records';
import { linkColumns, orderColumns as orderColumnMap, paymentColumns, refundColumns, rowToRecord, toColumnValue, type ColumnMap } from '../columns';
import type { CancelOrderResult, IdempotencyClaim, LinkTransition, Store, StoreTx, UpsertOrderResult } from '../store';
import { sqliteMigrations } from './migrations';

type Row = Record<string, unknown>;

const str = (value: unknown): string => String(value);
const num = (value: unknown): number => Number(value);
const strOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function shopFromRow(row: Row): ShopRecord {
  return {
    id: str(row.id),
    name: str(row.name),
    apiKeyHash: str(row.api_key_hash),
    webhookUrl: strOrNull(row.webhook_url),
    webhookSecret: str(row.webhook_secret),
    createdAt: num(row.created_at),
  };
}

function orderFromRow(row: Row): OrderRecord {
  const shipTo = strOrNull(row.ship_to_json);
  return {
    id: str(row.id),
    shopId: str(row.shop_id),
    shopOrderId: str(row.shop_order_id),
    shopperId: str(row.shopper_id),
    amountTotal: num(row.amount_total),
    amountPaid: num(row.amount_paid),
    amountRefunded: num(row.amount_refunded),
    currency: 'CNY',
    items: JSON.parse(str(row.items_json)) as OrderRecord['items'],
    shipTo: shipTo === null ? null : (JSON.parse(shipTo) as OrderRecord['shipTo']),
    payDeadline: num(row.pay_deadline),
    status: str(row.status) as OrderStatus,
    fingerprint: str(row.fingerprint),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    cancelledAt: numOrNull(row.cancelled_at),
  };
}

function linkFromRow(row: Row): LinkRecord {
  return {
    id: str(row.id),
    orderId: str(row.order_id),
    shopId: str(row.shop_id),
    mode: str(row.mode) as LinkMode,
    status: str(row.status) as LinkStatus,
    requesterId: str(row.requester_id),
    requesterName: str(row.requester_name),
    requesterAvatarUrl: strOrNull(row.requester_avatar_url),
    message: strOrNull(row.message),
    expiresAt: num(row.expires_at),
    createdAt: num(row.created_at),
    closedAt: numOrNull(row.closed_at),
  };
}

function eventFromRow(row: Row): EventRecord {
  return {
    id: str(row.id),
    shopId: str(row.shop_id),
    type: str(row.type) as NewEvent['type'],
    payload: JSON.parse(str(row.payload_json)) as NewEvent['payload'],
    createdAt: num(row.created_at),
    deliveredAt: numOrNull(row.delivered_at),
    attempts: num(row.attempts),
    nextAttemptAt: num(row.next_attempt_at),
    lastError: strOrNull(row.last_error),
  };
}

function idempotencyFromRow(row: Row): IdempotencyRecord {
  return {
    scope: str(row.scope),
    key: str(row.key),
    requestHash: str(row.request_hash),
    state: str(row.state) as IdempotencyRecord['state'],
    statusCode: numOrNull(row.status_code),
    responseBody: strOrNull(row.response_body),
    createdAt: num(row.created_at),
  };
}


/**
 * The friend view's join, read as one positional row (better-sqlite3 `raw`): building an object
 * with 28 keys per row cost about as much as the three index searches (27-34 vs 14-18 µs a read
 * in a loop). `linkViewFromValues` reads the columns in exactly this order.
 */
const LINK_VIEW_SQL = `SELECT
  l.id, l.order_id, l.shop_id, l.mode, l.status, l.requester_id, l.requester_name, l.requester_avatar_url,
  l.message, l.expires_at, l.created_at, l.closed_at,
  o.id, o.shop_id, o.shop_order_id, o.shopper_id, o.amount_total, o.amount_paid, o.amount_refunded, o.items_json,
  o.ship_to_json, o.pay_deadline, o.status, o.fingerprint, o.created_at, o.updated_at, o.cancelled_at,
  s.name
  FROM links l JOIN orders o ON o.id = l.order_id JOIN shops s ON s.id = l.shop_id
  WHERE l.id = ?`;

/** A row of LINK_VIEW_SQL as a LinkView. */
function linkViewFromValues(v: readonly unknown[]): LinkView {
  const shipTo = strOrNull(v[20]);
  return {
    link: {
      id: str(v[0]),
      orderId: str(v[1]),
      shopId: str(v[2]),
      mode: str(v[3]) as LinkMode,
      status: str(v[4]) as LinkStatus,
      requesterId: str(v[5]),
      requesterName: str(v[6]),
      requesterAvatarUrl: strOrNull(v[7]),
      message: strOrNull(v[8]),
      expiresAt: num(v[9]),
      createdAt: num(v[10]),
      closedAt: numOrNull(v[11]),
    },
    order: {
      id: str(v[12]),
      shopId: str(v[13]),
      shopOrderId: str(v[14]),
      shopperId: str(v[15]),
      amountTotal: num(v[16]),
      amountPaid: num(v[17]),
      amountRefunded: num(v[18]),
      currency: 'CNY',
      items: JSON.parse(str(v[19])) as OrderRecord['items'],
      shipTo: shipTo === null ? null : (JSON.parse(shipTo) as OrderRecord['shipTo']),
      payDeadline: num(v[21]),
      status: str(v[22]) as OrderStatus,
      fingerprint: str(v[23]),
      createdAt: num(v[24]),
      updatedAt: num(v[25]),
      cancelledAt: numOrNull(v[26]),
    },
    shopName: str(v[27]),
  };
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
  return new SqliteStore(db);
}

/** The SQLite engine of the store. */
export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  #statements = new Map<string, Database.Statement>();
  /** The tail of the queue of `transaction` calls; each waits for the one before. */
  #queue: Promise<unknown> = Promise.resolve();
  /** True between BEGIN and COMMIT of a `transaction`, whose callback may await between statements. */
  #inTransaction = false;
  readonly #tx: StoreTx;

  constructor(private readonly db: Database.Database) {
    this.#tx = this.createTx();
  }

  /**
   * Every method other than `transaction` starts with `while (this.#inTransaction) await
   * this.settled();`: a statement run while a transaction's callback is suspended would become
   * part of that transaction. The test and the statements that follow run in one synchronous
   * stretch, so nothing can open a transaction between them; outside transactions the test is
   * all it costs.
   */
  private settled(): Promise<unknown> {
    return this.#queue;
  }

  async transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    // Transactions queue behind each other, so when one runs no other is open here.
    const run = async (): Promise<T> => {
      this.db.exec('BEGIN IMMEDIATE');
      this.#inTransaction = true;
      try {
        const result = await work(this.#tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error: unknown) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      } finally {
        this.#inTransaction = false;
      }
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /** Builds (once) a conditional UPDATE of the given fields of a table. */
  private update<T extends object>(table: string, columns: ColumnMap<T>, id: string, patch: Partial<T>, statusColumn: string, onlyIf: readonly string[]): Row | undefined {
    const keys = (Object.keys(patch) as (keyof T & string)[]).filter((key) => key in columns);
    if (keys.length === 0) throw new Error(`empty update of ${table}`);
    const sets = keys.map((key) => `${columns[key].column} = ?`).join(', ');
    const statuses = onlyIf.map(() => '?').join(', ');
    const values = keys.map((key) => toColumnValue(columns[key], patch[key]));
    return this.sql(`UPDATE ${table} SET ${sets} WHERE id = ? AND ${statusColumn} IN (${statuses}) RETURNING *`).get(...values, id, ...onlyIf) as Row | undefined;
  }

  private insertRow<T extends object>(table: string, columns: ColumnMap<T>, record: T): void {
    const keys = Object.keys(columns) as (keyof T & string)[];
    this.sql(`INSERT INTO ${table} (${keys.map((key) => columns[key].column).join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`)
      .run(...keys.map((key) => toColumnValue(columns[key], record[key])));
  }

  private createTx(): StoreTx {
    const payment = (row: Row | undefined) => (row === undefined ? undefined : rowToRecord(paymentColumns, row));
    const refund = (row: Row | undefined) => (row === undefined ? undefined : rowToRecord(refundColumns, row));
    return {
      getOrder: async (id) => {
        const row = this.sql('SELECT * FROM orders WHERE id = ?').get(id) as Row | undefined;
        return row && orderFromRow(row);
      },
      getLink: async (id) => {
        const row = this.sql('SELECT * FROM links WHERE id = ?').get(id) as Row | undefined;
        return row && linkFromRow(row);
      },
      getShop: async (id) => {
        const row = this.sql('SELECT * FROM shops WHERE id = ?').get(id) as Row | undefined;
        return row && shopFromRow(row);
      },
      getPayment: async (id) => payment(this.sql('SELECT * FROM payments WHERE id = ?').get(id) as Row | undefined),
      getPaymentByOutTradeNo: async (outTradeNo) => payment(this.sql('SELECT * FROM payments WHERE out_trade_no = ?').get(outTradeNo) as Row | undefined),
      findPaymentByIdempotencyKey: async (payerOpenid, key) =>
        payment(this.sql('SELECT * FROM payments WHERE payer_openid = ? AND idempotency_key = ?').get(payerOpenid, key) as Row | undefined),
      listPaymentsOfLink: async (linkId, statuses) =>
        (this.sql(`SELECT * FROM payments WHERE link_id = ? AND status IN (${statuses.map(() => '?').join(', ')}) ORDER BY created_at, id`).all(linkId, ...statuses) as Row[])
          .map((row) => rowToRecord(paymentColumns, row)),
      listPaymentsOfOrder: async (orderId) => this.paymentsOfOrder(orderId),
      insertPayment: async (record) => this.insertRow('payments', paymentColumns, record),
      updatePayment: async (id, patch, onlyIf) => payment(this.update('payments', paymentColumns, id, patch, 'status', onlyIf)),
      updateOrder: async (id, patch, onlyIf) => {
        const row = this.update('orders', orderColumnMap, id, patch, 'status', onlyIf);
        return row && orderFromRow(row);
      },
      updateLink: async (id, patch, onlyIf) => {
        const row = this.update('links', linkColumns, id, patch, 'status', onlyIf);
        return row && linkFromRow(row);
      },
      voidActiveLinks: async (orderId, at, exceptLinkId) =>
        (this.sql("UPDATE links SET status = 'void', closed_at = ? WHERE order_id = ? AND status = 'active' AND id <> ? RETURNING *").all(at, orderId, exceptLinkId ?? '') as Row[]).map(linkFromRow),
      insertRefund: async (record) => this.insertRow('refunds', refundColumns, record),
      getRefundByOutRefundNo: async (outRefundNo) => refund(this.sql('SELECT * FROM refunds WHERE out_refund_no = ?').get(outRefundNo) as Row | undefined),
      updateRefund: async (id, patch, onlyIf) => refund(this.update('refunds', refundColumns, id, patch, 'status', onlyIf)),
      listRefundsOfOrder: async (orderId) => this.refundsOfOrder(orderId),
      insertEvent: async (event) => this.insertEvent(event),
      recordNotification: async (id, type, at) =>
        this.sql('INSERT INTO wechatpay_notifications (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING').run(id, type, at).changes === 1,
    };
  }

  private paymentsOfOrder(orderId: string): PaymentRecord[] {
    return (this.sql('SELECT * FROM payments WHERE order_id = ? ORDER BY created_at, id').all(orderId) as Row[]).map((row) => rowToRecord(paymentColumns, row));
  }

  private refundsOfOrder(orderId: string): RefundRecord[] {
    return (this.sql('SELECT * FROM refunds WHERE order_id = ? ORDER BY created_at, id').all(orderId) as Row[]).map((row) => rowToRecord(refundColumns, row));
  }

  async getPayment(id: string): Promise<PaymentRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql('SELECT * FROM payments WHERE id = ?').get(id) as Row | undefined;
    return row && rowToRecord(paymentColumns, row);
  }

  async listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]> {
    while (this.#inTransaction) await this.settled();
    return this.paymentsOfOrder(orderId);
  }

  async listRefundsOfOrder(orderId: string): Promise<RefundRecord[]> {
    while (this.#inTransaction) await this.settled();
    return this.refundsOfOrder(orderId);
  }

  async listOpenPayments(createdBefore: number, limit: number): Promise<PaymentRecord[]> {
    while (this.#inTransaction) await this.settled();
    return (this.sql("SELECT * FROM payments WHERE status = 'created' AND created_at <= ? ORDER BY COALESCE(checked_at, 0), created_at LIMIT ?").all(createdBefore, limit) as Row[])
      .map((row) => rowToRecord(paymentColumns, row));
  }

  async attachPrepay(id: string, prepayId: string, requestPayment: NonNullable<PaymentRecord['requestPayment']>, at: number): Promise<PaymentRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql(
      "UPDATE payments SET prepay_id = ?, request_payment_json = ?, updated_at = ? WHERE id = ? AND status = 'created' AND request_payment_json IS NULL RETURNING *",
    ).get(prepayId, JSON.stringify(requestPayment), at, id) as Row | undefined;
    const current = row ?? (this.sql('SELECT * FROM payments WHERE id = ?').get(id) as Row | undefined);
    return current && rowToRecord(paymentColumns, current);
  }

  async markPaymentChecked(id: string, at: number): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql("UPDATE payments SET checked_at = ? WHERE id = ? AND status = 'created'").run(at, id);
  }

  async listRefundsDue(now: number, limit: number): Promise<RefundRecord[]> {
    while (this.#inTransaction) await this.settled();
    return (this.sql("SELECT * FROM refunds WHERE status IN ('pending', 'processing') AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?").all(now, limit) as Row[])
      .map((row) => rowToRecord(refundColumns, row));
  }

  async claimDueEvents(now: number, limit: number, claimUntil: number): Promise<EventRecord[]> {
    while (this.#inTransaction) await this.settled();
    return this.write(() =>
      (this.sql(
        `UPDATE events SET next_attempt_at = ?
         WHERE id IN (SELECT id FROM events WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?)
         RETURNING *`,
      ).all(claimUntil, now, limit) as Row[]).map(eventFromRow),
    );
  }

  async markEventDelivered(id: string, at: number): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql('UPDATE events SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND delivered_at IS NULL').run(at, id);
  }

  async markEventFailed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql('UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND delivered_at IS NULL').run(nextAttemptAt, error.slice(0, 500), id);
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

  /** Runs `work` in a BEGIN IMMEDIATE transaction (takes the write lock up front, so no upgrade deadlock). */
  private write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
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
    });
  }

  async ping(): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql('SELECT 1').get();
  }

  async close(): Promise<void> {
    this.#statements.clear();
    this.db.close();
  }

  async insertShop(shop: ShopRecord): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql(
      'INSERT INTO shops (id, name, api_key_hash, webhook_url, webhook_secret, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(shop.id, shop.name, shop.apiKeyHash, shop.webhookUrl, shop.webhookSecret, shop.createdAt);
  }

  async findShopByApiKeyHash(apiKeyHash: string): Promise<ShopRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql('SELECT * FROM shops WHERE api_key_hash = ?').get(apiKeyHash) as Row | undefined;
    return row && shopFromRow(row);
  }

  async getShop(id: string): Promise<ShopRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql('SELECT * FROM shops WHERE id = ?').get(id) as Row | undefined;
    return row && shopFromRow(row);
  }

  async upsertOrder(order: OrderRecord): Promise<UpsertOrderResult> {
    while (this.#inTransaction) await this.settled();
    return this.write(() => {
      const existing = this.sql('SELECT * FROM orders WHERE shop_id = ? AND shop_order_id = ?').get(order.shopId, order.shopOrderId) as Row | undefined;
      if (existing !== undefined) {
        const stored = orderFromRow(existing);
        return { outcome: stored.fingerprint === order.fingerprint ? 'identical' : 'conflict', order: stored };
      }
      this.sql(
        `INSERT INTO orders (id, shop_id, shop_order_id, shopper_id, amount_total, amount_paid, amount_refunded, currency,
          items_json, ship_to_json, pay_deadline, status, fingerprint, created_at, updated_at, cancelled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        order.id, order.shopId, order.shopOrderId, order.shopperId, order.amountTotal, order.amountPaid,
        order.amountRefunded, order.currency, JSON.stringify(order.items),
        order.shipTo === null ? null : JSON.stringify(order.shipTo), order.payDeadline, order.status,
        order.fingerprint, order.createdAt, order.updatedAt, order.cancelledAt,
      );
      return { outcome: 'created', order };
    });
  }

  async getOrder(id: string): Promise<OrderRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql('SELECT * FROM orders WHERE id = ?').get(id) as Row | undefined;
    return row && orderFromRow(row);
  }

  async findOrderByShopOrderId(shopId: string, shopOrderId: string): Promise<OrderRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql('SELECT * FROM orders WHERE shop_id = ? AND shop_order_id = ?').get(shopId, shopOrderId) as Row | undefined;
    return row && orderFromRow(row);
  }

  /** Voids the order's active links; inside a transaction. */
  private voidActiveLinks(orderId: string, at: number): LinkRecord[] {
    const rows = this.sql("UPDATE links SET status = 'void', closed_at = ? WHERE order_id = ? AND status = 'active' RETURNING *").all(at, orderId) as Row[];
    return rows.map(linkFromRow);
  }

  async cancelOrder(id: string, at: number): Promise<CancelOrderResult | undefined> {
    while (this.#inTransaction) await this.settled();
    return this.write(() => {
      const row = this.sql(
        "UPDATE orders SET status = 'cancelled', cancelled_at = ?, updated_at = ? WHERE id = ? AND status = 'pending' RETURNING *",
      ).get(at, at, id) as Row | undefined;
      if (row === undefined) {
        const current = this.sql('SELECT * FROM orders WHERE id = ?').get(id) as Row | undefined;
        return current && { changed: false, order: orderFromRow(current), voidedLinks: [] };
      }
      return { changed: true, order: orderFromRow(row), voidedLinks: this.voidActiveLinks(id, at) };
    });
  }

  async closeOverdueOrder(id: string, now: number): Promise<OrderRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    return this.write(() => {
      const row = this.sql(
        "UPDATE orders SET status = 'closed', updated_at = ? WHERE id = ? AND status = 'pending' AND pay_deadline <= ? RETURNING *",
      ).get(now, id, now) as Row | undefined;
      if (row === undefined) return undefined;
      this.voidActiveLinks(id, now);
      return orderFromRow(row);
    });
  }

  async closeOverdueOrders(now: number, limit: number): Promise<number> {
    while (this.#inTransaction) await this.settled();
    return this.write(() => {
      const rows = this.sql(
        `UPDATE orders SET status = 'closed', updated_at = ?
         WHERE id IN (SELECT id FROM orders WHERE status = 'pending' AND pay_deadline <= ? LIMIT ?) AND status = 'pending'
         RETURNING id`,
      ).all(now, now, limit) as Row[];
      for (const row of rows) this.voidActiveLinks(str(row.id), now);
      return rows.length;
    });
  }

  async insertLink(link: LinkRecord): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql(
      `INSERT INTO links (id, order_id, shop_id, mode, status, requester_id, requester_name, requester_avatar_url,
        message, expires_at, created_at, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      link.id, link.orderId, link.shopId, link.mode, link.status, link.requesterId, link.requesterName,
      link.requesterAvatarUrl, link.message, link.expiresAt, link.createdAt, link.closedAt,
    );
  }

  async getLink(id: string): Promise<LinkRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql('SELECT * FROM links WHERE id = ?').get(id) as Row | undefined;
    return row && linkFromRow(row);
  }

  async listLinksOfOrder(orderId: string): Promise<LinkRecord[]> {
    while (this.#inTransaction) await this.settled();
    return (this.sql('SELECT * FROM links WHERE order_id = ? ORDER BY created_at, id').all(orderId) as Row[]).map(linkFromRow);
  }

  async getLinkView(id: string): Promise<LinkView | undefined> {
    while (this.#inTransaction) await this.settled();
    return this.linkView(id);
  }

  async getFriendLinkView(id: string): Promise<FriendLinkView | undefined> {
    while (this.#inTransaction) await this.settled();
    const view = this.linkView(id);
    return view && { ...view, payments: this.paymentsOfOrder(view.order.id) };
  }

  private linkView(id: string): LinkView | undefined {
    const values = this.sql(LINK_VIEW_SQL).raw(true).get(id) as unknown[] | undefined;
    return values && linkViewFromValues(values);
  }

  private insertEvent(event: NewEvent): void {
    this.sql(
      'INSERT INTO events (id, shop_id, type, payload_json, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(event.id, event.shopId, event.type, JSON.stringify(event.payload), event.createdAt, event.createdAt);
  }

  async transitionLink(change: LinkTransition): Promise<LinkRecord | undefined> {
    while (this.#inTransaction) await this.settled();
    return this.write(() => {
      const placeholders = change.from.map(() => '?').join(', ');
      const row = this.sql(`UPDATE links SET status = ?, closed_at = ? WHERE id = ? AND status IN (${placeholders}) RETURNING *`)
        .get(change.to, change.at, change.id, ...change.from) as Row | undefined;
      if (row === undefined) return undefined;
      if (change.event) this.insertEvent(change.event);
      return linkFromRow(row);
    });
  }

  async expireDueLinks(now: number, limit: number, eventFor: (link: LinkRecord) => NewEvent): Promise<LinkRecord[]> {
    while (this.#inTransaction) await this.settled();
    return this.write(() => {
      const rows = this.sql(
        `UPDATE links SET status = 'expired', closed_at = ?
         WHERE id IN (SELECT id FROM links WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?)
           AND status = 'active'
         RETURNING *`,
      ).all(now, now, limit) as Row[];
      const links = rows.map(linkFromRow);
      for (const link of links) this.insertEvent(eventFor(link));
      return links;
    });
  }

  async listEvents(shopId: string, limit: number): Promise<EventRecord[]> {
    while (this.#inTransaction) await this.settled();
    return (this.sql('SELECT * FROM events WHERE shop_id = ? ORDER BY created_at DESC, id LIMIT ?').all(shopId, limit) as Row[]).map(eventFromRow);
  }

  async oldestUndeliveredEventAt(): Promise<number | undefined> {
    while (this.#inTransaction) await this.settled();
    const row = this.sql('SELECT MIN(created_at) AS oldest FROM events WHERE delivered_at IS NULL').get() as Row;
    return row.oldest === null ? undefined : num(row.oldest);
  }

  async claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyClaim> {
    while (this.#inTransaction) await this.settled();
    return this.write(() => {
      const inserted = this.sql(
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, status_code, response_body, created_at)
         VALUES (?, ?, ?, 'pending', NULL, NULL, ?) ON CONFLICT (scope, key) DO NOTHING`,
      ).run(record.scope, record.key, record.requestHash, record.createdAt);
      if (inserted.changes === 1) return { claimed: true } as const;
      const row = this.sql('SELECT * FROM idempotency_keys WHERE scope = ? AND key = ?').get(record.scope, record.key) as Row;
      return { claimed: false, existing: idempotencyFromRow(row) } as const;
    });
  }

  async completeIdempotencyKey(scope: string, key: string, statusCode: number, responseBody: string): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql("UPDATE idempotency_keys SET state = 'done', status_code = ?, response_body = ? WHERE scope = ? AND key = ?")
      .run(statusCode, responseBody, scope, key);
  }

  async releaseIdempotencyKey(scope: string, key: string): Promise<void> {
    while (this.#inTransaction) await this.settled();
    this.sql("DELETE FROM idempotency_keys WHERE scope = ? AND key = ? AND state = 'pending'").run(scope, key);
  }
}
