/**
 * The PostgreSQL engine of the store (`pg`), for several server instances on one database.
 *
 * Concurrency, in the terms the instances meet each other:
 * - every state change is one transaction whose UPDATE carries its condition (`status = ANY(...)`)
 *   and returns the changed row, so of two instances racing only one sees a row come back;
 * - reads with `lock` take `FOR NO KEY UPDATE` (row locks that, unlike `FOR UPDATE`, do not block
 *   the foreign-key checks of inserts such as a new link of the order), and a locked read of a
 *   link, payment or refund first locks its order: every transaction locks in the same order
 *   (order, then the rows under it), so two instances working on one order wait for each other
 *   instead of deadlocking;
 * - background batches take their rows with `FOR NO KEY UPDATE SKIP LOCKED`, so two instances'
 *   sweepers and deliverers never take the same rows, and never wait for each other;
 * - migrations run under an advisory lock, so instances starting together migrate once.
 * BIGINT arrives as a string; the row mappers turn it back into a number.
 */
import crypto from 'node:crypto';
import pg from 'pg';
import type {
  BillReconciliationRecord,
  AccessTokenRecord,
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
import {
  billReconciliationColumns,
  billReconciliationFromRow,
  col,
  eventColumns,
  eventFromRow,
  idempotencyColumns,
  idempotencyFromRow,
  linkColumns,
  linkFromRow,
  orderColumns,
  orderFromRow,
  paymentColumns,
  paymentFromRow,
  recordReader,
  refundColumns,
  refundFromRow,
  shopColumns,
  shopFromRow,
  toColumnValue,
  type Column,
  type ColumnMap,
  type Row,
} from '../columns';
import type { CardUpdateRecord, LinkActivityRecord, LinkLiveRecord, SubscribeMessageRecord, SubscriptionRecord } from '../records';
import {
  cardUpdateColumns,
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
import { accessTokenFromRow, linkCodeFromRow, linkUrlLinkFromRow } from '../wechat-rows';
import { postgresMigrations } from './migrations';

/** What runs a statement: the pool (one statement, autocommitted) or a transaction's client. */
interface Queryable {
  query<R extends pg.QueryResultRow>(config: pg.QueryConfig<unknown[]>): Promise<pg.QueryResult<R>>;
}

/** How to reach the database. */
export interface PostgresStoreOptions {
  /** `postgres://user@host:port/database`; a `schema` query parameter is used as `schema`. */
  url: string;
  /** The schema holding the tables (created by `migrate()` if missing); default: the role's search_path. */
  schema?: string;
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /** How long an unused connection stays open before the pool closes it (default 10 s, node-postgres's); 0 keeps it open. */
  idleConnectionMs?: number;
}

/**
 * A table's columns by name. Statements name their columns rather than `*`: a prepared
 * `SELECT *` fails ("cached plan must not change result type") on every connection that prepared
 * it once a later migration adds a column, as it would on running instances during a deploy.
 */
function columnList<T>(columns: ColumnMap<T>, prefix = ''): string {
  return (Object.keys(columns) as (keyof T)[]).map((key) => `${prefix}${columns[key].column}`).join(', ');
}

const SHOP = columnList(shopColumns);
const ORDER = columnList(orderColumns);
const LINK = columnList(linkColumns);
const PAYMENT = columnList(paymentColumns);
const REFUND = columnList(refundColumns);
const EVENT = columnList(eventColumns);
const IDEMPOTENCY = columnList(idempotencyColumns);
const BILL_RECONCILIATION = columnList(billReconciliationColumns);
/** The WeChat tables' columns (named, not `*`, for the reason `columnList` gives). */
const LINK_CODE = 'link_id, env_version, image, content_type, created_at';
const LINK_URL_LINK = 'link_id, env_version, url, expires_at, created_at';
const ACCESS_TOKEN = 'app_id, access_token, expires_at';
const LINK_LIVE = columnList(linkLiveColumns);
const LINK_ACTIVITY = columnList(linkActivityColumns);
const CARD_UPDATE = columnList(cardUpdateColumns);
const CARD_UPDATE_OF_C = columnList(cardUpdateColumns, 'card_updates.');
const SUBSCRIPTION = columnList(subscriptionColumns);
const SUBSCRIBE_MESSAGE = columnList(subscribeMessageColumns);
const SUBSCRIBE_MESSAGE_OF_M = columnList(subscribeMessageColumns, 'subscribe_messages.');
/** The link's columns in statements that join or update from another relation. */
const LINK_OF_L = columnList(linkColumns, 'l.');
const LINK_OF_LINKS = columnList(linkColumns, 'links.');
const EVENT_OF_EVENTS = columnList(eventColumns, 'events.');

/** A table's columns read from `alias.` as `alias_column` (so two tables' ids can share a row), and their reader. */
function aliased<T>(columns: ColumnMap<T>, alias: string): { select: string; read: (row: Row) => T } {
  return {
    select: Object.values<Column>(columns).map((column) => `${alias}.${column.column} AS ${alias}_${column.column}`).join(', '),
    read: recordReader(Object.fromEntries(Object.entries<Column>(columns).map(([field, column]) => [field, col(`${alias}_${column.column}`, column.kind)])) as ColumnMap<T>),
  };
}
/** The order's columns under an `o_` alias, for the one-query friend view and a payment's settlement. */
const ORDER_AS_O = aliased(orderColumns, 'o');
/** The link's columns under an `l_` alias, for a payment's settlement. */
const LINK_AS_L = aliased(linkColumns, 'l');
const PAYMENT_OF_P = columnList(paymentColumns, 'p.');

/** The payment's columns as `'name', p.name` pairs, for a JSON object per payment. */
const paymentJsonFields = Object.values<Column>(paymentColumns).map((column) => `'${column.column}', p.${column.column}`).join(', ');

/** Row locks of locked reads and batch claims (see the file comment for why not FOR UPDATE). */
const LOCK = 'FOR NO KEY UPDATE';
/**
 * One statement claiming an outbox's due rows, oldest first, by pushing them to `claimUntil` ($1;
 * $2 is now, $3 the limit): the inner SELECT locks the rows it takes and skips those another
 * instance is claiming; a row claimed and committed meanwhile is re-checked and no longer due.
 */
function claimDue(table: string, doneColumn: string, returning: string): string {
  return `WITH due AS (
     SELECT id FROM ${table} WHERE ${doneColumn} IS NULL AND next_attempt_at <= $2 ORDER BY next_attempt_at LIMIT $3 ${LOCK} SKIP LOCKED
   )
   UPDATE ${table} SET next_attempt_at = $1 FROM due WHERE ${table}.id = due.id AND ${table}.${doneColumn} IS NULL
   RETURNING ${returning}`;
}
const CLAIM_DUE_EVENTS = claimDue('events', 'delivered_at', EVENT_OF_EVENTS);
const CLAIM_DUE_SUBSCRIBE_MESSAGES = claimDue('subscribe_messages', 'done_at', SUBSCRIBE_MESSAGE_OF_M);
/** SQLSTATEs after which running the transaction again can succeed. */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  // unique_violation: READ COMMITTED let the transaction miss a row another one committed meanwhile
  // (the same friend's request twice at once); run again, it finds that row and answers from it.
  '23505',
]);
/** A transaction that hits a retryable error runs once more, then the error is the caller's. */
const MAX_ATTEMPTS = 2;
/** The least wait before that second run (up to twice this, at random). */
const RETRY_DELAY_MS = 50;
/** Advisory lock class of migrations (the object id is the schema's hash): "fpmg". */
const MIGRATION_LOCK_CLASS = 0x66706d67;
/** Schema names we accept: no quoting games in identifiers or connection options. */
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

