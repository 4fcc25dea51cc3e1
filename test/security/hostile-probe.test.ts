/**
 * What a black-box probe of the sandbox found (issue 15), kept as a corpus: each class of defect
 * with the spellings an attacker tries, asserted over HTTP against a real server.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedLinkResponse, OrderResponse } from '../../shared/api-types';
import { createLogger } from '../../server/src/logging/logger';
import { outTradeNoFor } from '../../server/src/payments/payment-rules';
import type { CreatedShop } from '../../server/src/shops/shop-service';
import { loginFriend, shopWithLink, startPayment, type Friend } from '../support/friends';
import { paymentNotification } from '../support/notifications';
import { orderBody, startTestServer, type TestServer } from '../support/test-server';

/** What came back from a raw request. */
interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** A request sent exactly as written: no URL normalisation (fetch would drop `/./` and re-encode). */
function rawRequest(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, method, path, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Percent-encodes every character of `value` (upper- or lower-case hex). */
function encodeEvery(value: string, lower = false): string {
  const hex = Array.from(Buffer.from(value, 'utf8'), (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  return lower ? hex : hex.toUpperCase();
}

/** Decodes the %XX escapes a text holds, leaving malformed ones as they are (several rounds: double encoding). */
function decodeLeniently(text: string): string {
  let current = text;
  for (let round = 0; round < 3; round++) {
    const next = current.replace(/(%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

/** A log sink that keeps every line. */
function captureLogs(): { lines: string[]; sink: Writable } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, sink };
}

const generousLimits = { RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE: '1000000', RATE_LIMIT_SHOP_PER_MINUTE: '1000000', RATE_LIMIT_PAYMENTS_PER_MINUTE: '1000000', RATE_LIMIT_SESSIONS_PER_MINUTE: '1000000' };

describe('capabilities never reach a log line, in any spelling', () => {
  const logs = captureLogs();
  let server: TestServer;
  let shop: CreatedShop;
  let link: IssuedLinkResponse;
  let friend: Friend;
  let paymentId: string;

  beforeAll(async () => {
    server = await startTestServer(generousLimits, { logger: createLogger('trace', logs.sink) });
    shop = await server.newShop();
    const order = await server.newOrder(shop);
    link = (await server.call<IssuedLinkResponse>('POST', `/v1/orders/${order.id}/links`, { key: shop.api_key, body: { requester: { id: 'r', name: 'Rui' }, mode: 'group' } })).json;
    friend = await loginFriend(server, 'o_probe');
    const created = await startPayment(server, friend, link.code, { amount: 100 });
    expect(created.status, created.text).toBe(201);
    paymentId = created.json.payment.id;
  });
  afterAll(async () => server.stop());

  /** What a spelling must be answered with: `400` (a malformed escape in the parameter), `404` (no route by that name) or any 4xx or 2xx. */
  type Expected = 400 | 404 | 'any';

  /** Every spelling of a path holding `secret` in place of `{}`. */
  function spellings(template: string, secret: string): [string, Expected][] {
    const fill = (path: string, value: string) => path.replace('{}', value);
    const upper = template.replace(/[a-z]+/g, (word) => (word === 'qr' || word === 'png' ? word : word.toUpperCase()));
    const capitalised = template.replace(/\/([a-z])/g, (_m, letter: string) => `/${letter.toUpperCase()}`);
    const encodedLiterals = template.replace(/\/(v1|pay|p|payments)(?=\/)/g, (_m, word: string) => `/${encodeEvery(word)}`);
    return [
      [fill(upper, secret), 404],
      [fill(capitalised, secret), 404],
      [fill(encodedLiterals, secret), 404],
      [fill(template, `${secret}%zz`), 400],
      [fill(template, `${secret}%`), 400],
      [fill(template, `${secret}%E0%A4`), 400],
      [fill(template, `%zz${secret}`), 400],
      [fill(template, `${secret.slice(0, 5)}%g0${secret.slice(5)}`), 400],
      [fill(template, secret.replace(/\./g, '%2e') + '%zz'), 400],
      [fill(upper, `${secret}%zz`), 404],
      [fill(template, encodeEvery(secret)), 'any'],
      [fill(template, encodeEvery(secret, true)), 'any'],
      [fill(template, encodeEvery(encodeEvery(secret))), 'any'],
      [fill(template, secret.replace(/\./g, '%2E')), 'any'],
      [fill(template, secret.toUpperCase()), 'any'],
      [fill(template, secret.toLowerCase()), 'any'],
      [fill(template.replace('/', '//'), secret), 'any'],
      [fill(template.replace(/\/([a-z0-9]+)\//, '/./$1/'), secret), 'any'],
      [fill(template, `${secret};jsessionid=${secret}`), 'any'],
      [fill(template, `${secret}/`), 'any'],
      [`${fill(upper, secret)}?ref=${secret}`, 404],
    ];
  }

  /** The route patterns of the app (to tell whether a route another change adds is there yet). */
  function routePaths(): string[] {
    const paths: string[] = [];
    const walk = (stack: unknown[]): void => {
      for (const layer of stack as { route?: { path: string }; handle?: { stack?: unknown[] } }[]) {
        if (layer.route !== undefined) paths.push(layer.route.path);
        else if (layer.handle?.stack !== undefined) walk(layer.handle.stack);
      }
    };
    walk((server.app as unknown as { router: { stack: unknown[] } }).router.stack);
    return paths;
  }

  it('answers every spelling of every capability route with a 4xx or the page, never a 500, and logs none of them', async () => {
    const session = { authorization: `Bearer ${friend.token}` };
    const targets: { template: string; secret: string; method: string; headers?: Record<string, string> }[] = [];
    for (const ref of [link.token, link.code]) {
      targets.push({ template: '/v1/pay/{}', secret: ref, method: 'GET' });
      targets.push({ template: '/v1/pay/{}/payments', secret: ref, method: 'POST', headers: { ...session, 'idempotency-key': crypto.randomUUID(), 'content-type': 'application/json' } });
    }
    targets.push({ template: '/p/{}', secret: link.code, method: 'GET' });
    // The landing page's image (issue 13) is probed whether or not it is there yet; it must leak nothing either way.
    const hasQr = routePaths().includes('/p/:code/qr.png');
    targets.push({ template: '/p/{}/qr.png', secret: link.code, method: 'GET' });
    targets.push({ template: '/v1/payments/{}', secret: paymentId, method: 'GET', headers: session });
    targets.push({ template: '/v1/payments/{}/cancel', secret: paymentId, method: 'POST', headers: { ...session, 'content-type': 'application/json' } });

    let tried = 0;
    for (const target of targets) {
      for (const [path, expected] of spellings(target.template, target.secret)) {
        tried += 1;
        const answer = await rawRequest(server.url, target.method, path, target.headers, target.method === 'POST' ? '{"amount":1}' : undefined);
        const what = `${target.method} ${path}: ${answer.status} ${answer.text.slice(0, 200)}`;
        expect(answer.status, what).toBeLessThan(500);
        expect(answer.text, what).not.toMatch(/URIError|at .*\.(ts|js):\d+/);
        if (expected === 404 || (expected === 400 && target.template.endsWith('qr.png') && !hasQr)) {
          expect(answer.status, what).toBe(404);
        } else if (expected === 400) {
          expect(answer.status, what).toBe(400);
          expect(answer.headers['content-type'], what).toContain('application/problem+json');
        }
      }
    }

    const written = logs.lines.join('\n');
    const secrets = [link.token, link.code, paymentId, link.token.split('.')[2] ?? '', link.code.split('.')[1] ?? ''];
    for (const text of [written, decodeLeniently(written)]) {
      for (const secret of secrets) {
        expect(text.toLowerCase(), `a log line holds ${secret.slice(0, 12)}…`).not.toContain(secret.toLowerCase());
      }
    }
    expect(written).not.toContain('unhandled error');
    expect(tried).toBeGreaterThan(100);
  });

  it('logs what a request was in a shape that names the route, not the capability', async () => {
    const before = logs.lines.length;
    await rawRequest(server.url, 'GET', `/v1/pay/${link.code}`);
    await rawRequest(server.url, 'GET', `/V1/PAY/${link.token}`);
    const lines = logs.lines.slice(before).map((line) => JSON.parse(line) as { path?: string; status?: number });
    const requests = lines.filter((line) => line.path !== undefined);
    expect(requests.map((line) => [line.status, line.path])).toEqual([
      [200, '/v1/pay/{redacted}'],
      [404, '/V1/PAY/{redacted}'],
    ]);
  });

  it('creates every router case-sensitively, so no spelling reaches a route by another name', () => {
    const found: boolean[] = [];
    const walk = (stack: unknown[]): void => {
      for (const layer of stack as { handle?: { stack?: unknown[]; caseSensitive?: boolean } }[]) {
        if (layer.handle?.stack !== undefined) {
          found.push(layer.handle.caseSensitive === true);
          walk(layer.handle.stack);
        }
      }
    };
    walk((server.app as unknown as { router: { stack: unknown[] } }).router.stack);
    expect(found.length).toBeGreaterThan(5);
    expect(found.every(Boolean)).toBe(true);
  });
});

describe('client mistakes are 4xx problems, never 500', () => {
  let server: TestServer;
  let shop: CreatedShop;
  let friend: Friend;

  beforeAll(async () => {
    server = await startTestServer(generousLimits);
    shop = await server.newShop();
    friend = await loginFriend(server, 'o_mistakes');
  });
  afterAll(async () => server.stop());

  /** Every route of the app with a path parameter, as Express knows them (so routes added later are covered too). */
  function parameterRoutes(): { method: string; path: string }[] {
    const routes: { method: string; path: string }[] = [];
    const walk = (stack: unknown[]): void => {
      for (const layer of stack as { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: unknown[] }; slash?: boolean }[]) {
        if (layer.route !== undefined) {
          if (layer.route.path.includes(':')) for (const method of Object.keys(layer.route.methods)) routes.push({ method: method.toUpperCase(), path: layer.route.path });
        } else if (layer.handle?.stack !== undefined && layer.slash === true) {
          // Only routers mounted at the root: their route paths are the full paths.
          walk(layer.handle.stack);
        }
      }
    };
    walk((server.app as unknown as { router: { stack: unknown[] } }).router.stack);
    return routes;
  }

  it('answers malformed percent-encoding in any path parameter with 400', async () => {
    const routes = parameterRoutes();
    expect(routes.map((route) => route.path)).toEqual(expect.arrayContaining(['/v1/pay/:ref', '/p/:code', '/v1/orders/:id', '/v1/payments/:id']));
    const headers = { authorization: `Bearer ${shop.api_key}`, 'content-type': 'application/json', 'idempotency-key': 'malformed-escape-1' };
    for (const route of routes) {
      for (const bad of ['%zz', 'abc%', '%E0%A4', '%C0%AF', '%ff']) {
        const path = route.path.replace(/:[A-Za-z]+/g, bad);
        const sessionHeaders = route.path.startsWith('/v1/pay') || route.path.startsWith('/v1/payments') ? { ...headers, authorization: `Bearer ${friend.token}` } : headers;
        const answer = await rawRequest(server.url, route.method, path, sessionHeaders, route.method === 'POST' ? '{}' : undefined);
        expect(answer.status, `${route.method} ${path}: ${answer.text.slice(0, 200)}`).toBe(400);
        expect(answer.headers['content-type'], path).toContain('application/problem+json');
      }
    }
  });

  it('answers a gzip Content-Encoding over a plain body with 400, and an unknown encoding with 415', async () => {
    const body = JSON.stringify(orderBody(server.deps.clock.now()));
    const headers = { authorization: `Bearer ${shop.api_key}`, 'content-type': 'application/json' };
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const answer = await rawRequest(server.url, 'POST', '/v1/orders', { ...headers, 'content-encoding': encoding }, body);
      expect(answer.status, `${encoding}: ${answer.text}`).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
    }
    for (const encoding of ['compress', 'x-custom', 'gzip, gzip']) {
      const answer = await rawRequest(server.url, 'POST', '/v1/orders', { ...headers, 'content-encoding': encoding }, body);
      expect(answer.status, `${encoding}: ${answer.text}`).toBe(415);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    // A body that really is compressed is still read.
    const zipped = await rawRequest(server.url, 'POST', '/v1/orders', { ...headers, 'content-encoding': 'gzip' }, zlib.gzipSync(body));
    expect(zipped.status, zipped.text).toBe(201);
  });

  it('reads JSON only as UTF-8: another charset or a byte-order mark is 415, and the duplicate-key guard sees what the parser sees', async () => {
    const headers = { authorization: `Bearer ${shop.api_key}` };
    const body = orderBody(server.deps.clock.now());
    const duplicated = JSON.stringify(body).replace('{', '{"amount_total":1,').replace(/"amount_total":1234/, '"amount_total":300');
    const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
    const attempts: [string, Buffer][] = [
      ['application/json; charset=utf-16le', Buffer.from(duplicated, 'utf16le')],
      ['application/json; charset=utf-16be', utf16be(duplicated)],
      ['application/json; charset=utf-16', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(duplicated, 'utf16le')])],
      ['application/json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(duplicated)])],
      ['application/json; charset=utf-8', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ ...body, shop_order_id: 'bom-1' }))])],
      ['application/json; charset=iso-8859-1', Buffer.from(JSON.stringify({ ...body, shop_order_id: 'latin-1' }), 'latin1')],
      ['application/json; charset=utf-32', Buffer.from(JSON.stringify({ ...body, shop_order_id: 'utf-32' }))],
    ];
    for (const [type, bytes] of attempts) {
      const answer = await rawRequest(server.url, 'POST', '/v1/orders', { ...headers, 'content-type': type }, bytes);
      expect(answer.status, `${type}: ${answer.text}`).toBe(415);
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    }
    // The same duplicate in UTF-8 is refused as before, and bytes that are not UTF-8 at all are malformed.
    expect((await rawRequest(server.url, 'POST', '/v1/orders', { ...headers, 'content-type': 'application/json' }, duplicated)).status).toBe(400);
    const invalid = Buffer.concat([Buffer.from(JSON.stringify({ ...body, shop_order_id: 'x' }).slice(0, -1)), Buffer.from([0x2c, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])]);
    expect((await rawRequest(server.url, 'POST', '/v1/orders', { ...headers, 'content-type': 'application/json' }, invalid)).status).toBe(400);
    const upper = await rawRequest(server.url, 'POST', '/v1/orders', { ...headers, 'content-type': 'application/json; charset=UTF-8' }, JSON.stringify({ ...body, shop_order_id: 'utf-8-ok' }));
    expect(upper.status, upper.text).toBe(201);
  });
});

describe('X-Request-Id is always ours', () => {
  const logs = captureLogs();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({}, { logger: createLogger('info', logs.sink) });
  });
  afterAll(async () => server.stop());

  it('never echoes a client id in headers or problems, and logs it sanitised in its own field', async () => {
    const forged = 'req_AAAAAAAAbbbbbbbb';
    const before = logs.lines.length;
    const answer = await server.call<{ request_id: string }>('GET', '/nope', { headers: { 'x-request-id': forged } });
    const ours = answer.headers.get('x-request-id') ?? '';
    expect(ours).toMatch(/^req_/);
    expect(ours).not.toBe(forged);
    expect(answer.json.request_id).toBe(ours);
    expect(answer.text).not.toContain(forged);
    const hostile = await rawRequest(server.url, 'GET', '/healthz', { 'x-request-id': `${'x'.repeat(100)}"} {"level":60,"msg":"forged"}` });
    expect(hostile.headers['x-request-id']).toMatch(/^req_/);
    const lines = logs.lines.slice(before).map((line) => JSON.parse(line) as { request_id?: string; client_request_id?: string });
    expect(lines[0]).toMatchObject({ request_id: ours, client_request_id: forged });
    expect(lines[1]?.client_request_id).toBe('x'.repeat(64));
  });
});

