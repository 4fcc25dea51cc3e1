/**
 * The server under test, run as a child process of the benchmark (pinned to one core by the
 * caller). Configuration comes from the environment exactly as `npm start` reads it; the only
 * additions are `GET /bench/hello` and the floor routes (`floor-routes.ts`), mounted through
 * `extraRouters` so they pass the app's full middleware like every other route. Prints one JSON
 * line `{"url": ...}` on stdout when it listens.
 */
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import { Router } from 'express';
import { loadConfig } from '../server/src/config/config';
import { startServer } from '../server/src/composition/server';
import type { ServiceDeps } from '../server/src/service-deps';
import { openPostgresStore } from '../server/src/store/postgres/postgres-store';
import { floorRoutes } from './floor-routes';
import { createStallWatch } from './stall-watch';

async function main(): Promise<void> {
  const config = loadConfig(process.env, 'sandbox');
  const hello = Router({ caseSensitive: true }).get('/bench/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  // The bench watches for stalls only around an open-loop run: the watch is not free.
  const watch = createStallWatch();
  const stalls = Router({ caseSensitive: true })
    .post('/bench/stalls/start', (_req, res) => {
      watch.start();
      res.status(204).end();
    })
    .post('/bench/stalls/stop', (_req, res) => {
      res.json(watch.stop());
    });
  // The floor routes are built before the server whose dependencies they use exists.
  const started: { deps?: ServiceDeps } = {};
  const floors = floorRoutes(() => {
    if (started.deps === undefined) throw new Error('the server is not listening yet');
    return started.deps;
  });
  // A PostgreSQL server keeps its connections while other scenarios run. With the pool's default
  // (closed after 10 s unused) the server measured before closed its ten connections 10 s later,
  // in the middle of the next scenarios: ten backends exiting, about 4 ms each, back to back on
  // the load core, held the load generator up 40 ms in every round (bench/README, thirteenth pass).
  // While its own scenario runs a server is never idle that long, so what is measured is unchanged.
  const store = config.database.engine === 'postgres' ? openPostgresStore({ url: config.database.url, idleConnectionMs: 0 }) : undefined;
  const server = await startServer(config, { workers: false, extraRouters: [hello, stalls, floors], ...(store === undefined ? {} : { store }) });
  started.deps = server.deps;
  // BENCH_CPU_PROFILE=<file>: a V8 CPU profile of the whole run, written when the bench stops us.
  const profileFile = process.env.BENCH_CPU_PROFILE;
  const session = profileFile ? new inspector.Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
  const stop = (): void => {
    void (async () => {
      if (session && profileFile) {
        const { profile } = await session.post('Profiler.stop');
        fs.writeFileSync(profileFile, JSON.stringify(profile));
      }
      await server.close();
    })().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