const statementNames = new Map<string, string>();

/**
 * A named statement per SQL text: pg prepares it once per connection and then only binds values,
 * so PostgreSQL parses the hot paths' statements (friend view, API key lookup) once, not per request.
 */
function statement(text: string, values: readonly unknown[]): pg.QueryConfig<unknown[]> {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `fp_${crypto.createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values: [...values] };
}

async function rows(db: Queryable, text: string, values: readonly unknown[] = []): Promise<Row[]> {
  return (await db.query<Row>(statement(text, values))).rows;
}

async function first(db: Queryable, text: string, values: readonly unknown[] = []): Promise<Row | undefined> {
  return (await rows(db, text, values))[0];
}

async function changes(db: Queryable, text: string, values: readonly unknown[] = []): Promise<number> {
  return (await db.query<Row>(statement(text, values))).rowCount ?? 0;
}

function sqlState(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** A conditional UPDATE of the patched fields of one row, returning the row if it changed. */
async function updateRow<T extends object>(db: Queryable, table: string, columns: ColumnMap<T>, id: string, patch: Partial<T>, onlyIf: readonly string[]): Promise<Row | undefined> {
  const keys = (Object.keys(patch) as (keyof T & string)[]).filter((key) => key in columns);
  if (keys.length === 0) throw new Error(`empty update of ${table}`);
  const sets = keys.map((key, index) => `${columns[key].column} = $${index + 1}`).join(', ');
  const values = keys.map((key) => toColumnValue(columns[key], patch[key]));
  return first(db, `UPDATE ${table} SET ${sets} WHERE id = $${keys.length + 1} AND status = ANY($${keys.length + 2}::text[]) RETURNING ${columnList(columns)}`, [...values, id, onlyIf]);
}

async function insertRow<T extends object>(db: Queryable, table: string, columns: ColumnMap<T>, record: T): Promise<void> {
  const keys = Object.keys(columns) as (keyof T & string)[];
  await db.query(statement(
    `INSERT INTO ${table} (${keys.map((key) => columns[key].column).join(', ')}) VALUES (${keys.map((_, index) => `$${index + 1}`).join(', ')})`,
    keys.map((key) => toColumnValue(columns[key], record[key])),
  ));
}

/** Inserts events in one statement however many there are (a sweep writes up to a batch of them). */
async function insertEvents(db: Queryable, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db.query(statement(
    `INSERT INTO events (id, shop_id, type, payload_json, created_at, next_attempt_at)
     SELECT id, shop_id, type, payload_json, created_at, created_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS e(id, shop_id, type, payload_json, created_at)`,
    [events.map((e) => e.id), events.map((e) => e.shopId), events.map((e) => e.type), events.map((e) => JSON.stringify(e.payload)), events.map((e) => e.createdAt)],
  ));
}

/** Locks the order a link, payment or refund belongs to: the first lock of the lock order. */
async function lockOrderOf(db: Queryable, table: 'links' | 'payments' | 'refunds', column: 'id' | 'out_trade_no' | 'out_refund_no', value: string): Promise<void> {
  await db.query(statement(`SELECT 1 FROM orders WHERE id = (SELECT order_id FROM ${table} WHERE ${column} = $1) ${LOCK}`, [value]));
}

async function voidActiveLinks(db: Queryable, orderIds: readonly string[], at: number, exceptLinkId = ''): Promise<LinkRecord[]> {
  return (await rows(db, `UPDATE links SET status = 'void', closed_at = $1 WHERE order_id = ANY($2::text[]) AND status = 'active' AND id <> $3 RETURNING ${LINK}`, [at, orderIds, exceptLinkId])).map(linkFromRow);
}

/** The operations of one transaction, all on its client. */
function transactionOn(db: Queryable): StoreTx {
  const payment = (row: Row | undefined) => (row === undefined ? undefined : paymentFromRow(row));
  const refund = (row: Row | undefined) => (row === undefined ? undefined : refundFromRow(row));
  const lockIf = (lock: boolean | undefined): string => (lock ? LOCK : '');
  const updateOrder: StoreTx['updateOrder'] = async (id, patch, onlyIf) => {
    const row = await updateRow(db, 'orders', orderColumns, id, patch, onlyIf);
    return row && orderFromRow(row);
  };
  const updatePayment: StoreTx['updatePayment'] = async (id, patch, onlyIf) => payment(await updateRow(db, 'payments', paymentColumns, id, patch, onlyIf));
  return {
    // Shops
    getShop: async (id) => {
      const row = await first(db, `SELECT ${SHOP} FROM shops WHERE id = $1`, [id]);
      return row && shopFromRow(row);
    },

    // Orders
    getOrder: async (id, lock) => {
      const row = await first(db, `SELECT ${ORDER} FROM orders WHERE id = $1 ${lockIf(lock)}`, [id]);
      return row && orderFromRow(row);
    },
    updateOrder,
    // PostgreSQL sends the row back with the UPDATE's answer in the same round trip: read it back.
    updateOrderFrom: (current, patch, onlyIf) => updateOrder(current.id, patch, onlyIf),

    // Links
    getLink: async (id, lock) => {
      if (lock) await lockOrderOf(db, 'links', 'id', id);
      const row = await first(db, `SELECT ${LINK} FROM links WHERE id = $1 ${lockIf(lock)}`, [id]);
      return row && linkFromRow(row);
    },
    updateLink: async (id, patch, onlyIf) => {
      const row = await updateRow(db, 'links', linkColumns, id, patch, onlyIf);
      return row && linkFromRow(row);
    },
    voidActiveLinks: (orderId, at, exceptLinkId) => voidActiveLinks(db, [orderId], at, exceptLinkId),
    endLinksOfPaidOrder: async (orderId, paidLinkId, at) => {
      await db.query(statement(
        `UPDATE links SET status = CASE WHEN id = $1 THEN 'paid' ELSE 'void' END, closed_at = $2
         WHERE order_id = $3 AND (status = 'active' OR (id = $1 AND status = 'expired'))`,
        [paidLinkId, at, orderId],
      ));
    },

    // Payments
    getPayment: async (id, lock) => {
      if (lock) await lockOrderOf(db, 'payments', 'id', id);
      return payment(await first(db, `SELECT ${PAYMENT} FROM payments WHERE id = $1 ${lockIf(lock)}`, [id]));
    },
    getPaymentToSettle: async (outTradeNo) => {
      // The order's lock comes first, in its own statement: the join then reads the order's other
      // payments after any transaction that held it has committed.
      await lockOrderOf(db, 'payments', 'out_trade_no', outTradeNo);
      const row = await first(db, `SELECT ${PAYMENT_OF_P}, ${ORDER_AS_O.select}, ${LINK_AS_L.select}, v.shopper_openid AS v_shopper_openid,
          (SELECT count(*) FROM payments q WHERE q.order_id = p.order_id AND q.paid_at IS NOT NULL AND q.id <> p.id) AS other_paid
        FROM payments p JOIN orders o ON o.id = p.order_id JOIN links l ON l.id = p.link_id LEFT JOIN link_live v ON v.link_id = p.link_id
        WHERE p.out_trade_no = $1 ${LOCK} OF p, l`, [outTradeNo]);
      if (row === undefined) return undefined;
      return {
        payment: paymentFromRow(row),
        order: ORDER_AS_O.read(row),
        link: LINK_AS_L.read(row),
        shopperOpenid: typeof row.v_shopper_openid === 'string' ? row.v_shopper_openid : null,
        otherPaidPayments: Number(row.other_paid),
      };
    },
    getPaymentByOutTradeNo: async (outTradeNo, lock) => {
      if (lock) await lockOrderOf(db, 'payments', 'out_trade_no', outTradeNo);
      return payment(await first(db, `SELECT ${PAYMENT} FROM payments WHERE out_trade_no = $1 ${lockIf(lock)}`, [outTradeNo]));
    },
    findPaymentByIdempotencyKey: async (payerOpenid, key) =>
      payment(await first(db, `SELECT ${PAYMENT} FROM payments WHERE payer_openid = $1 AND idempotency_key = $2`, [payerOpenid, key])),
    listPaymentsOfOrder: async (orderId) => (await rows(db, `SELECT ${PAYMENT} FROM payments WHERE order_id = $1 ORDER BY created_at, id`, [orderId])).map(paymentFromRow),
    insertPayment: (record) => insertRow(db, 'payments', paymentColumns, record),
    updatePayment,
    updatePaymentFrom: (current, patch, onlyIf) => updatePayment(current.id, patch, onlyIf),
    recordNotification: async (id, type, at) =>
      (await changes(db, 'INSERT INTO wechatpay_notifications (id, type, received_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [id, type, at])) === 1,

    // Refunds
    insertRefund: (record) => insertRow(db, 'refunds', refundColumns, record),
    getRefundByOutRefundNo: async (outRefundNo, lock) => {
      if (lock) await lockOrderOf(db, 'refunds', 'out_refund_no', outRefundNo);
      return refund(await first(db, `SELECT ${REFUND} FROM refunds WHERE out_refund_no = $1 ${lockIf(lock)}`, [outRefundNo]));
    },
    updateRefund: async (id, patch, onlyIf) => refund(await updateRow(db, 'refunds', refundColumns, id, patch, onlyIf)),
    listRefundsOfOrder: async (orderId) => (await rows(db, `SELECT ${REFUND} FROM refunds WHERE order_id = $1 ORDER BY created_at, id`, [orderId])).map(refundFromRow),

    // Webhook events
    insertEvent: (event) => insertEvents(db, [event]),

    // Live status in the chat
    getLinkLive: async (linkId) => {
      const row = await first(db, `SELECT ${LINK_LIVE} FROM link_live WHERE link_id = $1`, [linkId]);
      return row && linkLiveFromRow(row);
    },
    listLiveActivities: async (linkId, now) =>
      (await rows(db, `SELECT ${LINK_ACTIVITY} FROM link_activities WHERE link_id = $1 AND expires_at > $2 ORDER BY created_at, activity_id`, [linkId, now])).map(linkActivityFromRow),
    insertCardUpdate: async (update) => {
      await db.query(statement(
        `INSERT INTO card_updates (link_id, activity_id, target_state, member_count, room_limit, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)`,
        [update.linkId, update.activityId, update.targetState, update.memberCount, update.roomLimit, update.createdAt],
      ));
    },
    takeSubscription: async (linkId, openid, kind, at) => {
      const row = await first(
        db,
        `UPDATE subscriptions SET status = 'used', used_at = $1
         WHERE id = (SELECT id FROM subscriptions WHERE link_id = $2 AND openid = $3 AND kind = $4 AND status = 'available' ORDER BY created_at, id LIMIT 1 ${LOCK} SKIP LOCKED)
           AND status = 'available'
         RETURNING ${SUBSCRIPTION}`,
        [at, linkId, openid, kind],
      );
      return row && subscriptionFromRow(row);
    },
    insertSubscribeMessage: (record) => insertRow(db, 'subscribe_messages', subscribeMessageColumns, record),
    markExpiryWarned: async (linkId, at) =>
      (await changes(db, 'UPDATE link_live SET expiring_notice_at = $1 WHERE link_id = $2 AND expiring_notice_at IS NULL', [at, linkId])) === 1,
  };
}

/** Splits a `schema` query parameter off the URL, and checks it. */
export function parsePostgresUrl(url: string): { connectionString: string; schema: string | undefined; options: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  const options = parsed.searchParams.get('options') ?? undefined;
  parsed.searchParams.delete('schema');
  parsed.searchParams.delete('options');
  if (schema !== undefined) checkSchema(schema);
  return { connectionString: parsed.toString(), schema, options };
}

function checkSchema(schema: string): void {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`the PostgreSQL schema "${schema.slice(0, 70)}" must be 1-63 of [a-z0-9_], not starting with a digit`);
}

/** Opens a PostgreSQL store (connections are made on first use). Call `migrate()` before use. */
export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const { connectionString, schema: urlSchema, options: urlOptions } = parsePostgresUrl(options.url);
  const schema = options.schema ?? urlSchema;
  if (schema !== undefined) checkSchema(schema);
  // search_path is a startup option of each connection: no extra round trip, and every pooled
  // connection (prepared statements included) sees this schema's tables only.
  const connectionOptions = [urlOptions, schema === undefined ? undefined : `-c search_path=${schema}`].filter((part) => part !== undefined).join(' ');
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    ...(options.idleConnectionMs === undefined ? {} : { idleTimeoutMillis: options.idleConnectionMs }),
    connectionTimeoutMillis: 10_000,
    application_name: 'friend-pay',
    ...(connectionOptions === '' ? {} : { options: connectionOptions }),
  });
  // An idle connection that dies (the database restarted) is dropped by the pool and the next
  // query opens a new one; without a listener the 'error' event would end the process.
  pool.on('error', () => undefined);
  return new PostgresStore(pool, schema);
}

/** The PostgreSQL engine of the store: every feature's part (shops, orders, links, ...) on one database. */
export class PostgresStore implements Store {
  readonly engine = 'postgres' as const;
  #closed = false;

  constructor(
    private readonly pool: pg.Pool,
    /** The schema of the tables, or undefined for the connection's default search_path. */
    readonly schema: string | undefined,
  ) {}

  /**
   * Runs `work` in BEGIN ... COMMIT on one pooled client; rolls back on any error, and runs it
   * once more after a deadlock, a serialization failure or a unique violation (see RETRYABLE).
   */
  private async inTransaction<T>(work: (db: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error: unknown) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError: unknown) {
          // The connection itself failed: release() with an error discards it.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? '')) throw error;
      } finally {
        client.release(broken);
      }
      // The transaction we collided with was woken by our rollback; rerun at once and ours could
      // take a row lock back before it does, and the two deadlock again (seen on a loaded host).
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * (1 + Math.random())));
    }
  }

  async transaction<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.inTransaction(async (client) => {
      let open = true;
      // A callback that kept `tx` and used it after its transaction ended would write outside
      // any transaction (or into the next user's of that pooled connection): refuse instead.
      const guarded: Queryable = {
        query: (config) => (open ? client.query(config) : Promise.reject(new Error('StoreTx used after its transaction ended'))),
      };
      try {
        return await work(transactionOn(guarded));
      } finally {
        open = false;
      }
    });
  }

  async migrate(): Promise<void> {
    await this.inTransaction(async (db) => {
      // Several instances starting at once: the first migrates, the others wait, then find
      // nothing left to do. The lock is the transaction's, so a crash cannot leave it held.
      await db.query(statement('SELECT pg_advisory_xact_lock($1, hashtext(coalesce($2::text, current_schema(), \'\')))', [MIGRATION_LOCK_CLASS, this.schema ?? null]));
      if (this.schema !== undefined) {
        // Checked first: CREATE SCHEMA IF NOT EXISTS would need CREATE on the database even when
        // the schema exists, which a least-privilege role does not have.
        const exists = await first(db, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
        if (exists === undefined) await db.query({ text: `CREATE SCHEMA "${this.schema}"` });
        await db.query({ text: `SET LOCAL search_path TO "${this.schema}"` });
      }
      await db.query({ text: 'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)' });
      const applied = new Set((await db.query<Row>({ text: 'SELECT version FROM schema_migrations' })).rows.map((row) => Number(row.version)));
      for (const migration of postgresMigrations) {
        if (applied.has(migration.version)) continue;
        await db.query({ text: migration.sql });
        await db.query({ text: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', values: [migration.version, migration.name, Date.now()] });
      }
    });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }

  // Shops

  async insertShop(shop: ShopRecord): Promise<void> {
    await insertRow(this.pool, 'shops', shopColumns, shop);
  }

  async findShopByApiKeyHash(apiKeyHash: string): Promise<ShopRecord | undefined> {
    const row = await first(this.pool, `SELECT ${SHOP} FROM shops WHERE api_key_hash = $1`, [apiKeyHash]);
    return row && shopFromRow(row);
  }

  async getShop(id: string): Promise<ShopRecord | undefined> {
    const row = await first(this.pool, `SELECT ${SHOP} FROM shops WHERE id = $1`, [id]);
    return row && shopFromRow(row);
  }

  async setShopWebhookUrl(id: string, webhookUrl: string | null): Promise<void> {
    await changes(this.pool, 'UPDATE shops SET webhook_url = $1 WHERE id = $2', [webhookUrl, id]);
  }

  async updateShopMerchant(id: string, subMchId: string | null, subAppId: string | null): Promise<ShopRecord | undefined> {
    const row = await first(this.pool, `UPDATE shops SET sub_mchid = $1, sub_appid = $2 WHERE id = $3 RETURNING ${SHOP}`, [subMchId, subAppId, id]);
    return row && shopFromRow(row);
  }

  async listShopsBySubMchId(subMchId: string): Promise<ShopRecord[]> {
    return (await rows(this.pool, `SELECT ${SHOP} FROM shops WHERE sub_mchid = $1 ORDER BY created_at, id`, [subMchId])).map(shopFromRow);
  }

  // Orders

  async listOrdersOfShop(shopId: string, query: OrderListQuery): Promise<OrderRecord[]> {
    const before = query.before;
    return (await rows(
      this.pool,
      `SELECT ${ORDER} FROM orders WHERE shop_id = $1
         AND ($2::text IS NULL OR status = $2)
         AND ($3::bigint IS NULL OR created_at < $3 OR (created_at = $3 AND id < $4))
       ORDER BY created_at DESC, id DESC LIMIT $5`,
      [shopId, query.status ?? null, before?.createdAt ?? null, before?.id ?? null, query.limit],
    )).map(orderFromRow);
  }

  async upsertOrder(order: OrderRecord): Promise<UpsertOrderResult> {
    const keys = Object.keys(orderColumns) as (keyof OrderRecord)[];
    // ON CONFLICT waits for a concurrent insert of the same shop order id to commit, so the
    // SELECT after it always finds the row that won.
    const inserted = await changes(
      this.pool,
      `INSERT INTO orders (${keys.map((key) => orderColumns[key].column).join(', ')}) VALUES (${keys.map((_, index) => `$${index + 1}`).join(', ')})
       ON CONFLICT (shop_id, shop_order_id) DO NOTHING`,
      keys.map((key) => toColumnValue(orderColumns[key], order[key])),
    );
    if (inserted === 1) return { outcome: 'created', order };
    const stored = await this.findOrderByShopOrderId(order.shopId, order.shopOrderId);
    if (stored === undefined) throw new Error(`order ${order.shopOrderId} conflicted but cannot be read`);
    return { outcome: stored.fingerprint === order.fingerprint ? 'identical' : 'conflict', order: stored };
  }

  async getOrder(id: string): Promise<OrderRecord | undefined> {
    const row = await first(this.pool, `SELECT ${ORDER} FROM orders WHERE id = $1`, [id]);
    return row && orderFromRow(row);
  }

  async findOrderByShopOrderId(shopId: string, shopOrderId: string): Promise<OrderRecord | undefined> {
    const row = await first(this.pool, `SELECT ${ORDER} FROM orders WHERE shop_id = $1 AND shop_order_id = $2`, [shopId, shopOrderId]);
    return row && orderFromRow(row);
  }

  async closeOverdueOrder(id: string, now: number): Promise<OrderRecord | undefined> {
    return this.inTransaction(async (db) => {
      const row = await first(db, `UPDATE orders SET status = 'closed', updated_at = $1 WHERE id = $2 AND status = 'pending' AND pay_deadline <= $1 RETURNING ${ORDER}`, [now, id]);
      if (row === undefined) return undefined;
      await voidActiveLinks(db, [id], now);
      return orderFromRow(row);
    });
  }

  async closeOverdueOrders(now: number, limit: number): Promise<number> {
    return this.inTransaction(async (db) => {
      const closed = await rows(
        db,
        `WITH due AS (
           SELECT id FROM orders WHERE status = 'pending' AND pay_deadline <= $1 ORDER BY pay_deadline LIMIT $2 ${LOCK} SKIP LOCKED
         )
         UPDATE orders SET status = 'closed', updated_at = $1 FROM due WHERE orders.id = due.id AND orders.status = 'pending'
         RETURNING orders.id`,
        [now, limit],
      );
      if (closed.length > 0) await voidActiveLinks(db, closed.map((row) => String(row.id)), now);
      return closed.length;
    });
  }

  // Links

  async insertLink(link: LinkRecord): Promise<void> {
    await insertRow(this.pool, 'links', linkColumns, link);
  }

  async getLink(id: string): Promise<LinkRecord | undefined> {
    const row = await first(this.pool, `SELECT ${LINK} FROM links WHERE id = $1`, [id]);
    return row && linkFromRow(row);
  }

  async listLinksOfOrder(orderId: string): Promise<LinkRecord[]> {
    return (await rows(this.pool, `SELECT ${LINK} FROM links WHERE order_id = $1 ORDER BY created_at, id`, [orderId])).map(linkFromRow);
  }

  async getLinkView(id: string): Promise<LinkView | undefined> {
    const row = await first(
      this.pool,
      `SELECT ${LINK_OF_L}, ${ORDER_AS_O.select}, s.name AS shop_name
       FROM links l JOIN orders o ON o.id = l.order_id JOIN shops s ON s.id = l.shop_id
       WHERE l.id = $1`,
      [id],
    );
    if (row === undefined) return undefined;
    return { link: linkFromRow(row), order: ORDER_AS_O.read(row), shopName: String(row.shop_name) };
  }

  async getFriendLinkView(id: string): Promise<FriendLinkView | undefined> {
    // The payments ride along as JSON in the same statement: one round trip instead of two.
    const row = await first(
      this.pool,
      `SELECT ${LINK_OF_L}, ${ORDER_AS_O.select}, s.name AS shop_name, v.audience AS link_audience,
         (SELECT COALESCE(json_agg(json_build_object(${paymentJsonFields}) ORDER BY p.created_at, p.id), '[]'::json)
          FROM payments p WHERE p.order_id = l.order_id) AS payments
       FROM links l JOIN orders o ON o.id = l.order_id JOIN shops s ON s.id = l.shop_id
       LEFT JOIN link_live v ON v.link_id = l.id
       WHERE l.id = $1`,
      [id],
    );
    if (row === undefined) return undefined;
    const payments = row.payments as Row[];
    // No link_live row: the link was issued before audiences existed, and is for anyone.
    const audience = row.link_audience === 'private' ? 'private' : 'group';
    return { link: linkFromRow(row), order: ORDER_AS_O.read(row), shopName: String(row.shop_name), audience, payments: payments.map(paymentFromRow) };
  }

  async transitionLink(change: LinkTransition): Promise<LinkRecord | undefined> {
    const update = `UPDATE links SET status = $1, closed_at = $2 WHERE id = $3 AND status = ANY($4::text[]) RETURNING ${LINK}`;
    if (change.event === undefined) {
      const row = await first(this.pool, update, [change.to, change.at, change.id, change.from]);
      return row && linkFromRow(row);
    }
    const event = change.event;
    return this.inTransaction(async (db) => {
      const row = await first(db, update, [change.to, change.at, change.id, change.from]);
      if (row === undefined) return undefined;
      await insertEvents(db, [event]);
      return linkFromRow(row);
    });
  }

  async expireDueLinks(now: number, limit: number, eventFor: (link: LinkRecord) => NewEvent): Promise<LinkRecord[]> {
    return this.inTransaction(async (db) => {
      const links = (await rows(
        db,
        `WITH due AS (
           SELECT id FROM links WHERE status = 'active' AND expires_at <= $1 ORDER BY expires_at LIMIT $2 ${LOCK} SKIP LOCKED
         )
         UPDATE links SET status = 'expired', closed_at = $1 FROM due WHERE links.id = due.id AND links.status = 'active'
         RETURNING ${LINK_OF_LINKS}`,
        [now, limit],
      )).map(linkFromRow);
      await insertEvents(db, links.map(eventFor));
      return links;
    });
  }

  // Payments

  async getPayment(id: string): Promise<PaymentRecord | undefined> {
    const row = await first(this.pool, `SELECT ${PAYMENT} FROM payments WHERE id = $1`, [id]);
    return row && paymentFromRow(row);
  }

  async listPaymentsOfOrder(orderId: string): Promise<PaymentRecord[]> {
    return (await rows(this.pool, `SELECT ${PAYMENT} FROM payments WHERE order_id = $1 ORDER BY created_at, id`, [orderId])).map(paymentFromRow);
  }

  async listOpenPayments(createdBefore: number, limit: number): Promise<PaymentRecord[]> {
    // SKIP LOCKED: a payment another instance is settling or closing right now is left to it.
    return (await rows(
      this.pool,
      `SELECT ${PAYMENT} FROM payments WHERE status = 'created' AND created_at <= $1 ORDER BY COALESCE(checked_at, 0), created_at LIMIT $2 ${LOCK} SKIP LOCKED`,
      [createdBefore, limit],
    )).map(paymentFromRow);
  }

  async attachPrepay(id: string, prepayId: string, requestPayment: NonNullable<PaymentRecord['requestPayment']>, at: number): Promise<PaymentRecord | undefined> {
    const row = await first(
      this.pool,
      `UPDATE payments SET prepay_id = $1, request_payment_json = $2, updated_at = $3
       WHERE id = $4 AND status = 'created' AND request_payment_json IS NULL RETURNING ${PAYMENT}`,
      [prepayId, JSON.stringify(requestPayment), at, id],
    );
    return row ? paymentFromRow(row) : this.getPayment(id);
  }

  async markPaymentChecked(id: string, at: number): Promise<void> {
    await changes(this.pool, "UPDATE payments SET checked_at = $1 WHERE id = $2 AND status = 'created'", [at, id]);
  }

  // Refunds

  async listRefundsOfOrder(orderId: string): Promise<RefundRecord[]> {
    return (await rows(this.pool, `SELECT ${REFUND} FROM refunds WHERE order_id = $1 ORDER BY created_at, id`, [orderId])).map(refundFromRow);
  }

  async getRefund(id: string): Promise<RefundRecord | undefined> {
    const row = await first(this.pool, `SELECT ${REFUND} FROM refunds WHERE id = $1`, [id]);
    return row && refundFromRow(row);
  }

  async listRefundsOfPayment(paymentId: string): Promise<RefundRecord[]> {
    return (await rows(this.pool, `SELECT ${REFUND} FROM refunds WHERE payment_id = $1 ORDER BY created_at, id`, [paymentId])).map(refundFromRow);
  }

  async listRefundsDue(now: number, limit: number): Promise<RefundRecord[]> {
    // SKIP LOCKED: a refund another instance is recording right now is left to it.
    return (await rows(
      this.pool,
      `SELECT ${REFUND} FROM refunds WHERE status IN ('pending', 'processing') AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2 ${LOCK} SKIP LOCKED`,
      [now, limit],
    )).map(refundFromRow);
  }

  // Webhook events

  async listEvents(shopId: string, limit: number): Promise<EventRecord[]> {
    return (await rows(this.pool, `SELECT ${EVENT} FROM events WHERE shop_id = $1 ORDER BY created_at DESC, id LIMIT $2`, [shopId, limit])).map(eventFromRow);
  }

  async oldestUndeliveredEventAt(): Promise<number | undefined> {
    const row = await first(this.pool, 'SELECT MIN(created_at) AS oldest FROM events WHERE delivered_at IS NULL');
    return row === undefined || row.oldest === null ? undefined : Number(row.oldest);
  }

  async claimDueEvents(now: number, limit: number, claimUntil: number): Promise<EventRecord[]> {
    return (await rows(this.pool, CLAIM_DUE_EVENTS, [claimUntil, now, limit])).map(eventFromRow);
  }

  async markEventDelivered(id: string, at: number): Promise<void> {
    await changes(this.pool, 'UPDATE events SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2 AND delivered_at IS NULL', [at, id]);
  }

  async markEventFailed(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await changes(this.pool, 'UPDATE events SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3 AND delivered_at IS NULL', [nextAttemptAt, error.slice(0, 500), id]);
  }

  async markEventSkipped(id: string, at: number, reason: string): Promise<void> {
    await changes(this.pool, 'UPDATE events SET delivered_at = $1, last_error = $2 WHERE id = $3 AND delivered_at IS NULL', [at, reason.slice(0, 500), id]);
  }

  // Idempotency keys

  // Reconciliation with WeChat Pay's bills

  async findPaymentByOutTradeNo(outTradeNo: string): Promise<PaymentRecord | undefined> {
    const row = await first(this.pool, `SELECT ${PAYMENT} FROM payments WHERE out_trade_no = $1`, [outTradeNo]);
    return row && paymentFromRow(row);
  }

  async findRefundByOutRefundNo(outRefundNo: string): Promise<RefundRecord | undefined> {
    const row = await first(this.pool, `SELECT ${REFUND} FROM refunds WHERE out_refund_no = $1`, [outRefundNo]);
    return row && refundFromRow(row);
  }

  async listPaymentsPaidBetween(from: number, to: number): Promise<PaymentRecord[]> {
    return (await rows(this.pool, `SELECT ${PAYMENT} FROM payments WHERE paid_at IS NOT NULL AND paid_at >= $1 AND paid_at < $2 ORDER BY paid_at, id`, [from, to])).map(paymentFromRow);
  }

  async listRefundsCreatedBetween(from: number, to: number): Promise<RefundRecord[]> {
    return (await rows(this.pool, `SELECT ${REFUND} FROM refunds WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id`, [from, to])).map(refundFromRow);
  }

  async getBillReconciliation(billDate: string, scope: string): Promise<BillReconciliationRecord | undefined> {
    const row = await first(this.pool, `SELECT ${BILL_RECONCILIATION} FROM bill_reconciliations WHERE bill_date = $1 AND scope = $2`, [billDate, scope]);
    return row && billReconciliationFromRow(row);
  }

  async saveBillReconciliation(record: BillReconciliationRecord): Promise<void> {
    const keys = Object.keys(billReconciliationColumns) as (keyof BillReconciliationRecord)[];
    const updates = keys.filter((key) => key !== 'billDate' && key !== 'scope').map((key) => `${billReconciliationColumns[key].column} = EXCLUDED.${billReconciliationColumns[key].column}`);
    await this.pool.query(statement(
      `INSERT INTO bill_reconciliations (${BILL_RECONCILIATION}) VALUES (${keys.map((_, index) => `$${index + 1}`).join(', ')})
       ON CONFLICT (bill_date, scope) DO UPDATE SET ${updates.join(', ')}`,
      keys.map((key) => toColumnValue(billReconciliationColumns[key], record[key])),
    ));
  }

  async acquireJobLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean> {
    // One statement: insert, or take over an expired lease, or renew one's own; a racing
    // instance waits on the row and then finds the condition false.
    const taken = await changes(
      this.pool,
      `INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE job_leases.expires_at <= $4 OR job_leases.holder = EXCLUDED.holder`,
      [name, holder, now + ttlMs, now],
    );
    return taken === 1;
  }

  async releaseJobLease(name: string, holder: string): Promise<void> {
    await changes(this.pool, 'DELETE FROM job_leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async claimIdempotencyKey(record: IdempotencyRecord): Promise<IdempotencyClaim> {
    // Without SQLite's single writer, a pending claim can be released between our conflicting
    // INSERT and the SELECT; then the key is free again and the INSERT is tried once more. Two
    // takeovers at once: the second re-checks the row the first updated (held again) and changes nothing.
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const claimed = await changes(
        this.pool,
        `INSERT INTO idempotency_keys (scope, key, request_hash, state, status_code, response_body, created_at, holder, held_until)
         VALUES ($1, $2, $3, 'pending', NULL, NULL, $4, $5, $6)
         ON CONFLICT (scope, key) DO UPDATE SET holder = EXCLUDED.holder, held_until = EXCLUDED.held_until
         WHERE idempotency_keys.state = 'pending' AND idempotency_keys.request_hash = EXCLUDED.request_hash
           AND idempotency_keys.held_until < EXCLUDED.created_at`,
        [record.scope, record.key, record.requestHash, record.createdAt, record.holder, record.heldUntil],
      );
      if (claimed === 1) return { claimed: true };
      const row = await first(this.pool, `SELECT ${IDEMPOTENCY} FROM idempotency_keys WHERE scope = $1 AND key = $2`, [record.scope, record.key]);
      if (row !== undefined) return { claimed: false, existing: idempotencyFromRow(row) };
    }
    throw new Error(`idempotency key ${record.key} kept changing while it was claimed`);
  }

  async holdIdempotencyKey(scope: string, key: string, holder: string, heldUntil: number): Promise<boolean> {
    return (await changes(this.pool, "UPDATE idempotency_keys SET held_until = $1 WHERE scope = $2 AND key = $3 AND holder = $4 AND state = 'pending'", [heldUntil, scope, key, holder])) === 1;
  }

  async completeIdempotencyKey(scope: string, key: string, holder: string, statusCode: number, responseBody: string): Promise<void> {
    await changes(this.pool, "UPDATE idempotency_keys SET state = 'done', status_code = $1, response_body = $2 WHERE scope = $3 AND key = $4 AND holder = $5 AND state = 'pending'", [statusCode, responseBody, scope, key, holder]);
  }

  async releaseIdempotencyKey(scope: string, key: string, holder: string): Promise<void> {
    await changes(this.pool, "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND holder = $3 AND state = 'pending'", [scope, key, holder]);
  }

  // WeChat: the shared access token and each link's code image and URL Link

  async getLinkCode(linkId: string, envVersion: string): Promise<LinkCodeRecord | undefined> {
    const row = await first(this.pool, `SELECT ${LINK_CODE} FROM link_codes WHERE link_id = $1 AND env_version = $2`, [linkId, envVersion]);
    return row && linkCodeFromRow(row);
  }

  async keepLinkCode(code: LinkCodeRecord): Promise<LinkCodeRecord> {
    // ON CONFLICT waits for a concurrent insert of the same key to commit, so the SELECT after it
    // finds the winner's row.
    return this.keepFirst(
      `INSERT INTO link_codes (${LINK_CODE}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (link_id, env_version) DO NOTHING`,
      [code.linkId, code.envVersion, code.image, code.contentType, code.createdAt],
      () => this.getLinkCode(code.linkId, code.envVersion),
      `the code of link ${code.linkId}`,
    );
  }

  async getLinkUrlLink(linkId: string, envVersion: string): Promise<LinkUrlLinkRecord | undefined> {
    const row = await first(this.pool, `SELECT ${LINK_URL_LINK} FROM link_url_links WHERE link_id = $1 AND env_version = $2`, [linkId, envVersion]);
    return row && linkUrlLinkFromRow(row);
  }

  async keepLinkUrlLink(urlLink: LinkUrlLinkRecord): Promise<LinkUrlLinkRecord> {
    return this.keepFirst(
      `INSERT INTO link_url_links (${LINK_URL_LINK}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (link_id, env_version) DO NOTHING`,
      [urlLink.linkId, urlLink.envVersion, urlLink.url, urlLink.expiresAt, urlLink.createdAt],
      () => this.getLinkUrlLink(urlLink.linkId, urlLink.envVersion),
      `the URL Link of link ${urlLink.linkId}`,
    );
  }

  /** Inserts unless the key is taken, then reads back whichever row won (ours or a concurrent one). */
  private async keepFirst<T>(insert: string, values: readonly unknown[], read: () => Promise<T | undefined>, what: string): Promise<T> {
    await changes(this.pool, insert, values);
    const kept = await read();
    if (kept === undefined) throw new Error(`${what} conflicted but cannot be read`);
    return kept;
  }

  async readAccessToken(appId: string): Promise<AccessTokenRecord | undefined> {
    return accessTokenFromRow(await first(this.pool, `SELECT ${ACCESS_TOKEN} FROM wechat_access_tokens WHERE app_id = $1`, [appId]));
  }

  async writeAccessToken(token: AccessTokenRecord): Promise<void> {
    await changes(
      this.pool,
      `INSERT INTO wechat_access_tokens (app_id, access_token, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (app_id) DO UPDATE SET access_token = excluded.access_token, expires_at = excluded.expires_at`,
      [token.appId, token.token, token.expiresAt],
    );
  }

  async claimAccessTokenLease(appId: string, holder: string, now: number, until: number): Promise<boolean> {
    // Two claims at once: the second waits on the first's row lock, then re-checks the WHERE
    // against the row as the first left it (its lease is live), and changes nothing.
    return (await changes(
      this.pool,
      `INSERT INTO wechat_access_tokens (app_id, lease_holder, lease_until) VALUES ($1, $2, $3)
       ON CONFLICT (app_id) DO UPDATE SET lease_holder = excluded.lease_holder, lease_until = excluded.lease_until
       WHERE wechat_access_tokens.lease_until <= $4 OR wechat_access_tokens.lease_holder = excluded.lease_holder`,
      [appId, holder, until, now],
    )) === 1;
  }

  async releaseAccessTokenLease(appId: string, holder: string): Promise<void> {
    await changes(this.pool, 'UPDATE wechat_access_tokens SET lease_holder = NULL, lease_until = 0 WHERE app_id = $1 AND lease_holder = $2', [appId, holder]);
  }

  // Live status in the chat

  async insertLinkLive(record: LinkLiveRecord): Promise<void> {
    await insertRow(this.pool, 'link_live', linkLiveColumns, record);
  }

  async getLinkLive(linkId: string): Promise<LinkLiveRecord | undefined> {
    const row = await first(this.pool, `SELECT ${LINK_LIVE} FROM link_live WHERE link_id = $1`, [linkId]);
    return row && linkLiveFromRow(row);
  }

  async bindShopper(linkId: string, openid: string, at: number): Promise<ShopperBinding> {
    // One conditional UPDATE: of two instances binding at once, one sees its row come back.
    const bound = await first(this.pool, `UPDATE link_live SET shopper_openid = $1, shopper_bound_at = $2 WHERE link_id = $3 AND shopper_openid IS NULL RETURNING ${LINK_LIVE}`, [openid, at, linkId]);
    if (bound !== undefined) return { outcome: 'bound', live: linkLiveFromRow(bound) };
    const live = await this.getLinkLive(linkId);
    if (live === undefined) return { outcome: 'missing' };
    return { outcome: live.shopperOpenid === openid ? 'already' : 'other', live };
  }

  async insertLinkActivity(record: LinkActivityRecord): Promise<void> {
    await insertRow(this.pool, 'link_activities', linkActivityColumns, record);
  }

  async listLinkActivities(linkId: string): Promise<LinkActivityRecord[]> {
    return (await rows(this.pool, `SELECT ${LINK_ACTIVITY} FROM link_activities WHERE link_id = $1 ORDER BY created_at DESC, activity_id DESC`, [linkId])).map(linkActivityFromRow);
  }

  async getLinkActivity(activityId: string): Promise<LinkActivityRecord | undefined> {
    const row = await first(this.pool, `SELECT ${LINK_ACTIVITY} FROM link_activities WHERE activity_id = $1`, [activityId]);
    return row && linkActivityFromRow(row);
  }

  async savePrivateProof(linkId: string, openid: string, activityId: string, at: number): Promise<void> {
    await changes(this.pool, 'INSERT INTO private_proofs (link_id, openid, activity_id, proved_at) VALUES ($1, $2, $3, $4) ON CONFLICT (link_id, openid) DO NOTHING', [linkId, openid, activityId, at]);
  }

  async hasPrivateProof(linkId: string, openid: string): Promise<boolean> {
    return (await first(this.pool, 'SELECT 1 AS proved FROM private_proofs WHERE link_id = $1 AND openid = $2', [linkId, openid])) !== undefined;
  }

  async saveWechatSessionKey(openid: string, sealed: string, at: number): Promise<void> {
    await changes(
      this.pool,
      `INSERT INTO wechat_sessions (openid, sealed_session_key, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (openid) DO UPDATE SET sealed_session_key = excluded.sealed_session_key, updated_at = excluded.updated_at`,
      [openid, sealed, at],
    );
  }

  async getWechatSessionKey(openid: string): Promise<string | undefined> {
    const row = await first(this.pool, 'SELECT sealed_session_key FROM wechat_sessions WHERE openid = $1', [openid]);
    return row === undefined ? undefined : String(row.sealed_session_key);
  }

  async insertSubscriptions(records: readonly SubscriptionRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.inTransaction(async (db) => {
      for (const record of records) await insertRow(db, 'subscriptions', subscriptionColumns, record);
    });
  }

  async listSubscriptions(linkId: string): Promise<SubscriptionRecord[]> {
    return (await rows(this.pool, `SELECT ${SUBSCRIPTION} FROM subscriptions WHERE link_id = $1 ORDER BY created_at, id`, [linkId])).map(subscriptionFromRow);
  }

  async listCardUpdates(linkId: string): Promise<CardUpdateRecord[]> {
    return (await rows(this.pool, `SELECT ${CARD_UPDATE} FROM card_updates WHERE link_id = $1 ORDER BY id`, [linkId])).map(cardUpdateFromRow);
  }

  async claimDueCardUpdates(now: number, limit: number, claimUntil: number): Promise<CardUpdateRecord[]> {
    // Only the oldest unfinished update of each card; one another instance is sending is locked
    // (skipped here) and, once claimed, no longer due, while the NOT EXISTS keeps its successors back.
    return (await rows(
      this.pool,
      `WITH due AS (
         SELECT c.id FROM card_updates c
         WHERE c.done_at IS NULL AND c.next_attempt_at <= $2
           AND NOT EXISTS (SELECT 1 FROM card_updates e WHERE e.activity_id = c.activity_id AND e.done_at IS NULL AND e.id < c.id)
         ORDER BY c.id LIMIT $3 ${LOCK} SKIP LOCKED
       )
       UPDATE card_updates SET next_attempt_at = $1 FROM due WHERE card_updates.id = due.id AND card_updates.done_at IS NULL
       RETURNING ${CARD_UPDATE_OF_C}`,
      [claimUntil, now, limit],
    )).map(cardUpdateFromRow).sort((a, b) => a.id - b.id);
  }

  async finishCardUpdate(id: number, at: number, outcome: NonNullable<CardUpdateRecord['outcome']>, error: string | null): Promise<void> {
    await changes(this.pool, 'UPDATE card_updates SET done_at = $1, outcome = $2, attempts = attempts + 1, last_error = $3 WHERE id = $4 AND done_at IS NULL', [at, outcome, error?.slice(0, 500) ?? null, id]);
  }

  async retryCardUpdate(id: number, nextAttemptAt: number, error: string): Promise<void> {
    await changes(this.pool, 'UPDATE card_updates SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3 AND done_at IS NULL', [nextAttemptAt, error.slice(0, 500), id]);
  }

  async listSubscribeMessages(linkId: string): Promise<SubscribeMessageRecord[]> {
    return (await rows(this.pool, `SELECT ${SUBSCRIBE_MESSAGE} FROM subscribe_messages WHERE link_id = $1 ORDER BY created_at, id`, [linkId])).map(subscribeMessageFromRow);
  }

  async claimDueSubscribeMessages(now: number, limit: number, claimUntil: number): Promise<SubscribeMessageRecord[]> {
    return (await rows(this.pool, CLAIM_DUE_SUBSCRIBE_MESSAGES, [claimUntil, now, limit])).map(subscribeMessageFromRow);
  }

  async finishSubscribeMessage(id: string, at: number, outcome: NonNullable<SubscribeMessageRecord['outcome']>, error: string | null): Promise<void> {
    await changes(this.pool, 'UPDATE subscribe_messages SET done_at = $1, outcome = $2, attempts = attempts + 1, last_error = $3 WHERE id = $4 AND done_at IS NULL', [at, outcome, error?.slice(0, 500) ?? null, id]);
  }

  async retrySubscribeMessage(id: string, nextAttemptAt: number, error: string): Promise<void> {
    await changes(this.pool, 'UPDATE subscribe_messages SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3 AND done_at IS NULL', [nextAttemptAt, error.slice(0, 500), id]);
  }

  async listLinksToWarnOfExpiry(now: number, until: number, limit: number): Promise<string[]> {
    return (await rows(
      this.pool,
      `SELECT l.id FROM links l JOIN link_live v ON v.link_id = l.id
       WHERE l.status = 'active' AND l.expires_at > $1 AND l.expires_at <= $2 AND v.expiring_notice_at IS NULL AND v.shopper_openid IS NOT NULL
         AND EXISTS (SELECT 1 FROM subscriptions s WHERE s.link_id = l.id AND s.openid = v.shopper_openid AND s.kind = 'link_expiring' AND s.status = 'available')
       ORDER BY l.expires_at LIMIT $3`,
      [now, until, limit],
    )).map((row) => String(row.id));
  }
}
