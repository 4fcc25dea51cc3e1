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
    version: 3,
    name: 'WeChat access token, link mini program codes and URL Links',
    sql: `
      CREATE TABLE wechat_access_tokens (
        app_id TEXT COLLATE "C" PRIMARY KEY,
        access_token TEXT,
        expires_at BIGINT,
        lease_holder TEXT COLLATE "C",
        lease_until BIGINT NOT NULL DEFAULT 0
      );
      CREATE TABLE link_codes (
        link_id TEXT COLLATE "C" NOT NULL REFERENCES links(id),
        env_version TEXT COLLATE "C" NOT NULL,
        image BYTEA NOT NULL,
        content_type TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (link_id, env_version)
      );
      CREATE TABLE link_url_links (
        link_id TEXT COLLATE "C" NOT NULL REFERENCES links(id),
        env_version TEXT COLLATE "C" NOT NULL,
        url TEXT NOT NULL,
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (link_id, env_version)
      );
    `,
  },
  {
    version: 4,
    name: 'after-sale refunds: refunded orders, abnormal and closed refunds, refunded never above paid',
    sql: `
      ALTER TABLE refunds ADD COLUMN note TEXT, ADD COLUMN request_key TEXT COLLATE "C";
      -- 'failed' meant WeChat answered CLOSED or ABNORMAL; the runner wrote which into last_error.
      ALTER TABLE refunds DROP CONSTRAINT refunds_status_check;
      UPDATE refunds SET status = CASE WHEN last_error LIKE '%ABNORMAL%' THEN 'abnormal' ELSE 'closed' END WHERE status = 'failed';
      ALTER TABLE refunds ADD CONSTRAINT refunds_status_check CHECK (status IN ('pending', 'processing', 'succeeded', 'abnormal', 'closed'));
      ALTER TABLE refunds ADD CONSTRAINT refunds_reason_check
        CHECK (reason IN ('order_cancelled', 'after_sale', 'over_contribution', 'link_unpayable', 'order_already_paid'));
      CREATE INDEX refunds_payment ON refunds (payment_id);
      -- One refund per payment per shop request, even if a crashed request is sent again.
      CREATE UNIQUE INDEX refunds_request ON refunds (order_id, request_key, payment_id) WHERE request_key IS NOT NULL;

      -- A cancel used to zero what a payment counted toward its order; it now stays, and the refund says what went back.
      UPDATE payments SET kept_amount = kept_amount + c.amount
        FROM (SELECT payment_id, SUM(amount) AS amount FROM refunds WHERE reason = 'order_cancelled' GROUP BY payment_id) c
        WHERE c.payment_id = payments.id;

      -- amount_refunded counted every refund, also of money the order never took: recount what went back of what it took.
      UPDATE orders SET amount_refunded = COALESCE((SELECT SUM(r.amount) FROM refunds r
        WHERE r.order_id = orders.id AND r.status = 'succeeded' AND r.reason IN ('order_cancelled', 'after_sale')), 0);
      ALTER TABLE orders DROP CONSTRAINT orders_status_check;
      ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('pending', 'paid', 'refunded', 'cancelled', 'closed'));
      ALTER TABLE orders ADD CONSTRAINT orders_refunded_within_paid CHECK (amount_refunded <= amount_paid);
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
      ALTER TABLE shops ADD COLUMN sub_mchid TEXT COLLATE "C";
      ALTER TABLE shops ADD COLUMN sub_appid TEXT COLLATE "C";
      CREATE INDEX shops_sub_mchid ON shops (sub_mchid) WHERE sub_mchid IS NOT NULL;
      CREATE INDEX payments_paid_at ON payments (paid_at) WHERE paid_at IS NOT NULL;
      CREATE INDEX refunds_created_at ON refunds (created_at);
      CREATE TABLE bill_reconciliations (
        bill_date TEXT COLLATE "C" NOT NULL,
        scope TEXT COLLATE "C" NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('matched', 'differences', 'failed')),
        differences INTEGER NOT NULL,
        unapplied INTEGER NOT NULL,
        report_json TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        started_at BIGINT NOT NULL,
        finished_at BIGINT NOT NULL,
        PRIMARY KEY (bill_date, scope)
      );
      CREATE TABLE job_leases (
        name TEXT COLLATE "C" PRIMARY KEY,
        holder TEXT COLLATE "C" NOT NULL,
        expires_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'live status in the chat: link audience and shopper, share cards, card and message outboxes, private proofs, session keys',
    sql: `
      CREATE TABLE link_live (
        link_id TEXT COLLATE "C" PRIMARY KEY,
        audience TEXT NOT NULL CHECK (audience IN ('group', 'private')),
        room_limit INTEGER NOT NULL CHECK (room_limit >= 1),
        shopper_openid TEXT,
        shopper_bound_at BIGINT,
        expiring_notice_at BIGINT,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE link_activities (
        activity_id TEXT COLLATE "C" PRIMARY KEY,
        link_id TEXT COLLATE "C" NOT NULL,
        audience TEXT NOT NULL CHECK (audience IN ('group', 'private')),
        owner_openid TEXT,
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL
      );
      CREATE INDEX link_activities_link ON link_activities (link_id, expires_at);
      CREATE TABLE card_updates (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        link_id TEXT COLLATE "C" NOT NULL,
        activity_id TEXT COLLATE "C" NOT NULL,
        target_state INTEGER NOT NULL CHECK (target_state IN (0, 1)),
        member_count INTEGER NOT NULL CHECK (member_count >= 0),
        room_limit INTEGER NOT NULL CHECK (room_limit >= 1),
        created_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        done_at BIGINT,
        outcome TEXT CHECK (outcome IN ('sent', 'expired', 'refused')),
        last_error TEXT
      );
      CREATE INDEX card_updates_pending ON card_updates (activity_id, id) WHERE done_at IS NULL;
      CREATE INDEX card_updates_due ON card_updates (next_attempt_at) WHERE done_at IS NULL;
      CREATE INDEX card_updates_link ON card_updates (link_id, id);
      CREATE TABLE subscriptions (
        id TEXT COLLATE "C" PRIMARY KEY,
        link_id TEXT COLLATE "C" NOT NULL,
        openid TEXT COLLATE "C" NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('shopper', 'friend')),
        kind TEXT NOT NULL CHECK (kind IN ('friend_paid', 'link_expiring', 'refund')),
        template_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('available', 'used')),
        created_at BIGINT NOT NULL,
        used_at BIGINT
      );
      CREATE INDEX subscriptions_available ON subscriptions (link_id, openid, kind, created_at) WHERE status = 'available';
      CREATE INDEX subscriptions_link ON subscriptions (link_id, created_at);
      CREATE TABLE subscribe_messages (
        id TEXT COLLATE "C" PRIMARY KEY,
        subscription_id TEXT COLLATE "C" NOT NULL UNIQUE REFERENCES subscriptions(id),
        link_id TEXT COLLATE "C" NOT NULL,
        kind TEXT NOT NULL,
        touser TEXT NOT NULL,
        template_id TEXT NOT NULL,
        page TEXT NOT NULL,
        data_json TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        done_at BIGINT,
        outcome TEXT CHECK (outcome IN ('sent', 'refused', 'failed')),
        last_error TEXT
      );
      CREATE INDEX subscribe_messages_due ON subscribe_messages (next_attempt_at) WHERE done_at IS NULL;
      CREATE INDEX subscribe_messages_link ON subscribe_messages (link_id, created_at);
      CREATE TABLE private_proofs (
        link_id TEXT COLLATE "C" NOT NULL,
        openid TEXT COLLATE "C" NOT NULL,
        activity_id TEXT COLLATE "C" NOT NULL,
        proved_at BIGINT NOT NULL,
        PRIMARY KEY (link_id, openid)
      );
      CREATE TABLE wechat_sessions (
        openid TEXT COLLATE "C" PRIMARY KEY,
        sealed_session_key TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      );
      -- Whatever ends a link (paid, expired, revoked, voided by a cancel or another link), its
      -- cards still in WeChat's hands turn final in the same transaction: the card outbox cannot
      -- miss an end, whichever code path (present or future) makes it.
      CREATE FUNCTION card_update_when_link_ends() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO card_updates (link_id, activity_id, target_state, member_count, room_limit, created_at, next_attempt_at)
        SELECT NEW.id, a.activity_id, 1, m.n, GREATEST(l.room_limit, m.n), COALESCE(NEW.closed_at, 0), COALESCE(NEW.closed_at, 0)
        FROM link_activities a
        JOIN link_live l ON l.link_id = a.link_id
        CROSS JOIN (SELECT COUNT(*) AS n FROM payments WHERE link_id = NEW.id AND kept_amount > 0) m
        WHERE a.link_id = NEW.id AND a.expires_at > COALESCE(NEW.closed_at, 0)
        ORDER BY a.created_at, a.activity_id;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER card_update_when_link_ends AFTER UPDATE OF status ON links FOR EACH ROW
        WHEN (OLD.status = 'active' AND NEW.status <> 'active') EXECUTE FUNCTION card_update_when_link_ends();
    `,
  },
  {
    version: 8,
    name: 'idempotency claims held by a renewed lease, so a crashed instance frees its keys in seconds',
    sql: `
      ALTER TABLE idempotency_keys ADD COLUMN holder TEXT COLLATE "C" NOT NULL DEFAULT '';
      ALTER TABLE idempotency_keys ADD COLUMN held_until BIGINT NOT NULL DEFAULT 0;
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
      ALTER TABLE payments ADD COLUMN notification_id TEXT COLLATE "C";
      -- By link alone: with the status in the key, every payment paid or closed moved its entry.
      DROP INDEX payments_link;
      CREATE INDEX payments_link ON payments (link_id);
    `,
  },
];
