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
import net from 'node:net';
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
  /** Requests sent again on a new connection because the server closed an idle kept-alive one under them. */
  resent: number;
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

/** A request as the bytes sent on the wire, built once when the file is read. */
type WireRequest = Buffer;

function readRequests(file: string, host: string): WireRequest[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const [method = 'GET', path = '/', headerText = '', body = ''] = line.split('\t');
      const headers = headerText === '' ? [] : headerText.split('|');
      const bodyBytes = Buffer.from(body, 'utf8');
      const head = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, ...headers, ...(body === '' ? [] : [`Content-Length: ${bodyBytes.length}`]), '', ''].join('\r\n');
      return Buffer.concat([Buffer.from(head, 'latin1'), bodyBytes]);
    });
}

/** The q-quantile of sorted values (nearest rank). */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const HEADER_END = Buffer.from('\r\n\r\n', 'latin1');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;
const CHUNKED = /\r\ntransfer-encoding:[^\r]*chunked/i;
const CLOSE = /\r\nconnection:[ \t]*close/i;
const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/** Where one response ends in `bytes`, and what it said; undefined while it is incomplete. */
function parseResponse(bytes: Buffer): { length: number; status: number; close: boolean } | undefined {
  const headerEnd = bytes.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = bytes.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const close = CLOSE.test(head);
  // These never have a body, whatever their headers say (RFC 9112, section 6.3).
  if (status === 204 || status === 304) return { length: headerEnd + 4, status, close };
  const length = CONTENT_LENGTH.exec(head);
  if (length !== null) {
    const total = headerEnd + 4 + Number(length[1]);
    return bytes.length >= total ? { length: total, status, close } : undefined;
  }
  if (CHUNKED.test(head)) {
    // Our server answers with Content-Length; a chunked answer ends at its last, empty chunk.
    const last = bytes.indexOf(LAST_CHUNK, headerEnd + 4);
    return last < 0 ? undefined : { length: last + LAST_CHUNK.length, status, close };
  }
  // Neither: the body runs to the end of the connection (not kept alive).
  return undefined;
}

/** A kept-alive connection with at most one request in flight (no pipelining, like a browser). */
interface Connection {
  socket: net.Socket;
  /** Unconsumed response bytes. */
  pending: Buffer;
  /** The request in flight: its completion callback, its bytes and when it was sent. */
  inFlight: ((status: number | undefined) => void) | undefined;
  wire: WireRequest | undefined;
  sentAt: number;
}

/**
 * Runs the schedule and resolves once every request sent has been answered (or failed).
 *
 * It speaks HTTP/1.1 over plain sockets rather than through node:http's client: that client cost
 * about 190 µs of CPU a request and stalled its own event loop for up to 38 ms at 2,800 req/s
 * (measured against a trivial server), on the load core that PostgreSQL shares in the PostgreSQL
 * runs; its lateness went into every latency. Requests are written as prepared bytes and an answer
 * is read only as far as its status and length.
 */
