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
    version: 3,
    name: 'WeChat access token, link mini program codes and URL Links',
    sql: `
      -- One row per mini program: its access token, shared by every instance, and the lease that
      -- lets one instance at a time refresh it.
      CREATE TABLE wechat_access_tokens (
        app_id TEXT PRIMARY KEY,
        access_token TEXT,
        expires_at INTEGER,
        lease_holder TEXT,
        lease_until INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE link_codes (
        link_id TEXT NOT NULL REFERENCES links(id),
        env_version TEXT NOT NULL,
        image BLOB NOT NULL,
        content_type TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (link_id, env_version)
      );
      CREATE TABLE link_url_links (
        link_id TEXT NOT NULL REFERENCES links(id),
        env_version TEXT NOT NULL,
        url TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (link_id, env_version)
      );
    `,
  },
  {
    version: 4,
    name: 'after-sale refunds: refunded orders, abnormal and closed refunds, refunded never above paid',
    // SQLite cannot change a CHECK constraint in place: refunds and orders are rebuilt (new table,
    // copy, drop, rename; https://www.sqlite.org/lang_altertable.html#otheralter). The runner
    // turns foreign keys off around it and runs foreign_key_check before committing.
    sql: `
      CREATE TABLE refunds_v4 (
        id TEXT PRIMARY KEY,
        payment_id TEXT NOT NULL REFERENCES payments(id),
        order_id TEXT NOT NULL REFERENCES orders(id),
        shop_id TEXT NOT NULL REFERENCES shops(id),
        payer_openid TEXT NOT NULL,
        out_refund_no TEXT NOT NULL UNIQUE,
        amount INTEGER NOT NULL CHECK (amount > 0),
        reason TEXT NOT NULL CHECK (reason IN ('order_cancelled', 'after_sale', 'over_contribution', 'link_unpayable', 'order_already_paid')),
        note TEXT,
        request_key TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'abnormal', 'closed')),
        wechat_refund_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        succeeded_at INTEGER
      );
      -- 'failed' meant WeChat answered CLOSED or ABNORMAL; the runner wrote which into last_error.
      INSERT INTO refunds_v4 (id, payment_id, order_id, shop_id, payer_openid, out_refund_no, amount, reason, note, request_key, status,
                              wechat_refund_id, attempts, next_attempt_at, last_error, created_at, updated_at, succeeded_at)
        SELECT id, payment_id, order_id, shop_id, payer_openid, out_refund_no, amount, reason, NULL, NULL,
               CASE WHEN status <> 'failed' THEN status WHEN last_error LIKE '%ABNORMAL%' THEN 'abnormal' ELSE 'closed' END,
               wechat_refund_id, attempts, next_attempt_at, last_error, created_at, updated_at, succeeded_at
        FROM refunds;
      DROP TABLE refunds;
      ALTER TABLE refunds_v4 RENAME TO refunds;
      CREATE INDEX refunds_order ON refunds (order_id);
      CREATE INDEX refunds_payment ON refunds (payment_id);
      CREATE INDEX refunds_due ON refunds (next_attempt_at) WHERE status IN ('pending', 'processing');
      -- One refund per payment per shop request, even if a crashed request is sent again.
      CREATE UNIQUE INDEX refunds_request ON refunds (order_id, request_key, payment_id) WHERE request_key IS NOT NULL;

      -- A cancel used to zero what a payment counted toward its order; it now stays, and the refund says what went back.
      UPDATE payments SET kept_amount = kept_amount + (SELECT SUM(r.amount) FROM refunds r WHERE r.payment_id = payments.id AND r.reason = 'order_cancelled')
        WHERE EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = payments.id AND r.reason = 'order_cancelled');

      CREATE TABLE orders_v4 (
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
        status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'refunded', 'cancelled', 'closed')),
        fingerprint TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        cancelled_at INTEGER,
        UNIQUE (shop_id, shop_order_id),
        CONSTRAINT orders_refunded_within_paid CHECK (amount_refunded <= amount_paid)
      );
      -- amount_refunded counted every refund, also of money the order never took: recount what went back of what it took.
      INSERT INTO orders_v4 (id, shop_id, shop_order_id, shopper_id, amount_total, amount_paid, amount_refunded, currency, items_json,
                             ship_to_json, pay_deadline, status, fingerprint, created_at, updated_at, cancelled_at)
        SELECT o.id, o.shop_id, o.shop_order_id, o.shopper_id, o.amount_total, o.amount_paid,
               COALESCE((SELECT SUM(r.amount) FROM refunds r WHERE r.order_id = o.id AND r.status = 'succeeded' AND r.reason IN ('order_cancelled', 'after_sale')), 0),
               o.currency, o.items_json, o.ship_to_json, o.pay_deadline, o.status, o.fingerprint, o.created_at, o.updated_at, o.cancelled_at
        FROM orders o;
      DROP TABLE orders;
      ALTER TABLE orders_v4 RENAME TO orders;
      CREATE INDEX orders_pending_deadline ON orders (pay_deadline) WHERE status = 'pending';
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
  {
    version: 6,
    name: 'partner mode sub-merchants of shops, daily trade bill reconciliation, job leases',
    sql: `
      ALTER TABLE shops ADD COLUMN sub_mchid TEXT;
      ALTER TABLE shops ADD COLUMN sub_appid TEXT;
      CREATE INDEX shops_sub_mchid ON shops (sub_mchid) WHERE sub_mchid IS NOT NULL;
      CREATE INDEX payments_paid_at ON payments (paid_at) WHERE paid_at IS NOT NULL;
      CREATE INDEX refunds_created_at ON refunds (created_at);
      CREATE TABLE bill_reconciliations (
        bill_date TEXT NOT NULL,
        scope TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('matched', 'differences', 'failed')),
        differences INTEGER NOT NULL,
        unapplied INTEGER NOT NULL,
        report_json TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER NOT NULL,
        PRIMARY KEY (bill_date, scope)
      );
      CREATE TABLE job_leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'live status in the chat: link audience and shopper, share cards, card and message outboxes, private proofs, session keys',
    sql: `
      CREATE TABLE link_live (
        link_id TEXT PRIMARY KEY,
        audience TEXT NOT NULL CHECK (audience IN ('group', 'private')),
        room_limit INTEGER NOT NULL CHECK (room_limit >= 1),
        shopper_openid TEXT,
        shopper_bound_at INTEGER,
        expiring_notice_at INTEGER,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE link_activities (
        activity_id TEXT PRIMARY KEY,
        link_id TEXT NOT NULL,
        audience TEXT NOT NULL CHECK (audience IN ('group', 'private')),
        owner_openid TEXT,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX link_activities_link ON link_activities (link_id, expires_at);
      CREATE TABLE card_updates (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        link_id TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        target_state INTEGER NOT NULL CHECK (target_state IN (0, 1)),
        member_count INTEGER NOT NULL CHECK (member_count >= 0),
        room_limit INTEGER NOT NULL CHECK (room_limit >= 1),
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        done_at INTEGER,
        outcome TEXT CHECK (outcome IN ('sent', 'expired', 'refused')),
        last_error TEXT
      );
      CREATE INDEX card_updates_pending ON card_updates (activity_id, id) WHERE done_at IS NULL;
      CREATE INDEX card_updates_due ON card_updates (next_attempt_at) WHERE done_at IS NULL;
      CREATE INDEX card_updates_link ON card_updates (link_id, id);
      CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        link_id TEXT NOT NULL,
        openid TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('shopper', 'friend')),
        kind TEXT NOT NULL CHECK (kind IN ('friend_paid', 'link_expiring', 'refund')),
        template_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('available', 'used')),
        created_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE INDEX subscriptions_available ON subscriptions (link_id, openid, kind, created_at) WHERE status = 'available';
      CREATE INDEX subscriptions_link ON subscriptions (link_id, created_at);
      CREATE TABLE subscribe_messages (
        id TEXT PRIMARY KEY,
        subscription_id TEXT NOT NULL UNIQUE REFERENCES subscriptions(id),
        link_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        touser TEXT NOT NULL,
        template_id TEXT NOT NULL,
        page TEXT NOT NULL,
        data_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        done_at INTEGER,
        outcome TEXT CHECK (outcome IN ('sent', 'refused', 'failed')),
        last_error TEXT
      );
      CREATE INDEX subscribe_messages_due ON subscribe_messages (next_attempt_at) WHERE done_at IS NULL;
      CREATE INDEX subscribe_messages_link ON subscribe_messages (link_id, created_at);
      CREATE TABLE private_proofs (
        link_id TEXT NOT NULL,
        openid TEXT NOT NULL,
        activity_id TEXT NOT NULL,
        proved_at INTEGER NOT NULL,
        PRIMARY KEY (link_id, openid)
      );
      CREATE TABLE wechat_sessions (
        openid TEXT PRIMARY KEY,
        sealed_session_key TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- Whatever ends a link (paid, expired, revoked, voided by a cancel or another link), its
      -- cards still in WeChat's hands turn final in the same transaction: the card outbox cannot
      -- miss an end, whichever code path (present or future) makes it.
      CREATE TRIGGER card_update_when_link_ends AFTER UPDATE OF status ON links
      WHEN OLD.status = 'active' AND NEW.status <> 'active'
      BEGIN
        INSERT INTO card_updates (link_id, activity_id, target_state, member_count, room_limit, created_at, next_attempt_at)
        SELECT NEW.id, a.activity_id, 1, m.n, MAX(l.room_limit, m.n), COALESCE(NEW.closed_at, 0), COALESCE(NEW.closed_at, 0)
        FROM link_activities a
        JOIN link_live l ON l.link_id = a.link_id
        CROSS JOIN (SELECT COUNT(*) AS n FROM payments WHERE link_id = NEW.id AND kept_amount > 0) m
        WHERE a.link_id = NEW.id AND a.expires_at > COALESCE(NEW.closed_at, 0)
        ORDER BY a.created_at, a.activity_id;
      END;
    `,
  },
  {
    version: 8,
    name: 'idempotency claims held by a renewed lease, so a crashed instance frees its keys in seconds',
    sql: `
      ALTER TABLE idempotency_keys ADD COLUMN holder TEXT NOT NULL DEFAULT '';
      ALTER TABLE idempotency_keys ADD COLUMN held_until INTEGER NOT NULL DEFAULT 0;
      -- Claims from before: held for the minute the old rule gave them.
      UPDATE idempotency_keys SET held_until = created_at + 60000 WHERE state = 'pending';
    `,
  },
  {
    version: 9,
    name: 'a payment records the notification that paid it; paying it no longer moves it within payments_link',
    sql: `
      -- Instead of a row of wechatpay_notifications keyed by WeChat's random id (a random index
      -- page written by every payment notification's commit).
      ALTER TABLE payments ADD COLUMN notification_id TEXT;
      -- By link alone: with the status in the key, every payment paid or closed moved its entry.
      DROP INDEX payments_link;
      CREATE INDEX payments_link ON payments (link_id);
    `,
  },
];
