/**
 * An open-loop load generator (run by run-bench.ts as a child process, pinned to the load core).
 *
 * wrk is closed-loop: each connection sends its next request only when the last one is answered,
 * so when the server stalls, wrk stalls with it and the requests that would have arrived during
 * the stall are never sent, let alone counted late ("coordinated omission"). Here requests are
 * sent on a fixed schedule (`rate` a second, evenly spaced) whatever the server does, over a pool
 * of kept-alive connections, and each one's latency is counted from the time it was *scheduled*:
 * a stall shows up in the latency of every request that should have gone out during it, as a
 * friend's phone would see it. If the driver itself falls behind its schedule, that lateness is
 * in the latencies too (and reported apart, as the send lag, so a slow driver is not mistaken for
 * a slow server).
 *
 * Usage: node --import tsx bench/open-loop.ts '{"url":…,"file":…,"rate":…,"seconds":…,"warmup":…,"connections":…}'
 * Prints one JSON line (`OpenLoopResult`) on stdout.
 */
import fs from 'node:fs';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createStallWatch, type StallReport } from './stall-watch';

/** How to drive the server. */
export interface OpenLoopOptions {
  url: string;
  /** A request file as material.ts writes it; lines are picked at random. */
  file: string;
  /** Requests per second, sent evenly spaced. */
  rate: number;
  /** Measured seconds (after the warm-up). */
  seconds: number;
  /** Seconds of the same load first, not measured. */
  warmup: number;
  /** Kept-alive connections at most; a request finding all busy waits for one (and that wait counts). */
  connections: number;
}

/** What an open-loop run measured (latencies from each request's scheduled time, in ms). */
export interface OpenLoopResult {
  targetRate: number;
  /** Answers per second over the measured window. */
  achievedRate: number;
  sent: number;
  completed: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP90Ms: number;
  latencyP99Ms: number;
  latencyP999Ms: number;
  latencyMaxMs: number;
  /** How late the driver sent requests after their scheduled time (its own health). */
  sendLagP99Ms: number;
  sendLagMaxMs: number;
  /** The driver's own event-loop delay and GC pauses over the run: its stalls are in the latencies too. */
  driver: StallReport;
}

interface RequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

function readRequests(file: string): RequestSpec[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [method = 'GET', path = '/', headerText = '', body = ''] = line.split('\t');
      const headers: Record<string, string> = {};
      for (const pair of headerText === '' ? [] : headerText.split('|')) {
        const colon = pair.indexOf(': ');
        headers[pair.slice(0, colon)] = pair.slice(colon + 2);
      }
      return { method, path, headers, body: body === '' ? undefined : body };
    });
}

/** The q-quantile of sorted values (nearest rank). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

/** Runs the schedule and resolves once every request sent has been answered (or failed). */
export function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const requests = readRequests(options.file);
  if (requests.length === 0) return Promise.reject(new Error(`no requests in ${options.file}`));
  const { hostname, port } = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections, scheduling: 'fifo' });
  const interval = 1000 / options.rate;
  const warmupCount = Math.round(options.rate * options.warmup);
  const total = warmupCount + Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const lags: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let completed = 0;
  let settled = 0;
  let measuredStart = Number.NaN;
  let measuredEnd = 0;

  const watch = createStallWatch();
  watch.start();
  return new Promise((resolve) => {
    const start = performance.now() + 20;
    let next = 0;

    const finish = (): void => {
      agent.destroy();
      const sorted = [...latencies].sort((a, b) => a - b);
      const sortedLags = [...lags].sort((a, b) => a - b);
      const window = (measuredEnd - measuredStart) / 1000;
      resolve({
        targetRate: options.rate,
        achievedRate: window > 0 ? completed / window : Number.NaN,
        sent: total - warmupCount,
        completed,
        non2xx,
        errors,
        latencyP50Ms: quantile(sorted, 0.5),
        latencyP90Ms: quantile(sorted, 0.9),
        latencyP99Ms: quantile(sorted, 0.99),
        latencyP999Ms: quantile(sorted, 0.999),
        latencyMaxMs: sorted[sorted.length - 1] ?? Number.NaN,
        sendLagP99Ms: quantile(sortedLags, 0.99),
        sendLagMaxMs: sortedLags[sortedLags.length - 1] ?? Number.NaN,
        driver: watch.stop(),
      });
    };

    const send = (index: number, scheduled: number): void => {
      const measured = index >= warmupCount;
      if (measured) {
        lags.push(performance.now() - scheduled);
        if (Number.isNaN(measuredStart)) measuredStart = scheduled;
      }
      const spec = requests[Math.floor(Math.random() * requests.length)];
      let answered = false;
      const done = (status: number | undefined): void => {
        // A request may fail after its response began: it is counted once.
        if (answered) return;
        answered = true;
        const now = performance.now();
        if (measured) {
          // A failed request counts at its failure time: it was not served faster for failing.
          latencies.push(now - scheduled);
          if (status === undefined) errors += 1;
          else if (status < 200 || status > 299) non2xx += 1;
          else completed += 1;
          measuredEnd = Math.max(measuredEnd, now);
        }
        settled += 1;
        if (settled === total) finish();
      };
      const request = http.request({ hostname, port, method: spec.method, path: spec.path, headers: spec.headers, agent, timeout: 30_000 }, (response) => {
        response.resume();
        response.on('end', () => done(response.statusCode));
        response.on('error', () => done(undefined));
      });
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', () => done(undefined));
      request.end(spec.body);
    };

    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        send(next, start + next * interval);
        next += 1;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    setTimeout(tick, 20);
  });
}

if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? '{}') as OpenLoopOptions;
  runOpenLoop(options)
    .then((result) => {
      process.stdout.write(`${JSON.stringify(result)}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}