export function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { hostname, port } = new URL(options.url);
  const requests = readRequests(options.file, `${hostname}:${port}`);
  if (requests.length === 0) return Promise.reject(new Error(`no requests in ${options.file}`));
  const interval = 1000 / options.rate;
  const warmupCount = Math.round(options.rate * options.warmup);
  const total = warmupCount + Math.round(options.rate * options.seconds);
  const measuredCount = total - warmupCount;
  // Preallocated: the driver's own garbage would be its own stalls.
  const latencies = new Float64Array(measuredCount);
  const lags = new Float64Array(measuredCount);
  let latencyCount = 0;
  let lagCount = 0;
  let non2xx = 0;
  let errors = 0;
  let resent = 0;
  let completed = 0;
  let settled = 0;
  let measuredStart = Number.NaN;
  let measuredEnd = 0;
  // Diagnosis (OPEN_LOOP_TIMELINE=<dir>): the worst latency of each 20 ms of schedule, to line a
  // run's late requests up with what the server's threads did at that moment.
  const timelineDir = process.env.OPEN_LOOP_TIMELINE;
  const TIMELINE_BIN_MS = 20;
  const timeline = timelineDir === undefined ? undefined : new Float64Array(Math.ceil(((total / options.rate) * 1000) / TIMELINE_BIN_MS) + 1);
  let startEpochMs = 0;

  const idle: Connection[] = [];
  const all = new Set<Connection>();
  /** Requests due while every connection was busy, in order: [request, its completion]. */
  const waiting: { wire: WireRequest; done: (status: number | undefined) => void }[] = [];
  let waitingHead = 0;
  /** Requests already sent again once after their connection closed under them. */
  const retried = new WeakSet<(status: number | undefined) => void>();

  const watch = createStallWatch();
  watch.start();
  return new Promise((resolve) => {
    let start = Number.NaN;
    let next = 0;

    const finish = (): void => {
      clearInterval(timeouts);
      for (const connection of all) connection.socket.destroy();
      const sorted = latencies.subarray(0, latencyCount).sort();
      const sortedLags = lags.subarray(0, lagCount).sort();
      if (timelineDir !== undefined && timeline !== undefined) {
        fs.writeFileSync(`${timelineDir}/${Math.round(startEpochMs)}-${options.rate}.json`, JSON.stringify({ startEpochMs, warmupMs: options.warmup * 1000, binMs: TIMELINE_BIN_MS, maxLatencyMs: Array.from(timeline, (v) => Math.round(v * 10) / 10) }));
      }
      const window = (measuredEnd - measuredStart) / 1000;
      resolve({
        targetRate: options.rate,
        achievedRate: window > 0 ? completed / window : Number.NaN,
        sent: measuredCount,
        completed,
        non2xx,
        errors,
        resent,
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

    const release = (connection: Connection): void => {
      const queued = waiting[waitingHead];
      if (queued !== undefined) {
        waitingHead += 1;
        if (waitingHead === waiting.length) {
          waiting.length = 0;
          waitingHead = 0;
        }
        write(connection, queued.wire, queued.done);
      } else {
        idle.push(connection);
      }
    };

    const fail = (connection: Connection, mayResend = true): void => {
      if (!all.delete(connection)) return;
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      connection.socket.destroy();
      const done = connection.inFlight;
      const wire = connection.wire;
      connection.inFlight = undefined;
      if (mayResend && done !== undefined && wire !== undefined && connection.pending.length === 0 && !retried.has(done)) {
        // Closed before any byte of the answer: the server closed a kept-alive connection that
        // had been idle for its keep-alive timeout (Node's 5 s) as the request went out on it. A
        // browser sends such a request again on a new connection (RFC 9112, section 9.3.1: the
        // views are GETs); so does the driver, once, its latency still counted from the schedule.
        retried.add(done);
        resent += 1;
        waiting.splice(waitingHead, 0, { wire, done });
      } else {
        done?.(undefined);
      }
      // The requests waiting for a connection get a new one in its place.
      if (waitingHead < waiting.length) release(open());
    };

    const open = (): Connection => {
      const socket = net.connect({ host: hostname, port: Number(port), noDelay: true });
      const connection: Connection = { socket, pending: Buffer.alloc(0), inFlight: undefined, wire: undefined, sentAt: 0 };
      all.add(connection);
      socket.on('data', (chunk: Buffer) => {
        connection.pending = connection.pending.length === 0 ? chunk : Buffer.concat([connection.pending, chunk]);
        const answer = parseResponse(connection.pending);
        if (answer === undefined) return;
        connection.pending = connection.pending.subarray(answer.length);
        const done = connection.inFlight;
        connection.inFlight = undefined;
        connection.wire = undefined;
        if (answer.close) fail(connection);
        else release(connection);
        done?.(answer.status);
      });
      socket.on('error', () => fail(connection));
      socket.on('close', () => fail(connection));
      return connection;
    };

    const write = (connection: Connection, wire: WireRequest, done: (status: number | undefined) => void): void => {
      connection.inFlight = done;
      connection.wire = wire;
      connection.sentAt = performance.now();
      connection.socket.write(wire);
    };

    // A request unanswered for 30 s fails (its connection is closed), as the agent's timeout did.
    const timeouts = setInterval(() => {
      const now = performance.now();
      for (const connection of all) if (connection.inFlight !== undefined && now - connection.sentAt > 30_000) fail(connection, false);
    }, 1000);

    const send = (index: number, scheduled: number): void => {
      const measured = index >= warmupCount;
      if (measured) {
        lags[lagCount++] = performance.now() - scheduled;
        if (Number.isNaN(measuredStart)) measuredStart = scheduled;
      }
      const wire = requests[Math.floor(Math.random() * requests.length)];
      const done = (status: number | undefined): void => {
        const now = performance.now();
        if (timeline !== undefined) {
          const bin = Math.floor((scheduled - start) / TIMELINE_BIN_MS);
          if (now - scheduled > (timeline[bin] ?? 0)) timeline[bin] = now - scheduled;
        }
        if (measured) {
          // A failed request counts at its failure time: it was not served faster for failing.
          latencies[latencyCount++] = now - scheduled;
          if (status === undefined) errors += 1;
          else if (status < 200 || status > 299) non2xx += 1;
          else completed += 1;
          measuredEnd = Math.max(measuredEnd, now);
        }
        settled += 1;
        if (settled === total) finish();
      };
      const connection = idle.pop() ?? (all.size < options.connections ? open() : undefined);
      if (connection !== undefined) write(connection, wire, done);
      else waiting.push({ wire, done });
    };

    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        send(next, start + next * interval);
        next += 1;
      }
      if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    // Every connection is opened and has carried one answered request before the schedule starts:
    // a load generator that opens its connections during the run measures its own start (64 TCP
    // handshakes and cold code paths at once: in first rounds a backlog of up to 160 ms, which
    // twice in 24 PostgreSQL runs outlived the 1 s warm-up).
    let primed = 0;
    const primeDone = (): void => {
      primed += 1;
      if (primed < options.connections) return;
      start = performance.now() + 20;
      startEpochMs = performance.timeOrigin + start;
      setTimeout(tick, 20);
    };
    for (let index = 0; index < options.connections; index += 1) {
      write(open(), requests[index % requests.length], primeDone);
    }
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
