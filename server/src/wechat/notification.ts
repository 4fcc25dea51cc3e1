import { z } from 'zod';
import type { Clock } from '../clock';
import { decryptResource, type ApiV3KeyInput, loadApiV3Key } from './aead';
import { NOTIFICATION_ANSWER_FAIL, RESOURCE_ALGORITHM, type PaymentEventType, type RefundEventType } from './consts';
import { WechatPayError } from './errors';
import { parseRefundNotificationResource, parseTransaction, type Refund, type Transaction } from './resources';
import { isPaymentEvent, isRefundEvent } from './states';
import { verifySignedBody, type HeaderSource, type Verifier } from './verifier';

const envelopeSchema = z.object({
  id: z.string().min(1),
  create_time: z.string(),
  event_type: z.string(),
  resource_type: z.string().optional(),
  summary: z.string().optional(),
  resource: z.object({
    algorithm: z.string(),
    ciphertext: z.string(),
    nonce: z.string(),
    associated_data: z.string().optional(),
    original_type: z.string().optional(),
  }),
});

/** A verified, decrypted payment notification. */
export interface PaymentNotification {
  kind: 'payment';
  /** WeChat's notification id; the same event retried keeps it, so use it to de-duplicate. */
  eventId: string;
  eventType: PaymentEventType;
  createTime: string;
  summary: string | undefined;
  transaction: Transaction;
}

/** A verified, decrypted refund notification. */
export interface RefundNotification {
  kind: 'refund';
  eventId: string;
  eventType: RefundEventType;
  createTime: string;
  summary: string | undefined;
  refund: Refund;
}

/** Either notification WeChat Pay sends to `notify_url`. */
export type WechatPayNotification = PaymentNotification | RefundNotification;

/** A notification as it arrived: headers and the body bytes exactly as received. */
export interface IncomingNotification {
  headers: HeaderSource;
  rawBody: string | Buffer;
}

/** What a notification parser needs. */
export interface NotificationParserOptions {
  verifier: Verifier;
  apiV3Key: ApiV3KeyInput;
  clock: Clock;
  maxSkewSeconds?: number;
}

/** Verifies and decrypts WeChat Pay notifications. */
export interface NotificationParser {
  /**
   * Verify signature, then timestamp, then decrypt: returns the typed notification or throws
   * `WechatPayError` (SIGNATURE_MISSING, SIGNATURE_INVALID, SERIAL_UNKNOWN,
   * TIMESTAMP_OUT_OF_WINDOW, DECRYPTION_FAILED, NOTIFICATION_MALFORMED).
   */
  parseNotification(input: IncomingNotification): WechatPayNotification;
}

function malformed(message: string): WechatPayError {
  return new WechatPayError('NOTIFICATION_MALFORMED', message);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformed(`${what} is not JSON`);
  }
}

/** Creates a parser bound to the WeChat Pay public keys and the APIv3 key. */
export function createNotificationParser(options: NotificationParserOptions): NotificationParser {
  const apiV3Key = loadApiV3Key(options.apiV3Key);
  return {
    parseNotification(input: IncomingNotification): WechatPayNotification {
      const body = typeof input.rawBody === 'string' ? input.rawBody : input.rawBody.toString('utf8');
      verifySignedBody({ headers: input.headers, body, verifier: options.verifier, clock: options.clock, ...(options.maxSkewSeconds === undefined ? {} : { maxSkewSeconds: options.maxSkewSeconds }) });

      const envelope = envelopeSchema.safeParse(parseJson(body, 'notification body'));
      if (!envelope.success) throw malformed('notification body does not have the WeChat Pay shape');
      const { id, create_time: createTime, event_type: eventType, summary, resource } = envelope.data;
      if (resource.algorithm !== RESOURCE_ALGORITHM) throw malformed(`unsupported resource algorithm ${resource.algorithm}`);

      const plaintext = decryptResource({ ciphertext: resource.ciphertext, nonce: resource.nonce, associatedData: resource.associated_data ?? '' }, apiV3Key);
      const content = parseJson(plaintext, 'decrypted resource');

      if (isPaymentEvent(eventType)) {
        const transaction = parseTransaction(content);
        if (transaction === undefined) throw malformed('decrypted resource is not a transaction');
        return { kind: 'payment', eventId: id, eventType, createTime, summary, transaction };
      }
      if (isRefundEvent(eventType)) {
        const refund = parseRefundNotificationResource(content);
        if (refund === undefined) throw malformed('decrypted resource is not a refund');
        return { kind: 'refund', eventId: id, eventType, createTime, summary, refund };
      }
      throw malformed(`unsupported event type ${eventType}`);
    },
  };
}

/** The body WeChat Pay expects when we refuse a notification, so that it sends it again later. */
export function notificationFailureAnswer(message: string): { code: typeof NOTIFICATION_ANSWER_FAIL; message: string } {
  return { code: NOTIFICATION_ANSWER_FAIL, message };
}
