/** GC pauses seen through perf_hooks ('gc' entries) between start and stop: what feeds a tail. */
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';

export interface GcStats {
  count: number;
  totalMs: number;
  maxMs: number;
  /** `minor 120 / major 2 / ...` */
  byKind: string;
}

const KIND: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

/** Collects GC entries from construction until `stop()` (or each `take()`). */
export class GcWatch {
  private entries: PerformanceEntry[] = [];
  private readonly obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) this.entries.push(e); });

  constructor() { this.obs.observe({ entryTypes: ['gc'] }); }

  /** The pauses since the last take (or the start), and starts over. */
  take(): GcStats {
    const es = this.entries;
    this.entries = [];
    const kinds = new Map<string, number>();
    let total = 0;
    let max = 0;
    for (const e of es) {
      total += e.duration;
      max = Math.max(max, e.duration);
      const k = KIND[(e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    return { count: es.length, totalMs: total, maxMs: max, byKind: [...kinds].map(([k, n]) => `${k} ${n}`).join(' / ') || 'none' };
  }

  stop(): GcStats {
    const s = this.take();
    this.obs.disconnect();
    return s;
  }
}