describe('notifications say what we asked for, and the notify route answers in WeChat\'s shape', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(generousLimits);
  });
  afterAll(async () => server.stop());

  const notify = (body: string | Buffer, headers: Record<string, string>) => rawRequest(server.url, 'POST', '/v1/wechatpay/notify', headers, body);

  it('refuses a genuinely signed payment in another currency or of another trade type, and applies nothing', async () => {
    const { shop, orderId, link } = await shopWithLink(server, { amount: 500 });
    const friend = await loginFriend(server, 'o_currency');
    const created = (await startPayment(server, friend, link.code)).json;
    const facts = { outTradeNo: outTradeNoFor(created.payment.id), transactionId: '4200000000000999', amount: 500, openid: friend.openid, successTime: server.deps.clock.now() };
    for (const options of [{ currency: 'USD' }, { currency: 'cny' }, { tradeType: 'NATIVE' }, { tradeType: 'APP' }]) {
      const built = paymentNotification(server.sandbox!.keys, facts, options);
      const answer = await notify(built.body, built.headers);
      expect(answer.status, JSON.stringify(options)).toBe(400);
      expect(JSON.parse(answer.text), JSON.stringify(options)).toMatchObject({ code: 'FAIL' });
    }
    expect((await server.call<OrderResponse>('GET', `/v1/orders/${orderId}`, { key: shop.api_key })).json).toMatchObject({ status: 'pending', amount_paid: 0 });
    expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('created');
    // The genuine one is applied.
    const genuine = paymentNotification(server.sandbox!.keys, facts);
    expect((await notify(genuine.body, genuine.headers)).status).toBe(204);
    expect((await server.deps.store.getPayment(created.payment.id))?.status).toBe('paid');
  });

  it('takes notifications up to 16 KiB and answers a larger one, or a body it cannot read, with {"code":"FAIL"}', async () => {
    const headers = { 'content-type': 'application/json', 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000)), 'wechatpay-nonce': 'n', 'wechatpay-serial': 'PUB_KEY_ID_x', 'wechatpay-signature': 'AAAA' };
    const fits = await notify(JSON.stringify({ pad: 'x'.repeat(16 * 1024 - 12) }), headers);
    expect(fits.status).toBe(401);
    for (const [body, extra, status] of [
      [JSON.stringify({ pad: 'x'.repeat(16 * 1024) }), {}, 413],
      ['{"id":"x"}', { 'content-encoding': 'gzip' }, 400],
      ['{"id":"x"}', { 'content-encoding': 'x-custom' }, 415],
    ] as const) {
      const answer = await notify(body, { ...headers, ...extra });
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toContain('application/json');
      expect(JSON.parse(answer.text)).toMatchObject({ code: 'FAIL', message: expect.any(String) as string });
    }
  });
});

