/**
 * Where a one-thread k-means fit's time goes (the default below 200,000 rows, bench/ml/fit.ts's
 * parameters): the fit as a user calls it (a cloud thread on the pool) timed whole, then its steps
 * replayed in this process with the very functions the cloud thread runs (ml/kmeans/task.ts,
 * local.ts), each timed alone. Medians over the rounds; a loaded machine only ever adds time, so
 * the minimum is printed too.
 *
 *   npx tsx bench/ml/kmeans-phases.ts [--sizes 10k,100k] [--rounds 15] [--data /tmp/crucial-ml-bench]
 *   npx tsx bench/ml/kmeans-phases.ts --cold [--sizes 10k] [--rounds 12]
 *
 * --cold: no warm-up and no pool; the steps replayed in this fresh process, each round's times
 * printed side by side, to see which step's code is still warming up (JIT tiers) in a process's
 * first fits (bench/RESULTS.md, "the fixed cost of a small fit").
 *
 * The data is bench/ml/fit.ts's (run it once to make it).
 */
import { Command } from 'commander';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fitKMeans, INIT_SAMPLE_ROWS } from '../../ml/kmeans/fit.ts';
import { planData, type PartitionSource } from '../../ml/kmeans/source.ts';
import { loadKernelPartitions } from '../../ml/kernels/load.ts';
import { KMeansTask } from '../../ml/kmeans/task.ts';
import { initialCentroids, initialCentroidsOnRows, LocalKMeans } from '../../ml/kmeans/local.ts';
import { KMeansState as KMeansCore, type KMeansRound, type KMeansSample } from '../../ml/kmeans/node/kmeans-state.ts';
import { shutdown } from '../../core/index.ts';
import { PARAMS } from './params.ts';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]!; };

interface Task { sample(rows: unknown, nRows: number, m: number, part: number): Float64Array; pass(rows: unknown, nRows: number, round: KMeansRound): { sums: Float64Array; counts: Float64Array; inertia: Float64Array; far: Float64Array | null } }

async function phases(path: string): Promise<{ t: Record<string, number>; iters: number }> {
  const p = PARAMS.kmeans as { k: number; nInit: number; maxIter: number; tol: number; seed: number };
  const t: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (name: string): void => { const now = performance.now(); t[name] = (t[name] ?? 0) + now - t0; t0 = now; };
  const plan = await planData(path, 2);
  lap('datasetInfo (driver)');
  const d = plan.nCols;
  const sampleTotal = Math.min(plan.nRows, Math.max(INIT_SAMPLE_ROWS, 64 * p.k));
  const quota = (s: PartitionSource): number => { const rows = s.kind === 'file' ? s.to - s.from : s.nRows; return Math.min(rows, Math.ceil((sampleTotal * rows) / plan.nRows)); };
  const task = new KMeansTask('x', 0, plan.sources[0]!, d, p.k, p.nInit, 0, p.seed) as unknown as Task;
  t0 = performance.now();
  const parts = await loadKernelPartitions(plan.sources, d);
  lap('read + kernel layout');
  // As the cloud thread (task.ts): a sample of every row is seeded on the partitions' rows in place.
  const inPlace = parts.every((q, i) => quota(plan.sources[i]!) >= q.nRows);
  const samples = parts.map((q, i) => (inPlace ? new Float64Array(0) : task.sample(q.rows, q.nRows, quota(plan.sources[i]!), i)));
  if (!inPlace) lap('sample copy');
  const stats = parts.map((q) => q.rows.columnStats());
  lap('column stats');
  const core = new KMeansCore(p.k, d, parts.length, p.nInit, p.maxIter, p.tol);
  parts.forEach((_, i) => { if (i < parts.length - 1) (core.init(i, samples[i]!, stats[i]!) as Promise<unknown>).catch(() => undefined); });
  (core.init(parts.length - 1, samples[parts.length - 1]!, stats[parts.length - 1]!) as Promise<unknown>).catch(() => undefined);
  const whole = core.sample() as KMeansSample;
  lap('state init (gather)');
  const c0 = inPlace ? initialCentroidsOnRows(parts.map((q) => q.rows), d, p.k, p.nInit, p.seed) : initialCentroids(whole.sample, whole.rows, d, p.k, p.nInit, p.seed);
  lap(inPlace ? 'k-means++ (on the rows in place)' : 'k-means++');
  let round = core.start(c0);
  let iters = 0;
  while (!round.done) {
    t0 = performance.now();
    const reps = parts.map((q) => task.pass(q.rows, q.nRows, round));
    lap('passes');
    let r: KMeansRound | Promise<KMeansRound> = round;
    reps.forEach((x, i) => { r = core.report(round.iteration, i, x.sums, x.counts, x.inertia, x.far); });
    round = r as KMeansRound;
    iters++;
    lap('merge + update');
  }
  core.result();
  for (const q of parts) q.rows.release(); // as the cloud thread does
  return { t, iters };
}

