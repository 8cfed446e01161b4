/**
 * Interleaved A/B of one-thread fits on small data: the fits of this tree and of a base checkout
 * (`--base`, e.g. a `git worktree` with node_modules linked) in one process, alternating per round
 * (each tree's own worker pool), so a loaded machine's swings hit both sides alike. Medians.
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
  const t: Record<string, { base: number[]; new: number[] }> = {};
  const run = async (side: 'base' | 'new', alg: 'kmeans' | 'logreg', size: string): Promise<number> => {
    const t0 = performance.now();
    await sides[side][alg](file(alg, size), PARAMS[alg] as never, { workers: 2 });
    return (performance.now() - t0) / 1000;
  };
  for (const alg of algs) for (const side of ['base', 'new'] as const) await run(side, alg, sizes[0]!); // warm-up
  process.stderr.write(`load at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  for (let r = 0; r < o.rounds; r++) {
    for (const size of sizes) for (const alg of algs) {
      const key = `${alg} ${size}`;
      t[key] ??= { base: [], new: [] };
      for (const side of (r % 2 === 0 ? ['base', 'new'] : ['new', 'base']) as Array<'base' | 'new'>) t[key][side].push(await run(side, alg, size));
    }
  }
  console.log(`fit-ab: ${o.rounds} alternations, medians in s; load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| fit | base | new | new/base |\n|---|---:|---:|---:|');
  for (const [key, v] of Object.entries(t)) console.log(`| ${key} | ${median(v.base).toFixed(4)} | ${median(v.new).toFixed(4)} | ${(median(v.new) / median(v.base)).toFixed(2)} |`);
  await sides.base.shutdown();
  await sides.new.shutdown();
}

void main().catch((err: unknown) => { console.error(err); process.exit(1); });
