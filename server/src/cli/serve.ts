/** `npm run serve`: production mode. No sandbox routes; refuses to start without the WeChat configuration. */
import { runServer } from './run-server';
import { runCommand } from './command-line';

async function main(): Promise<void> {
  const server = await runServer('production');
  process.stdout.write(`Friend Pay (production) listening on ${server.url}, public URL ${server.deps.publicBaseUrl}\n`);
}

runCommand(main);
