/** Turns the benchmark's measurements into bench/REPORT.md. */
import type { CpuUsage } from './cpu-usage';
import type { H5LoadResult, H5TapResult } from './h5-load';
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

/** A mini program build and its output's size. */
export type MiniprogramResult =
  | { ok: true; seconds: number; duKb: number; totalBytes: number; mainBytes: number; subpackages: string[] }
  | { ok: false; seconds: number; error: string };

/** Everything the report is made from. */
export interface BenchResults {
  machine: { cpu: string; memory: string; os: string; node: string; wrk: string; sqlite: string; postgres: string; commit: string };
  startedAt: string;
  minutes: number;
  options: { rounds: number; seconds: number; warmup: number; connections: number; links: number; pinned: boolean };
  scenarios: ScenarioInfo[];
  /** Scenario ids, server names or "postgres", with why they did not run. */
  skipped: Map<string, string>;
  runs: RunRecord[];
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
function cpuPerRequest(run: RunRecord): number | undefined {
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
  measured: string;
  target: string;
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

function ratioGoal(results: BenchResults, label: string, a: string, b: string, target: number): GoalRow {
  const ratio = ratioByRound(results, a, b);
  if (ratio.values.length === 0) return { goal: label, measured: 'not measured', target: `≥ ${target}`, met: undefined };
  const rateA = rates(results, a).median;
  const rateB = rates(results, b).median;
  const cpu = cpuRatioByRound(results, a, b);
  return {
    goal: label,
    measured: `**${ratioText(ratio.median, target)}** (rounds ${spread(ratio.values, 2)}; ${fmt(rateA)} vs ${fmt(rateB)} req/s)`,
    target: `≥ ${target}`,
    met: ratio.median >= target,
    crossCheck: cpu.values.length === 0 ? 'n/a' : `${fmt(cpu.median, 2)} (${spread(cpu.values, 2)})`,
  };
}

function paymentGoal(results: BenchResults, scenario: string, label: string): GoalRow {
  const pay = rates(results, scenario);
  const rsa = figure(results.rsa);
  if (pay.values.length === 0 || rsa.values.length === 0) return { goal: label, measured: 'not measured', target: '≥ 0.5', met: undefined };
  const ratio = pay.median / (rsa.median / 2);
  const cpu = figure(results.runs.filter((run) => run.scenario === scenario).map((run) => cpuPerRequest(run) ?? Number.NaN).filter(Number.isFinite));
  return {
    goal: label,
    measured: `**${ratioText(ratio, 0.5)}** (${fmt(pay.median)} payments/s, rounds ${spread(pay.values)}; RSA ${fmt(rsa.median)} signs/s, rounds ${spread(rsa.values)})`,
    target: '≥ 0.5',
    met: ratio >= 0.5,
    crossCheck: cpu.values.length === 0 ? '' : `${fmt(1e6 / cpu.median / (rsa.median / 2), 2)} (server CPU ${fmt(cpu.median)} µs per payment)`,
  };
}

function goals(results: BenchResults): GoalRow[] {
  const rows: GoalRow[] = [];
  const big = results.options.links >= 1_000_000 ? `${results.options.links / 1_000_000}M` : results.options.links.toLocaleString('en-US');
  rows.push(ratioGoal(results, 'Friend view ÷ Express hello — SQLite, 1k links', 'view-sqlite-1k', 'hello', 0.85));
  rows.push(ratioGoal(results, `Friend view ÷ Express hello — SQLite, ${big} links`, 'view-sqlite-1m', 'hello', 0.85));
  rows.push(ratioGoal(results, 'Friend view ÷ Express hello — PostgreSQL, 1k links', 'view-pg-1k', 'hello', 0.85));
  rows.push(ratioGoal(results, `Friend view ÷ Express hello — PostgreSQL, ${big} links`, 'view-pg-1m', 'hello', 0.85));
  rows.push(ratioGoal(results, `Friend view at ${big} ÷ at 1k links — SQLite`, 'view-sqlite-1m', 'view-sqlite-1k', 0.9));
  rows.push(ratioGoal(results, `Friend view at ${big} ÷ at 1k links — PostgreSQL`, 'view-pg-1m', 'view-pg-1k', 0.9));
  rows.push(ratioGoal(results, 'Notification processing (first-time) ÷ Express hello', 'notify', 'hello', 0.5));

  rows.push(paymentGoal(results, 'pay', 'Payment creation ÷ (RSA-2048 sign rate ÷ 2) — simulator in the server process (3 RSA signs per payment on the server core)'));
  rows.push(paymentGoal(results, 'pay-ext', 'Payment creation ÷ (RSA-2048 sign rate ÷ 2) — simulator in its own process (2 RSA signs per payment on the server core)'));

  const weapp = results.weapp;
  if (weapp === undefined) rows.push({ goal: 'weapp main package', measured: 'not measured (--no-miniprogram)', target: '≤ 400 KB', met: undefined });
  else if (!weapp.ok) rows.push({ goal: 'weapp main package', measured: 'build failed (see below)', target: '≤ 400 KB', met: undefined });
  else rows.push({ goal: 'weapp main package', measured: `**${fmt(weapp.mainBytes / 1024, 1)} KB** (whole dist/weapp ${fmt(weapp.totalBytes / 1024, 1)} KB; du ${weapp.duKb} KB)`, target: '≤ 400 KB', met: weapp.mainBytes <= 400 * 1024 });

  const load = results.h5Load;
  if (load === undefined) rows.push({ goal: 'H5 pay page interactive (Chromium)', measured: 'not measured', target: '≤ 1.5 s', met: undefined });
  else if ('error' in load) rows.push({ goal: 'H5 pay page interactive (Chromium)', measured: `not measured: ${load.error}`, target: '≤ 1.5 s', met: undefined });
  else {
    const loads = figure(load.loadsMs);
    rows.push({ goal: 'H5 pay page interactive (Chromium)', measured: `**${fmt(loads.median / 1000, 2)} s** (${load.loadsMs.length} cold loads, ${spread(load.loadsMs.map((ms) => ms / 1000), 2)} s)`, target: '≤ 1.5 s', met: loads.median <= 1500 });
  }
  const tap = results.h5Tap;
  const tapGoal = 'H5 tap on 确认付款 → pay sheet visible (Chromium, logged in ahead)';
  if (tap === undefined) rows.push({ goal: tapGoal, measured: 'not measured', target: '≤ 300 ms', met: undefined });
  else if ('error' in tap) rows.push({ goal: tapGoal, measured: `not measured: ${tap.error}`, target: '≤ 300 ms', met: undefined });
  else {
    const taps = figure(tap.tapToSheetMs);
    rows.push({ goal: tapGoal, measured: `**${fmt(taps.median)} ms** (${tap.tapToSheetMs.length} friends, ${spread(tap.tapToSheetMs)} ms)`, target: '≤ 300 ms', met: taps.median <= 300 });
  }
  return rows;
}

/** The server CPU each goal allows per request, next to what this run used. */
function budgetTable(results: BenchResults): string[] {
  const cpu = (scenario: string): number => median(results.runs.filter((run) => run.scenario === scenario).map((run) => cpuPerRequest(run) ?? Number.NaN));
  const hello = cpu('hello');
  const rsa = median(results.rsa);
  const rows: [string, number, number][] = [];
  for (const [id, label] of [['view-sqlite-1k', 'Friend view, SQLite 1k'], ['view-sqlite-1m', 'Friend view, SQLite 1M'], ['view-pg-1k', 'Friend view, PostgreSQL 1k (server process only)'], ['view-pg-1m', 'Friend view, PostgreSQL 1M (server process only)']] as const) {
    rows.push([label, hello / 0.85, cpu(id)]);
  }
  rows.push(['Notification processing', hello / 0.5, cpu('notify')]);
  rows.push(['Payment creation, simulator in process', 1e6 / (0.5 * (rsa / 2)), cpu('pay')]);
  rows.push(['Payment creation, simulator in its own process', 1e6 / (0.5 * (rsa / 2)), cpu('pay-ext')]);
  const measured = rows.filter(([, budget, used]) => Number.isFinite(budget) && Number.isFinite(used));
  if (measured.length === 0) return [];
  const lines = [
    '### What each goal allows',
    '',
    `Server CPU time per request that each goal leaves on a dedicated core, from this run's Express hello (${fmt(hello)} µs) and RSA-2048 sign (${fmt(1e6 / rsa)} µs), next to what the request used (median of rounds):`,
    '',
    '| Request | Goal allows | Used | Over by |',
    '|---|---:|---:|---:|',
  ];
  for (const [label, budget, used] of measured) lines.push(`| ${label} | ${fmt(budget)} µs | ${fmt(used)} µs | ${used > budget ? `${fmt(used - budget)} µs (${fmt(used / budget, 1)}×)` : 'within'} |`);
  lines.push('');
  return lines;
}

/**
 * A payment scenario's rate over half the RSA-2048 signing rate: medians over each other, as in
 * the goals table, with the spread of the rounds' own ratios.
 */
function paymentRatio(results: BenchResults, scenario: string): Figure {
  const values: number[] = [];
  for (const run of results.runs.filter((candidate) => candidate.scenario === scenario)) {
    const rsa = results.rsa[run.round - 1];
    if (rsa !== undefined && rsa > 0) values.push(run.result.requestsPerSecond / (rsa / 2));
  }
  return { values, median: rates(results, scenario).median / (median(results.rsa) / 2) };
}

/**
 * The floors (bench/floor-routes.ts) next to their goals: the same ratio for a route that does
 * only what no implementation on this stack can skip. A floor under its goal means the goal
 * cannot be met here by tuning the request's own work.
 */
function floorTable(results: BenchResults): string[] {
  const rows: { goal: string; target: number; measured: Figure; floor: Figure }[] = [
    { goal: 'Friend view ÷ Express hello (SQLite, 1k links)', target: 0.85, measured: ratioByRound(results, 'view-sqlite-1k', 'hello'), floor: ratioByRound(results, 'floor-view', 'hello') },
    { goal: 'Payment creation ÷ (RSA-2048 sign rate ÷ 2), simulator in its own process', target: 0.5, measured: paymentRatio(results, 'pay-ext'), floor: paymentRatio(results, 'floor-pay') },
    { goal: 'Notification processing ÷ Express hello', target: 0.5, measured: ratioByRound(results, 'notify', 'hello'), floor: ratioByRound(results, 'floor-notify', 'hello') },
  ].filter((row) => row.floor.values.length > 0);
  if (rows.length === 0) return [];
  const figureText = (value: Figure, target: number): string =>
    value.values.length === 0 ? 'not measured' : `${ratioText(value.median, target)} (${spread(value.values, 2)})`;
  const lines = [
    '### How close this stack could come: floors',
    '',
    'For each throughput goal, a route that does only the part of the request no implementation here can skip, measured in the same rounds (`bench/floor-routes.ts`; the scenarios below say what each leaves out). Ratios per round as above, median (spread). Where the floor is under the goal, no tuning of the request\'s own work can meet it on this machine: what remains is Node\'s HTTP, Express and the cryptography the protocol requires.',
    '',
    '| Goal | Target | Measured | Floor | Floor reaches the goal |',
    '|---|---:|---:|---:|---|',
  ];
  for (const row of rows) lines.push(`| ${row.goal} | ≥ ${row.target} | ${figureText(row.measured, row.target)} | **${figureText(row.floor, row.target)}** | ${row.floor.median >= row.target ? 'yes' : '**no**'} |`);
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
  push('| Goal | Measured: throughput ratio, median of rounds | Target | | Cross-check: server CPU time ratio |', '|---|---|---|---|---|');
  for (const row of goalRows) push(`| ${row.goal} | ${row.measured} | ${row.target} | ${metText(row.met)} | ${row.crossCheck ?? ''} |`);
  push('');
  push('The goal is judged on throughput measured side by side. The cross-check divides the server process\'s CPU time per request (from /proc) of the two scenarios: what the ratio would be on a core nothing else uses. It excludes PostgreSQL\'s own CPU, so for PostgreSQL rows it flatters the server.', '');
  const met = goalRows.filter((row) => row.met === true).map((row) => row.goal);
  const notMet = goalRows.filter((row) => row.met === false).map((row) => row.goal);
  const unmeasured = goalRows.filter((row) => row.met === undefined).map((row) => row.goal);
  push(`**Met (${met.length}):** ${met.length ? met.join('; ') : 'none'}.`, '');
  push(`**Not met (${notMet.length}):** ${notMet.length ? notMet.join('; ') : 'none'}.`, '');
  if (unmeasured.length) push(`**Not measured (${unmeasured.length}):** ${unmeasured.join('; ')}.`, '');

  push(...budgetTable(results));
  push(...floorTable(results));
  push('Where the time goes (CPU profiles and `perf`), what was changed and what was tried: [bench/README.md](README.md#third-pass-2026-11-22-third-session-floors) (the floors), [the second pass](README.md#second-pass-2026-11-22-second-session-a-slower-machine) and [the first findings](README.md#findings-while-building-it-2026-11-22-first-session-a-faster-machine).', '');

  push('## Method', '');
  push(
    `- Each server is \`bench/server-process.ts\`: the real server (\`startServer\` with the configuration read by \`loadConfig(env, 'sandbox')\`) in its own Node process${o.pinned ? ', pinned to core 0 with `taskset -c 0`' : ' (NOT pinned: fewer than 2 cores or no taskset)'}; \`wrk -t1 -c${o.connections}\`${o.pinned ? ' runs pinned to core 1' : ''}. One server per database (SQLite 1k links, SQLite ${o.links.toLocaleString('en-US')} links, PostgreSQL 1k and ${o.links.toLocaleString('en-US')} links, and a SQLite database for the write paths); idle servers use no CPU.`,
    `- ${o.rounds} rounds. A round runs every scenario once, in the order of the table below, each as a ${o.warmup} s warm-up and then a ${o.seconds} s measured run. Before the warm-up the scenario's database files are read into the OS page cache (\`bench/page-cache.ts\`: this host pages out memory idle for a minute, and a round is longer than that). Throughputs are the median of the rounds, with the spread (min–max). **Ratios are computed per round** (e.g. friend view ÷ Express hello of the same round, seconds apart) and their median and spread reported: that cancels most of the drift of a shared machine.`,
    '- Server settings as in the sandbox (`npm start`): JSON logs at `LOG_LEVEL=silent`, request metrics on, rate limits in memory (budgets at their maximum, 1,000,000 a minute, so every request still consults the limiter but none is refused), background workers off. Link tokens are signed with the same `LINK_SIGNING_KEYS` the servers were given.',
    '- The Express hello route is mounted with `extraRouters`, so it passes exactly the middleware every route passes (request id and log line, metrics, every router mounted before it).',
    `- Data: bench-only seeding straight into the tables the migrations made (one transaction of generated rows; deterministic ids, one pending order per link, 2 items). Seeding took ${results.seeding.map((seed) => `${seed.name} ${fmt(seed.seconds, 1)} s`).join(', ') || 'n/a'}.`,
    '- PostgreSQL runs on the same machine and is not pinned: its backend processes compete with the server and wrk for the two cores. Its figures therefore include the database\'s own CPU, as on a one-box deployment.',
    '- "Others on server core" is the share of core 0 used by anything but the server process during the run (other work on this shared machine, PostgreSQL backends, the kernel\'s network stack on that core). High values mean the figure understates the server.',
    '',
  );

  push('## Scenarios', '');
  push('| Scenario | What each request does |', '|---|---|');
  for (const scenario of results.scenarios) push(`| ${scenario.title} | ${scenario.what} |`);
  push('');

  push('## Throughput', '');
  push('| Scenario | Median req/s | Rounds (min–max) | Server CPU per request | p50 latency | p99 latency | non-2xx | Others on server core |', '|---|---:|---:|---:|---:|---:|---:|---:|');
  if (results.rsa.length > 0) push(`| RSA-2048 sign, one core (signs/s) | ${fmt(median(results.rsa))} | ${spread(results.rsa)} | ${fmt(1e6 / median(results.rsa))} µs per sign | | | | |`);
  for (const scenario of results.scenarios) {
    const runs = results.runs.filter((run) => run.scenario === scenario.id);
    if (runs.length === 0) continue;
    const values = runs.map((run) => run.result.requestsPerSecond);
    push(`| ${scenario.title} | ${fmt(median(values))} | ${spread(values)} | ${fmt(median(runs.map((run) => cpuPerRequest(run) ?? Number.NaN)))} µs | ${fmt(median(runs.map((run) => run.result.latencyP50Ms)), 1)} ms | ${fmt(median(runs.map((run) => run.result.latencyP99Ms)), 1)} ms | ${runs.reduce((sum, run) => sum + run.result.non2xx + run.result.socketErrors, 0)} | ${pct(median(runs.map((run) => run.usage?.othersOnServerCore ?? Number.NaN)))} |`);
  }
  push('');
  if (results.skipped.size > 0) {
    push('Not run:', '');
    for (const [what, why] of results.skipped) push(`- ${what}: ${why}`);
    push('');
  }

  push('### Every measured run', '');
  push('| Round | Scenario | req/s | Server CPU per request | p50 | p99 | non-2xx + errors | Server core: server / others | Server page faults per 1,000 requests: minor / major |', '|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of [...results.runs].sort((a, b) => a.round - b.round)) {
    push(`| ${run.round} | ${run.scenario} | ${fmt(run.result.requestsPerSecond)} | ${fmt(cpuPerRequest(run) ?? Number.NaN)} µs | ${fmt(run.result.latencyP50Ms, 1)} ms | ${fmt(run.result.latencyP99Ms, 1)} ms | ${run.result.non2xx + run.result.socketErrors} | ${run.usage ? `${pct(run.usage.serverOnServerCore)} / ${pct(run.usage.othersOnServerCore)}` : 'n/a'} | ${run.usage && run.result.requests > 0 ? `${fmt((run.usage.minorFaults * 1000) / run.result.requests, 1)} / ${fmt((run.usage.majorFaults * 1000) / run.result.requests, 1)}` : 'n/a'} |`);
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
