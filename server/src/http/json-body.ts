/**
 * The API's JSON body parsing: only JSON bodies, at most 16 KiB, no key twice in one object.
 * Everything a route reads from `req.body` has been through this.
 */
import express, { type Request, type RequestHandler } from 'express';
import { AppError } from '../errors/app-error';
import { findDuplicateKey } from './json-guard';

/** Bodies over 16 KiB are refused (413): nothing the API takes comes near that. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Whether body-parser would read a body: its own test (type-is `hasBody`), so skipping it changes nothing. */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && !Number.isNaN(Number(length)));
}

/** A body sent with any other type than JSON is refused rather than silently ignored. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const sent = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (sent && !req.is(['application/json', 'application/*+json'])) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send request bodies as application/json.');
  }
  next();
};

/** Runs before parsing; a body that is not JSON at all is left to the parser's own 400. */
function refuseDuplicateKeys(_req: unknown, _res: unknown, buffer: Buffer): void {
  const text = buffer.toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    return;
  }
  const key = findDuplicateKey(text);
  if (key !== undefined) throw new AppError('MALFORMED_JSON', `The key "${key.slice(0, 40)}" appears twice in one object.`);
}

/** The middleware that refuses non-JSON bodies and parses JSON ones into `req.body`. */
export function jsonBody(): RequestHandler[] {
  const parseJson = express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'], verify: refuseDuplicateKeys });
  // The parser leaves a request without a body alone anyway, but only after setting up a read of
  // it (about 8% of a friend view's CPU in the benchmark's profile): skip it for those.
  return [requireJsonBody, (req, res, next) => (hasBody(req) ? parseJson(req, res, next) : next())];
}
