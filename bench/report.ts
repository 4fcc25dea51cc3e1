/** Turns the benchmark's measurements into bench/REPORT.md. */
import type { CpuUsage } from './cpu-usage';
import type { H5LoadResult, H5TapResult } from './h5-load';
import type { OpenLoopResult } from './open-loop';
import type { StallReport } from './stall-watch';
import type { WrkResult } from './wrk';

/** The servers (one per database) the bench starts. */
export type ServerName = 'sqlite-1k' | 'sqlite-1m' | 'pg-1k' | 'pg-1m' | 'ops' | 'ops-ext';

/** A scenario of the bench. */
export interface ScenarioInfo {
  id: string;
  title: string;
  server: ServerName | undefined;
  what: string;
}

/** One measured wrk run. */
export interface RunRecord {
  scenario: string;
  round: number;
  result: WrkResult;
  usage: CpuUsage | undefined;
}

/** One open-loop run (bench/open-loop.ts) at a share of the capacity measured in the same round. */
export interface OpenLoopRecord {
  scenario: string;
  round: number;
  /** The closed-loop req/s of the same route in the same round. */
  capacity: number;
  result: OpenLoopResult;
  /** The server's core over the run (warm-up included). */
  usage: CpuUsage | undefined;
  /** The server's event-loop delay and GC pauses over the run (warm-up included). */
  serverStalls: StallReport | undefined;
}

/** A mini program build and its output's size. */
export type MiniprogramResult =
  | { ok: true; seconds: number; duKb: number; totalBytes: number; mainBytes: number; subpackages: string[] }
  | { ok: false; seconds: number; error: string };

