/**
 * The core of every WeChat Pay API v3 call, whatever the endpoint: sign the request
 * (`Authorization`), send it with a timeout, verify the answer's signature and time window, map
 * WeChat's error answers to `WechatPayError`, and retry what is safe to repeat. Endpoint modules
 * (`wechat/pay/*`) only build a request and read the answer's shape.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { unixSeconds, type Clock } from '../../clock';
import { buildAuthorization } from '../authorization';
import { HEADER_AUTHORIZATION, HEADER_REQUEST_ID, HEADER_WECHATPAY_SERIAL, HEADER_WECHATPAY_SIGNATURE } from '../consts';
import { WechatPayError, isWechatPayServerCode, type WechatPayErrorDetail } from '../errors';
import { TransportError, type HttpTransport, type TransportResponse } from '../http-transport';
import type { NonceSource } from '../random';
import type { Signer } from '../signer';
import { readHeader, verifySignedBody, type Verifier } from '../verifier';

/** What a signed caller needs; keys are already loaded into `signer` and `verifier`. */
export interface SignedCallOptions {
  /** e.g. `https://api.mch.weixin.qq.com` or `<server>/sandbox/wechatpay-api`. */
  baseUrl: string;
  /** The merchant the `Authorization` header names. */
  mchId: string;
  /** Serial of the merchant API certificate (`serial_no` in Authorization). */
  merchantSerial: string;
  signer: Signer;
  /** Verifies answers; one that can learn keys (`ensure`) is asked first for the answer's serial. */
  verifier: Verifier;
  clock: Clock;
  nonce: NonceSource;
  transport: HttpTransport;
  /** Per attempt, covering connect, headers and body. */
  timeoutMs: number;
  /**
   * The whole call, every attempt and pause included: a friend waits on a prepay, so retries
   * happen only in the time left (an attempt gets at most what remains). @default timeoutMs
   */
  budgetMs?: number;
  /** Extra attempts for calls that are safe to repeat. */
  maxRetries: number;
  /** First pause between attempts; doubles each time. */
  retryDelayMs: number;
  /** A monotonic clock in milliseconds for the budget. @default performance.now */
  elapsed?: () => number;
}

/** One API v3 request, relative to the base URL. */
export interface SignedRequest {
  method: 'GET' | 'POST';
  /** Relative to the base URL; ignored when `url` is given. */
  path: string;
  /** An absolute URL WeChat Pay handed us (a bill's `download_url`); it must be on the base URL's origin. */
  url?: URL;
  query?: Record<string, string>;
  body?: unknown;
  /** Only calls whose repetition WeChat de-duplicates may be retried. */
  safeToRepeat: boolean;
  /**
   * Verifies this answer instead of the caller's verifier: the certificate download's answer is
   * signed by one of the certificates it brings, which the APIv3 key authenticates.
   */
  answerVerifier?: (text: string) => Verifier;
  /**
   * A file download: WeChat Pay does not sign a successful answer (its hash comes signed in an
   * earlier answer, and the caller checks it). Errors are still verified when signed.
   */
  unsignedAnswer?: boolean;
  /** Larger answers are refused. @default the transport's (1 MiB) */
  maxResponseBytes?: number;
}

/** A 2xx answer whose signature and time window were verified (or, for a file, not signed). */
export interface SignedAnswer {
  status: number;
  text: string;
  /** The body's bytes, when the transport kept them. */
  bytes?: Buffer;
}

/** Sends signed API v3 requests and returns only verified 2xx answers; anything else throws `WechatPayError`. */
export interface SignedCaller {
  call(request: SignedRequest): Promise<SignedAnswer>;
}

const wechatErrorBody = (value: unknown): { code?: string; message?: string; detail?: WechatPayErrorDetail } => {
  if (typeof value !== 'object' || value === null) return {};
  const { code, message, detail } = value as Record<string, unknown>;
  const out: { code?: string; message?: string; detail?: WechatPayErrorDetail } = {};
  if (typeof code === 'string') out.code = code;
  if (typeof message === 'string') out.message = message;
  if (typeof detail === 'object' && detail !== null) {
    const { field, issue, location } = detail as Record<string, unknown>;
    // `detail.value` may echo request data; only the field's name and the issue are kept.
    out.detail = {
      ...(typeof field === 'string' ? { field } : {}),
      ...(typeof issue === 'string' ? { issue } : {}),
      ...(typeof location === 'string' ? { location } : {}),
    };
  }
  return out;
};

/** Parses an answer's JSON; undefined when it is not JSON (the shape check then reports it). */
export function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The error for a verified answer that does not have the documented shape. */
export function malformedAnswer(what: string): WechatPayError {
  return new WechatPayError('RESPONSE_MALFORMED', `WeChat Pay's answer to ${what} does not have the documented shape`);
}

/** An attempt with less time than this left is not worth starting. */
const MIN_ATTEMPT_MS = 200;

