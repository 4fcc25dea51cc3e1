/**
 * The one way the mini program talks to the server: JSON over `Taro.request`, with every failure
 * turned into an `ApiError` whose `code` a page can switch on.
 */
import Taro from '@tarojs/taro';
import { errorCatalog, type ErrorCode } from '@shared/errors';
import type { ApiErrorCode } from './error-codes';

export type { ApiErrorCode } from './error-codes';

/** A request that has not answered by then is treated like a dropped connection. */
const REQUEST_TIMEOUT_MS = 15_000;

/** A failed API call. `status` is 0 when no answer arrived. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status: number;
  /** Seconds until a retry may succeed (LINK_BUSY, RATE_LIMITED). */
  readonly retryAfter: number | undefined;

  constructor(code: ApiErrorCode, status: number, message: string, retryAfter?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }

  /** True when trying the same request again later may work (no answer, or the server struggled). */
  get transient(): boolean {
    return this.code === 'NETWORK_ERROR' || this.status >= 500 || this.code === 'RATE_LIMITED';
  }
}

/** True when `error` is an `ApiError` with one of `codes`. */
export function hasCode(error: unknown, ...codes: ApiErrorCode[]): error is ApiError {
  return error instanceof ApiError && codes.includes(error.code);
}

/** Options of one API call. */
export interface RequestOptions {
  /** @default 'GET' */
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  /** A friend's session token, sent as a bearer. */
  sessionToken?: string;
  headers?: Record<string, string>;
}

/** The API origin fixed at build time ('' in H5 builds served by the API server itself). */
export function apiBaseUrl(): string {
  return API_BASE_URL;
}

/**
 * True for one of the server's codes. Not shared's `isErrorCode`: it uses `Object.hasOwn`, which
 * WeChat's JavaScript engine lacks on iOS before 15.4.
 */
function isKnownCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(errorCatalog, value);
}

function parseBody(data: unknown): unknown {
  // The mini program runtime only parses bodies it believes are JSON; problem+json may arrive as text.
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function problemOf(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null) {
    const { code, title, detail, retry_after: retryAfter } = body as { code?: unknown; title?: unknown; detail?: unknown; retry_after?: unknown };
    const message = typeof detail === 'string' ? detail : typeof title === 'string' ? title : `HTTP ${status}`;
    if (isKnownCode(code)) return new ApiError(code, status, message, typeof retryAfter === 'number' ? retryAfter : undefined);
    return new ApiError('UNEXPECTED_RESPONSE', status, typeof code === 'string' ? `${code}: ${message}` : message);
  }
  return new ApiError('UNEXPECTED_RESPONSE', status, `HTTP ${status}`);
}

/** Calls the API; resolves to the JSON body of a 2xx answer, rejects with an `ApiError`. */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const header: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.sessionToken !== undefined) header.authorization = `Bearer ${options.sessionToken}`;
  if (method !== 'GET') header['content-type'] = 'application/json';

  let statusCode: number;
  let data: unknown;
  try {
    const response = await Taro.request({
      url: `${apiBaseUrl()}${path}`,
      method,
      header,
      timeout: REQUEST_TIMEOUT_MS,
      dataType: 'json',
      ...(method === 'GET' ? {} : { data: (options.body ?? {}) as Record<string, unknown> }),
    });
    statusCode = response.statusCode;
    data = response.data as unknown;
  } catch (error: unknown) {
    const message = typeof error === 'object' && error !== null && 'errMsg' in error ? String((error).errMsg) : String(error);
    throw new ApiError('NETWORK_ERROR', 0, message);
  }
  const body = parseBody(data);
  if (statusCode >= 200 && statusCode < 300) return body as T;
  throw problemOf(statusCode, body);
}
