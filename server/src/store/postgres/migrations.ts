/**
 * Numbered schema migrations for PostgreSQL: the same versions as the SQLite ones, in
 * PostgreSQL's dialect. Times (epoch ms) and money (fen) are BIGINT; JSON stays TEXT, so what a
 * shop sent comes back byte for byte (key order included) on either engine. Identifiers use the
 * "C" collation: they sort as SQLite sorts them, whatever the database's default collation is.
 */
import type { Migration } from '../sqlite/migrations';

/** Applied oldest first, each once; versions and names match the SQLite engine's. */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'shops, orders, links, events, idempotency keys',
    sql: `
      CREATE TABLE shops (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        api_key_hash TEXT COLLATE "C" NOT NULL UNIQUE,
        webhook_url TEXT,
        webhook_secret TEXT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE orders (
        id TEXT COLLATE "C" PRIMARY KEY,
        shop_id TEXT COLLATE "C" NOT NULL REFERENCES shops(id),
        shop_order_id TEXT COLLATE "C" NOT NULL,
        shopper_id TEXT NOT NULL,
        amount_total BIGINT NOT NULL CHECK (amount_total > 0),
        amount_paid BIGINT NOT NULL DEFAULT 0 CHECK (amount_paid >= 0),
        amount_refunded BIGINT NOT NULL DEFAULT 0 CHECK (amount_refunded >= 0),
        currency TEXT NOT NULL DEFAULT 'CNY',
        items_json TEXT NOT NULL,
        ship_to_json TEXT,
        pay_deadline BIGINT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled', 'closed')),
        fingerprint TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        cancelled_at BIGINT,
        UNIQUE (shop_id, shop_order_id)
      );
      CREATE INDEX orders_pending_deadline ON orders (pay_deadline) WHERE status = 'pending';
      CREATE TABLE links (
        id TEXT COLLATE "C" PRIMARY KEY,
        order_id TEXT COLLATE "C" NOT NULL REFERENCES orders(id),
        shop_id TEXT COLLATE "C" NOT NULL REFERENCES shops(id),
        mode TEXT NOT NULL CHECK (mode IN ('single', 'group')),
        status TEXT NOT NULL CHECK (status IN ('active', 'paid', 'expired', 'revoked', 'void')),
        requester_id TEXT NOT NULL,
        requester_name TEXT NOT NULL,
        requester_avatar_url TEXT,
        message TEXT,
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        closed_at BIGINT
      );
      CREATE INDEX links_order ON links (order_id);
      CREATE INDEX links_active_expiry ON links (expires_at) WHERE status = 'active';
      CREATE TABLE events (
        id TEXT COLLATE "C" PRIMARY KEY,
        shop_id TEXT COLLATE "C" NOT NULL REFERENCES shops(id),
        type TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        delivered_at BIGINT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT
      );
      CREATE INDEX events_shop ON events (shop_id, created_at);
      CREATE INDEX events_due ON events (next_attempt_at) WHERE delivered_at IS NULL;
      CREATE TABLE idempotency_keys (
        scope TEXT COLLATE "C" NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        status_code INTEGER,
        response_body TEXT,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    version: 2,
    name: 'payments, refunds, WeChat Pay notifications',
    sql: `
      CREATE TABLE payments (
        id TEXT COLLATE "C" PRIMARY KEY,
        link_id TEXT COLLATE "C" NOT NULL REFERENCES links(id),
        order_id TEXT COLLATE "C" NOT NULL REFERENCES orders(id),
        shop_id TEXT COLLATE "C" NOT NULL REFERENCES shops(id),
        mode TEXT NOT NULL CHECK (mode IN ('single', 'group')),
        payer_openid TEXT COLLATE "C" NOT NULL,
        idempotency_key TEXT COLLATE "C" NOT NULL,
        amount BIGINT NOT NULL CHECK (amount > 0),
        status TEXT NOT NULL CHECK (status IN ('created', 'paid', 'closed', 'failed', 'refunding', 'refunded')),
        out_trade_no TEXT COLLATE "C" NOT NULL UNIQUE,
        prepay_id TEXT,
        request_payment_json TEXT,
        payable_until BIGINT NOT NULL,
        lease_expires_at BIGINT NOT NULL,
        transaction_id TEXT,
        paid_at BIGINT,
        closed_at BIGINT,
        kept_amount BIGINT NOT NULL DEFAULT 0 CHECK (kept_amount >= 0 AND kept_amount <= amount),
        refunded_amount BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= amount),
        checked_at BIGINT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        UNIQUE (payer_openid, idempotency_key)
      );
      -- A single-mode link has at most one open payment: the database itself refuses a second.
      CREATE UNIQUE INDEX payments_one_open_per_single_link ON payments (link_id) WHERE status = 'created' AND mode = 'single';
      CREATE INDEX payments_order ON payments (order_id);
      CREATE INDEX payments_link ON payments (link_id, status);
      CREATE INDEX payments_open ON payments (created_at) WHERE status = 'created';
      CREATE TABLE refunds (
        id TEXT COLLATE "C" PRIMARY KEY,
        payment_id TEXT COLLATE "C" NOT NULL REFERENCES payments(id),
        order_id TEXT COLLATE "C" NOT NULL REFERENCES orders(id),
        shop_id TEXT COLLATE "C" NOT NULL REFERENCES shops(id),
        payer_openid TEXT COLLATE "C" NOT NULL,
        out_refund_no TEXT COLLATE "C" NOT NULL UNIQUE,
        amount BIGINT NOT NULL CHECK (amount > 0),
        reason TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed')),
        wechat_refund_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        succeeded_at BIGINT
      );
      CREATE INDEX refunds_order ON refunds (order_id);
      CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status IN ('pending', 'processing');
      CREATE TABLE wechatpay_notifications (
        id TEXT COLLATE "C" PRIMARY KEY,
        type TEXT NOT NULL,
        received_at BIGINT NOT NULL
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
