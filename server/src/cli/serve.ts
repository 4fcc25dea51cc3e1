/** `npm run serve`: production mode. No sandbox routes; refuses to start without the WeChat configuration. */
import { runServer } from './run-server';

async function main(): Promise<void> {
  const server = await runServer('production');
  process.stdout.write(`Friend Pay (production) listening on ${server.url}, public URL ${server.deps.publicBaseUrl}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`friend-pay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
