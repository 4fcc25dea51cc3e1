/**
 * A JSON response written in one piece. Express's `res.json` turns a body of 1,000 characters or
 * more into a Buffer, which Node then writes apart from the headers (a `writev` of two chunks);
 * a string goes out joined to the headers in one write. The friend view's body is about that
 * size, and it is the hot path.
 */
import type { Response } from 'express';

/** Sends `body` as `application/json` with the given status. */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
