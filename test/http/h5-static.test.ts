import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server';

/** A raw GET (no client-side decompression), with the given Accept-Encoding. */
function get(url: string, acceptEncoding?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe('the H5 pay page at /app/', () => {
  let server: TestServer;
  let dir: string;
  const bundle = `/* app */ ${'function pay(){return "帮我付";}\n'.repeat(2000)}`;
  const inlineScript = '!function(n){n.document.documentElement.style.fontSize="20px"}(window);';
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-h5-'));
    fs.mkdirSync(path.join(dir, 'js'));
    fs.writeFileSync(path.join(dir, 'index.html'), `<!doctype html><script>${inlineScript}</script><script src="js/app.1234.js"></script>`);
    fs.writeFileSync(path.join(dir, 'js', 'app.1234.js'), bundle);
    server = await startTestServer({}, { h5Dir: dir });
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends the bundles compressed (gzip or brotli) to a browser that accepts it, and plain to one that does not', async () => {
    const zipped = await get(`${server.url}/app/js/app.1234.js`, 'gzip, deflate');
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(Buffer.byteLength(bundle) / 4);
    expect(zlib.gunzipSync(zipped.body).toString('utf8')).toBe(bundle);
    expect(zipped.headers['cache-control']).toBe('public, max-age=3600');

    const brotli = await get(`${server.url}/app/js/app.1234.js`, 'gzip, deflate, br');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(brotli.body).toString('utf8')).toBe(bundle);

    const plain = await get(`${server.url}/app/js/app.1234.js`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(bundle);
  });

  it('never lets the page itself be cached (it names the hashed bundles)', async () => {
    const page = await get(`${server.url}/app/`, 'gzip');
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-cache');
    // Under compression's 1 KB threshold: sent as it is.
    expect(page.headers['content-encoding']).toBeUndefined();
    expect(page.body.toString('utf8')).toContain('js/app.1234.js');
  });

  it('serves the page under a CSP that runs its own scripts only and forbids framing, with nosniff and no referrer', async () => {
    const page = await get(`${server.url}/app/`);
    const csp = String(page.headers['content-security-policy'] ?? '');
    expect(csp).toContain("frame-ancestors 'none'");
    const hash = crypto.createHash('sha256').update(inlineScript).digest('base64');
    expect(csp).toMatch(new RegExp(`script-src 'self' 'sha256-${hash.replace(/[+/=]/g, (c) => `\\${c}`)}'(;|$)`));
    expect(csp).not.toContain('unsafe-eval');
    expect(csp.split(';').find((part) => part.trim().startsWith('script-src'))).not.toContain('unsafe-inline');
    expect(csp).toContain("object-src 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('puts a CSP with frame-ancestors none, nosniff and no-referrer on every HTML answer, redirects and errors included', async () => {
    for (const url of ['/app/', '/app', '/app/index.html', '/app/missing.html', '/p/not-a-code', '/p/lnk_x.abcdefghijkl', '/nope']) {
      const answer = await get(`${server.url}${url}`);
      expect(answer.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(answer.headers['x-content-type-options'], url).toBe('nosniff');
      expect(answer.headers['referrer-policy'], url).toBe('no-referrer');
    }
  });
});
