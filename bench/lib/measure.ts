/** Timed loops for latency percentiles and throughput, shared by both sides of a comparison. */
import { percentile } from '../../examples/lib/stats.ts';

export interface Latency {
  p50: number;
  p99: number;
  n: number;
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
  const all = Array.from(us);
  return { p50: percentile(all, 50), p99: percentile(all, 99), n };
}

/**
 * Latency of two operations measured in alternating blocks of `block` calls, so both see the same
 * machine: on a shared 2-core box the loopback round trip moves between ~25 and ~90 µs with the
 * CPUs' idle state, and measuring one side after the other would credit that drift to one of them.
 */
export async function latencyPair(a: () => Promise<unknown>, b: () => Promise<unknown>, n: number, block = 500): Promise<[Latency, Latency]> {
  const warm = Math.min(500, n);
  for (let i = 0; i < warm; i++) { await a(); await b(); }
  const us: [number[], number[]] = [[], []];
  const ops = [a, b] as const;
  for (let done = 0; done < n; done += block) {
    for (const side of [0, 1] as const) {
      for (let i = done; i < Math.min(n, done + block); i++) {
        const t = process.hrtime.bigint();
        await ops[side]();
        us[side].push(Number(process.hrtime.bigint() - t) / 1000);
      }
    }
  }
  const stats = (all: number[]): Latency => ({ p50: percentile(all, 50), p99: percentile(all, 99), n: all.length });
  return [stats(us[0]), stats(us[1])];
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
export async function latencyGroup<K extends string>(ops: Record<K, () => Promise<unknown>>, n: number, block = 500): Promise<Record<K, Latency>> {
  const names = Object.keys(ops) as K[];
  const warm = Math.min(500, n);
  for (let i = 0; i < warm; i++) for (const k of names) await ops[k]();
  const us = Object.fromEntries(names.map((k) => [k, new Float64Array(n)])) as Record<K, Float64Array>;
  let round = 0;
  for (let done = 0; done < n; done += block, round++) {
    for (let j = 0; j < names.length; j++) {
      const k = names[(j + round) % names.length]!;
      const op = ops[k];
      const out = us[k];
      for (let i = done; i < Math.min(n, done + block); i++) {
        const t = process.hrtime.bigint();
        await op();
        out[i] = Number(process.hrtime.bigint() - t) / 1000;
      }
    }
  }
  return Object.fromEntries(names.map((k) => { const all = Array.from(us[k]); return [k, { p50: percentile(all, 50), p99: percentile(all, 99), n }]; })) as Record<K, Latency>;
}
