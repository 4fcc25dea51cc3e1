/** Runs wrk pinned to one core and reads its summary. */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

/** The Lua script that replays requests from a file (see its header). */
export const REQUESTS_SCRIPT = path.join(__dirname, 'lua', 'requests.lua');

/** What one wrk run measured. */
export interface WrkResult {
  requestsPerSecond: number;
  requests: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** Responses with a status outside 2xx/3xx. */
  non2xx: number;
  /** Connect, read, write errors and timeouts. */
  socketErrors: number;
  /** Sequential replays only: how often the file ran out and started again (reused material). */
  wrapped: number;
  /** Sequential replays only: the line the next run should start from. */
  nextOffset: number;
}

/** The wrk binary's version line, or undefined when wrk is not installed. */
export function wrkVersion(): string | undefined {
  try {
    execFileSync('which', ['wrk'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  // `wrk -v` prints its banner and exits 1.
  try {
    return execFileSync('wrk', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]?.trim();
  } catch (error: unknown) {
    const out = (error as { stdout?: string }).stdout ?? '';
    return out.split('\n')[0]?.trim() || 'wrk';
  }
}

function toMs(value: string): number {
  const match = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (match === null) return Number.NaN;
  const number = Number(match[1]);
  return match[2] === 'us' ? number / 1000 : match[2] === 'ms' ? number : match[2] === 's' ? number * 1000 : number * 60_000;
}

/** Parses wrk's text summary (with --latency). */
export function parseWrk(output: string): WrkResult {
  const number = (pattern: RegExp): number => {
    const match = pattern.exec(output);
    return match === null ? 0 : Number(match[1]);
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  if (rps === null) throw new Error(`wrk printed no Requests/sec:\n${output}`);
  return {
    requestsPerSecond: Number(rps[1]),
    requests: number(/(\d+) requests in/),
    latencyP50Ms: toMs(/^\s+50%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    latencyP99Ms: toMs(/^\s+99%\s+(\S+)/m.exec(output)?.[1] ?? ''),
    non2xx: number(/Non-2xx or 3xx responses: (\d+)/),
    socketErrors: socket === null ? 0 : socket.slice(1).reduce((sum, value) => sum + Number(value), 0),
    wrapped: number(/BENCH wrapped=(\d+)/),
    nextOffset: number(/next_offset=(\d+)/),
  };
}

/** How to run wrk once. */
export interface WrkRun {
  url: string;
  seconds: number;
  connections: number;
  /** The core wrk runs on (undefined: not pinned). */
  cpu: number | undefined;
  /** Replay this request file (see lua/requests.lua); without it wrk GETs `url`. */
  requestFile?: string;
  order?: 'random' | 'sequential';
  offset?: number;
}

/** Runs wrk and returns its parsed summary. */
export function runWrk(run: WrkRun): Promise<WrkResult> {
  const wrkArgs = ['-t1', `-c${run.connections}`, `-d${run.seconds}s`, '--latency', '--timeout', '10s'];
  if (run.requestFile !== undefined) wrkArgs.push('-s', REQUESTS_SCRIPT);
  wrkArgs.push(run.url);
  if (run.requestFile !== undefined) wrkArgs.push('--', run.requestFile, run.order ?? 'random', String(run.offset ?? 0));
  const [command, args] = run.cpu === undefined ? ['wrk', wrkArgs] : ['taskset', ['-c', String(run.cpu), 'wrk', ...wrkArgs]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`wrk exited ${code}:\n${out}`));
      else {
        try {
          resolve(parseWrk(out));
        } catch (error: unknown) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }
    });
  });
}