/** Everything the report is made from. */
export interface BenchResults {
  machine: { cpu: string; memory: string; os: string; node: string; wrk: string; sqlite: string; postgres: string; commit: string };
  startedAt: string;
  minutes: number;
  options: { rounds: number; seconds: number; warmup: number; firstWarmup: number; connections: number; links: number; pinned: boolean; nodeFlags: readonly string[] };
  scenarios: ScenarioInfo[];
  /** Scenario ids, server names or "postgres", with why they did not run. */
  skipped: Map<string, string>;
  runs: RunRecord[];
  openLoop: OpenLoopRecord[];
  /** RSA-2048 signs per second on the server's core, one per round. */
  rsa: number[];
  seeding: { name: string; seconds: number }[];
  checks: string[];
  weapp: MiniprogramResult | undefined;
  h5: MiniprogramResult | undefined;
  h5Load: H5LoadResult | undefined;
  /** The tap on 确认付款 until the pay sheet (undefined in reports made before it was measured). */
  h5Tap?: H5TapResult | undefined;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const min = (values: readonly number[]): number => Math.min(...values);
const max = (values: readonly number[]): number => Math.max(...values);
const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const pct = (value: number): string => (Number.isFinite(value) ? `${Math.round(value * 100)}%` : 'n/a');
const spread = (values: readonly number[], digits = 0): string => (values.length === 0 ? 'n/a' : `${fmt(min(values), digits)}–${fmt(max(values), digits)}`);

/** A figure over the rounds: its median and the spread. */
interface Figure {
  values: number[];
  median: number;
}

function figure(values: number[]): Figure {
  return { values, median: median(values) };
}

/** Per round, `a`'s req/s divided by `b`'s req/s in that same round. */
function ratioByRound(results: BenchResults, a: string, b: string): Figure {
  const values: number[] = [];
  for (const run of results.runs.filter((candidate) => candidate.scenario === a)) {
    const other = results.runs.find((candidate) => candidate.scenario === b && candidate.round === run.round);
    if (other !== undefined && other.result.requestsPerSecond > 0) values.push(run.result.requestsPerSecond / other.result.requestsPerSecond);
  }
  return figure(values);
}

function rates(results: BenchResults, scenario: string): Figure {
  return figure(results.runs.filter((run) => run.scenario === scenario).map((run) => run.result.requestsPerSecond));
}

/** Server CPU time per request of a run, in µs (undefined without /proc). */
export function cpuPerRequest(run: RunRecord): number | undefined {
  return run.usage === undefined || run.result.requests === 0 ? undefined : (run.usage.serverCpuSeconds * 1e6) / run.result.requests;
}

/** Per round, `b`'s server CPU per request divided by `a`'s: the throughput ratio a dedicated core would give. */
function cpuRatioByRound(results: BenchResults, a: string, b: string): Figure {
  const values: number[] = [];
  for (const run of results.runs.filter((candidate) => candidate.scenario === a)) {
    const other = results.runs.find((candidate) => candidate.scenario === b && candidate.round === run.round);
    const cpuA = cpuPerRequest(run);
    const cpuB = other === undefined ? undefined : cpuPerRequest(other);
    if (cpuA !== undefined && cpuB !== undefined && cpuA > 0) values.push(cpuB / cpuA);
  }
  return figure(values);
}

/** One row of the goals table. */
interface GoalRow {
  goal: string;
  target: string;
  measured: string;
  /** The route's own figure (req/s, or the load for a latency goal). */
  route: string;
  /** What it is judged against, side by side: its floor, or the reference route. */
  base: string;
  met: boolean | undefined;
  /** The same ratio from server CPU time per request, when it applies. */
  crossCheck?: string;
}

/** A ratio to two places, or more when two would print a value just under its target as the target. */
function ratioText(value: number, target: number): string {
  let digits = 2;
  while (digits < 4 && value < target && Number(value.toFixed(digits)) >= target) digits++;
  return fmt(value, digits);
}

const metText = (met: boolean | undefined): string => (met === undefined ? 'not measured' : met ? '**met**' : '**not met**');

/** The WeChat Pay prepay quota of one merchant (requests per second), the ceiling payments meet whatever we do. */
export const WECHAT_PREPAY_QUOTA_PER_SECOND = 600;

/** `route` ÷ `base` per round, judged against `target`; `baseLabel` names what `base` is. */
function ratioGoal(results: BenchResults, label: string, route: string, base: string, baseLabel: string, target: number): GoalRow {
  const skippedWhy = results.skipped.get(route);
  if (skippedWhy !== undefined) return { goal: label, target: `≥ ${target}`, measured: skippedWhy, route: '', base: '', met: undefined };
  const ratio = ratioByRound(results, route, base);
  if (ratio.values.length === 0) return { goal: label, target: `≥ ${target}`, measured: 'not measured', route: '', base: '', met: undefined };
  const cpu = cpuRatioByRound(results, route, base);
  return {
    goal: label,
    target: `≥ ${target}`,
    measured: `**${ratioText(ratio.median, target)}** (rounds ${spread(ratio.values, 2)})`,
    route: `${fmt(rates(results, route).median)} req/s`,
    base: `${baseLabel}: ${fmt(rates(results, base).median)} req/s`,
    met: ratio.median >= target,
    crossCheck: cpu.values.length === 0 ? 'n/a' : `${fmt(cpu.median, 2)} (${spread(cpu.values, 2)})`,
  };
}

/** The open-loop p99 of `scenario` over the rounds, judged against `limitMs`, beside its floor's on the same schedule. */
function latencyGoal(results: BenchResults, label: string, scenario: string, floorScenario: string, limitMs: number): GoalRow {
  const runs = results.openLoop.filter((run) => run.scenario === scenario);
  if (runs.length === 0) return { goal: label, target: `≤ ${limitMs} ms`, measured: results.skipped.get(scenario) ?? 'not measured', route: '', base: '', met: undefined };
  const p99 = figure(runs.map((run) => run.result.latencyP99Ms));
  const failed = runs.reduce((sum, run) => sum + run.result.errors + run.result.non2xx, 0);
  const resent = runs.reduce((sum, run) => sum + run.result.resent, 0);
  return {
    goal: label,
    target: `≤ ${limitMs} ms`,
    measured: `**p99 ${fmt(p99.median, 1)} ms** (rounds ${spread(p99.values, 1)}; p50 ${fmt(median(runs.map((run) => run.result.latencyP50Ms)), 1)}, p99.9 ${fmt(median(runs.map((run) => run.result.latencyP999Ms)), 1)}, max ${fmt(max(runs.map((run) => run.result.latencyMaxMs)), 1)} ms${failed > 0 ? `; ${failed} failed` : ''}${resent > 0 ? `; ${resent} sent again on a new connection when the server closed an idle one under them` : ''})`,
    route: `${fmt(median(runs.map((run) => run.result.targetRate)))} req/s scheduled, ${fmt(median(runs.map((run) => run.result.achievedRate)))} answered`,
    base: `70% of the closed-loop ${fmt(median(runs.map((run) => run.capacity)))} req/s; floor on the same schedule: ${floorP99(results, floorScenario)}`,
    met: p99.median <= limitMs && failed === 0,
  };
}

/** The floor's open-loop p99 on the view's schedule, median of rounds. */
function floorP99(results: BenchResults, floorScenario: string): string {
  const runs = results.openLoop.filter((run) => run.scenario === floorScenario);
  if (runs.length === 0) return 'not measured';
  const p99 = figure(runs.map((run) => run.result.latencyP99Ms));
  return `p99 ${fmt(p99.median, 1)} ms (rounds ${spread(p99.values, 1)})`;
}

function goals(results: BenchResults): GoalRow[] {
  const rows: GoalRow[] = [];
  const big = results.options.links >= 1_000_000 ? `${results.options.links / 1_000_000}M` : results.options.links.toLocaleString('en-US');
  rows.push(ratioGoal(results, 'Friend view ÷ its floor — SQLite, 1k links', 'view-sqlite-1k', 'floor-view', 'floor', 0.9));
  rows.push(ratioGoal(results, `Friend view ÷ its floor — SQLite, ${big} links`, 'view-sqlite-1m', 'floor-view-1m', 'floor', 0.9));
  rows.push(ratioGoal(results, 'Friend view ÷ its floor — PostgreSQL, 1k links', 'view-pg-1k', 'floor-view-pg-1k', 'floor', 0.9));
  rows.push(ratioGoal(results, `Friend view ÷ its floor — PostgreSQL, ${big} links`, 'view-pg-1m', 'floor-view-pg-1m', 'floor', 0.9));
  rows.push(ratioGoal(results, `Friend view at ${big} ÷ at 1k links — SQLite`, 'view-sqlite-1m', 'view-sqlite-1k', 'at 1k', 0.9));
  rows.push(ratioGoal(results, `Friend view at ${big} ÷ at 1k links — PostgreSQL`, 'view-pg-1m', 'view-pg-1k', 'at 1k', 0.9));
  rows.push(ratioGoal(results, 'Payment creation ÷ its floor (WeChat Pay simulator in its own process)', 'pay-ext', 'floor-pay', 'floor', 0.8));
  rows.push(ratioGoal(results, 'Notification processing (first-time) ÷ its floor', 'notify', 'floor-notify', 'floor', 0.7));
  rows.push(ratioGoal(results, 'Landing page /p/{code} ÷ friend view (SQLite, 1k links)', 'landing', 'view-sqlite-1k', 'friend view', 0.5));
  rows.push(ratioGoal(results, 'Landing image /p/{code}/qr.png, cached ÷ Express hello', 'landing-qr', 'hello', 'hello', 0.8));
  rows.push(latencyGoal(results, 'Friend view p99 at 70% of its capacity, open loop — SQLite, 1k links', 'latency-sqlite', 'latency-floor-sqlite', 20));
  rows.push(latencyGoal(results, 'Friend view p99 at 70% of its capacity, open loop — PostgreSQL, 1k links', 'latency-pg', 'latency-floor-pg', 20));

  const weapp = results.weapp;
  const sizeRow = (measured: string, met: boolean | undefined): GoalRow => ({ goal: 'weapp main package (issue 6)', target: '≤ 400 KB', measured, route: '', base: '', met });
  if (weapp === undefined) rows.push(sizeRow('not measured (--no-miniprogram)', undefined));
  else if (!weapp.ok) rows.push(sizeRow('build failed (see below)', undefined));
  else rows.push(sizeRow(`**${fmt(weapp.mainBytes / 1024, 1)} KB** (whole dist/weapp ${fmt(weapp.totalBytes / 1024, 1)} KB; du ${weapp.duKb} KB)`, weapp.mainBytes <= 400 * 1024));

  const load = results.h5Load;
  const loadRow = (measured: string, met: boolean | undefined): GoalRow => ({ goal: 'H5 pay page interactive, Chromium (issue 6)', target: '≤ 1.5 s', measured, route: '', base: '', met });
  if (load === undefined) rows.push(loadRow('not measured', undefined));
  else if ('error' in load) rows.push(loadRow(`not measured: ${load.error}`, undefined));
  else {
    const loads = figure(load.loadsMs);
    rows.push(loadRow(`**${fmt(loads.median / 1000, 2)} s** (${load.loadsMs.length} cold loads, ${spread(load.loadsMs.map((ms) => ms / 1000), 2)} s)`, loads.median <= 1500));
  }
  const tap = results.h5Tap;
  const tapGoal = 'H5 tap on 确认付款 → pay sheet visible (Chromium, logged in ahead)';
  const tapRow = (measured: string, met: boolean | undefined): GoalRow => ({ goal: tapGoal, target: '≤ 300 ms', measured, route: '', base: '', met });
  if (tap === undefined) rows.push(tapRow('not measured', undefined));
  else if ('error' in tap) rows.push(tapRow(`not measured: ${tap.error}`, undefined));
  else {
    const taps = figure(tap.tapToSheetMs);
    rows.push(tapRow(`**${fmt(taps.median)} ms** (${tap.tapToSheetMs.length} friends, ${spread(tap.tapToSheetMs)} ms)`, taps.median <= 300));
  }
  return rows;
}

/** The server CPU each goal allows per request, from what its floor (or reference) used beside it. */
function budgetTable(results: BenchResults): string[] {
  const cpu = (scenario: string): number => median(results.runs.filter((run) => run.scenario === scenario).map((run) => cpuPerRequest(run) ?? Number.NaN));
  const rows: [string, string, number, number][] = [
    ['Friend view, SQLite 1k', 'floor ÷ 0.9', cpu('floor-view') / 0.9, cpu('view-sqlite-1k')],
    ['Friend view, SQLite 1M', 'floor ÷ 0.9', cpu('floor-view-1m') / 0.9, cpu('view-sqlite-1m')],
    ['Friend view, PostgreSQL 1k (server process only)', 'floor ÷ 0.9', cpu('floor-view-pg-1k') / 0.9, cpu('view-pg-1k')],
    ['Friend view, PostgreSQL 1M (server process only)', 'floor ÷ 0.9', cpu('floor-view-pg-1m') / 0.9, cpu('view-pg-1m')],
    ['Payment creation, simulator in its own process', 'floor ÷ 0.8', cpu('floor-pay') / 0.8, cpu('pay-ext')],
    ['Notification processing', 'floor ÷ 0.7', cpu('floor-notify') / 0.7, cpu('notify')],
    ['Landing page', 'friend view ÷ 0.5', cpu('view-sqlite-1k') / 0.5, cpu('landing')],
    ['Landing image, cached', 'hello ÷ 0.8', cpu('hello') / 0.8, cpu('landing-qr')],
  ];
  const measured = rows.filter(([, , budget, used]) => Number.isFinite(budget) && Number.isFinite(used));
  if (measured.length === 0) return [];
  const lines = [
    '### What each goal allows',
    '',
    'Server CPU time per request each goal leaves on a dedicated core, from what its floor (or reference route) used in the same rounds, next to what the request used (median of rounds):',
    '',
    '| Request | Goal allows | | Used | Over by |',
    '|---|---:|---|---:|---:|',
  ];
  for (const [label, rule, budget, used] of measured) lines.push(`| ${label} | ${fmt(budget)} µs | ${rule} | ${fmt(used)} µs | ${used > budget ? `${fmt(used - budget)} µs (${fmt(used / budget, 2)}×)` : 'within'} |`);
  lines.push('');
  return lines;
}

/** Every route's absolute throughput on one core, and the payments next to WeChat's prepay quota. */
function absoluteTable(results: BenchResults): string[] {
  const rowsFor = results.scenarios.filter((scenario) => scenario.id !== 'rsa' && !scenario.id.startsWith('latency-') && results.runs.some((run) => run.scenario === scenario.id));
  if (rowsFor.length === 0) return [];
  const hello = rates(results, 'hello').median;
  const lines = [
    '### Absolute figures, and WeChat Pay\'s quota',
    '',
    `What one server core does (the server is pinned to one core; medians of rounds). A merchant's prepay quota at WeChat Pay is ${WECHAT_PREPAY_QUOTA_PER_SECOND} requests per second: past it WeChat answers \`FREQUENCY_LIMITED\`, so payments per second stop scaling with cores there.`,
    '',
    '| Route | req/s on one core | Server CPU per request | ÷ Express hello |',
    '|---|---:|---:|---:|',
  ];
  for (const scenario of rowsFor) {
    const runs = results.runs.filter((run) => run.scenario === scenario.id);
    lines.push(`| ${scenario.title} | ${fmt(rates(results, scenario.id).median)} | ${fmt(median(runs.map((run) => cpuPerRequest(run) ?? Number.NaN)))} µs | ${fmt(rates(results, scenario.id).median / hello, 2)} |`);
  }
  lines.push('');
  const pay = rates(results, 'pay-ext').median;
  const payIn = rates(results, 'pay').median;
  if (Number.isFinite(pay) || Number.isFinite(payIn)) {
    const perCore = Number.isFinite(pay) ? pay : payIn;
    lines.push(
      `Payments: **${fmt(perCore)} payments/s per core** (${Number.isFinite(pay) ? 'WeChat Pay simulator in its own process, as WeChat is' : 'simulator in the server process'}) against the quota of ${WECHAT_PREPAY_QUOTA_PER_SECOND}/s: one core is ${fmt((perCore / WECHAT_PREPAY_QUOTA_PER_SECOND) * 100)}% of it, and ${fmt(Math.ceil(WECHAT_PREPAY_QUOTA_PER_SECOND / perCore))} cores (instances) reach it; beyond that, cores do not buy payments. Notifications: ${fmt(rates(results, 'notify').median)}/s per core, one per payment.`,
      '',
    );
  }
  return lines;
}

/** Loop delay and GC cells of one process's stall report. */
function stallCells(stalls: StallReport | undefined): string {
  if (stalls === undefined) return 'n/a | n/a';
  return `${fmt(stalls.loopDelayP99Ms, 1)} / ${fmt(stalls.loopDelayMaxMs, 1)} ms | ${stalls.gcPausesOver10Ms} / ${fmt(stalls.gcMaxMs, 1)} ms`;
}

/** Every open-loop run. */
function openLoopTable(results: BenchResults): string[] {
  if (results.openLoop.length === 0) return [];
  const lines = [
    '### Open-loop runs',
    '',
    'Latency counted from each request\'s scheduled send time (bench/open-loop.ts), so a stall shows in every request that should have gone out during it. The send lag is how late the driver itself sent requests: when it is large the driver, not the server, was behind. Stolen: the share of the server\'s core the hypervisor took over the run (steal in /proc/stat); at 70% load a stall of the core for t ms keeps requests waiting for about t / 0.3 ms. Loop delay: how late a 1 ms timer fired in that process (p99 / max over the run); GC: the pauses of its garbage collector (count of 10 ms or more / longest).',
    '',
    '| Round | Scenario | Capacity (closed loop) | Scheduled | Answered | p50 | p90 | p99 | p99.9 | max | failed | send lag p99 / max | Server core: stolen | Server loop delay p99 / max | Server GC ≥10 ms / longest | Driver loop delay p99 / max | Driver GC ≥10 ms / longest |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const run of [...results.openLoop].sort((a, b) => a.round - b.round)) {
    const r = run.result;
    lines.push(`| ${run.round} | ${run.scenario} | ${fmt(run.capacity)} req/s | ${fmt(r.targetRate)} req/s | ${fmt(r.achievedRate)} req/s | ${fmt(r.latencyP50Ms, 1)} ms | ${fmt(r.latencyP90Ms, 1)} ms | ${fmt(r.latencyP99Ms, 1)} ms | ${fmt(r.latencyP999Ms, 1)} ms | ${fmt(r.latencyMaxMs, 1)} ms | ${r.errors + r.non2xx}${r.resent > 0 ? ` (${r.resent} sent again)` : ''} | ${fmt(r.sendLagP99Ms, 1)} / ${fmt(r.sendLagMaxMs, 1)} ms | ${run.usage ? pct(run.usage.stealOnServerCore) : 'n/a'} | ${stallCells(run.serverStalls)} | ${stallCells(r.driver)} |`);
  }
  lines.push('');
  return lines;
}

/** The report as Markdown. */
export function renderReport(results: BenchResults): string {
  const o = results.options;
  const lines: string[] = [];
  const push = (...more: string[]): void => {
    lines.push(...more);
  };
  const goalRows = goals(results);

  push('# Friend Pay benchmark report', '');
  push(`Written by \`npm run bench\` (bench/run-bench.ts) on ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC; the whole run took ${fmt(results.minutes, 1)} min. Figures are from this machine and this run only: re-run to refresh them. Nothing here is asserted by a test.`, '');

  push('## Machine', '');
  push('| | |', '|---|---|');
  push(`| CPU | ${results.machine.cpu} |`, `| Memory | ${results.machine.memory} |`, `| OS | ${results.machine.os} |`, `| Node | ${results.machine.node} |`);
  push(`| wrk | ${results.machine.wrk} |`, `| SQLite | ${results.machine.sqlite} (better-sqlite3, WAL) |`, `| PostgreSQL | ${results.machine.postgres} |`, `| Code | commit ${results.machine.commit} |`, '');

  push('## Goals', '');
  push('Since issue 15 each route is judged against its floor (bench/floor-routes.ts: the part of the request no implementation on this stack can skip), measured side by side in the same rounds, or against the route named; latency under an open-loop load.', '');
  push('| Goal | Target | Measured: median of rounds | | Route | Judged against | Cross-check: server CPU time ratio |', '|---|---|---|---|---|---|---|');
  for (const row of goalRows) push(`| ${row.goal} | ${row.target} | ${row.measured} | ${metText(row.met)} | ${row.route} | ${row.base} | ${row.crossCheck ?? ''} |`);
  push('');
  push('Ratios are taken per round (the route and what it is judged against ran seconds apart) and their median reported. The cross-check divides the server process\'s CPU time per request (from /proc) of the two scenarios: what the ratio would be on a core nothing else uses. It excludes PostgreSQL\'s own CPU, so for PostgreSQL rows it flatters the server.', '');
  const met = goalRows.filter((row) => row.met === true).map((row) => row.goal);
  const notMet = goalRows.filter((row) => row.met === false).map((row) => row.goal);
  const unmeasured = goalRows.filter((row) => row.met === undefined).map((row) => row.goal);
  push(`**Met (${met.length}):** ${met.length ? met.join('; ') : 'none'}.`, '');
  push(`**Not met (${notMet.length}):** ${notMet.length ? notMet.join('; ') : 'none'}.`, '');
  if (unmeasured.length) push(`**Not measured (${unmeasured.length}):** ${unmeasured.join('; ')}.`, '');

  push(...budgetTable(results));
  push(...absoluteTable(results));
  push(...openLoopTable(results));
  push('Where the time goes (CPU profiles and `perf`), what was changed and what was tried: [the fifth pass](README.md#fifth-pass-2026-12-02-third-session-the-notifications-statements-rows-by-position-steal) (the notification\'s statements, steal), [bench/README.md](README.md#third-pass-2026-11-22-third-session-floors) (the floors), [the second pass](README.md#second-pass-2026-11-22-second-session-a-slower-machine) and [the first findings](README.md#findings-while-building-it-2026-11-22-first-session-a-faster-machine).', '');

  push('## Method', '');
  push(
    `- Each server is \`bench/server-process.ts\`: the real server (\`startServer\` with the configuration read by \`loadConfig(env, 'sandbox')\`) in its own Node process${o.nodeFlags.length > 0 ? ` started with \`${o.nodeFlags.join(' ')}\` as \`npm run serve\` is` : ''}${o.pinned ? ', pinned to core 0 with `taskset -c 0`' : ' (NOT pinned: fewer than 2 cores or no taskset)'}; \`wrk -t1 -c${o.connections}\`${o.pinned ? ' runs pinned to core 1' : ''}. One server per database (SQLite 1k links, SQLite ${o.links.toLocaleString('en-US')} links, PostgreSQL 1k and ${o.links.toLocaleString('en-US')} links, and a SQLite database for the write paths); idle servers use no CPU.`,
    `- ${o.rounds} rounds. A round runs every scenario once, in the order of the table below, each as a ${o.warmup} s warm-up (${Math.max(o.warmup, o.firstWarmup)} s in round 1, the route's first run on its server) and then a ${o.seconds} s measured run. Before the warm-up the scenario's database files are read into the OS page cache (\`bench/page-cache.ts\`: this host pages out memory idle for a minute, and a round is longer than that). Throughputs are the median of the rounds, with the spread (min–max). **Ratios are computed per round** (e.g. friend view ÷ Express hello of the same round, seconds apart) and their median and spread reported: that cancels most of the drift of a shared machine.`,
    '- Server settings as in the sandbox (`npm start`): JSON logs at `LOG_LEVEL=silent`, request metrics on, rate limits in memory (budgets at their maximum, 1,000,000 a minute, so every request still consults the limiter but none is refused), background workers off. Link tokens are signed with the same `LINK_SIGNING_KEYS` the servers were given.',
    '- The Express hello route is mounted with `extraRouters`, so it passes exactly the middleware every route passes (request id and log line, metrics, every router mounted before it).',
    '- Latency goals are measured open-loop (`bench/open-loop.ts`, pinned like wrk): requests go out on a fixed schedule at 70% of the throughput the closed-loop run of the same route reached in the same round, and each latency is counted from the request\'s scheduled time, so a stall of the server is not hidden by the load generator waiting for it (wrk\'s closed loop would send nothing during a stall). Its connections are opened, and each has carried one answered request, before the schedule starts. wrk\'s own p50/p99 in the tables below are closed-loop figures at saturation, not the goal.',
    `- Data: bench-only seeding straight into the tables the migrations made (one transaction of generated rows; deterministic ids, one pending order per link, 2 items). Seeding took ${results.seeding.map((seed) => `${seed.name} ${fmt(seed.seconds, 1)} s`).join(', ') || 'n/a'}.`,
    '- PostgreSQL runs on the same machine; while the bench measures, its processes (the postmaster, hence every backend) are pinned to the load core, as if on a host of their own, and put back afterwards: its CPU is not on the server\'s core but on the core wrk and the open-loop driver use.',
    '- "Others on server core" is the share of core 0 used by anything but the server process during the run (other work on this shared machine, PostgreSQL backends, the kernel\'s network stack on that core). High values mean the figure understates the server.',
    '',
  );