async function main(): Promise<void> {
  const o = new Command('bench/ml/kmeans-phases.ts')
    .option('--sizes <list>', 'sizes made by bench/ml/fit.ts', '10k,100k')
    .option('--rounds <n>', 'rounds', (v) => Number(v), 15)
    .option('--data <dir>', 'where bench/ml/fit.ts made the data', '/tmp/crucial-ml-bench')
    .option('--cold', 'fresh process, no warm-up: every round\'s phases side by side')
    .parse()
    .opts<{ sizes: string; rounds: number; data: string; cold?: boolean }>();
  // LocalKMeans is what the cloud thread runs; referenced so a rename breaks this script's build.
  void LocalKMeans;
  process.stderr.write(`load at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  if (o.cold) {
    for (const size of o.sizes.split(',')) {
      const per: Record<string, number[]> = {};
      for (let r = 0; r < o.rounds; r++) for (const [k, v] of Object.entries((await phases(join(o.data, size, 'blobs-train.arrow'))).t)) (per[k] ??= []).push(v);
      console.log(`\n${size}, cold: each round's ms, rounds 1-${o.rounds} of this process`);
      for (const [k, v] of Object.entries(per)) console.log(`${v.map((x) => x.toFixed(2).padStart(6)).join(' ')}  ${k}`);
    }
    console.log(`load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    await shutdown();
    return;
  }
  for (const size of o.sizes.split(',')) {
    const path = join(o.data, size, 'blobs-train.arrow');
    await fitKMeans(path, PARAMS.kmeans as never, { workers: 2 }); // warm-up: pool, modules, WebAssembly tier-up
    await phases(path);
    const whole: number[] = [];
    const per: Record<string, number[]> = {};
    let iters = 0, nIter = 0;
    for (let r = 0; r < o.rounds; r++) {
      const w0 = performance.now();
      const m = await fitKMeans(path, PARAMS.kmeans as never, { workers: 2 });
      whole.push(performance.now() - w0);
      nIter = m.meta['nIter'] as number;
      const ph = await phases(path);
      iters = ph.iters;
      for (const [k, v] of Object.entries(ph.t)) (per[k] ??= []).push(v);
    }
    const sum = Object.values(per).reduce((a, v) => a + median(v), 0);
    console.log(`\n${size}: fitKMeans (cloud thread) median ${median(whole).toFixed(1)} ms, min ${Math.min(...whole).toFixed(1)}; nIter ${nIter}, ${iters} rounds of passes (incl. the final E-step)`);
    console.log('| phase (in process) | median ms | min ms |\n|---|---:|---:|');
    for (const [k, v] of Object.entries(per)) console.log(`| ${k} | ${median(v).toFixed(2)} | ${Math.min(...v).toFixed(2)} |`);
    console.log(`| sum of medians | ${sum.toFixed(2)} | |`);
  }
  console.log(`load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await shutdown();
}

void main().catch((err: unknown) => { console.error(err); process.exit(1); });