/** Creates the signed caller for one merchant. */
export function createSignedCaller(options: SignedCallOptions): SignedCaller {
  const { clock, nonce, transport, verifier, timeoutMs, maxRetries, retryDelayMs } = options;
  const budgetMs = Math.max(options.budgetMs ?? timeoutMs, 1);
  const elapsed = options.elapsed ?? (() => performance.now());
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const merchant = { mchid: options.mchId, serialNo: options.merchantSerial, signer: options.signer };

  async function attempt(spec: SignedRequest, attemptTimeoutMs: number): Promise<SignedAnswer> {
    const url = new URL(spec.url ?? `${baseUrl}${spec.path}`);
    // Our signature goes to WeChat Pay only, whatever URL an answer names.
    if (url.origin !== new URL(baseUrl).origin) throw new WechatPayError('RESPONSE_MALFORMED', `WeChat Pay named a URL outside ${new URL(baseUrl).origin}`);
    for (const [name, value] of Object.entries(spec.query ?? {})) url.searchParams.set(name, value);
    const body = spec.body === undefined ? '' : JSON.stringify(spec.body);
    const authorization = buildAuthorization(
      { method: spec.method, url: `${url.pathname}${url.search}`, body, timestamp: String(unixSeconds(clock)), nonce: nonce() },
      merchant,
    );
    const headers: Record<string, string> = { [HEADER_AUTHORIZATION]: authorization, Accept: 'application/json', 'User-Agent': 'friend-pay/0.1' };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';

    let response: TransportResponse;
    try {
      response = await transport.send({
        method: spec.method,
        url,
        headers,
        ...(spec.body === undefined ? {} : { body }),
        ...(spec.maxResponseBytes === undefined ? {} : { maxResponseBytes: spec.maxResponseBytes }),
        timeoutMs: attemptTimeoutMs,
      });
    } catch (error: unknown) {
      if (error instanceof TransportError && error.kind === 'timeout') {
        throw new WechatPayError('TIMEOUT', `WeChat Pay did not answer ${spec.method} ${spec.path} within ${attemptTimeoutMs} ms`);
      }
      throw new WechatPayError('NETWORK_ERROR', `WeChat Pay could not be reached for ${spec.method} ${spec.path}`);
    }
    const { text } = response;
    const requestId = readHeader(response.headers, HEADER_REQUEST_ID);
    const context = { status: response.status, ...(requestId === undefined ? {} : { requestId }) };

    // Gateways in front of WeChat Pay answer overload without signing; such an answer can
    // only make us try again later, never change what we believe about an order.
    if ((response.status >= 500 || response.status === 429) && readHeader(response.headers, HEADER_WECHATPAY_SIGNATURE) === undefined) {
      const code = response.status === 429 ? 'FREQUENCY_LIMITED' : 'SYSTEM_ERROR';
      throw new WechatPayError(code, `WeChat Pay answered ${response.status} without a signature`, context);
    }
    const signed = readHeader(response.headers, HEADER_WECHATPAY_SIGNATURE) !== undefined;
    if (spec.unsignedAnswer === true && response.status >= 200 && response.status <= 299) {
      return { status: response.status, text, ...(response.bytes === undefined ? {} : { bytes: response.bytes }) };
    }
    if (spec.unsignedAnswer === true && !signed) {
      throw new WechatPayError(response.status >= 500 ? 'SYSTEM_ERROR' : 'UNKNOWN_ERROR', `WeChat Pay answered ${response.status} to a download, unsigned`, context);
    }
    const answerVerifier = spec.answerVerifier?.(text) ?? verifier;
    try {
      const serial = readHeader(response.headers, HEADER_WECHATPAY_SERIAL);
      if (spec.answerVerifier === undefined && serial && answerVerifier.ensure) await answerVerifier.ensure(serial);
      verifySignedBody({ headers: response.headers, body: text, verifier: answerVerifier, clock });
    } catch (error: unknown) {
      if (error instanceof WechatPayError) throw new WechatPayError(error.code, `response to ${spec.method} ${spec.path}: ${error.message}`, context);
      throw error;
    }
    if (response.status < 200 || response.status > 299) {
      const wechat = wechatErrorBody(parseJsonOr(text));
      const wechatCode = wechat.code ?? '';
      const code = isWechatPayServerCode(wechatCode) ? wechatCode : response.status >= 500 ? 'SYSTEM_ERROR' : 'UNKNOWN_ERROR';
      throw new WechatPayError(code, `WeChat Pay ${wechatCode || response.status}: ${wechat.message ?? 'no message'}`, {
        ...context,
        ...(isWechatPayServerCode(wechatCode) ? {} : { wechatCode }),
        ...(wechat.detail === undefined ? {} : { detail: wechat.detail }),
      });
    }
    return { status: response.status, text, ...(response.bytes === undefined ? {} : { bytes: response.bytes }) };
  }

  return {
    async call(spec: SignedRequest): Promise<SignedAnswer> {
      const attempts = spec.safeToRepeat ? maxRetries + 1 : 1;
      const deadline = elapsed() + budgetMs;
      for (let index = 1; ; index += 1) {
        try {
          return await attempt(spec, Math.max(1, Math.min(timeoutMs, Math.floor(deadline - elapsed()))));
        } catch (error: unknown) {
          if (!(error instanceof WechatPayError) || !error.retryable || index >= attempts) throw error;
          const pause = retryDelayMs * 2 ** (index - 1);
          // Another attempt only when it would still have time to be answered.
          if (deadline - elapsed() - pause < MIN_ATTEMPT_MS) throw error;
          await sleep(pause);
        }
      }
    },
  };
}
