/**
 * Prometheus metrics (`GET /metrics`). Each server has its own registry, so several servers in one
 * process (tests) never share counters. Services record what happened through the small `Metrics`
 * interface; they never see prom-client.
 */
import client from 'prom-client';

/** Payment outcomes counted by `payments_total`. */
export type PaymentOutcome = 'created' | 'paid' | 'closed' | 'failed' | 'refunded' | 'busy';

/** What services record. */
export interface Metrics {
  linkIssued(): void;
  linkViewed(): void;
  linkPaid(): void;
  linksExpired(count: number): void;
  payment(outcome: PaymentOutcome): void;
  notificationRejected(reason: string): void;
  /** Observes one HTTP request. */
  request(method: string, route: string, status: number, seconds: number): void;
  /** The registry, for the `/metrics` route. */
  readonly registry: client.Registry;
}

/** Builds the metrics; `outboxLagSeconds` is read at scrape time. */
export function createMetrics(outboxLagSeconds: () => Promise<number>): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'friendpay_' });
  const duration = new client.Histogram({
    name: 'friendpay_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const links = new client.Counter({ name: 'friendpay_links_total', help: 'Links by event: issued, viewed, paid, expired', labelNames: ['event'] as const, registers: [registry] });
  const payments = new client.Counter({ name: 'friendpay_payments_total', help: 'Payments by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  const rejected = new client.Counter({ name: 'friendpay_notification_verification_failures_total', help: 'WeChat Pay notifications refused', labelNames: ['reason'] as const, registers: [registry] });
  new client.Gauge({
    name: 'friendpay_outbox_lag_seconds',
    help: 'Age of the oldest webhook event not yet delivered (0 when none)',
    registers: [registry],
    async collect() {
      this.set(await outboxLagSeconds());
    },
  });
  for (const event of ['issued', 'viewed', 'paid', 'expired']) links.inc({ event }, 0);
  // Counters bound to their labels once: a hot request (a friend view, a notification) then
  // does not hash its labels to find its series every time.
  const linkEvents = { issued: links.labels('issued'), viewed: links.labels('viewed'), paid: links.labels('paid'), expired: links.labels('expired') };
  const paymentOutcomes = new Map<PaymentOutcome, client.Counter.Internal>();
  const paymentCounter = (outcome: PaymentOutcome): client.Counter.Internal => {
    let counter = paymentOutcomes.get(outcome);
    if (counter === undefined) {
      counter = payments.labels(outcome);
      paymentOutcomes.set(outcome, counter);
    }
    return counter;
  };
  return {
    registry,
    linkIssued: () => linkEvents.issued.inc(),
    linkViewed: () => linkEvents.viewed.inc(),
    linkPaid: () => linkEvents.paid.inc(),
    linksExpired: (count) => linkEvents.expired.inc(count),
    payment: (outcome) => paymentCounter(outcome).inc(),
    notificationRejected: (reason) => rejected.inc({ reason }),
    request: (method, route, status, seconds) => duration.observe({ method, route, status: String(status) }, seconds),
  };
}