  push('## Scenarios', '');
  push('| Scenario | What each request does |', '|---|---|');
  for (const scenario of results.scenarios) push(`| ${scenario.title} | ${scenario.what} |`);
  push('');

  push('## Throughput', '');
  push('| Scenario | Median req/s | Rounds (min–max) | Server CPU per request | p50 latency | p99 latency | non-2xx | Others on server core | Stolen from it |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  if (results.rsa.length > 0) push(`| RSA-2048 sign, one core (signs/s) | ${fmt(median(results.rsa))} | ${spread(results.rsa)} | ${fmt(1e6 / median(results.rsa))} µs per sign | | | | | |`);
  for (const scenario of results.scenarios) {
    const runs = results.runs.filter((run) => run.scenario === scenario.id);
    if (runs.length === 0) continue;
    const values = runs.map((run) => run.result.requestsPerSecond);
    push(`| ${scenario.title} | ${fmt(median(values))} | ${spread(values)} | ${fmt(median(runs.map((run) => cpuPerRequest(run) ?? Number.NaN)))} µs | ${fmt(median(runs.map((run) => run.result.latencyP50Ms)), 1)} ms | ${fmt(median(runs.map((run) => run.result.latencyP99Ms)), 1)} ms | ${runs.reduce((sum, run) => sum + run.result.non2xx + run.result.socketErrors, 0)} | ${pct(median(runs.map((run) => run.usage?.othersOnServerCore ?? Number.NaN)))} | ${pct(median(runs.map((run) => run.usage?.stealOnServerCore ?? Number.NaN)))} |`);
  }
  push('');
  if (results.skipped.size > 0) {
    push('Not run:', '');
    for (const [what, why] of results.skipped) push(`- ${what}: ${why}`);
    push('');
  }

  push('### Every measured run', '');
  push('| Round | Scenario | req/s | Server CPU per request | p50 | p99 | non-2xx + errors | Server core: server / others / stolen | Server page faults per 1,000 requests: minor / major |', '|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of [...results.runs].sort((a, b) => a.round - b.round)) {
    push(`| ${run.round} | ${run.scenario} | ${fmt(run.result.requestsPerSecond)} | ${fmt(cpuPerRequest(run) ?? Number.NaN)} µs | ${fmt(run.result.latencyP50Ms, 1)} ms | ${fmt(run.result.latencyP99Ms, 1)} ms | ${run.result.non2xx + run.result.socketErrors} | ${run.usage ? `${pct(run.usage.serverOnServerCore)} / ${pct(run.usage.othersOnServerCore)} / ${pct(run.usage.stealOnServerCore)}` : 'n/a'} | ${run.usage && run.result.requests > 0 ? `${fmt((run.usage.minorFaults * 1000) / run.result.requests, 1)} / ${fmt((run.usage.majorFaults * 1000) / run.result.requests, 1)}` : 'n/a'} |`);
  }
  push('');

  push('## What the write paths did (read back from the database)', '');
  for (const check of results.checks) push(`- ${check}`);
  if (results.checks.length === 0) push('- nothing to check');
  push('');

  push('## Mini program', '');
  const describeBuild = (type: string, build: MiniprogramResult | undefined): string => {
    if (build === undefined) return `- ${type}: not built (--no-miniprogram)`;
    if (!build.ok) return `- ${type}: **build failed** after ${fmt(build.seconds, 0)} s — ${build.error}`;
    return `- ${type}: built in ${fmt(build.seconds, 0)} s; output ${fmt(build.totalBytes / 1024, 1)} KB (du -sk ${build.duKb} KB)${build.subpackages.length ? `; main package ${fmt(build.mainBytes / 1024, 1)} KB without the subpackages ${build.subpackages.join(', ')}` : ''}`;
  };
  push(describeBuild('weapp (`npm run build:weapp`, miniprogram/dist/weapp)', results.weapp));
  push(describeBuild('H5 (`npm run build:h5`, miniprogram/dist/h5)', results.h5));
  const load = results.h5Load;
  if (load !== undefined && !('error' in load)) {
    push(`- H5 pay page in Chromium (playwright-core, /usr/bin/chromium headless, 375×667): navigation to \`/app/#/pages/pay/index?t=<token of a demo link>\` until the pay button is visible, a fresh browser context (empty cache) each load, served by the ops server while idle. Loads: ${load.loadsMs.map((ms) => `${fmt(ms)} ms`).join(', ')}; DOMContentLoaded ${load.domContentLoadedMs.map((ms) => `${fmt(ms)}`).join(', ')} ms.`);
  } else if (load !== undefined) {
    push(`- H5 pay page: not measured — ${load.error}`);
  }
  const tap = results.h5Tap;
  if (tap !== undefined && !('error' in tap)) {
    push(`- H5 tap to pay sheet: each time a new friend (fresh context) opens the pay page and waits until the page has logged in ahead (wx.login + POST /v1/sessions, done while a person reads), then taps 确认付款; measured until the sandbox pay sheet is visible, which costs one request (POST /v1/pay/{ref}/payments: reservation, WeChat Pay prepay at the simulator, signatures), then cancels in the sheet to free the link. Taps: ${tap.tapToSheetMs.map((ms) => `${fmt(ms)} ms`).join(', ')}.`);
  } else if (tap !== undefined) {
    push(`- H5 tap to pay sheet: not measured — ${tap.error}`);
  }
  push('');
  return `${lines.join('\n')}\n`;
}
