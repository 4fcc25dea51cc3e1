// Every WeChat wire string lives here: header names, the authorization scheme, the signed
// message formats, API paths, states, error codes and time windows. Nothing else in the
// server spells them out.

/** The only signature scheme of WeChat Pay API v3 (requests, responses and notifications). */
export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/** Request header carrying our signature. */
export const HEADER_AUTHORIZATION = 'Authorization';
/** Response and notification signature headers. */
export const HEADER_WECHATPAY_TIMESTAMP = 'Wechatpay-Timestamp';
export const HEADER_WECHATPAY_NONCE = 'Wechatpay-Nonce';
export const HEADER_WECHATPAY_SIGNATURE = 'Wechatpay-Signature';
export const HEADER_WECHATPAY_SERIAL = 'Wechatpay-Serial';
export const HEADER_WECHATPAY_SIGNATURE_TYPE = 'Wechatpay-Signature-Type';
/** WeChat Pay's request id, quoted in support tickets. */
export const HEADER_REQUEST_ID = 'Request-ID';

/** The `Authorization` header's parameter names, in the order WeChat documents them. */
export const AUTHORIZATION_PARAMS = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const;

/** Signatures and notifications older or newer than this are rejected (seconds). */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** Serial prefix of a WeChat Pay public key (public-key mode, not platform certificates). */
export const PUBLIC_KEY_ID_PREFIX = 'PUB_KEY_ID_';

