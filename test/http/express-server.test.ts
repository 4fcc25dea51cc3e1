import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { appMessages, createExpressServer } from '../../server/src/express-server';

/** What the server's 'request' event saw before Express handled the request. */
interface Seen {
  requestHasAppPrototype: boolean;
  responseHasAppPrototype: boolean;
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function watch(server: http.Server, app: express.Express): Seen[] {
  const seen: Seen[] = [];
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    seen.push({ requestHasAppPrototype: Object.getPrototypeOf(req) === app.request, responseHasAppPrototype: Object.getPrototypeOf(res) === app.response });
  });
  return seen;
}

function testApp(): express.Express {
  const app = express();
  app.use(express.json());
  app.get('/hello', (req, res) => {
    res.set('X-Seen-Agent', req.get('user-agent') ?? '').json({ hello: 'world', query: req.query.q ?? null });
  });
  app.post('/echo', (req, res) => {
    res.status(201).json({ got: req.body as unknown });
  });
  return app;
}

describe('the HTTP server under an Express app', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  it('creates requests and responses with the app\'s prototypes, so Express has nothing to swap', async () => {
    const app = testApp();
    const server = createExpressServer(app);
    servers.push(server);
    const seen = watch(server, app);
    const url = await listen(server);

    const answer = await fetch(`${url}/hello?q=1`, { headers: { 'User-Agent': 'friend-test' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-seen-agent')).toBe('friend-test');
    expect(await answer.json()).toEqual({ hello: 'world', query: '1' });
    expect(seen).toEqual([{ requestHasAppPrototype: true, responseHasAppPrototype: true }]);
  });

  it('serves bodies, statuses and kept-alive connections as a plain server does', async () => {
    const app = testApp();
    const server = createExpressServer(app);
    servers.push(server);
    const url = await listen(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (body: string): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const request = http.request(`${url}/echo`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        });
        request.on('error', reject);
        request.end(body);
      });
    // Two requests on one socket: the second request object is made by the same constructor.
    expect(await post('{"n":1}')).toEqual({ status: 201, text: '{"got":{"n":1}}' });
    expect(await post('{"n":2}')).toEqual({ status: 201, text: '{"got":{"n":2}}' });
    agent.destroy();
  });

  it('makes plain Node requests until the app is adopted (the server listens before the app exists)', async () => {
    const app = testApp();
    const messages = appMessages();
    const server = http.createServer(messages.options);
    servers.push(server);
    const seenPrototypes: unknown[] = [];
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      seenPrototypes.push(Object.getPrototypeOf(req));
      if (seenPrototypes.length === 1) res.end('not yet');
      else app(req, res);
    });
    const url = await listen(server);

    expect(await (await fetch(`${url}/hello`)).text()).toBe('not yet');
    messages.adopt(app);
    expect(await (await fetch(`${url}/hello`)).json()).toEqual({ hello: 'world', query: null });
    expect(seenPrototypes).toEqual([http.IncomingMessage.prototype, app.request]);
  });
});
