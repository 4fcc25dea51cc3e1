/**
 * What stalled a process during an open-loop run: its event loop's delay (how late a 1 ms timer
 * fired: a request that arrives during a stall waits at least that long) and its garbage
 * collector's pauses. Used by the server under test (`/bench/stalls`, server-process.ts) and by
 * the open-loop driver, so the report can tell a server's stall from the driver's own.
 */
import { constants, monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type NodeGCPerformanceDetail } from 'node:perf_hooks';

/** Stalls seen between `start()` and `stop()`, in ms. */
export interface StallReport {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcPauses: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Pauses of 10 ms or more: each one alone can put requests past a 20 ms p99. */
  gcPausesOver10Ms: number;
  /** Pauses of 10 ms or more by the collector's kind (minor: the young generation's scavenge). */
  gcOver10MsByKind: Record<string, number>;
  /** Minor page faults (memory first touched) and involuntary context switches (preempted) over the run. */
  minorPageFaults: number;
  involuntarySwitches: number;
}

function kindName(kind: number | undefined): string {
  if (kind === constants.NODE_PERFORMANCE_GC_MINOR) return 'minor';
  if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) return 'major';
  if (kind === constants.NODE_PERFORMANCE_GC_INCREMENTAL) return 'incremental';
  if (kind === constants.NODE_PERFORMANCE_GC_WEAKCB) return 'weakcb';
  return 'other';
}

export interface StallWatch {
  start(): void;
  stop(): StallReport;
}

export function createStallWatch(): StallWatch {
  let histogram: IntervalHistogram | undefined;
  let observer: PerformanceObserver | undefined;
  let pauses: { ms: number; kind: string }[] = [];
  let usageAtStart = process.resourceUsage();
  return {
    start() {
      histogram?.disable();
      observer?.disconnect();
      pauses = [];
      usageAtStart = process.resourceUsage();
      histogram = monitorEventLoopDelay({ resolution: 1 });
      histogram.enable();
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) pauses.push({ ms: entry.duration, kind: kindName((entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail?.kind) });
      });
      observer.observe({ entryTypes: ['gc'] });
    },
    stop() {
      histogram?.disable();
      observer?.disconnect();
      const ns = 1e6;
      const report: StallReport = {
        loopDelayP99Ms: histogram ? histogram.percentile(99) / ns : Number.NaN,
        loopDelayMaxMs: histogram ? histogram.max / ns : Number.NaN,
        gcPauses: pauses.length,
        gcTotalMs: pauses.reduce((sum, pause) => sum + pause.ms, 0),
        gcMaxMs: pauses.reduce((most, pause) => Math.max(most, pause.ms), 0),
        gcPausesOver10Ms: pauses.filter((pause) => pause.ms >= 10).length,
        gcOver10MsByKind: {},
        minorPageFaults: process.resourceUsage().minorPageFault - usageAtStart.minorPageFault,
        involuntarySwitches: process.resourceUsage().involuntaryContextSwitches - usageAtStart.involuntaryContextSwitches,
      };
      for (const pause of pauses) if (pause.ms >= 10) report.gcOver10MsByKind[pause.kind] = (report.gcOver10MsByKind[pause.kind] ?? 0) + 1;
      histogram = undefined;
      observer = undefined;
      return report;
    },
  };
}
