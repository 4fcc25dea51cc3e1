import { BILL_NOT_READY_ERRORS, ERROR_ORDER_NOT_EXIST, ERROR_USER_ACCOUNT_ABNORMAL, ORDER_UNPAYABLE_CLOSE_ERRORS, WECHATPAY_ERROR_STATUS, type WechatPayServerCode } from './consts';

/** Failures found on our side: transport, verification, decryption, shape. */
export type WechatPayLocalCode =
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'RESPONSE_MALFORMED'
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'SERIAL_UNKNOWN'
  | 'TIMESTAMP_OUT_OF_WINDOW'
  | 'DECRYPTION_FAILED'
  | 'NOTIFICATION_MALFORMED'
  | 'CERTIFICATE_EXPIRED'
  | 'BILL_HASH_MISMATCH'
  | 'BILL_MALFORMED'
  | 'UNKNOWN_ERROR';

/** Every code a `WechatPayError` can carry; WeChat's own codes keep WeChat's spelling. */
export type WechatPayErrorCode = WechatPayServerCode | WechatPayLocalCode;

/** Codes after which repeating the same call may succeed. */
const RETRYABLE_CODES: ReadonlySet<WechatPayErrorCode> = new Set(['TIMEOUT', 'NETWORK_ERROR', 'SYSTEM_ERROR', 'BANK_ERROR', 'FREQUENCY_LIMITED']);

/** The WeChat-side detail of a rejected field (`detail.field`, `detail.issue`, `detail.location`). */
export interface WechatPayErrorDetail {
  field?: string;
  issue?: string;
  location?: string;
}

/**
 * A WeChat Pay call or notification that failed. Messages never contain a key, a signature
 * secret or a request body: only codes, statuses and WeChat's own human message.
 */
export class WechatPayError extends Error {
  override readonly name = 'WechatPayError';
  /** Stable code to `switch` on. */
  readonly code: WechatPayErrorCode;
  /** HTTP status WeChat answered with; 0 when no (trusted) answer arrived. */
  readonly status: number;
  /** The code exactly as WeChat sent it, when it was not one we know. */
  readonly wechatCode: string | undefined;
  /** WeChat's request id, for support tickets. */
  readonly requestId: string | undefined;
  /** Which field WeChat rejected, when it said. */
  readonly detail: WechatPayErrorDetail | undefined;

  constructor(
    code: WechatPayErrorCode,
    message: string,
    options: { status?: number; wechatCode?: string; requestId?: string; detail?: WechatPayErrorDetail } = {},
  ) {
    super(message);
    this.code = code;
    this.status = options.status ?? 0;
    this.wechatCode = options.wechatCode;
    this.requestId = options.requestId;
    this.detail = options.detail;
  }

  /** True when the same call may succeed if repeated (timeouts, network, WeChat's 5xx and rate limit). */
  get retryable(): boolean {
    return RETRYABLE_CODES.has(this.code);
  }

  /** A plain object for structured logs (no stack, no secrets). */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, status: this.status, message: this.message, wechatCode: this.wechatCode, requestId: this.requestId, detail: this.detail };
  }
}

/** True when `code` is one of WeChat Pay's documented error codes. */
export function isWechatPayServerCode(code: string): code is WechatPayServerCode {
  return Object.hasOwn(WECHATPAY_ERROR_STATUS, code);
}

/** Codes of a signed message we could not authenticate, as opposed to one we could not read. */
const UNAUTHENTICATED_CODES: ReadonlySet<string> = new Set<WechatPayErrorCode>(['SIGNATURE_MISSING', 'SIGNATURE_INVALID', 'SERIAL_UNKNOWN', 'TIMESTAMP_OUT_OF_WINDOW', 'CERTIFICATE_EXPIRED']);

/** True when a notification or answer failed authentication (signature, key serial or time window). */
export function isUnauthenticatedCode(code: string): boolean {
  return UNAUTHENTICATED_CODES.has(code);
}

/** True when WeChat says it has no order with that out_trade_no. */
export function isOrderNotExistCode(code: string): boolean {
  return code === ERROR_ORDER_NOT_EXIST;
}

/** True when WeChat has no bill for the day asked, or not yet (it makes one after 10:00 China time the next day). */
export function isBillNotReadyCode(code: string): boolean {
  return (BILL_NOT_READY_ERRORS as readonly string[]).includes(code);
}

/** True when a close was refused because the order is unpayable anyway: closed already, or never placed. */
export function isOrderUnpayableCloseCode(code: string): boolean {
  return (ORDER_UNPAYABLE_CLOSE_ERRORS as readonly string[]).includes(code);
}

/** True when a refund was refused because the payer's account cannot take money any more. */
export function isPayerAccountAbnormalCode(code: string): boolean {
  return code === ERROR_USER_ACCOUNT_ABNORMAL;
}

/** Why a `code2Session` exchange failed. */
export type WechatLoginErrorCode =
  | 'CODE_INVALID' // 40029 invalid, expired or 40163 already used code
  | 'RATE_LIMITED' // 45011 too many calls for this user
  | 'USER_BLOCKED' // 40226 high-risk user, login blocked
  | 'SYSTEM_BUSY' // -1 WeChat busy, try later
  | 'CREDENTIALS_INVALID' // 40013 / 40125: our appid or secret is wrong
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'RESPONSE_MALFORMED'
  | 'UNKNOWN_ERROR';

/** A failed mini program login; never carries the app secret, the code or a session key. */
export class WechatLoginError extends Error {
  override readonly name = 'WechatLoginError';
  /** Stable code to `switch` on. */
  readonly code: WechatLoginErrorCode;
  /** WeChat's `errcode`, when WeChat answered. */
  readonly errcode: number | undefined;

  constructor(code: WechatLoginErrorCode, message: string, errcode?: number) {
    super(message);
    this.code = code;
    this.errcode = errcode;
  }

  /** True when trying again later may succeed. */
  get retryable(): boolean {
    return this.code === 'SYSTEM_BUSY' || this.code === 'TIMEOUT' || this.code === 'NETWORK_ERROR' || this.code === 'RATE_LIMITED';
  }

  /** A plain object for structured logs. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, errcode: this.errcode, message: this.message };
  }
}
