import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { unixSeconds, type Clock } from '../../../clock';
import { encryptResource } from '../../../wechat/aead';
import {
  AUTH_SCHEME,
  HEADER_WECHATPAY_NONCE,
  HEADER_WECHATPAY_SERIAL,
  HEADER_WECHATPAY_SIGNATURE,
  HEADER_WECHATPAY_SIGNATURE_TYPE,
  HEADER_WECHATPAY_TIMESTAMP,
  NOTIFICATION_RESOURCE_TYPE,
  NOTIFICATION_SUMMARY,
  NOTIFY_RETRY_DELAYS_MS,
  RESOURCE_ALGORITHM,
  responseSignatureMessage,
  type PaymentEventType,
  type RefundEventType,
} from '../../../wechat/consts';
import { randomNonce, randomResourceNonce } from '../../../wechat/random';
import type { Signer } from '../../../wechat/signer';
import { formatWechatTime } from '../../../wechat/time';
import type { FaultSwitches } from './faults';

/** One delivery attempt, as the ledger shows it. */
export interface DeliveryAttempt {
  eventId: string;
  eventType: PaymentEventType | RefundEventType;
  url: string;
  /** 1 for the first try of a copy. */
  attempt: number;
  /** Clock time of the attempt (epoch ms). */
  at: number;
  /** HTTP status, or why no status came back. */
  outcome: number | 'timeout' | 'network-error' | 'dropped';
  /** `Wechatpay-Serial` of the key that signed this attempt (none for a dropped one). */
  serial?: string;
}

/** A notification waiting to go out. */
export interface OutgoingNotification {
  eventType: PaymentEventType | RefundEventType;
  /** `transaction` or `refund`, also the AEAD associated data. */
  originalType: string;
  /** The plaintext resource WeChat encrypts. */
  resource: Record<string, unknown>;
  url: string;
}

/** Sends notifications the way WeChat Pay does: encrypted, signed, retried on its schedule. */
export interface Notifier {
  /** Queues a notification (faults decide delay, copies, order or loss); returns its event id. */
  send(notification: OutgoingNotification): string;
  /** Every attempt so far. */
  attempts(): readonly DeliveryAttempt[];
  /** Resolves when nothing is scheduled or in flight. */
  idle(): Promise<void>;
  /** Stops every timer and request in flight. */
  close(): void;
}

interface Envelope {
  eventId: string;
  eventType: PaymentEventType | RefundEventType;
  url: string;
  body: string;
}

/** What the notifier needs from the simulator. */
export interface NotifierOptions {
  clock: Clock;
  /** The key that signs one delivery attempt, and its `Wechatpay-Serial` (public key or platform certificate). */
  signingKey: () => { serial: string; signer: Signer };
  apiV3Key: string;
  /** Multiplies WeChat's retry delays (e.g. 0.001 in tests). */
  timeFactor: number;
  faults: FaultSwitches;
  /** How long one attempt may take, in real ms. @default 5000 */
  timeoutMs?: number;
  logger?: Pick<Logger, 'info' | 'warn'> | undefined;
  fetch?: typeof fetch;
}

