import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, TransportError, type HttpTransport } from '../../server/src/wechat/http-transport';

describe('the WeChat Pay client transport (node:http, keep-alive)', () => {
  let server: http.Server | undefined;
  let transport: HttpTransport | undefined;
  afterEach(async () => {
    transport?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  /** A local server answering with `handler`; counts the connections it accepts. */
  async function serve(handler: http.RequestListener): Promise<{ url: string; connections: () => number }> {
    let connections = 0;
    server = http.createServer(handler);
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
  }

  it('sends the body with its length and reads status, headers and text, over one kept-alive connection', async () => {
    const seen: { method?: string; length?: string; body: string }[] = [];
    const { url, connections } = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ method: req.method, length: req.headers['content-length'], body });
        res.setHeader('Wechatpay-Serial', 'PUB_KEY_ID_1');
        res.end(JSON.stringify({ echo: body }));
      });
    });
    transport = createHttpTransport();
    for (let i = 0; i < 3; i++) {
      const response = await transport.send({ method: 'POST', url: new URL('/v3/pay', url), headers: { 'Content-Type': 'application/json' }, body: '{"描述":"咖啡"}', timeoutMs: 2000 });
      expect(response.status).toBe(200);
      expect(response.headers['wechatpay-serial']).toBe('PUB_KEY_ID_1');
      expect(JSON.parse(response.text)).toEqual({ echo: '{"描述":"咖啡"}' });
    }
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({ method: 'POST', length: String(Buffer.byteLength('{"描述":"咖啡"}')), body: '{"描述":"咖啡"}' });
    expect(connections()).toBe(1);
  });

  it('gives up with a timeout when no answer comes in time', async () => {
    const { url } = await serve(() => undefined);
    transport = createHttpTransport();
    const started = Date.now();
    const error = await transport.send({ method: 'GET', url: new URL('/slow', url), headers: {}, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an answer larger than any WeChat Pay answer (1 MiB)', async () => {
    const { url } = await serve((_req, res) => res.end(Buffer.alloc(2 * 1024 * 1024, 'x')));
    transport = createHttpTransport();
    const error = await transport.send({ method: 'GET', url: new URL('/huge', url), headers: {}, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network' });
  });

  it('reports a refused connection as a network error', async () => {
    const { url } = await serve(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    transport = createHttpTransport();
    const error = await transport.send({ method: 'GET', url: new URL('/gone', url), headers: {}, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'network' });
  });
});
