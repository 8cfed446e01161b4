/** Timed loops for latency percentiles and throughput, shared by both sides of a comparison. */
import { percentile } from '../../examples/lib/stats.ts';

export interface Latency {
  p50: number;
  p99: number;
  n: number;
  /** The warm-up calls' own percentiles (latencyPair, latencyGroup time them too). */
  warmup?: { p50: number; p99: number; n: number };
}

/** p50 and p99 of latencies in µs. */
function stats(all: ArrayLike<number>): { p50: number; p99: number; n: number } {
  const a = Array.from(all);
  return { p50: percentile(a, 50), p99: percentile(a, 99), n: a.length };
}

/** Runs `op` sequentially `n` times after `warmup` untimed calls; latencies in microseconds. */
export async function latency(op: () => Promise<unknown>, n: number, warmup = Math.min(500, n)): Promise<Latency> {
  for (let i = 0; i < warmup; i++) await op();
  const us = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await op();
    us[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  return stats(us);
}

/**
 * Latency of two operations measured in alternating blocks of `block` calls, so both see the same
 * machine: on a shared 2-core box the loopback round trip moves between ~25 and ~90 µs with the
 * CPUs' idle state, and measuring one side after the other would credit that drift to one of them.
 */
export async function latencyPair(a: () => Promise<unknown>, b: () => Promise<unknown>, n: number, block = 500, warmup = Math.min(500, n)): Promise<[Latency, Latency]> {
  const g = await latencyGroup({ a, b }, n, block, warmup);
  return [g.a, g.b];
}

export interface Throughput {
  opsPerSec: number;
  p50: number;
  p99: number;
  ops: number;
}

/** `clients` closed loops, each calling `op(client)` back to back for `seconds`; latencies in microseconds. */
export async function throughput(clients: number, seconds: number, op: (client: number) => Promise<unknown>): Promise<Throughput> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    while (performance.now() < end) {
      const t = process.hrtime.bigint();
      await op(c);
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
    }
  }));
  const elapsed = (performance.now() - start) / 1000;
  return { opsPerSec: lat.length / elapsed, p50: percentile(lat, 50), p99: percentile(lat, 99), ops: lat.length };
}

/**
 * Latency of several operations measured in rotating blocks of `block` calls (as
 * {@link latencyPair} does for two), so each sees the same machine; the order of the sides within a
 * round rotates too, so none always runs first after the others.
 */
export async function latencyGroup<K extends string>(ops: Record<K, () => Promise<unknown>>, n: number, block = 500, warmup = Math.min(500, n)): Promise<Record<K, Latency>> {
  const names = Object.keys(ops) as K[];
  // The warm-up runs in the same rotating blocks as the timed calls: a side's idle spin (and what
  // else adapts to the calls' rhythm) settles on the pattern that is then measured.
  const rotate = async (count: number): Promise<Record<K, Float64Array>> => {
    const us = Object.fromEntries(names.map((k) => [k, new Float64Array(count)])) as Record<K, Float64Array>;
    let round = 0;
    for (let done = 0; done < count; done += block, round++) {
      for (let j = 0; j < names.length; j++) {
        const k = names[(j + round) % names.length]!;
        const op = ops[k];
        const out = us[k];
        for (let i = done; i < Math.min(count, done + block); i++) {
          const t = process.hrtime.bigint();
          await op();
          out[i] = Number(process.hrtime.bigint() - t) / 1000;
        }
      }
    }
    return us;
  };
  const warm = await rotate(warmup);
  const us = await rotate(n);
  return Object.fromEntries(names.map((k) => [k, { ...stats(us[k]), warmup: stats(warm[k]) }])) as Record<K, Latency>;
}
