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
];
