/** Shared by `npm start` and `npm run serve`: load configuration, start, stop cleanly on a signal. */
import { ConfigError, loadConfig, type RunMode } from '../config/config';
import { startServer, type RunningServer } from '../composition/server';

/** What a person should read when the server cannot start: a port clash says which port and what to set. */
export function startFailure(error: unknown, host: string, port: number): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (another Friend Pay, or another program, is listening there). ` +
      `Stop it, or set PORT to another port, e.g. PORT=${port === 3000 ? 3001 : port + 1} npm start (PORT=0 picks a free one).`;
  }
  if (code === 'EACCES') return `not allowed to listen on ${host}:${port}; set PORT to a port above 1023, e.g. PORT=3000.`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine; set HOST (e.g. HOST=127.0.0.1).`;
  return error instanceof Error ? error.message : String(error);
}

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
    process.stderr.write(`friend-pay: could not start: ${startFailure(error, config.host, config.port)}\n`);
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
