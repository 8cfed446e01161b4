/**
 * Interleaved A/B of one-thread fits on small data: the fits of this tree and of a base checkout
 * (`--base`, e.g. a `git worktree` with node_modules linked) in one process, alternating per round
 * (each tree's own worker pool), so a loaded machine's swings hit both sides alike. Each fit is timed
 * as wall and as CPU of the whole process (driver, embedded node, cloud threads; the idle tree's pool
 * costs nothing meanwhile): on a machine shared with other work the CPU figure moves far less. Medians.
 * scikit-learn's CPU for the same fits: bench/ml-kernels/fit_cpu_sklearn.py.
 *
 *   npx tsx bench/ml/fit-ab.ts --base /tmp/base [--sizes 10k,100k] [--algorithms kmeans,logreg] [--rounds 15]
 */
import { Command } from 'commander';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import { PARAMS } from './params.ts';

type Fit = (path: string, params: never, opts: object) => Promise<unknown>;
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]!; };

async function fits(root: string): Promise<{ kmeans: Fit; logreg: Fit; shutdown: () => Promise<void> }> {
  const k = await import(join(root, 'ml/kmeans/fit.ts')) as { fitKMeans: Fit };
  const l = await import(join(root, 'ml/logreg/fit.ts')) as { fitLogisticRegression: Fit };
  const c = await import(join(root, 'core/index.ts')) as { shutdown: () => Promise<void> };
  return { kmeans: k.fitKMeans, logreg: l.fitLogisticRegression, shutdown: c.shutdown };
}

async function main(): Promise<void> {
  const o = new Command('bench/ml/fit-ab.ts')
    .requiredOption('--base <dir>', 'base checkout')
    .option('--sizes <list>', 'sizes made by bench/ml/fit.ts', '10k,100k')
    .option('--algorithms <list>', 'kmeans,logreg', 'kmeans,logreg')
    .option('--rounds <n>', 'alternations', (v) => Number(v), 15)
    .option('--data <dir>', 'where bench/ml/fit.ts made the data', '/tmp/crucial-ml-bench')
    .parse()
    .opts<{ base: string; sizes: string; algorithms: string; rounds: number; data: string }>();
  const sides = { base: await fits(resolve(o.base)), new: await fits(resolve(import.meta.dirname, '../..')) };
  const file = (alg: string, size: string): string => join(o.data, size, `${alg === 'kmeans' ? 'blobs' : 'classification'}-train.arrow`);
  const algs = o.algorithms.split(',') as Array<'kmeans' | 'logreg'>;
  const sizes = o.sizes.split(',');
  const t: Record<string, Record<'base' | 'new', { wall: number[]; cpu: number[] }>> = {};
  const run = async (side: 'base' | 'new', alg: 'kmeans' | 'logreg', size: string): Promise<{ wall: number; cpu: number }> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await sides[side][alg](file(alg, size), PARAMS[alg] as never, { workers: 2 });
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  };
  for (const alg of algs) for (const side of ['base', 'new'] as const) await run(side, alg, sizes[0]!); // warm-up
  process.stderr.write(`load at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  for (let r = 0; r < o.rounds; r++) {
    for (const size of sizes) for (const alg of algs) {
      const key = `${alg} ${size}`;
      t[key] ??= { base: { wall: [], cpu: [] }, new: { wall: [], cpu: [] } };
      for (const side of (r % 2 === 0 ? ['base', 'new'] : ['new', 'base']) as Array<'base' | 'new'>) {
        const m = await run(side, alg, size);
        t[key][side].wall.push(m.wall);
        t[key][side].cpu.push(m.cpu);
      }
    }
  }
  console.log(`fit-ab: ${o.rounds} alternations, medians in s; load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| fit | base wall | new wall | new/base | base CPU | new CPU | new/base |\n|---|---:|---:|---:|---:|---:|---:|');
  const f = (v: number): string => v.toFixed(4);
  for (const [key, v] of Object.entries(t)) {
    const bw = median(v.base.wall), nw = median(v.new.wall), bc = median(v.base.cpu), nc = median(v.new.cpu);
    console.log(`| ${key} | ${f(bw)} | ${f(nw)} | ${(nw / bw).toFixed(2)} | ${f(bc)} | ${f(nc)} | ${(nc / bc).toFixed(2)} |`);
  }
  await sides.base.shutdown();
  await sides.new.shutdown();
}

void main().catch((err: unknown) => { console.error(err); process.exit(1); });
