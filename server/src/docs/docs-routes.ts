/**
 * Where an integrator starts: `GET /` (a small JSON of pointers), `GET /openapi.json` (the
 * generated OpenAPI 3.1 document) and `GET /docs` (the same document as a page to read: rendered
 * here, no scripts and nothing fetched from elsewhere, so it works offline and under the CSP).
 */
import { Router } from 'express';
import { escapeHtml, htmlSecurityHeaders } from '../landing/html';
import { buildOpenApiDocument, operationsFor, type OpenApiOptions, type Operation } from './openapi';

/** What the docs routes need to know of the server. */
export interface DocsOptions {
  publicBaseUrl: string;
  sandbox: boolean;
  /** The H5 build is served (the QA page exists at /app/#/pages/dev/index). */
  h5: boolean;
  /** WeChat's QR code verification file name, when one is served. */
  qrcodeVerifyFile?: string | undefined;
}

type JsonObject = Record<string, unknown>;

const methodColours: Record<Operation['method'], string> = { get: '#0a7cff', post: '#07a050', delete: '#d9363e' };

/** Pretty JSON with every `#/components/schemas/X` turned into a link to that schema on the page. */
function jsonHtml(value: unknown): string {
  return escapeHtml(JSON.stringify(value, null, 2)).replace(/&quot;#\/components\/schemas\/([A-Za-z0-9]+)&quot;/g, '&quot;<a href="#schema-$1">#/components/schemas/$1</a>&quot;');
}

function anchorOf(operation: Operation): string {
  return `op-${operation.method}-${operation.path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

function authText(operation: Operation): string {
  switch (operation.auth) {
    case 'shop':
      return 'Authorization: Bearer &lt;shop API key&gt;';
    case 'session':
      return 'Authorization: Bearer &lt;session token&gt; (POST /v1/sessions)';
    case 'session-optional':
      return 'Public; a session token adds the viewer\'s own payments';
    case 'none':
      return 'Public';
  }
}

function renderOperation(operation: Operation, document: JsonObject): string {
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const spec = paths[operation.path]?.[operation.method] ?? {};
  const parameters = (spec.parameters as JsonObject[] | undefined) ?? [];
  const body = (spec.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content?.['application/json']?.schema;
  const responses = Object.entries((spec.responses as Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }> | undefined) ?? {});
  return `<section class="op" id="${anchorOf(operation)}">
  <h3><span class="method" style="background:${methodColours[operation.method]}">${operation.method.toUpperCase()}</span> <code>${escapeHtml(operation.path)}</code></h3>
  <p>${escapeHtml(operation.summary)}</p>
  ${operation.description === undefined ? '' : `<p class="muted">${escapeHtml(operation.description)}</p>`}
  <p class="auth">${authText(operation)}${operation.sandboxOnly === true ? ' · sandbox only (404 in production)' : ''}</p>
  ${parameters.length === 0 ? '' : `<table><tr><th>parameter</th><th>in</th><th>required</th><th>about</th></tr>${parameters
    .map((parameter) => `<tr><td><code>${escapeHtml(String(parameter.name))}</code></td><td>${escapeHtml(String(parameter.in))}</td><td>${parameter.required === true ? 'yes' : 'no'}</td><td>${escapeHtml(typeof parameter.description === 'string' ? parameter.description : '')} <code>${escapeHtml(JSON.stringify(parameter.schema ?? {}))}</code></td></tr>`)
    .join('')}</table>`}
  ${body === undefined ? '' : `<p><strong>Body</strong> (application/json)</p><pre>${jsonHtml(body)}</pre>`}
  <table><tr><th>status</th><th>answer</th></tr>${responses
    .map(([status, answer]) => {
      const [media, content] = Object.entries(answer.content ?? {})[0] ?? [];
      return `<tr><td><code>${escapeHtml(status)}</code></td><td>${escapeHtml(answer.description ?? '')}${media === undefined ? '' : ` <span class="muted">${escapeHtml(media)}</span>`}${content?.schema === undefined ? '' : `<pre>${jsonHtml(content.schema)}</pre>`}</td></tr>`;
    })
    .join('')}</table>
</section>`;
}

/** The document as a page. */
export function renderDocsPage(document: JsonObject, options: Omit<OpenApiOptions, 'serverUrl'>): string {
  const operations = operationsFor(options);
  const tags = [...new Set(operations.map((operation) => operation.tag))];
  const info = document.info as { title: string; description: string };
  const webhooks = Object.entries(document.webhooks as Record<string, { post: { summary: string; description: string; requestBody: { content: { 'application/json': { schema: unknown; examples: Record<string, { value: unknown }> } } } } }>);
  const schemas = Object.entries((document.components as { schemas: Record<string, unknown> }).schemas);
  const toc = tags
    .map((tag) => `<li>${escapeHtml(tag)}<ul>${operations.filter((operation) => operation.tag === tag).map((operation) => `<li><a href="#${anchorOf(operation)}">${operation.method.toUpperCase()} ${escapeHtml(operation.path)}</a></li>`).join('')}</ul></li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)}</title>