/** Creates the notification sender of a simulator. */
export function createNotifier(options: NotifierOptions): Notifier {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  const attempts: DeliveryAttempt[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const controllers = new Set<AbortController>();
  let held: Envelope[] = [];
  let holdTimer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let closed = false;
  let idleWaiters: (() => void)[] = [];

  const busy = (): boolean => timers.size > 0 || inFlight > 0 || held.length > 0;
  const settleIdle = (): void => {
    if (busy()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  function later(ms: number, run: () => void): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
      settleIdle();
    }, Math.max(0, Math.round(ms)));
    timers.add(timer);
  }

  function envelopeOf(notification: OutgoingNotification): Envelope {
    const eventId = crypto.randomUUID();
    const nonce = randomResourceNonce();
    const body = JSON.stringify({
      id: eventId,
      create_time: formatWechatTime(options.clock.now()),
      resource_type: NOTIFICATION_RESOURCE_TYPE,
      event_type: notification.eventType,
      summary: NOTIFICATION_SUMMARY[notification.eventType],
      resource: {
        original_type: notification.originalType,
        algorithm: RESOURCE_ALGORITHM,
        ciphertext: encryptResource(JSON.stringify(notification.resource), options.apiV3Key, nonce, notification.originalType),
        associated_data: notification.originalType,
        nonce,
      },
    });
    return { eventId, eventType: notification.eventType, url: notification.url, body };
  }

  async function deliver(envelope: Envelope, attempt: number): Promise<void> {
    if (closed) return;
    // Every attempt is signed afresh, so a retry hours later still has a current timestamp.
    const timestamp = String(unixSeconds(options.clock));
    const nonce = randomNonce();
    const key = options.signingKey();
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': 'Mozilla/4.0',
      [HEADER_WECHATPAY_TIMESTAMP]: timestamp,
      [HEADER_WECHATPAY_NONCE]: nonce,
      [HEADER_WECHATPAY_SERIAL]: key.serial,
      [HEADER_WECHATPAY_SIGNATURE]: key.signer.sign(responseSignatureMessage(timestamp, nonce, envelope.body)),
      [HEADER_WECHATPAY_SIGNATURE_TYPE]: AUTH_SCHEME,
    };
    const controller = new AbortController();
    controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), timeoutMs);
    inFlight += 1;
    let outcome: DeliveryAttempt['outcome'];
    try {
      const response = await fetchImpl(envelope.url, { method: 'POST', headers, body: envelope.body, signal: controller.signal });
      await response.arrayBuffer();
      outcome = response.status;
    } catch {
      outcome = controller.signal.aborted ? 'timeout' : 'network-error';
    } finally {
      clearTimeout(timeout);
      controllers.delete(controller);
      inFlight -= 1;
    }
    if (closed) return;
    attempts.push({ eventId: envelope.eventId, eventType: envelope.eventType, url: envelope.url, attempt, at: options.clock.now(), outcome, serial: key.serial });
    const delivered = typeof outcome === 'number' && outcome >= 200 && outcome <= 299;
    if (!delivered) {
      const wait = NOTIFY_RETRY_DELAYS_MS[attempt - 1];
      if (wait === undefined) {
        options.logger?.warn({ eventId: envelope.eventId, attempts: attempt }, 'sandbox wechatpay: notification given up');
      } else {
        later(wait * options.timeFactor, () => void deliver(envelope, attempt + 1));
      }
    }
    settleIdle();
  }

  function start(envelope: Envelope): void {
    const { delayMs, duplicate } = options.faults.current().notifications;
    const copies = duplicate ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) later(delayMs, () => void deliver(envelope, 1));
  }

  function flushHeld(): void {
    if (holdTimer !== undefined) {
      clearTimeout(holdTimer);
      holdTimer = undefined;
    }
    const release = held.reverse();
    held = [];
    for (const envelope of release) start(envelope);
    settleIdle();
  }

  options.faults.onChange((state) => {
    if (!state.notifications.reorder && held.length > 0) flushHeld();
  });

  return {
    send(notification: OutgoingNotification): string {
      const envelope = envelopeOf(notification);
      const { drop, reorder, reorderWindowMs } = options.faults.current().notifications;
      if (drop) {
        attempts.push({ eventId: envelope.eventId, eventType: envelope.eventType, url: envelope.url, attempt: 0, at: options.clock.now(), outcome: 'dropped' });
        return envelope.eventId;
      }
      if (reorder) {
        held.push(envelope);
        holdTimer ??= setTimeout(flushHeld, reorderWindowMs);
        return envelope.eventId;
      }
      start(envelope);
      return envelope.eventId;
    },
    attempts(): readonly DeliveryAttempt[] {
      return attempts.map((attempt) => Object.freeze({ ...attempt }));
    },
    idle(): Promise<void> {
      if (!busy()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close(): void {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (holdTimer !== undefined) clearTimeout(holdTimer);
      held = [];
      for (const controller of controllers) controller.abort();
      settleIdle();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
