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

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Runs on the raw bytes before parsing. JSON is read as UTF-8 only: body-parser would also decode
 * UTF-16 (or drop a byte-order mark), and a guard reading other bytes than the parser can be
 * walked around, so another charset or any BOM is refused (415) and bytes that are not UTF-8 are
 * malformed. The text checked for a repeated key is then exactly the text parsed. A body that is
 * not JSON at all is left to the parser's own 400.
 */
function refuseDuplicateKeys(_req: unknown, _res: unknown, buffer: Buffer, encoding: string): void {
  if (encoding !== 'utf-8' && encoding !== 'utf8') throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 JSON (charset=utf-8, or no charset).');
  if (startsWithByteOrderMark(buffer)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as UTF-8 JSON without a byte-order mark.');
  let text: string;
  try {
    text = utf8.decode(buffer);
  } catch {
    throw new AppError('MALFORMED_JSON', 'The request body is not valid UTF-8.');
  }
  try {
    JSON.parse(text);
  } catch {
    return;
  }
  const key = findDuplicateKey(text);
  if (key !== undefined) throw new AppError('MALFORMED_JSON', `The key "${key.slice(0, 40)}" appears twice in one object.`);
}

/** UTF-8's, UTF-16's (either order) and UTF-32's byte-order marks. */
function startsWithByteOrderMark(buffer: Buffer): boolean {
  const [a, b, c] = buffer;
  return (a === 0xef && b === 0xbb && c === 0xbf) || (a === 0xfe && b === 0xff) || (a === 0xff && b === 0xfe) || (a === 0x00 && b === 0x00 && c === 0xfe);
}

/** The middleware that refuses non-JSON bodies and parses JSON ones into `req.body`. */
export function jsonBody(): RequestHandler[] {
  const parseJson = express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'], verify: refuseDuplicateKeys });
  // The parser leaves a request without a body alone anyway, but only after setting up a read of
  // it (about 8% of a friend view's CPU in the benchmark's profile): skip it for those.
  return [requireJsonBody, (req, res, next) => (hasBody(req) ? parseJson(req, res, next) : next())];
}
