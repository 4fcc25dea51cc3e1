// The request/answer plumbing every WeChat server API call shares: POST a JSON body, map a
// transport failure or a gateway status to a typed error, read the `errcode` of a JSON answer.
import { BinaryHttpError, type BinaryHttp, type BinaryHttpResponse } from './binary-http';
import { PLATFORM_ERRCODES } from './platform-consts';
import { errorForErrcode, platformError, type PlatformOperation } from './platform-errors';

/** What a call needs besides its body. */
export interface PlatformCallContext {
  http: BinaryHttp;
  timeoutMs: number;
  /** Epoch milliseconds, to date quota hints. */
  now: () => number;
}

/** POSTs `body` as JSON; resolves to any answer WeChat gave with a 2xx status. */
export async function postJson(context: PlatformCallContext, operation: PlatformOperation, url: URL, body: Record<string, unknown>): Promise<BinaryHttpResponse> {
  let response: BinaryHttpResponse;
  try {
    response = await context.http.send({
      method: 'POST',
      url,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, image/*' },
      body: JSON.stringify(body),
      timeoutMs: context.timeoutMs,
    });
  } catch (error: unknown) {
    if (error instanceof BinaryHttpError) {
      throw platformError(operation, error.kind === 'timeout' ? 'TIMEOUT' : error.kind === 'too_large' ? 'RESPONSE_MALFORMED' : 'NETWORK_ERROR');
    }
    throw platformError(operation, 'NETWORK_ERROR');
  }
  // WeChat answers its own errors with 200 and an errcode; any other status is a gateway.
  if (response.status >= 500) throw platformError(operation, 'SYSTEM_BUSY');
  if (response.status < 200 || response.status >= 300) throw platformError(operation, 'RESPONSE_MALFORMED');
  return response;
}

/** The JSON object of an answer, with a non-zero `errcode` thrown as its typed error. */
export function readJsonAnswer(context: PlatformCallContext, operation: PlatformOperation, response: BinaryHttpResponse): Record<string, unknown> {
  let body: Record<string, unknown>;
  try {
    const parsed = JSON.parse(response.body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    body = parsed as Record<string, unknown>;
  } catch {
    throw platformError(operation, 'RESPONSE_MALFORMED');
  }
  const errcode = body['errcode'];
  if (errcode !== undefined && typeof errcode !== 'number') throw platformError(operation, 'RESPONSE_MALFORMED');
  if (typeof errcode === 'number' && errcode !== PLATFORM_ERRCODES.OK) throw errorForErrcode(operation, errcode, context.now());
  return body;
}

