/**
 * `npm run bench`: the performance report of issue 6 (bench/REPORT.md).
 *
 * Seeds databases (SQLite and PostgreSQL, 1k and 1M links, plus two SQLite ones for the write
 * paths), starts one server per database as a child process pinned to core 0, and drives each with
 * wrk pinned to core 1. Every round runs every scenario once (a short warm-up, then a fixed-length
 * measured run), so each ratio compares figures taken a minute apart at most; rounds repeat that. Also
 * measures the RSA-2048 signing rate on the server's core, builds the mini program (weapp size)
 * and times the H5 pay page in Chromium.
 *
 * Options: --rounds=N (3) --seconds=S (5) --warmup=S (1) --first-warmup=S (5, round 1's) --connections=C (32) --links=N (1000000)
 * --only=id,id (scenario ids) --no-postgres --no-miniprogram --report=FILE (bench/REPORT.md)
 * --profile=SERVER (write bench/SERVER.cpuprofile: sqlite-1k, sqlite-1m, pg-1k, pg-1m, ops, ops-ext)
 * DATABASE_URL_POSTGRES=postgres://user@host:port/db (default postgres://postgres@127.0.0.1:5432/test).
 * BENCH_NODE_FLAGS="--perf-basic-prof" passes Node flags to the servers (e.g. for `perf record -p PID`,
 * which sees native code and the kernel too; bench/README.md).
 */
import { execFileSync, spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import pg from 'pg';
import { parseSigningKeys } from '../server/src/config/config';
import { createLinkKeyring } from '../server/src/tokens/link-keys';
import { loadOrCreateSandboxWechatKeys } from '../server/src/sandbox/simulators/sandbox-keys';
import { cpuSnapshot, cpuUsage } from './cpu-usage';
import { measureH5Load, measureTapToSheet, type H5LoadResult, type H5TapResult } from './h5-load';
import { warmPageCache } from './page-cache';
import { friendViewRequests, landingRequests, linkIssueRequests, notificationRequests, paymentRequests, writeRequestFile } from './material';
import type { OpenLoopOptions, OpenLoopResult } from './open-loop';
import { cpuPerRequest, renderReport, type BenchResults, type MiniprogramResult, type OpenLoopRecord, type RunRecord, type ScenarioInfo, type ServerName } from './report';
import { dropPostgresSchema, seedPostgres, seedSqlite, type SeedPlan } from './seed';
import type { StallReport } from './stall-watch';
import { runWrk, wrkVersion, type WrkResult } from './wrk';

const ROOT = path.resolve(__dirname, '..');
const SERVER_CORE = 0;
const LOAD_CORE = 1;
/** Seeded links to pay on, and open payments to notify: more than the runs can use up. */
const PAY_LINKS = 60_000;
const OPEN_PAYMENTS = 250_000;
/** The open-loop latency goal's load: this share of the capacity the closed-loop run measured. */
const OPEN_LOOP_LOAD = 0.7;
const OPEN_LOOP_CONNECTIONS = 64;
/** Open-loop scenarios and the closed-loop scenario whose capacity sets their rate. */
const OPEN_LOOP_CAPACITY: Record<string, string> = {
  'latency-sqlite': 'view-sqlite-1k',
  // The view's floor on the same schedule (70% of the VIEW's capacity): the p99 Node, Express and
  // the store read have on this machine at that load, whatever the route adds.
  'latency-floor-sqlite': 'view-sqlite-1k',
  'latency-pg': 'view-pg-1k',
  'latency-floor-pg': 'view-pg-1k',
};

interface Options {
  rounds: number;
  seconds: number;
  warmup: number;
  /** The warm-up of each scenario's first run (round 1), when its server runs that route for the first time. */
  firstWarmup: number;
  connections: number;
  links: number;
  only: Set<string> | undefined;
  postgres: boolean;
  miniprogram: boolean;
  report: string;
  profile: string | undefined;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string): string | undefined => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const count = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const number = Number(raw);
    if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number`);
    return number;
  };
  const only = value('only');
  return {
    rounds: Math.round(count('rounds', 3)),
    seconds: count('seconds', 5),
    warmup: count('warmup', 1),
    firstWarmup: count('first-warmup', 5),
    connections: Math.round(count('connections', 32)),
    links: Math.round(count('links', 1_000_000)),
    only: only === undefined ? undefined : new Set(only.split(',')),
    postgres: !argv.includes('--no-postgres'),
    miniprogram: !argv.includes('--no-miniprogram'),
    report: path.resolve(value('report') ?? path.join(__dirname, 'REPORT.md')),
    profile: value('profile'),
  };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** A server under test, running as a pinned child process. */
interface BenchServer {
  name: ServerName;
  url: string;
  pid: number;
  child: ChildProcessByStdio<null, Readable, Readable>;
  stop(): Promise<void>;
}

/**
 * The Node flags `npm run serve` starts the server with (package.json), so the bench measures the
 * server as it runs in production: e.g. `--max-semi-space-size=64`, the young generation that
 * keeps a request's short-lived objects from being promoted and collected again in old space.
 */
function serveNodeFlags(): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (manifest.scripts?.serve ?? '').split(/\s+/);
  return words[0] === 'node' ? words.slice(1, Math.max(1, words.indexOf('--import'))).filter((word) => word.startsWith('--')) : [];
}

function startBenchServer(name: ServerName, env: NodeJS.ProcessEnv, pin: boolean): Promise<BenchServer> {
  const args = [...serveNodeFlags(), ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', path.join(__dirname, 'server-process.ts')];
  const child = pin
    ? spawn('taskset', ['-c', String(SERVER_CORE), process.execPath, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const onData = (chunk: Buffer): void => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line === undefined) return;
      child.stdout.off('data', onData);
      const { url } = JSON.parse(line) as { url: string };
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        name,
        url,
        pid: child.pid!,
        child,
        async stop() {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        },
      });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server ${name} exited (${code}) before listening:\n${stderr}`)));
  });
}