/** Request signing message: `METHOD\nURL\ntimestamp\nnonce\nbody\n`. */
export function requestSignatureMessage(method: string, url: string, timestamp: string, nonce: string, body: string): string {
  return `${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** Response and notification signing message: `timestamp\nnonce\nbody\n`. */
export function responseSignatureMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** Mini program `requestPayment` signing message: `appId\ntimeStamp\nnonceStr\npackage\n`. */
export function paySignMessage(appId: string, timeStamp: string, nonceStr: string, packageValue: string): string {
  return `${appId}\n${timeStamp}\n${nonceStr}\n${packageValue}\n`;
}

/** `package` value of `requestPayment`. */
export function prepayPackage(prepayId: string): string {
  return `prepay_id=${prepayId}`;
}

/** `signType` of `requestPayment` for API v3. */
export const PAY_SIGN_TYPE = 'RSA';

/** API v3 paths (relative to the base URL). */
export const PATH_JSAPI_PREPAY = '/v3/pay/transactions/jsapi';
export const PATH_QUERY_BY_OUT_TRADE_NO = '/v3/pay/transactions/out-trade-no/{out_trade_no}';
export const PATH_CLOSE = '/v3/pay/transactions/out-trade-no/{out_trade_no}/close';
export const PATH_REFUNDS = '/v3/refund/domestic/refunds';
export const PATH_REFUND_BY_OUT_REFUND_NO = '/v3/refund/domestic/refunds/{out_refund_no}';

/** Partner (服务商) mode: the service provider places and manages orders for its sub-merchants. */
export const PATH_PARTNER_JSAPI_PREPAY = '/v3/pay/partner/transactions/jsapi';
export const PATH_PARTNER_QUERY_BY_OUT_TRADE_NO = '/v3/pay/partner/transactions/out-trade-no/{out_trade_no}';
export const PATH_PARTNER_CLOSE = '/v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close';
/** The two ways a merchant account works with WeChat Pay: for itself, or as a service provider for sub-merchants. */
export const WECHATPAY_MODES = ['direct', 'partner'] as const;
export type WechatPayMode = (typeof WECHATPAY_MODES)[number];

/** Platform certificates (the older way to verify WeChat Pay, beside the public key). */
export const PATH_CERTIFICATES = '/v3/certificates';
/** `associated_data` of an encrypted platform certificate. */
export const CERTIFICATE_ASSOCIATED_DATA = 'certificate';
/** Certificates are downloaded at most this often, whatever serials arrive (ms). */
export const CERTIFICATE_MIN_REFRESH_MS = 60_000;
/** Certificates in use are downloaded again this often, to learn of new ones before the old expire (ms). */
export const CERTIFICATE_REFRESH_EVERY_MS = 12 * 60 * 60 * 1000;
/** When every certificate kept expires within this, a download is due (at most hourly) (ms). */
export const CERTIFICATE_EXPIRY_MARGIN_MS = 24 * 60 * 60 * 1000;

/** Trade bills (交易账单): ask for one day's bill, then download it from the URL WeChat answers. */
export const PATH_TRADE_BILL = '/v3/bill/tradebill';
/** Where WeChat Pay serves bill files; their answers are not signed (the file's hash is, in the bill answer). */
export const PATH_BILL_DOWNLOAD = '/v3/billdownload/file';
export const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'] as const;
export type BillType = (typeof BILL_TYPES)[number];
/** The only hash WeChat Pay gives for bill files. */
export const BILL_HASH_TYPE_SHA1 = 'SHA1';
/** `bill_date`: a day in China Standard Time. */
export const BILL_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
/** WeChat Pay makes a day's bill after 10:00 China time of the next day. */
export const BILL_READY_HOUR_CHINA = 10;
/** A bill file has this many bytes at most for us (about a million rows). */
export const BILL_MAX_BYTES = 256 * 1024 * 1024;
/**
 * Column names of a trade bill, as its first line spells them. Detail fields start with a
 * backtick (so spreadsheets keep long numbers), the last two lines are the summary's names and
 * values, amounts are yuan with two decimals, times `yyyy-MM-dd HH:mm:ss` China time.
 */
export const BILL_COLUMNS = {
  tradeTime: '交易时间',
  appId: '公众账号ID',
  mchId: '商户号',
  subMchId: '特约商户号',
  deviceInfo: '设备号',
  transactionId: '微信订单号',
  outTradeNo: '商户订单号',
  openid: '用户标识',
  tradeType: '交易类型',
  tradeState: '交易状态',
  bankType: '付款银行',
  currency: '货币种类',
  settlementAmount: '应结订单金额',
  couponAmount: '代金券金额',
  refundId: '微信退款单号',
  outRefundNo: '商户退款单号',
  refundAmount: '退款金额',
  rechargeCouponRefundAmount: '充值券退款金额',
  refundType: '退款类型',
  refundStatus: '退款状态',
  description: '商品名称',
  attach: '商户数据包',
  fee: '手续费',
  feeRate: '费率',
  orderAmount: '订单金额',
  requestedRefundAmount: '申请退款金额',
  feeRateNote: '费率备注',
} as const;
/** The detail columns of an `ALL` bill, in WeChat's order. */
export const BILL_ALL_COLUMNS: readonly (keyof typeof BILL_COLUMNS)[] = Object.keys(BILL_COLUMNS) as (keyof typeof BILL_COLUMNS)[];
/** The summary's column names. */
export const BILL_SUMMARY_COLUMNS = {
  count: '总交易单数',
  settlementTotal: '应结订单总金额',
  refundTotal: '退款总金额',
  rechargeCouponRefundTotal: '充值券退款总金额',
  feeTotal: '手续费总金额',
  orderTotal: '订单总金额',
  requestedRefundTotal: '申请退款总金额',
} as const;
/** `交易状态` of a bill row: a payment, or a refund of one. */
export const BILL_ROW_STATE_PAID = 'SUCCESS';
export const BILL_ROW_STATE_REFUND = 'REFUND';
/** The prefix of every detail and summary field. */
export const BILL_FIELD_PREFIX = '`';
/** A UTF-8 byte order mark, which bill files start with. */
export const BILL_BOM = '\uFEFF';

/** Fills `{name}` placeholders of an API path, escaping each value. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`missing path value ${name}`);
    return encodeURIComponent(value);
  });
}

/** Only currency of domestic payments. */
export const CURRENCY_CNY = 'CNY';
/** Trade type of a mini program payment. */
export const TRADE_TYPE_JSAPI = 'JSAPI';

/** Rules WeChat applies to request fields. */
export const DESCRIPTION_MAX_LENGTH = 127;
export const OUT_TRADE_NO_PATTERN = /^[0-9A-Za-z_\-|*]{6,32}$/;
export const OUT_REFUND_NO_PATTERN = /^[0-9A-Za-z_\-|*@]{1,64}$/;
/** RFC 3339 with an explicit offset, as `time_expire`, `success_time` and `create_time` use. */
export const RFC3339_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;
/** WeChat Pay writes times in China Standard Time. */
export const WECHAT_TIME_OFFSET = '+08:00';

/** `trade_state` values. */
export const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR'] as const;
export type TradeState = (typeof TRADE_STATES)[number];
/** The trade state of an order paid and not refunded. */
export const TRADE_STATE_SUCCESS = 'SUCCESS' satisfies TradeState;
/** Trade states of an order whose money WeChat took (`REFUND`: taken, then some or all given back). */
export const PAID_TRADE_STATES = ['SUCCESS', 'REFUND'] as const satisfies readonly TradeState[];
/** Trade states in which WeChat will not (or did not) take the money; `USERPAYING` is still open. */
export const UNPAID_TRADE_STATES = ['NOTPAY', 'CLOSED', 'PAYERROR', 'REVOKED'] as const satisfies readonly TradeState[];

/** Refund `status` values. */
export const REFUND_STATUSES = ['SUCCESS', 'CLOSED', 'PROCESSING', 'ABNORMAL'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];
/** The refund status once the money is back with the payer. */
export const REFUND_STATUS_SUCCESS = 'SUCCESS' satisfies RefundStatus;
/** The refund status while WeChat is still moving the money. */
export const REFUND_STATUS_PROCESSING = 'PROCESSING' satisfies RefundStatus;
/** The refund status when the payer's account cannot take the money (closed or frozen): the merchant must handle it. */
export const REFUND_STATUS_ABNORMAL = 'ABNORMAL' satisfies RefundStatus;
/** The refund status when WeChat closed the refund: nothing went back. */
export const REFUND_STATUS_CLOSED = 'CLOSED' satisfies RefundStatus;

/** Notification `event_type` values. */
export const EVENT_TYPE_TRANSACTION_SUCCESS = 'TRANSACTION.SUCCESS';
export const EVENT_TYPE_REFUND_SUCCESS = 'REFUND.SUCCESS';
export const PAYMENT_EVENT_TYPES = [EVENT_TYPE_TRANSACTION_SUCCESS] as const;
export const REFUND_EVENT_TYPES = [EVENT_TYPE_REFUND_SUCCESS, 'REFUND.ABNORMAL', 'REFUND.CLOSED'] as const;
export type PaymentEventType = (typeof PAYMENT_EVENT_TYPES)[number];
export type RefundEventType = (typeof REFUND_EVENT_TYPES)[number];

/** `code` of our answer to a notification we could not take; WeChat then sends it again later. */
export const NOTIFICATION_ANSWER_FAIL = 'FAIL';

/** Notification envelope constants. */
export const NOTIFICATION_RESOURCE_TYPE = 'encrypt-resource';
export const RESOURCE_ALGORITHM = 'AEAD_AES_256_GCM';
export const RESOURCE_ORIGINAL_TYPE_TRANSACTION = 'transaction';
export const RESOURCE_ORIGINAL_TYPE_REFUND = 'refund';
export const NOTIFICATION_SUMMARY: Record<PaymentEventType | RefundEventType, string> = {
  'TRANSACTION.SUCCESS': '支付成功',
  'REFUND.SUCCESS': '退款成功',
  'REFUND.ABNORMAL': '退款异常',
  'REFUND.CLOSED': '退款关闭',
};

/** AEAD_AES_256_GCM: a 32-byte APIv3 key, a 12-byte nonce, a 16-byte tag after the ciphertext. */
export const APIV3_KEY_BYTES = 32;
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_BYTES = 16;

/** Error codes WeChat Pay API v3 answers with, and the HTTP status of each. */
export const WECHATPAY_ERROR_STATUS = {
  PARAM_ERROR: 400,
  INVALID_REQUEST: 400,
  ORDER_CLOSED: 400,
  ORDERPAID: 400,
  APPID_MCHID_NOT_MATCH: 400,
  MCH_NOT_EXISTS: 400,
  SIGN_ERROR: 401,
  NO_AUTH: 403,
  OUT_TRADE_NO_USED: 403,
  NOT_ENOUGH: 403,
  USER_ACCOUNT_ABNORMAL: 403,
  ORDER_NOT_EXIST: 404,
  RESOURCE_NOT_EXISTS: 404,
  FREQUENCY_LIMITED: 429,
  NO_STATEMENT_EXIST: 400,
  STATEMENT_CREATING: 400,
  SYSTEM_ERROR: 500,
  BANK_ERROR: 500,
} as const;
export type WechatPayServerCode = keyof typeof WECHATPAY_ERROR_STATUS;
/** WeChat has no order with this out_trade_no (never placed, or placed so long ago it is gone). */
export const ERROR_ORDER_NOT_EXIST = 'ORDER_NOT_EXIST' satisfies WechatPayServerCode;
/** WeChat has no bill for that day (yet: it makes a day's bill after 10:00 China time of the next day). */
export const BILL_NOT_READY_ERRORS = ['NO_STATEMENT_EXIST', 'STATEMENT_CREATING'] as const satisfies readonly WechatPayServerCode[];
/** Codes with which WeChat refuses to close an order that is unpayable all the same: it is closed or does not exist. */
export const ORDER_UNPAYABLE_CLOSE_ERRORS = ['ORDER_NOT_EXIST', 'ORDER_CLOSED'] as const satisfies readonly WechatPayServerCode[];
/** Trade states of an order that can never be paid any more (a query answering ORDER_NOT_EXIST counts too). */
export const CLOSED_TRADE_STATES = ['CLOSED', 'REVOKED'] as const satisfies readonly TradeState[];
/** A refund request refused because the payer's account is closed: 退款请求失败, 用户帐号注销. */
export const ERROR_USER_ACCOUNT_ABNORMAL = 'USER_ACCOUNT_ABNORMAL' satisfies WechatPayServerCode;
/** WeChat refunds a transaction at most this many times (每个支付订单的部分退款次数不能超过50次). */
export const MAX_REFUNDS_PER_TRANSACTION = 50;
/** WeChat refunds a transaction only within a year of its payment (交易时间超过一年的订单无法提交退款: success time + 365 days). */
export const REFUND_PERIOD_MS = 365 * 24 * 60 * 60 * 1000;

/** Delays between WeChat Pay's notification retries (15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h). */
export const NOTIFY_RETRY_DELAYS_MS: readonly number[] = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10_800, 10_800, 10_800, 21_600, 21_600,
].map((seconds) => seconds * 1000);

/** A prepay_id may be used for two hours. */
export const PREPAY_ID_TTL_MS = 2 * 60 * 60 * 1000;

/** Mini program login (`code2Session`). */
export const PATH_JSCODE2SESSION = '/sns/jscode2session';
export const LOGIN_GRANT_TYPE = 'authorization_code';
/** A `wx.login` code is single use and valid five minutes. */
export const LOGIN_CODE_TTL_MS = 5 * 60 * 1000;
/** `errcode` values of `code2Session`. */
export const LOGIN_ERRCODES = {
  SYSTEM_BUSY: -1,
  OK: 0,
  INVALID_APPID: 40013,
  INVALID_CODE: 40029,
  INVALID_APPSECRET: 40125,
  CODE_USED: 40163,
  RATE_LIMITED: 45011,
  USER_BLOCKED: 40226,
} as const;