<style>
  body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f5f5f5; color: #222; line-height: 1.5; }
  main { max-width: 960px; margin: 0 auto; padding: 24px 16px 64px; }
  h1 { margin-top: 0; }
  h2 { margin-top: 40px; border-bottom: 2px solid #ddd; padding-bottom: 4px; }
  .op, .hook, .schema { background: #fff; border-radius: 10px; padding: 12px 16px; margin: 12px 0; }
  .op h3 { margin: 4px 0; font-size: 17px; overflow-wrap: anywhere; }
  .method { color: #fff; border-radius: 4px; padding: 2px 8px; font-size: 13px; vertical-align: middle; }
  .muted { color: #777; }
  .auth { color: #555; font-size: 14px; }
  pre { background: #f7f7f9; border-radius: 6px; padding: 8px; overflow-x: auto; font-size: 12px; }
  table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 14px; }
  th, td { text-align: left; vertical-align: top; border-top: 1px solid #eee; padding: 6px; }
  code { font-size: 13px; }
  a { color: #0a66c2; }
</style>
</head>
<body><main>
<h1>${escapeHtml(info.title)}</h1>
<p>${escapeHtml(info.description)}</p>
<p>Server: <code>${escapeHtml(String((document.servers as { url: string }[])[0]?.url ?? ''))}</code> · machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1, generated from the server's zod schemas)</p>
<ul>${toc}<li><a href="#webhooks">Webhooks</a></li><li><a href="#schemas">Schemas</a></li></ul>
${tags.map((tag) => `<h2>${escapeHtml(tag)}</h2>${operations.filter((operation) => operation.tag === tag).map((operation) => renderOperation(operation, document)).join('\n')}`).join('\n')}
<h2 id="webhooks">Webhooks</h2>
${webhooks.map(([type, hook]) => {
  const content = hook.post.requestBody.content['application/json'];
  return `<section class="hook" id="webhook-${escapeHtml(type)}"><h3><code>${escapeHtml(type)}</code></h3><p>${escapeHtml(hook.post.summary)}</p><p class="muted">${escapeHtml(hook.post.description)}</p><p><strong>Example</strong></p><pre>${jsonHtml(Object.values(content.examples)[0]?.value)}</pre><p><strong>Schema</strong></p><pre>${jsonHtml(content.schema)}</pre></section>`;
}).join('\n')}
<h2 id="schemas">Schemas</h2>
${schemas.map(([name, schema]) => `<section class="schema" id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3><pre>${jsonHtml(schema)}</pre></section>`).join('\n')}
</main></body>
</html>`;
}

/** `GET /`, `GET /openapi.json`, `GET /docs`. */
export function docsRoutes(options: DocsOptions): Router {
  const router = Router({ caseSensitive: true });
  let document: JsonObject | undefined;
  let page: string | undefined;
  const scope = { sandbox: options.sandbox, h5: options.h5, qrcodeVerifyFile: options.qrcodeVerifyFile };
  const built = (): JsonObject => (document ??= buildOpenApiDocument({ serverUrl: options.publicBaseUrl, ...scope }));

  router.get('/', (_req, res) => {
    res.json({
      name: 'Friend Pay API',
      docs: `${options.publicBaseUrl}/docs`,
      openapi: `${options.publicBaseUrl}/openapi.json`,
      health: `${options.publicBaseUrl}/healthz`,
      ...(options.sandbox && options.h5 ? { qa_page: `${options.publicBaseUrl}/app/#/pages/dev/index` } : {}),
    });
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(built());
  });

  router.get('/docs', (_req, res) => {
    page ??= renderDocsPage(built(), scope);
    res.set(htmlSecurityHeaders).type('html').send(page);
  });

  return router;
}