/** `npm run sandbox:wechat` as a child process, and the settings that point a server at it. */
interface ExternalSimulator {
  url: string;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

function startExternalSimulator(dataDir: string, pin: boolean): Promise<ExternalSimulator> {
  const args = ['--import', 'tsx', path.join(ROOT, 'server', 'src', 'sandbox', 'simulators', 'simulators-cli.ts'), '--port', '0', '--data', dataDir];
  const child = pin
    ? spawn('taskset', ['-c', String(LOAD_CORE), process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('settings: ') && candidate.endsWith('}'));
      if (line === undefined) return;
      const settings = JSON.parse(line.slice('settings: '.length)) as Record<string, string>;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      resolve({
        url: settings.WECHATPAY_BASE_URL,
        settings,
        async stop() {
          if (child.exitCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(timer);
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`sandbox:wechat exited (${code}):\n${stderr}`)));
  });
}

async function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * Logs `count` sandbox friends in the way the mini program does (a login code from the WeChat
 * login simulator, at `loginUrl`, then a session from the server); returns their session tokens.
 */
async function loginFriends(url: string, count: number, loginUrl = url): Promise<string[]> {
  const tokens: string[] = [];
  for (let n = 0; n < count; n++) {
    const { code } = await postJson<{ code: string }>(`${loginUrl}/sandbox/wx/login`, { openid: `o_bench_friend_${n}` });
    const { session_token } = await postJson<{ session_token: string }>(`${url}/v1/sessions`, { code });
    tokens.push(session_token);
  }
  return tokens;
}

/**
 * The machine's services, by process name: PostgreSQL (the bench's own database) and the brokers
 * and databases this kind of machine runs for other projects' tests (RabbitMQ's Erlang VM, Redis,
 * MariaDB, Mosquitto, NATS).
 */
const MACHINE_SERVICES = ['postgres', 'beam.smp', 'erl_child_setup', 'epmd', 'redis-server', 'mariadbd', 'mysqld', 'mosquitto', 'nats-server'];

/**
 * Pins the machine's services (every thread; PostgreSQL's postmaster, so the backends it forks
 * too) to `core`; returns what puts them back on every core. In production they have hosts of
 * their own; here they would run on the server's core now and then and slow whichever scenario
 * was running: PostgreSQL's backends did (bench/README), and an Erlang VM's threads took 88 ms of
 * the server's core in a 0.8 s stretch of one open-loop run (fourteenth pass). A process started
 * after this ran is not pinned. Leaves a service as it is (and says so) when it cannot.
 */
function pinServices(core: number): () => void {
  const pids = spawnSync('pgrep', ['-x', MACHINE_SERVICES.join('|')], { encoding: 'utf8' }).stdout.split('\n').filter((pid) => /^\d+$/.test(pid));
  const setAll = (cores: string): string[] => pids.filter((pid) => spawnSync('taskset', ['-a', '-p', '-c', cores, pid]).status !== 0);
  const names = (list: string[]): string => [...new Set(list.map((pid) => spawnSync('ps', ['-o', 'comm=', '-p', pid], { encoding: 'utf8' }).stdout.trim()))].join(', ');
  const failed = setAll(String(core));
  const pinned = pids.filter((pid) => !failed.includes(pid));
  log(`the machine's services pinned to core ${core} while measuring: ${pinned.length} processes (${names(pinned) || 'none found'})${failed.length ? `; could not pin ${names(failed)}, which share the server's core` : ''}`);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    setAll(`0-${os.cpus().length - 1}`);
  };
}

/** Runs bench/open-loop.ts (pinned to the load core) and reads its result. */
function runOpenLoop(options: OpenLoopOptions, pin: boolean): Promise<OpenLoopResult> {
  const args = ['--import', 'tsx', path.join(__dirname, 'open-loop.ts'), JSON.stringify(options)];
  const child = pin
    ? spawn('taskset', ['-c', String(LOAD_CORE), process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`open-loop driver exited ${code}: ${err}`));
      else resolve(JSON.parse(line) as OpenLoopResult);
    });
  });
}

/**
 * Whether the landing page's image route exists in this tree (issue 13 adds it): a seeded link's
 * `/p/{code}/qr.png` answering our 404 problem `NOT_FOUND` means no route. When it is there, every
 * link's image is fetched once, so the measured runs see it cached.
 */
