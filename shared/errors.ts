/**
 * Stable error codes of the Friend Pay API, shared by the server and the mini program.
 * Each code has one HTTP status and one human title; the server's problem+json middleware
 * is the only place that turns them into responses.
 */
export const errorCatalog = {
  VALIDATION_FAILED: { status: 422, title: 'Request validation failed' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Body must be application/json' },
  BODY_TOO_LARGE: { status: 413, title: 'Request body too large' },
  BAD_REQUEST: { status: 400, title: 'Malformed request' },
  UNAUTHORIZED: { status: 401, title: 'Missing or invalid API key' },
  SESSION_INVALID: { status: 401, title: 'Missing or invalid session' },
  LOGIN_REJECTED: { status: 403, title: 'WeChat refused the login' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  ORDER_NOT_FOUND: { status: 404, title: 'Order not found' },
  ORDER_CONFLICT: { status: 409, title: 'Order differs from the one stored' },
  ORDER_NOT_PENDING: { status: 409, title: 'Order is no longer pending' },
  LINK_INVALID: { status: 400, title: 'Link invalid' },
  LINK_NOT_FOUND: { status: 404, title: 'Link not found' },
  LINK_EXPIRED: { status: 410, title: 'Link expired' },
  LINK_REVOKED: { status: 410, title: 'Link revoked' },
  LINK_VOID: { status: 410, title: 'Link void' },
  LINK_PAID: { status: 409, title: 'Link already paid' },
  LINK_BUSY: { status: 409, title: 'Another friend is paying' },
  TTL_INVALID: { status: 422, title: 'Link lifetime out of range' },
  AMOUNT_INVALID: { status: 422, title: 'Amount invalid' },
  IDEMPOTENCY_MISMATCH: { status: 422, title: 'Idempotency key reused with another request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, title: 'A request with this idempotency key is in progress' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, title: 'Idempotency key invalid' },
  PAYMENT_NOT_FOUND: { status: 404, title: 'Payment not found' },
  PAYMENT_NOT_OPEN: { status: 409, title: 'Payment is no longer open' },
  ORDER_NOT_PAID: { status: 409, title: 'Order has not been paid' },
  REFUND_EXCEEDS_PAID: { status: 422, title: 'Refund exceeds what is left of what was paid' },
  NOTHING_TO_REFUND: { status: 409, title: 'Nothing left to refund' },
  REFUND_LIMIT_REACHED: { status: 422, title: 'A payment takes at most 50 refunds' },
  REFUND_PERIOD_OVER: { status: 422, title: 'Payments older than a year cannot be refunded' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  WECHAT_UNAVAILABLE: { status: 502, title: 'WeChat is not answering' },
  /** WeChat's quota for mini program codes or URL Links is used up (errcode 45009): retry after `retry_after`. */
  WECHAT_QUOTA_EXCEEDED: { status: 503, title: 'WeChat quota used up' },
  /** WeChat refused our request for a reason only the operator can fix (credentials, IP allow list, page). */
  WECHAT_REFUSED: { status: 502, title: 'WeChat refused the request' },
  STORE_UNAVAILABLE: { status: 503, title: 'Storage unavailable' },
  INTERNAL: { status: 500, title: 'Internal error' },
  // Live status in the chat
  PRIVATE_LINK: { status: 403, title: 'This link is for particular friends only' },
  SHOPPER_BOUND: { status: 409, title: "Another WeChat user is this link's shopper" },
  SHOPPER_NOT_BOUND: { status: 409, title: 'No shopper is bound to this link yet' },
  SHOPPER_TOKEN_INVALID: { status: 400, title: 'Shopper token invalid' },
} as const satisfies Record<string, { status: number; title: string }>;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof errorCatalog;

/** RFC 9457 problem details as the API sends them. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  request_id?: string;
  /** Seconds until a retry may succeed (LINK_BUSY, RATE_LIMITED). */
  retry_after?: number;
  /** Which fields failed validation. */
  errors?: { path: string; message: string }[];
}

/** True when `value` names a known error code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  // Not Object.hasOwn: WeChat's engine on iOS before 15.4 lacks it.
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(errorCatalog, value);
}
