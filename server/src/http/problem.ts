/**
 * The one place errors become responses: RFC 9457 problem+json with a stable `code`, never a
 * stack trace. Unknown errors are logged in full and answered as a bare 500.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { errorCatalog, type ErrorCode, type Problem } from '../../../shared/errors';
import { AppError } from '../errors/app-error';
import type pino from 'pino';
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

/** Errors raised by express.json (body-parser) carry a `type` we can map. */
function bodyParserCode(error: unknown): ErrorCode | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch ((error).type) {
    case 'entity.too.large':
      return 'BODY_TOO_LARGE';
    case 'entity.parse.failed':
      return 'MALFORMED_JSON';
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return 'UNSUPPORTED_MEDIA_TYPE';
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return 'MALFORMED_JSON';
    default:
      return undefined;
  }
}

const bodyParserDetails: Partial<Record<ErrorCode, string>> = {
  BODY_TOO_LARGE: 'Request bodies are limited to 16 KiB.',
  MALFORMED_JSON: 'The request body is not valid JSON.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as UTF-8 JSON.',
};

/** Express error middleware: AppError -> its problem; body-parser errors -> 4xx; anything else -> 500. */
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
    const parserCode = bodyParserCode(error);
    if (parserCode !== undefined) {
      sendProblem(res, requestId, parserCode, bodyParserDetails[parserCode]);
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
  sendProblem(res, requestIdOf(req), 'NOT_FOUND', `No route for ${req.method} ${req.path.slice(0, 200)}.`);
};
