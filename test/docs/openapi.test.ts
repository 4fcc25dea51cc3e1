// The OpenAPI document: generated from the routes' zod schemas, served at /openapi.json and /docs,
// and in step with the app: every route documented, every documented operation a route.
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { linkExpiredEventSchema, linkPaidEventSchema, linkRevokedEventSchema, orderRefundedEventSchema, paymentRefundedEventSchema, refundAbnormalEventSchema } from '../../server/src/docs/api-schemas';
import { buildOpenApiDocument } from '../../server/src/docs/openapi';
import { orderInputSchema } from '../../server/src/orders/order-schema';
import { startTestServer, type TestServer } from '../support/test-server';

/** Routes the document leaves out on purpose: not part of our API. */
const UNDOCUMENTED = [
  /^GET \/favicon\.ico$/, // an empty 204 so browsers stop asking
  /^\w+ \/sandbox\/wechatpay-api\//, // the WeChat Pay simulator: WeChat Pay's own API v3, documented by WeChat
  /^\w+ \/sandbox\/wechat-api\//, // the WeChat login simulator: WeChat's code2Session
];

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

/** Every `METHOD /path` the app routes, OpenAPI-style (`:id` -> `{id}`), found by walking Express's router stack. */
function routesOf(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route !== undefined) {
        const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}') || '/';
        for (const method of Object.keys(layer.route.methods)) found.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack !== undefined) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(found)];
}

function operationsOf(document: Record<string, unknown>): string[] {
  return Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
}

describe('the OpenAPI document', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.stop());

  it('documents every route of the app, and every documented operation is a route', async () => {
    const document = (await server.call<Record<string, unknown>>('GET', '/openapi.json')).json;
    const routes = routesOf(server.app).filter((route) => !UNDOCUMENTED.some((pattern) => pattern.test(route)));
    const documented = operationsOf(document);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((route) => !documented.includes(route)), 'routes missing from the document').toEqual([]);
    expect(documented.filter((operation) => !routes.includes(operation)), 'documented operations the app does not have').toEqual([]);
  });

  it('is OpenAPI 3.1 whose references all resolve, with request schemas generated from the zod schemas the routes validate with', async () => {
    const document = (await server.call<Record<string, unknown> & { components: { schemas: Record<string, unknown> } }>('GET', '/openapi.json')).json;
    expect(document.openapi).toBe('3.1.0');
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]);
    expect(refs.length).toBeGreaterThan(20);
    for (const name of refs) expect(document.components.schemas, `#/components/schemas/${name}`).toHaveProperty(name);
    const { $schema: _unused, ...generated } = z.toJSONSchema(orderInputSchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
    expect(document.components.schemas.OrderInput).toEqual(generated);
    expect(document.components.schemas.OrderInput).toMatchObject({ required: expect.arrayContaining(['shop_order_id', 'amount_total', 'items', 'pay_deadline']) as unknown });
  });

  it('describes each webhook event with an example that its schema accepts', () => {
    const document = buildOpenApiDocument({ serverUrl: 'https://pay.example.com', sandbox: false }) as { webhooks: Record<string, { post: { requestBody: { content: { 'application/json': { examples: Record<string, { value: unknown }> } } } } }> };
    const schemas: Record<string, z.ZodType> = {
      'link.paid': linkPaidEventSchema,
      'link.expired': linkExpiredEventSchema,
      'link.revoked': linkRevokedEventSchema,
      'payment.refunded': paymentRefundedEventSchema,
      'order.refunded': orderRefundedEventSchema,
      'refund.abnormal': refundAbnormalEventSchema,
    };
    expect(Object.keys(document.webhooks).sort()).toEqual(Object.keys(schemas).sort());
    for (const [type, hook] of Object.entries(document.webhooks)) {
      const example = Object.values(hook.post.requestBody.content['application/json'].examples)[0]?.value;
      expect(schemas[type]?.safeParse(example).success, type).toBe(true);
      expect(example).toMatchObject({ type });
    }
  });

  it("leaves the sandbox out of a production server's document", () => {
    const production = operationsOf(buildOpenApiDocument({ serverUrl: 'https://pay.example.com', sandbox: false }));
    expect(production.filter((operation) => operation.includes('/sandbox'))).toEqual([]);
    expect(production).toContain('GET /v1/orders');
  });

  it('serves a readable page at /docs: every operation and webhook, no scripts, under the strict CSP', async () => {
    const answer = await server.call('GET', '/docs');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answer.text).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1|pay\.example\.com)[a-z]/i);
    for (const path of ['/v1/orders', '/v1/orders/{id}/links', '/v1/orders/{id}/refunds', '/v1/links/{id}/url-link', '/v1/share/{token}', '/v1/pay/{ref}/payments', '/v1/deliveries', '/sandbox/demo']) expect(answer.text).toContain(`<code>${path}</code>`);
    for (const type of ['link.paid', 'link.expired', 'link.revoked', 'payment.refunded', 'order.refunded', 'refund.abnormal']) expect(answer.text).toContain(`id="webhook-${type}"`);
  });

  it('answers GET / with where to go: the docs, the document, and the QA page in the sandbox', async () => {
    const index = await server.call<Record<string, string>>('GET', '/');
    expect(index.status).toBe(200);
    expect(index.json).toMatchObject({ docs: `${server.url}/docs`, openapi: `${server.url}/openapi.json` });
    const withH5 = await startTestServer({}, { h5Dir: server.dataDir });
    try {
      expect((await withH5.call<Record<string, string>>('GET', '/')).json.qa_page).toBe(`${withH5.url}/app/#/pages/dev/index`);
    } finally {
      await withH5.stop();
    }
  });
});
