/**
 * Browser-facing headers (docs/architecture.md, "Security"): nothing we answer may be framed,
 * sniffed into another type or leak its URL (which may hold a link's capability) as a referrer;
 * shop and friend API answers are never stored by a cache; the H5 pay page runs under a CSP that
 * allows its own bundle and nothing else.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { RequestHandler, Response } from 'express';

/** For answers that are not pages (JSON, images, redirects): nothing may run in them or frame them. */
const BASELINE_CSP = "default-src 'none'; frame-ancestors 'none'";

/** First middleware after the request id: every answer carries these unless a page sets its own CSP. */
export const baselineSecurityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Content-Security-Policy', BASELINE_CSP);
  next();
};

/** API answers hold capabilities, amounts and shipping addresses: no cache may keep them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/** The bodies of the inline `<script>` elements of a page (those without `src`). */
function inlineScripts(html: string): string[] {
  const scripts: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const [, attributes = '', body = ''] = match;
    if (!/\bsrc\s*=/i.test(attributes) && body.trim() !== '') scripts.push(body);
  }
  return scripts;
}

/**
 * The CSP of the H5 pay page `html`: scripts from this server and its inline ones by their hash
 * (Taro's H5 template sizes the root font inline), styles inline too (its components set them at
 * run time), images from https anywhere (avatars, item pictures) and from data:/blob: (the
 * poster), API calls to this server only, and never in a frame.
 */
export function h5ContentSecurityPolicy(html: string): string {
  const hashes = inlineScripts(html).map((body) => `'sha256-${crypto.createHash('sha256').update(body, 'utf8').digest('base64')}'`);
  return [
    "default-src 'self'",
    ["script-src 'self'", ...hashes].join(' '),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * A `setHeaders` for express.static serving the H5 build: HTML pages get their CSP (computed from
 * the file, again only when it changes: a rebuild rewrites the inline script) and are never
 * cached, since they name the hashed bundles.
 */
export function h5StaticHeaders(): (res: Response, file: string, stat: fs.Stats) => void {
  const policies = new Map<string, { mtimeMs: number; policy: string }>();
  return (res, file, stat) => {
    if (!file.endsWith('.html')) return;
    let known = policies.get(file);
    if (known === undefined || known.mtimeMs !== stat.mtimeMs) {
      known = { mtimeMs: stat.mtimeMs, policy: h5ContentSecurityPolicy(fs.readFileSync(file, 'utf8')) };
      policies.set(file, known);
    }
    res.setHeader('Content-Security-Policy', known.policy);
    res.setHeader('Cache-Control', 'no-cache');
  };
}
