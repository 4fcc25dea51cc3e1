/**
 * How busy each core was during a run, and how much of that was not ours: other processes on
 * the machine (tests, builds, a browser) take time from the server's core and lower what it
 * serves. On a virtual machine the hypervisor also takes time from the core (steal: the vCPU
 * wanted to run and was not), which no process on the machine sees as its own. Read from /proc
 * (Linux); elsewhere nothing is measured.
 */
import fs from 'node:fs';

interface CoreTicks {
  busy: number;
  /** Ticks the hypervisor ran something else while this vCPU wanted to run (part of busy). */
  steal: number;
  total: number;
}

/** A process's CPU ticks and page faults so far. */
interface ProcessCounters {
  ticks: number;
  minorFaults: number;
  majorFaults: number;
}

/** A point-in-time reading of the cores and of the given processes. */
export interface CpuSnapshot {
  cores: CoreTicks[];
  processes: Map<number, ProcessCounters>;
}

function readCores(): CoreTicks[] {
  const lines = fs.readFileSync('/proc/stat', 'utf8').split('\n').filter((line) => /^cpu\d+ /.test(line));
  return lines.map((line) => {
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, steal: values[7] ?? 0, total };
  });
}

function readProcess(pid: number): ProcessCounters {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: minflt 10, majflt 12, utime 14, stime 15 (proc(5)).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ticks: Number(fields[11]) + Number(fields[12]), minorFaults: Number(fields[7]), majorFaults: Number(fields[9]) };
  } catch {
    return { ticks: 0, minorFaults: 0, majorFaults: 0 };
  }
}

/** Reads the cores and `pids` now (undefined when /proc is not there). */
export function cpuSnapshot(pids: readonly number[]): CpuSnapshot | undefined {
  if (!fs.existsSync('/proc/stat')) return undefined;
  return { cores: readCores(), processes: new Map(pids.map((pid) => [pid, readProcess(pid)])) };
}

/** Kernel clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Between two snapshots: each core's busy share, and the share of the server's core others used. */
export interface CpuUsage {
  /** CPU time the server process used, in seconds (user + system). */
  serverCpuSeconds: number;
  /** Busy fraction of each core, 0..1. */
  coreBusy: number[];
  /** Fraction of the server's core used by anything but the server and the hypervisor, 0..1. */
  othersOnServerCore: number;
  /** Fraction of the server's core the hypervisor took (steal), 0..1. */
  stealOnServerCore: number;
  /** Fraction of the server's core the server used, 0..1. */
  serverOnServerCore: number;
  /** Page faults of the server: minor (page already in memory) and major (read from disk). */
  minorFaults: number;
  majorFaults: number;
}

/** Usage between `before` and `after`; `serverPid` is pinned to `serverCore`. */
export function cpuUsage(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined, serverPid: number, serverCore: number): CpuUsage | undefined {
  if (before === undefined || after === undefined) return undefined;
  const coreBusy = after.cores.map((core, index) => {
    const earlier = before.cores[index];
    if (earlier === undefined) return 0;
    const total = core.total - earlier.total;
    return total > 0 ? (core.busy - earlier.busy) / total : 0;
  });
  const core = after.cores[serverCore];
  const earlier = before.cores[serverCore];
  const then = before.processes.get(serverPid);
  const now = after.processes.get(serverPid);
  const server = (now?.ticks ?? 0) - (then?.ticks ?? 0);
  const serverCpuSeconds = server / TICKS_PER_SECOND;
  const faults = { minorFaults: (now?.minorFaults ?? 0) - (then?.minorFaults ?? 0), majorFaults: (now?.majorFaults ?? 0) - (then?.majorFaults ?? 0) };
  if (core === undefined || earlier === undefined) return { serverCpuSeconds, coreBusy, othersOnServerCore: 0, stealOnServerCore: 0, serverOnServerCore: 0, ...faults };
  const total = core.total - earlier.total;
  const busy = core.busy - earlier.busy;
  const steal = core.steal - earlier.steal;
  return {
    serverCpuSeconds,
    coreBusy,
    serverOnServerCore: total > 0 ? server / total : 0,
    othersOnServerCore: total > 0 ? Math.max(0, busy - steal - server) / total : 0,
    stealOnServerCore: total > 0 ? steal / total : 0,
    ...faults,
  };
}
