/** `npm run serve`: production mode. No sandbox routes; refuses to start without the WeChat configuration. */
import { runServer } from './run-server';

async function main(): Promise<void> {
  const server = await runServer('production');
  process.stderr.write(`friend-pay: production server listening on ${server.url} (public ${server.deps.publicBaseUrl})\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`friend-pay: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
