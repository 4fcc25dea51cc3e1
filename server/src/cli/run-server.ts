/** Shared by `npm start` and `npm run serve`: load configuration, start, stop cleanly on a signal. */
import { ConfigError, loadConfig, type RunMode } from '../config/config';
import { startServer, type RunningServer } from '../composition/server';

/** Starts the server in `mode`, or exits 1 with a message naming each bad variable. */
export async function runServer(mode: RunMode): Promise<RunningServer> {
  let config;
  try {
    config = loadConfig(process.env, mode);
  } catch (error: unknown) {
    if (error instanceof ConfigError) {
      process.stderr.write(`friend-pay: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  let server: RunningServer;
  try {
    server = await startServer(config);
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`friend-pay: could not start: ${message}\n`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    process.stderr.write(`friend-pay: ${signal} received, closing\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return server;
}
