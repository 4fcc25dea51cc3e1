/**
 * `npm start`: the sandbox server on embedded SQLite. Creates a demo shop, order and link via
 * `POST /sandbox/demo` and prints where to look.
 */
import type { DemoResponse } from '../../../shared/api-types';
import { runServer } from './run-server';

async function main(): Promise<void> {
  process.env.SANDBOX ??= '1';
  const server = await runServer(process.env.SANDBOX === '0' ? 'production' : 'sandbox');
  const base = server.deps.publicBaseUrl;

  if (server.sandboxClock === undefined) {
    process.stdout.write(`Friend Pay (production mode) listening on ${server.url}\n`);
  } else {
    const response = await fetch(`${server.url}/sandbox/demo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    if (!response.ok) {
      process.stderr.write(`friend-pay: creating the demo failed: ${response.status} ${await response.text()}\n`);
      process.exit(1);
    }
    const demo = (await response.json()) as DemoResponse;
    process.stdout.write(
      [
        '',
        `Friend Pay sandbox listening on ${server.url}`,
        '',
        'Demo shop (the API key is shown only once):',
        `  shop id        ${demo.shop.id}`,
        `  api key        ${demo.shop.api_key}`,
        `  webhook secret ${demo.shop.webhook_secret}`,
        '',
        `Demo order ${demo.order.id}: ${demo.order.amount_total} fen, pay link ${demo.link.id} (${demo.link.mode}, expires ${demo.link.expires_at}):`,
        `  link url       ${demo.link.url}`,
        `  token          ${demo.link.token}`,
        `  friend view    ${base}/v1/pay/${demo.link.token}`,
        `  landing page   ${demo.link.url}`,
        '',
        'Try:',
        `  curl ${base}/v1/pay/${demo.link.code}`,
        `  curl -H 'Authorization: Bearer ${demo.shop.api_key}' ${base}/v1/links/${demo.link.id}`,
        `  curl -X POST -H 'content-type: application/json' -d '{}' ${base}/sandbox/demo   # another demo`,
        '',
        'Press Ctrl+C to stop.',
        '',
      ].join('\n'),
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`friend-pay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
