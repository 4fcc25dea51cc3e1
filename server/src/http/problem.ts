/**
 * The one place errors become responses: RFC 9457 problem+json with a stable `code`, never a
 * stack trace. Unknown errors are logged in full and answered as a bare 500.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { errorCatalog, type ErrorCode, type Problem } from '../../../shared/errors';
import { AppError } from '../errors/app-error';
import type pino from 'pino';
import { loggablePath } from '../logging/logger';
import { isStoreUnavailable } from '../store/store-errors';
import { requestIdOf } from './request-context';

/** Sends a problem response for `code`. */
export function sendProblem(res: Response, requestId: string, code: ErrorCode, detail?: string, extras: AppError['extras'] = {}): void {
  const { status, title } = errorCatalog[code];
  const body: Problem = { type: 'about:blank', title, status, code };
  if (detail !== undefined) body.detail = detail;
  body.request_id = requestId;
  if (extras.retryAfter !== undefined) {
    body.retry_after = extras.retryAfter;
    res.setHeader('Retry-After', String(extras.retryAfter));
  }
  if (extras.errors !== undefined) body.errors = extras.errors;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** What a client got wrong, as a problem: the code and a detail that never echoes the request. */
interface ClientMistake {
  code: ErrorCode;
  detail: string;
}

/**
 * Errors raised by body-parser (they carry a `type`) and by the router (a parameter whose
 * percent-encoding is malformed: a URIError with status 400), as the client's mistake they are.
 * Any other http-errors error with a 4xx status is a malformed request too: a client mistake is
 * never a 500. The error's own message is never sent: it may quote the request.
 */
function clientMistake(error: unknown): ClientMistake | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, status, statusCode, expose } = error as { type?: unknown; status?: unknown; statusCode?: unknown; expose?: unknown };
  switch (type) {
    case 'entity.too.large':
      return { code: 'BODY_TOO_LARGE', detail: 'Request bodies are limited to 16 KiB.' };
    case 'entity.parse.failed':
      return { code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.' };
    case 'encoding.unsupported':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body uncompressed, or with Content-Encoding gzip, deflate or br.' };
    case 'charset.unsupported':
      return { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as UTF-8 JSON.' };
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return { code: 'MALFORMED_JSON', detail: 'The request body was cut short or its length is wrong.' };
    default:
      break;
  }
  const httpStatus = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  if (error instanceof URIError && httpStatus === 400) return { code: 'BAD_REQUEST', detail: 'The URL holds a malformed percent-encoding.' };
  // http-errors marks the errors a client may be told about; our own errors (WechatPayError has a
  // status too) never are, and stay 500s.
  if (expose !== true || httpStatus === undefined || httpStatus < 400 || httpStatus > 499) return undefined;
  switch (httpStatus) {
    case 413:
      return { code: 'BODY_TOO_LARGE', detail: 'Request bodies are limited to 16 KiB.' };
    case 415:
      return { code: 'UNSUPPORTED_MEDIA_TYPE', detail: 'Send the body as UTF-8 JSON.' };
    default:
      // e.g. a body sent with Content-Encoding gzip that is not gzip (zlib's error, status 400).
      return { code: 'BAD_REQUEST', detail: 'The request could not be read: check its encoding and framing.' };
  }
}

/** Express error middleware: AppError -> its problem; client mistakes (body-parser, router) -> 4xx; anything else -> 500. */
export function problemHandler(logger: pino.Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const requestId = requestIdOf(req);
    if (error instanceof AppError) {
      sendProblem(res, requestId, error.code, error.detail, error.extras);
      return;
    }
    const mistake = clientMistake(error);
    if (mistake !== undefined) {
      sendProblem(res, requestId, mistake.code, mistake.detail);
      return;
    }
    if (isStoreUnavailable(error)) {
      logger.warn({ request_id: requestId, code: (error as { code?: unknown }).code }, 'store unavailable');
      sendProblem(res, requestId, 'STORE_UNAVAILABLE', 'Our storage is briefly unavailable; retry in a few seconds.', { retryAfter: 5 });
      return;
    }
    logger.error({ err: error, request_id: requestId }, 'unhandled error');
    sendProblem(res, requestId, 'INTERNAL', 'Something went wrong on our side. Quote the request id if you contact support.');
  };
}

/** The last route: anything unmatched is a 404 problem. */
export const notFoundHandler: RequestHandler = (req, res) => {
  // The path in the shape the logs use: a mistyped route may still hold a link's token.
  sendProblem(res, requestIdOf(req), 'NOT_FOUND', `No route for ${req.method} ${loggablePath(req.path).slice(0, 200)}.`);
};
