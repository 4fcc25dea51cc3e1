/** Numbered schema migrations for SQLite; applied in order at start, each in a transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'shops, orders, links, events, idempotency keys',
    sql: `
      CREATE TABLE shops (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        api_key_hash TEXT NOT NULL UNIQUE,
        webhook_url TEXT,
        webhook_secret TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        shop_id TEXT NOT NULL REFERENCES shops(id),
        shop_order_id TEXT NOT NULL,
        shopper_id TEXT NOT NULL,
        amount_total INTEGER NOT NULL CHECK (amount_total > 0),
        amount_paid INTEGER NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
        amount_refunded INTEGER NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
        currency TEXT NOT NULL DEFAULT 'CNY',
        items_json TEXT NOT NULL,
        ship_to_json TEXT,
        pay_deadline INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled', 'closed')),
        fingerprint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        cancelled_at INTEGER,
        UNIQUE (shop_id, shop_order_id)
      );
      CREATE INDEX orders_pending_deadline ON orders (pay_deadline) WHERE status = 'pending';
      CREATE TABLE links (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders(id),
        shop_id TEXT NOT NULL REFERENCES shops(id),
        mode TEXT NOT NULL CHECK (mode IN ('single', 'group')),
        status TEXT NOT NULL CHECK (status IN ('active', 'paid', 'expired', 'revoked', 'void')),
        requester_id TEXT NOT NULL,
        requester_name TEXT NOT NULL,
        requester_avatar_url TEXT,
        message TEXT,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        closed_at INTEGER
      );
      CREATE INDEX links_order ON links (order_id);
      CREATE INDEX links_active_expiry ON links (expires_at) WHERE status = 'active';
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        shop_id TEXT NOT NULL REFERENCES shops(id),
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        delivered_at INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT
      );
      CREATE INDEX events_shop ON events (shop_id, created_at);
      CREATE INDEX events_due ON events (next_attempt_at) WHERE delivered_at IS NULL;
      CREATE TABLE idempotency_keys (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        status_code INTEGER,
        response_body TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    version: 2,
    name: 'payments, refunds, WeChat Pay notifications',
    sql: `
      CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        link_id TEXT NOT NULL REFERENCES links(id),
        order_id TEXT NOT NULL REFERENCES orders(id),
        shop_id TEXT NOT NULL REFERENCES shops(id),
        mode TEXT NOT NULL CHECK (mode IN ('single', 'group')),
        payer_openid TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        status TEXT NOT NULL CHECK (status IN ('created', 'paid', 'closed', 'failed', 'refunding', 'refunded')),
        out_trade_no TEXT NOT NULL UNIQUE,
        prepay_id TEXT,
        request_payment_json TEXT,
        payable_until INTEGER NOT NULL,
        lease_expires_at INTEGER NOT NULL,
        transaction_id TEXT,
        paid_at INTEGER,
        closed_at INTEGER,
        kept_amount INTEGER NOT NULL DEFAULT 0 CHECK (kept_amount >= 0 AND kept_amount <= amount),
        refunded_amount INTEGER NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
        checked_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        UNIQUE (payer_openid, idempotency_key)
      );
      -- A single-mode link has at most one open payment: the database itself refuses a second.
      CREATE UNIQUE INDEX payments_one_open_per_single_link ON payments (link_id) WHERE status = 'created' AND mode = 'single';
      CREATE INDEX payments_order ON payments (order_id);
      CREATE INDEX payments_link ON payments (link_id, status);
      CREATE INDEX payments_open ON payments (created_at) WHERE status = 'created';
      CREATE TABLE refunds (
        id TEXT PRIMARY KEY,
        payment_id TEXT NOT NULL REFERENCES payments(id),
        order_id TEXT NOT NULL REFERENCES orders(id),
        shop_id TEXT NOT NULL REFERENCES shops(id),
        payer_openid TEXT NOT NULL,
        out_refund_no TEXT NOT NULL UNIQUE,
        amount INTEGER NOT NULL CHECK (amount > 0),
        reason TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed')),
        wechat_refund_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        succeeded_at INTEGER
      );
      CREATE INDEX refunds_order ON refunds (order_id);
      CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status IN ('pending', 'processing');
      CREATE TABLE wechatpay_notifications (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        received_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'payer display names; orders listed per shop, newest first',
    sql: `
      ALTER TABLE payments ADD COLUMN payer_name TEXT;
      CREATE INDEX orders_shop_newest ON orders (shop_id, created_at, id);
    `,
  },
];