describe('Authorization, caching and a WeChat Pay that does not answer', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(generousLimits);
  });
  afterAll(async () => server.stop());

  it('reads the Bearer scheme in any case (RFC 9110), for shop keys and friends\' sessions', async () => {
    const { shop, orderId, link } = await shopWithLink(server);
    const friend = await loginFriend(server, 'o_scheme');
    for (const scheme of ['bearer', 'BEARER', 'BeArEr', 'Bearer  ']) {
      const order = await server.call('GET', `/v1/orders/${orderId}`, { headers: { authorization: `${scheme} ${shop.api_key}` } });
      expect(order.status, scheme).toBe(200);
    }
    const created = await server.call<{ payment: { id: string } }>('POST', `/v1/pay/${link.code}/payments`, { headers: { authorization: `bearer ${friend.token}`, 'idempotency-key': 'scheme-case-1' }, body: {} });
    expect(created.status, created.text).toBe(201);
    expect((await server.call('GET', `/v1/payments/${created.json.payment.id}`, { headers: { authorization: `BEARER ${friend.token}` } })).status).toBe(200);
    // The key itself is still compared exactly.
    expect((await server.call('GET', `/v1/orders/${orderId}`, { headers: { authorization: `bearer ${shop.api_key.toUpperCase()}` } })).status).toBe(401);
  });

  it('marks every shop API answer, errors included, Cache-Control: no-store', async () => {
    const { shop, orderId, link } = await shopWithLink(server);
    const answers = [
      await server.call('GET', `/v1/orders/${orderId}`, { key: shop.api_key }),
      await server.call('GET', `/v1/links/${link.id}`, { key: shop.api_key }),
      await server.call('GET', '/v1/deliveries', { key: shop.api_key }),
      await server.call('POST', '/v1/orders', { key: shop.api_key, body: orderBody(server.deps.clock.now()) }),
      await server.call('GET', `/v1/orders/${orderId}`),
      await server.call('GET', '/v1/orders/ord_nothing', { key: shop.api_key }),
    ];
    for (const answer of answers) expect(answer.headers.get('cache-control'), answer.text.slice(0, 80)).toBe('no-store');
  });
});

describe('a prepay WeChat Pay does not answer', () => {
  it('gives the friend an answer within seconds and frees the link for another friend at once', async () => {
    const server = await startTestServer(generousLimits);
    try {
      const { link } = await shopWithLink(server);
      const first = await loginFriend(server, 'o_first');
      const second = await loginFriend(server, 'o_second');
      await server.call('POST', '/sandbox/faults', { body: { endpoints: { prepay: { fail: 'timeout' } } } });
      const started = Date.now();
      const stuck = await startPayment(server, first, link.code);
      const waited = Date.now() - started;
      expect(stuck.status).toBe(502);
      expect(stuck.json).toMatchObject({ code: 'WECHAT_UNAVAILABLE' });
      // A few seconds (the per-call budget), not the ~31 s three full timeouts and their pauses took.
      expect(waited).toBeLessThan(8000);
      await server.call('POST', '/sandbox/faults', { body: { reset: true } });
      const next = await startPayment(server, second, link.code);
      expect(next.status, next.text).toBe(201);
    } finally {
      await server.stop();
    }
  }, 45_000);
});
