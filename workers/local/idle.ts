/**
 * Whether the other processes of the machine leave CPU to spare, so that LocalPool's idle spin (its
 * thread's loop kept turning for a reply) takes nothing anybody else needs.
 *
 * Not the load average: it counts this process's own turning loop and worker threads, so a program
 * submitting short tasks back to back lifted it past the cores by itself and switched its own spin
 * off and on (empty-task rounds of 0.07 and 0.25 ms on the same machine). Measured instead: the
 * machine's busy CPU time (`os.cpus()`, /proc/stat) less this process's own (`process.cpuUsage()`)
 * over the last second.
 */
import { availableParallelism, cpus } from 'node:os';

/** CPU times at one instant (ms). */
export interface CpuSample { at: number; machineBusyMs: number; ownMs: number }

/** The machine's and this process's CPU time now. */
export function sampleCpu(): CpuSample {
  let busy = 0;
  for (const c of cpus()) busy += c.times.user + c.times.nice + c.times.sys + c.times.irq;
  const own = process.cpuUsage();
  return { at: performance.now(), machineBusyMs: busy, ownMs: (own.user + own.system) / 1000 };
}

/** Cores that other processes kept busy on average between two samples (never below 0). */
export function othersCores(prev: CpuSample, next: CpuSample): number {
  const span = next.at - prev.at;
  if (!(span > 0)) return 0;
  return Math.max(0, (next.machineBusyMs - prev.machineBusyMs - (next.ownMs - prev.ownMs)) / span);
}

/**
 * Whether others leave room for a spin: they used at most half of the cores beyond one (1 core of 2,
 * 3.5 of 8) over the last window.
 */
export function spareFor(others: number, cores: number): boolean {
  return others <= (cores - 1) / 2;
}

let last: CpuSample | null = null;
let measured = false;
let idle = false;

/**
 * {@link spareFor} of the last second, sampled at most once a second; no spin before the first
 * measurement (the first 0.1 s of a process: what others do is not known yet).
 */
export function machineIdle(): boolean {
  const now = performance.now();
  if (last !== null && now - last.at <= (measured ? 1000 : 100)) return idle;
  const sample = sampleCpu();
  if (last !== null) {
    idle = spareFor(othersCores(last, sample), availableParallelism());
    measured = true;
  }
  last = sample;
  return idle;
}