async function prepareLandingImages(url: string, paths: readonly string[]): Promise<string | undefined> {
  const probe = await fetch(`${url}${paths[0] ?? '/p/x/qr.png'}`);
  const text = await probe.text();
  if (probe.status === 404 && text.includes('"NOT_FOUND"')) return 'route not present: `GET /p/{code}/qr.png` answers 404 (no such route in this tree)';
  if (probe.status !== 200) return `\`GET /p/{code}/qr.png\` answered ${probe.status}: ${text.slice(0, 120)}`;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++];
      const response = await fetch(`${url}${path}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return undefined;
}

function machineInfo(): BenchResults['machine'] {
  const cpus = os.cpus();
  const run = (command: string, args: string[]): string => {
    try {
      return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return 'unknown';
    }
  };
  const sqlite = new Database(':memory:');
  const sqliteVersion = (sqlite.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  sqlite.close();
  return {
    cpu: `${cpus[0]?.model ?? 'unknown'} (${cpus.length} cores${cpus[0]?.speed ? ` @ ${cpus[0].speed} MHz` : ''})`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    wrk: wrkVersion() ?? 'not installed',
    sqlite: sqliteVersion,
    postgres: 'not used',
    commit: `${run('git', ['rev-parse', '--short', 'HEAD'])}${run('git', ['status', '--porcelain']) === '' ? '' : ' (with uncommitted changes)'}`,
  };
}

/** Runs a command to its end; its exit code and the tail of its output. */
function runCommand(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const collect = (chunk: Buffer): void => {
      out = (out + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Builds the mini program for `type` and measures its output. */
async function buildMiniprogram(type: 'weapp' | 'h5'): Promise<MiniprogramResult> {
  const started = Date.now();
  const { code, out } = await runCommand('npm', ['run', `build:${type}`], 240_000);
  const seconds = (Date.now() - started) / 1000;
  if (code !== 0) {
    const lines = out.split('\n').filter((line) => /error|failed/i.test(line)).slice(0, 8);
    return { ok: false, seconds, error: `npm run build:${type} exited ${code}: ${lines.join(' / ').slice(0, 800) || out.slice(-600)}` };
  }
  const dir = path.join(ROOT, 'miniprogram', 'dist', type);
  const du = spawnSync('du', ['-sk', dir], { encoding: 'utf8' }).stdout.split('\t')[0];
  const sizeOf = (target: string): number => {
    const stat = fs.statSync(target);
    if (!stat.isDirectory()) return stat.size;
    return fs.readdirSync(target).reduce((sum, entry) => sum + sizeOf(path.join(target, entry)), 0);
  };
  const totalBytes = sizeOf(dir);
  let subpackageBytes = 0;
  const subpackages: string[] = [];
  if (type === 'weapp') {
    const appJson = JSON.parse(fs.readFileSync(path.join(dir, 'app.json'), 'utf8')) as { subPackages?: { root: string }[]; subpackages?: { root: string }[] };
    for (const sub of appJson.subPackages ?? appJson.subpackages ?? []) {
      const root = path.join(dir, sub.root);
      if (fs.existsSync(root)) {
        subpackages.push(sub.root);
        subpackageBytes += sizeOf(root);
      }
    }
  }
  return { ok: true, seconds, duKb: Number(du), totalBytes, mainBytes: totalBytes - subpackageBytes, subpackages };
}

async function postgresVersion(url: string): Promise<string | undefined> {
  const parsed = new URL(url);
  parsed.search = '';
  const client = new pg.Client({ connectionString: parsed.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const benchStarted = Date.now();
  if (wrkVersion() === undefined) {
    process.stderr.write('wrk is not installed. Install it with:\n  apt-get install -y wrk\n(Debian/Ubuntu; on macOS: brew install wrk)\n');
    process.exit(1);
  }
  const cores = os.cpus().length;
  const pin = cores >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  if (!pin) log('fewer than 2 cores or no taskset: server and load generator are NOT pinned; figures will mix their costs');
  const machine = machineInfo();

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'friend-pay-bench-'));
  const dataDir = path.join(work, 'data');
  fs.mkdirSync(dataDir);
  const wechatKeys = loadOrCreateSandboxWechatKeys(dataDir);
  const linkSigningKeys = `bench:${crypto.randomBytes(32).toString('base64url')}`;
  const keyring = createLinkKeyring(parseSigningKeys(linkSigningKeys));
  const apiKey = `fp_key_bench${crypto.randomBytes(16).toString('hex')}`;
  const seededAt = Date.now();
  // Only what the bench chooses: nothing of the caller's shell (a WECHATPAY_*, a REDIS_URL) leaks in.
  const inherited = Object.fromEntries(['PATH', 'HOME', 'TMPDIR', 'LANG'].filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
  const serverEnv: NodeJS.ProcessEnv = {
    ...inherited,
    SANDBOX: '1',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LINK_SIGNING_KEYS: linkSigningKeys,
    SESSION_SIGNING_KEY: crypto.randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'silent',
    // The bench measures the work, not the limiter's refusals: budgets at their allowed maximum.
    RATE_LIMIT_FRIEND_VIEWS_PER_MINUTE: '1000000',
    RATE_LIMIT_SESSIONS_PER_MINUTE: '1000000',
    RATE_LIMIT_PAYMENTS_PER_MINUTE: '1000000',
    RATE_LIMIT_SHOP_PER_MINUTE: '1000000',
  };

  const big = options.links.toLocaleString('en-US');
  const floorView = (where: string): string => `\`GET /bench/floor/view/{token}\` (bench/floor-routes.ts): only the token check and the store read of the view, then the hello's body; tokens as for the ${where} view`;
  const openLoop = (engine: string): string => `\`GET /v1/pay/{token}\` as for the ${engine} 1k view, sent OPEN-LOOP by bench/open-loop.ts (pinned to core 1): evenly spaced at 70% of the req/s the closed-loop view reached in the same round, latency counted from each request's scheduled time, over up to ${OPEN_LOOP_CONNECTIONS} kept-alive connections`;
  const openLoopFloor = (engine: string): string => `\`GET /bench/floor/view/{token}\` (the ${engine} 1k view's floor), sent open-loop exactly as the view is: at 70% of the req/s the closed-loop VIEW reached in the same round. What the stack under the route (node:http, Express, the token check and the store read) gives at that load`;
  const scenarios: ScenarioInfo[] = [
    { id: 'rsa', title: 'RSA-2048 sign (node:crypto, one core)', server: undefined, what: 'crypto.sign("sha256", ~300 B, RSA-2048 key) in a loop on the server core' },
    { id: 'hello', title: 'Express hello', server: 'sqlite-1k', what: '`GET /bench/hello` → `{"hello":"world"}`, mounted with `extraRouters` (behind all of the app\'s middleware and routers)' },
    // Each ratio's two runs follow each other (the 1k and 1M views with their floors between them,
    // A B B A), so the machine's drift over a round, seconds long, moves both alike.
    { id: 'view-sqlite-1k', title: 'Friend view, SQLite, 1k links', server: 'sqlite-1k', what: '`GET /v1/pay/{token}`, token picked at random per request from all 1,000 links' },
    { id: 'floor-view', title: 'Floor of the friend view (SQLite, 1k links)', server: 'sqlite-1k', what: floorView('SQLite 1k') },
    { id: 'floor-view-1m', title: `Floor of the friend view (SQLite, ${big} links)`, server: 'sqlite-1m', what: floorView(`SQLite ${big}`) },
    { id: 'view-sqlite-1m', title: `Friend view, SQLite, ${big} links`, server: 'sqlite-1m', what: `\`GET /v1/pay/{token}\`, token picked at random per request from 100,000 tokens drawn uniformly from ${big} links` },
    { id: 'landing', title: 'Landing page /p/{code} (SQLite, 1k links)', server: 'sqlite-1k', what: '`GET /p/{code}` (the HTML page for a browser; no User-Agent, so the desktop variant), code picked at random per request from all 1,000 links' },
    { id: 'landing-qr', title: 'Landing page image /p/{code}/qr.png, cached (SQLite, 1k links)', server: 'sqlite-1k', what: '`GET /p/{code}/qr.png` over all 1,000 links, each fetched once before the first round so every measured request is answered from the cache' },
    { id: 'latency-sqlite', title: 'Friend view at 70% of its capacity, open loop (SQLite, 1k links)', server: 'sqlite-1k', what: openLoop('SQLite') },
    { id: 'latency-floor-sqlite', title: 'Floor of the friend view on the same open-loop schedule (SQLite, 1k links)', server: 'sqlite-1k', what: openLoopFloor('SQLite') },
    { id: 'view-pg-1k', title: 'Friend view, PostgreSQL, 1k links', server: 'pg-1k', what: 'as SQLite 1k, on PostgreSQL' },
    { id: 'floor-view-pg-1k', title: 'Floor of the friend view (PostgreSQL, 1k links)', server: 'pg-1k', what: floorView('PostgreSQL 1k') },
    { id: 'floor-view-pg-1m', title: `Floor of the friend view (PostgreSQL, ${big} links)`, server: 'pg-1m', what: floorView(`PostgreSQL ${big}`) },
    { id: 'view-pg-1m', title: `Friend view, PostgreSQL, ${big} links`, server: 'pg-1m', what: 'as SQLite 1M, on PostgreSQL' },
    { id: 'latency-pg', title: 'Friend view at 70% of its capacity, open loop (PostgreSQL, 1k links)', server: 'pg-1k', what: openLoop('PostgreSQL') },
    { id: 'latency-floor-pg', title: 'Floor of the friend view on the same open-loop schedule (PostgreSQL, 1k links)', server: 'pg-1k', what: openLoopFloor('PostgreSQL') },
    { id: 'issue', title: 'Link issue (SQLite)', server: 'ops', what: '`POST /v1/orders/{id}/links` with the shop\'s API key over 1,000 pending orders' },
    { id: 'pay', title: 'Payment creation (SQLite, in-process WeChat Pay simulator)', server: 'ops', what: '`POST /v1/pay/{token}/payments`, a new link and Idempotency-Key every request, 50 friends\' sessions in turn; each does a real prepay over HTTP to the simulator in the same process' },
    { id: 'pay-ext', title: 'Payment creation (SQLite, WeChat Pay simulator in its own process)', server: 'ops-ext', what: 'as above, but the server is pointed (WECHATPAY_* / WECHAT_*) at `npm run sandbox:wechat` running as its own process on core 1 beside wrk, as WeChat Pay would be: the server\'s core does only our two signatures per payment, not also WeChat\'s response signature' },
    { id: 'floor-pay', title: 'Floor of payment creation (simulator in its own process)', server: 'ops-ext', what: '`POST /bench/floor/pay/{token}`: only the session and token checks, the prepay over HTTP to the separate simulator and the `wx.requestPayment` signature (no store); requests as for the payments' },
    { id: 'notify', title: 'Notification processing (SQLite), first-time', server: 'ops', what: '`POST /v1/wechatpay/notify`: a freshly signed and encrypted TRANSACTION.SUCCESS for a different open payment every request (never a duplicate)' },
    { id: 'floor-notify', title: 'Floor of notification processing', server: 'ops', what: '`POST /bench/floor/notify`: only the verification and decryption of freshly signed notifications (nothing applied)' },
  ];
  // The hello always runs, and an open-loop scenario brings the view whose capacity sets its rate.
  const wanted = (id: string): boolean =>
    options.only === undefined || options.only.has(id) || id === 'hello' || Object.entries(OPEN_LOOP_CAPACITY).some(([loop, base]) => base === id && options.only?.has(loop) === true);

  const pgBase = process.env.DATABASE_URL_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
  const pgSchema = (suffix: string): string => `${pgBase}${pgBase.includes('?') ? '&' : '?'}schema=bench_${process.pid}_${suffix}`;
  const databases: { name: ServerName; url: string; plan: SeedPlan }[] = [
    { name: 'sqlite-1k', url: `sqlite:${path.join(work, 'links-1k.sqlite')}`, plan: { viewLinks: 1000, payLinks: 0, openPayments: 0, issueOrders: 0 } },
    { name: 'sqlite-1m', url: `sqlite:${path.join(work, 'links-1m.sqlite')}`, plan: { viewLinks: options.links, payLinks: 0, openPayments: 0, issueOrders: 0 } },
    { name: 'ops', url: `sqlite:${path.join(work, 'ops.sqlite')}`, plan: { viewLinks: 0, payLinks: PAY_LINKS, openPayments: OPEN_PAYMENTS, issueOrders: 1000 } },
    { name: 'ops-ext', url: `sqlite:${path.join(work, 'ops-ext.sqlite')}`, plan: { viewLinks: 0, payLinks: PAY_LINKS, openPayments: 0, issueOrders: 0 } },
  ];
  const skipped = new Map<string, string>();
  if (options.postgres) {
    const version = await postgresVersion(pgBase);
    if (version === undefined) {
      skipped.set('postgres', `PostgreSQL not reachable at ${pgBase}`);
    } else {
      machine.postgres = pin
        ? `${version} (same machine; while measuring, its processes are pinned to the load core ${LOAD_CORE}, as if on a host of their own, and put back afterwards)`
        : `${version} (same machine, not pinned: its backends share the cores with the server and wrk)`;
      databases.push(
        { name: 'pg-1k', url: pgSchema('1k'), plan: { viewLinks: 1000, payLinks: 0, openPayments: 0, issueOrders: 0 } },
        { name: 'pg-1m', url: pgSchema('1m'), plan: { viewLinks: options.links, payLinks: 0, openPayments: 0, issueOrders: 0 } },
      );
    }
  } else {
    skipped.set('postgres', 'run with --no-postgres');
  }
  const neededServers = new Set<ServerName>(scenarios.filter((s) => wanted(s.id) && s.server !== undefined).map((s) => s.server!));
  const activeDatabases = databases.filter((database) => neededServers.has(database.name));

  const servers = new Map<ServerName, BenchServer>();
  let stopSimulator: (() => Promise<void>) | undefined;
  // Only the server being measured runs at normal priority; the others share its core under
  // SCHED_IDLE (`chrt --idle`, every thread), so they get the core only when it has nothing else
  // to do. An idle Node process is not idle: V8 collects its heap a while after its last request
  // (the memory reducer), on the main thread and its GC helper threads: the idle ops server took
  // 24 ms (main thread) and 13-16 ms (each of three helpers) of the PostgreSQL 1k server's core
  // within one second of its open-loop run (bench/README, fourteenth pass). They are not stopped
  // (SIGSTOP, tried first): a stopped server's timers and collector do not run at all, which is
  // not how an idle instance behaves in production. In production each instance has its core to
  // itself.
  const background = new Set<ServerName>();
  const policy = (name: ServerName, which: '--idle' | '--other'): void => {
    const server = servers.get(name);
    if (server !== undefined) spawnSync('chrt', ['--all-tasks', which, '--pid', '0', String(server.pid)]);
  };
  const resumeAll = (): void => {
    for (const name of background) policy(name, '--other');
    background.clear();
  };
  const runOnly = (active: ServerName | undefined): void => {
    for (const name of servers.keys()) {
      if (name === active && background.delete(name)) policy(name, '--other');
      else if (name !== active && !background.has(name)) {
        background.add(name);
        policy(name, '--idle');
      }
    }
  };
  let unpinServices: (() => void) | undefined;
  const cleanup = async (): Promise<void> => {
    unpinServices?.();
    resumeAll();
    for (const server of servers.values()) await server.stop().catch(() => undefined);
    await stopSimulator?.().catch(() => undefined);
    for (const database of activeDatabases) {
      if (database.url.startsWith('postgres')) await dropPostgresSchema(database.url).catch(() => undefined);
    }
    fs.rmSync(work, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping servers, dropping schemas`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // Seeding and the mini program builds are not measured: run them side by side.
    const seeding: BenchResults['seeding'] = [];
    const seedAll = (async () => {
      for (const database of activeDatabases) {
        const started = Date.now();
        log(`seeding ${database.name} (${database.plan.viewLinks + database.plan.payLinks + database.plan.openPayments} links)`);
        try {
          if (database.url.startsWith('sqlite:')) await seedSqlite(database.url.slice('sqlite:'.length), database.plan, apiKey, seededAt);
          else await seedPostgres(database.url, database.plan, apiKey, seededAt);
          seeding.push({ name: database.name, seconds: (Date.now() - started) / 1000 });
        } catch (error: unknown) {
          const reason = `seeding failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
          log(`${database.name}: ${reason}`);
          skipped.set(database.name, reason);
        }
      }
    })();
    const builds = (async () => {
      if (!options.miniprogram) return { weapp: undefined, h5: undefined };
      log('building the mini program (weapp, then h5)');
      const weapp = await buildMiniprogram('weapp');
      const h5 = await buildMiniprogram('h5');
      log(`mini program: weapp ${weapp.ok ? 'built' : 'FAILED'}, h5 ${h5.ok ? 'built' : 'FAILED'}`);
      return { weapp, h5 };
    })();
    const [, built] = await Promise.all([seedAll, builds]);

    // WeChat's side in a process of its own, for the server that should not pay for it.
    let simulator: ExternalSimulator | undefined;
    if (activeDatabases.some((database) => database.name === 'ops-ext')) {
      try {
        simulator = await startExternalSimulator(path.join(work, 'wechat-simulators'), pin);
        stopSimulator = () => simulator!.stop();
      } catch (error: unknown) {
        skipped.set('ops-ext', `the WeChat simulator process did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }

    for (const database of activeDatabases) {
      if (skipped.has(database.name)) continue;
      const env: NodeJS.ProcessEnv = { ...serverEnv, DATABASE_URL: database.url, ...(database.name === 'ops-ext' ? simulator?.settings : {}) };
      if (options.profile === database.name) env.BENCH_CPU_PROFILE = path.join(__dirname, `${database.name}.cpuprofile`);
      try {
        servers.set(database.name, await startBenchServer(database.name, env, pin));
      } catch (error: unknown) {
        const reason = `server did not start: ${error instanceof Error ? error.message.split('\n').slice(0, 3).join(' ') : String(error)}`;
        log(`${database.name}: ${reason}`);
        skipped.set(database.name, reason);
      }
    }
    log(`servers: ${[...servers.values()].map((server) => `${server.name} ${server.url} (pid ${server.pid})`).join(', ')}`);

    // Load material.
    const files = path.join(work, 'requests');
    fs.mkdirSync(files);
    const fileOf = (id: string): string => path.join(files, `${id}.txt`);
    writeRequestFile(fileOf('hello'), [{ method: 'GET', path: '/bench/hello' }]);
    const smallSample = friendViewRequests(keyring, 1000, 1000, seededAt);
    writeRequestFile(fileOf('view-sqlite-1k'), smallSample);
    writeRequestFile(fileOf('floor-view'), smallSample.map((line) => ({ ...line, path: line.path.replace('/v1/pay/', '/bench/floor/view/') })));
    const bigSample = friendViewRequests(keyring, options.links, 100_000, seededAt);
    writeRequestFile(fileOf('view-sqlite-1m'), bigSample);
    const toFloor = (lines: typeof smallSample) => lines.map((line) => ({ ...line, path: line.path.replace('/v1/pay/', '/bench/floor/view/') }));
    writeRequestFile(fileOf('floor-view-1m'), toFloor(bigSample));
    fs.copyFileSync(fileOf('view-sqlite-1k'), fileOf('view-pg-1k'));
    fs.copyFileSync(fileOf('floor-view'), fileOf('floor-view-pg-1k'));
    fs.copyFileSync(fileOf('view-sqlite-1m'), fileOf('view-pg-1m'));
    fs.copyFileSync(fileOf('floor-view-1m'), fileOf('floor-view-pg-1m'));
    fs.copyFileSync(fileOf('view-sqlite-1k'), fileOf('latency-sqlite'));
    fs.copyFileSync(fileOf('view-sqlite-1k'), fileOf('latency-pg'));
    fs.copyFileSync(fileOf('floor-view'), fileOf('latency-floor-sqlite'));
    fs.copyFileSync(fileOf('floor-view'), fileOf('latency-floor-pg'));
    const landing = landingRequests(keyring, 1000);
    writeRequestFile(fileOf('landing'), landing);
    writeRequestFile(fileOf('landing-qr'), landing.map((line) => ({ ...line, path: `${line.path}/qr.png` })));
    const small = servers.get('sqlite-1k');
    if (small !== undefined && wanted('landing-qr')) {
      const started = Date.now();
      const absent = await prepareLandingImages(small.url, landing.map((line) => `${line.path}/qr.png`));
      if (absent !== undefined) skipped.set('landing-qr', absent);
      else log(`landing images fetched once for the cache in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    const ops = servers.get('ops');
    if (ops !== undefined) {
      writeRequestFile(fileOf('issue'), linkIssueRequests(apiKey, 1000));
      const sessions = await loginFriends(ops.url, 50);
      writeRequestFile(fileOf('pay'), paymentRequests(keyring, PAY_LINKS, sessions, seededAt));
    }
    const opsExt = servers.get('ops-ext');
    if (opsExt !== undefined && simulator !== undefined) {
      const payments = paymentRequests(keyring, PAY_LINKS, await loginFriends(opsExt.url, 50, simulator.url), seededAt);
      writeRequestFile(fileOf('pay-ext'), payments);
      writeRequestFile(fileOf('floor-pay'), payments.slice(0, 10_000).map((line) => ({ ...line, path: line.path.replace(/^\/v1\/pay\/(.*)\/payments$/, '/bench/floor/pay/$1') })));
    }

    const runs: RunRecord[] = [];
    const openLoopRuns: OpenLoopRecord[] = [];
    const rsa: number[] = [];
    const cursors: Record<'pay' | 'pay-ext' | 'notify', number> = { pay: 0, 'pay-ext': 0, notify: 0 };
    let notifyRate = 0;
    const checks: string[] = [];

    const drive = async (scenario: ScenarioInfo, round: number, seconds: number, measured: boolean): Promise<WrkResult | undefined> => {
      const server = servers.get(scenario.server!);
      if (server === undefined) return undefined;
      let file = fileOf(scenario.id);
      let order: 'random' | 'sequential' = 'random';
      let offset = 0;
      if (scenario.id === 'pay' || scenario.id === 'pay-ext') {
        order = 'sequential';
        offset = cursors[scenario.id];
      } else if (scenario.id === 'notify') {
        // Fresh signatures (WeChat's 5-minute window) for payments not notified before, enough for
        // the goal's rate (half the hello's) or the fastest rate seen, whichever is higher, so a
        // run does not run out and replay one (it would be flagged if it did).
        const hello = runs.find((run) => run.round === round && run.scenario === 'hello')?.result.requestsPerSecond ?? 5000;
        const expected = Math.max(notifyRate, hello * 0.5);
        const count = Math.min(OPEN_PAYMENTS - cursors.notify, Math.ceil(expected * seconds * 1.5) + 1000);
        if (count <= 0) {
          checks.push('ran out of seeded open payments for notifications');
          return undefined;
        }
        file = path.join(files, `notify-${round}-${measured ? 'run' : 'warmup'}.txt`);
        writeRequestFile(file, await notificationRequests(wechatKeys, cursors.notify, count, Date.now()));
        order = 'sequential';
      }
      if (scenario.id === 'floor-notify') {
        // Nothing is applied, so any seeded payment will do; the signatures must be fresh.
        file = path.join(files, `floor-notify-${round}-${measured ? 'run' : 'warmup'}.txt`);
        writeRequestFile(file, await notificationRequests(wechatKeys, 0, 5000, Date.now()));
      }
      const before = cpuSnapshot([server.pid]);
      const result = await runWrk({ url: server.url, seconds, connections: options.connections, cpu: pin ? LOAD_CORE : undefined, requestFile: file, order, offset });
      const usage = cpuUsage(before, cpuSnapshot([server.pid]), server.pid, SERVER_CORE);
      if (scenario.id === 'pay' || scenario.id === 'pay-ext') cursors[scenario.id] = result.nextOffset;
      if (scenario.id === 'notify') {
        cursors.notify += result.nextOffset;
        notifyRate = Math.max(notifyRate, result.requestsPerSecond);
      }
      if (result.wrapped > 0) checks.push(`${scenario.id} round ${round}${measured ? '' : ' warm-up'}: ran out of material and replayed ${result.wrapped}x (figure includes repeats)`);
      if (measured) runs.push({ scenario: scenario.id, round, result, usage });
      return result;
    };

    if (pin) unpinServices = pinServices(LOAD_CORE);
    for (let round = 1; round <= options.rounds; round++) {
      for (const scenario of scenarios) {
        if (!wanted(scenario.id)) continue;
        runOnly(scenario.server);
        if (scenario.id === 'rsa') {
          const out = spawnSync(pin ? 'taskset' : process.execPath, [...(pin ? ['-c', String(SERVER_CORE), process.execPath] : []), '--import', 'tsx', path.join(__dirname, 'rsa-rate.ts'), String(options.seconds)], { cwd: ROOT, encoding: 'utf8' });
          const rate = (JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as { signsPerSecond?: number }).signsPerSecond;
          if (rate !== undefined) rsa.push(rate);
          log(`round ${round} rsa: ${rate?.toFixed(0)} signs/s`);
          continue;
        }
        if (scenario.server === undefined || !servers.has(scenario.server) || skipped.has(scenario.id)) continue;
        const database = activeDatabases.find((candidate) => candidate.name === scenario.server);
        if (database !== undefined) await warmPageCache(database.url);
        const capacityOf = OPEN_LOOP_CAPACITY[scenario.id];
        if (capacityOf !== undefined) {
          const capacity = runs.find((run) => run.round === round && run.scenario === capacityOf)?.result.requestsPerSecond;
          if (capacity === undefined || capacity <= 0) continue;
          const rate = Math.max(1, Math.round(capacity * OPEN_LOOP_LOAD));
          try {
            const server = servers.get(scenario.server)!;
            const before = cpuSnapshot([server.pid]);
            await fetch(`${server.url}/bench/stalls/start`, { method: 'POST' });
            const result = await runOpenLoop({ url: server.url, file: fileOf(scenario.id), rate, seconds: options.seconds, warmup: options.warmup, connections: OPEN_LOOP_CONNECTIONS }, pin);
            const usage = cpuUsage(before, cpuSnapshot([server.pid]), server.pid, SERVER_CORE);
            const serverStalls = (await (await fetch(`${server.url}/bench/stalls/stop`, { method: 'POST' })).json()) as StallReport;
            openLoopRuns.push({ scenario: scenario.id, round, capacity, result, usage, serverStalls });
            const stolen = usage === undefined ? '' : `, server core stolen ${(usage.stealOnServerCore * 100).toFixed(0)}%, busy ${(usage.serverOnServerCore * 100).toFixed(0)}% (others ${(usage.othersOnServerCore * 100).toFixed(0)}%)`;
            log(`round ${round} ${scenario.id}: ${rate} req/s scheduled (${Math.round(OPEN_LOOP_LOAD * 100)}% of ${capacity.toFixed(0)}), p50 ${result.latencyP50Ms.toFixed(1)} ms, p99 ${result.latencyP99Ms.toFixed(1)} ms, max ${result.latencyMaxMs.toFixed(1)} ms${stolen}, server loop delay max ${serverStalls.loopDelayMaxMs.toFixed(1)} ms (GC longest ${serverStalls.gcMaxMs.toFixed(1)} ms, ≥10 ms: ${JSON.stringify(serverStalls.gcOver10MsByKind)}, total ${serverStalls.gcTotalMs.toFixed(0)} ms; ${serverStalls.minorPageFaults} page faults, ${serverStalls.involuntarySwitches} preemptions), driver's ${result.driver.loopDelayMaxMs.toFixed(1)} ms${result.errors + result.non2xx ? `, ${result.errors + result.non2xx} failed` : ''}${result.resent ? `, ${result.resent} sent again on a new connection` : ''}`);
          } catch (error: unknown) {
            checks.push(`${scenario.id} round ${round}: the open-loop driver failed: ${error instanceof Error ? error.message.slice(0, 200) : String(error)}`);
          }
          continue;
        }
        // A route's first run on its server warmed up for 1 s measured the server still growing into
        // its working set (page faults, JIT): payment creation's round 1 was the lowest of five in
        // 6 of 7 reports (0.66-0.79 of its floor, other rounds mostly 0.80-1.00), 0.93 with 5 s
        // (bench/README, thirteenth pass).
        await drive(scenario, round, round === 1 ? Math.max(options.warmup, options.firstWarmup) : options.warmup, false);
        const result = await drive(scenario, round, options.seconds, true);
        const measuredRun = runs.find((run) => run.round === round && run.scenario === scenario.id);
        const cpuMicros = measuredRun && cpuPerRequest(measuredRun);
        const cpu = cpuMicros === undefined ? '' : `, server CPU ${Math.round(cpuMicros)} µs a request`;
        if (result !== undefined) log(`round ${round} ${scenario.id}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.latencyP50Ms.toFixed(1)} ms, p99 ${result.latencyP99Ms.toFixed(1)} ms${cpu}${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`);
      }
    }

    resumeAll();

    // What the write paths really did, read back from the database.
    if (ops !== undefined) {
      const db = new Database(databases.find((database) => database.name === 'ops')!.url.slice('sqlite:'.length), { readonly: true });
      const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
      if (wanted('pay')) {
        checks.push(`payments: ${cursors.pay.toLocaleString('en-US')} requests sent (warm-ups included), ${count("SELECT COUNT(*) AS n FROM payments WHERE link_id LIKE 'lnk_p%' AND status = 'created' AND prepay_id IS NOT NULL").toLocaleString('en-US')} open payments with a WeChat prepay_id in the database (requests cut off when a run ended may still have finished)`);
      }
      if (wanted('notify')) {
        checks.push(`notifications: ${cursors.notify.toLocaleString('en-US')} sent (warm-ups included), ${count("SELECT COUNT(*) AS n FROM payments WHERE id LIKE 'pay_n%' AND status = 'paid'").toLocaleString('en-US')} payments moved created → paid, ${count("SELECT COUNT(*) AS n FROM links WHERE id LIKE 'lnk_n%' AND status = 'paid'").toLocaleString('en-US')} links paid, ${count("SELECT COUNT(*) AS n FROM events WHERE type = 'link.paid'").toLocaleString('en-US')} link.paid webhook events written`);
      }
      if (wanted('issue')) checks.push(`links issued: ${count("SELECT COUNT(*) AS n FROM links WHERE order_id LIKE 'ord_i%'").toLocaleString('en-US')}`);
      db.close();
    }
    if (opsExt !== undefined && wanted('pay-ext')) {
      const db = new Database(databases.find((database) => database.name === 'ops-ext')!.url.slice('sqlite:'.length), { readonly: true });
      const created = (db.prepare("SELECT COUNT(*) AS n FROM payments WHERE status = 'created' AND prepay_id IS NOT NULL").get() as { n: number }).n;
      checks.push(`payments against the separate simulator: ${cursors['pay-ext'].toLocaleString('en-US')} requests sent (warm-ups included), ${created.toLocaleString('en-US')} open payments with a WeChat prepay_id in the database`);
      db.close();
    }

    let h5Load: H5LoadResult | undefined;
    let h5Tap: H5TapResult | undefined;
    if (built.h5 !== undefined) {
      if (!built.h5.ok) h5Load = h5Tap = { error: 'the H5 build failed (see above)' };
      else if (ops === undefined) h5Load = h5Tap = { error: 'no server to load it from' };
      else {
        const demo = await postJson<{ link: { token: string } }>(`${ops.url}/sandbox/demo`, {});
        log('timing the H5 pay page in Chromium');
        h5Load = await measureH5Load(ops.url, demo.link.token, 7).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
        log('timing the tap on the pay button until the pay sheet, in Chromium');
        h5Tap = await measureTapToSheet(ops.url, demo.link.token, 7).catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }));
      }
    }

    const results: BenchResults = {
      machine,
      startedAt: new Date(benchStarted).toISOString(),
      minutes: (Date.now() - benchStarted) / 60_000,
      options: { rounds: options.rounds, seconds: options.seconds, warmup: options.warmup, firstWarmup: options.firstWarmup, connections: options.connections, links: options.links, pinned: pin, nodeFlags: serveNodeFlags() },
      scenarios: scenarios.filter((scenario) => wanted(scenario.id)),
      skipped,
      runs,
      openLoop: openLoopRuns,
      rsa,
      seeding,
      checks,
      weapp: built.weapp,
      h5: built.h5,
      h5Load,
      h5Tap,
    };
    fs.writeFileSync(options.report, renderReport(results));
    log(`wrote ${path.relative(ROOT, options.report)} (${results.minutes.toFixed(1)} min)`);
    log(`median req/s: ${results.scenarios.filter((s) => s.id !== 'rsa' && runs.some((r) => r.scenario === s.id)).map((s) => `${s.id} ${median(runs.filter((r) => r.scenario === s.id).map((r) => r.result.requestsPerSecond)).toFixed(0)}`).join(', ')}; RSA signs/s ${median(rsa).toFixed(0)}`);
  } finally {
    await cleanup();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
}
