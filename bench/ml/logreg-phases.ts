/**
 * Where a logistic-regression fit's time goes, phase by phase, in this process: the driver's plan
 * (`datasetInfo`), the read (Arrow batches decoded), the labels and the kernel layout, then per
 * evaluation the binary loss-and-gradient pass and the optimiser's step (the node logic, ml/logreg/node), the
 * same code a one-thread fit runs in its cloud thread; and the whole fit through the pool for
 * comparison (the difference is dispatch, thread start and the model's way back). Medians.
 *
 *   npx tsx bench/ml/logreg-phases.ts [--sizes 10k,100k,1m] [--rounds 9] [--data /tmp/crucial-ml-bench]
 *
 * Data: bench/ml/fit.ts's classification files (run it once to make them).
 */
import { Command } from 'commander';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { planData } from '../../ml/kmeans/source.ts';
import { readPartitions } from '../../ml/kernels/load.ts';
import { readF64Info } from '../../ml/kernels/read-f64.ts';
import { partitions } from '../../ml/data/dataset.ts';
import { createLogisticRows } from '../../ml/kernels/logistic.ts';
import { paramCount } from '../../ml/logreg/loss.ts';
import { LogRegState as LogRegCore, type LogRegRound } from '../../ml/logreg/node/logreg-state.ts';
import { fitLogisticRegression } from '../../ml/logreg/fit.ts';
import { shutdown } from '../../core/index.ts';
import { PARAMS } from './params.ts';

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]!; };
const ms = (v: number): string => v.toFixed(2);

interface Phases { plan: number; read: number; labels: number; kernels: number; opt: number; evaluations: number; iterations: number; inProcess: number; cpu: number; fit: number }

/** One fit's phases, in this thread, on the partitions the fit would plan (2 workers, one thread below 100,000 rows per partition). */
async function phases(path: string): Promise<Omit<Phases, 'fit'>> {
  const p = PARAMS.logreg as { C: number; maxIter: number; tol: number };
  // CPU time of the process: the pool's threads are idle meanwhile, so it is this thread's.
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // As ml/logreg/fit.ts plans a path: an all-float64 file's shape from its footer, else datasetInfo.
  const info = await readF64Info(path);
  const plan = info
    ? { nCols: info.featureNames.length, sources: partitions(info.nRows, 2).map(([from, to]) => ({ kind: 'file' as const, path, from, to })) }
    : await planData(path, 2);
  const t1 = performance.now();
  const data = await readPartitions(plan.sources, plan.nCols);
  const t2 = performance.now();
  const d = plan.nCols;
  const parts = data.map((q) => ({ ...q, y: q.y! }));
  const core = new LogRegCore(d, parts.length, p.C, p.maxIter, p.tol, false, true);
  let round!: LogRegRound;
  // Every partition but the last parks (a promise that the last one's answer resolves): keep the last.
  parts.forEach((q, i) => { const a = core.init(i, Float64Array.from(new Set(q.y!)), q.nRows); if (i === parts.length - 1) round = a as LogRegRound; });
  // Binary data (the bench's): the one-pass kernel's layout, as ml/logreg/task.ts builds it.
  const rows = parts.map((q) => { const y = new Float64Array(q.nRows); for (let i = 0; i < q.nRows; i++) y[i] = q.y[i] === round.classes[1] ? 1 : 0; return createLogisticRows(q.slices!, q.nRows, d, y); });
  const t3 = performance.now();
  const layout = { d, r: round.r, fitIntercept: true };
  let kernels = 0, opt = 0;
  while (!round.done) {
    const a = performance.now();
    const evals = rows.map((q) => { const g = new Float64Array(paramCount(layout)); return { loss: q.pass(round.x, round.x[d]!, g, true), g }; });
    const b = performance.now();
    const ev = round.evaluation;
    evals.forEach((e, i) => { const a = core.report(ev, i, e.loss, e.g); if (i === parts.length - 1) round = a as LogRegRound; });
    opt += performance.now() - b;
    kernels += b - a;
  }
  const t4 = performance.now();
  const c = process.cpuUsage(c0);
  const r = core.result();
  return { plan: t1 - t0, read: t2 - t1, labels: t3 - t2, kernels, opt, evaluations: r.evaluations, iterations: r.nIter, inProcess: t4 - t0, cpu: (c.user + c.system) / 1000 };
}

async function main(): Promise<void> {
  const o = new Command('bench/ml/logreg-phases.ts')
    .option('--sizes <list>', 'sizes made by bench/ml/fit.ts', '10k,100k')
    .option('--rounds <n>', 'fits per size', (v) => Number(v), 9)
    .option('--data <dir>', 'where bench/ml/fit.ts made the data', '/tmp/crucial-ml-bench')
    .parse()
    .opts<{ sizes: string; rounds: number; data: string }>();
  console.log(`load at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| rows file | plan ms | read ms | labels + layout ms | loss+grad ms (all evals) | optimiser ms | evals / iters | in process ms | its CPU ms | whole fit ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const size of o.sizes.split(',')) {
    const path = join(o.data, size, 'classification-train.arrow');
    await phases(path); // warm-up: modules, WebAssembly tier-up
    await fitLogisticRegression(path, PARAMS.logreg, { workers: 2 });
    const runs: Phases[] = [];
    for (let i = 0; i < o.rounds; i++) {
      const ph = await phases(path);
      const t = performance.now();
      await fitLogisticRegression(path, PARAMS.logreg, { workers: 2 });
      runs.push({ ...ph, fit: performance.now() - t });
    }
    const m = (k: keyof Phases): number => median(runs.map((r) => r[k]));
    console.log(`| ${size} | ${ms(m('plan'))} | ${ms(m('read'))} | ${ms(m('labels'))} | ${ms(m('kernels'))} | ${ms(m('opt'))} | ${m('evaluations')} / ${m('iterations')} | ${ms(m('inProcess'))} | ${ms(m('cpu'))} | ${ms(m('fit'))} |`);
  }
  console.log(`load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await shutdown();
}

void main().catch((err: unknown) => { console.error(err); process.exit(1); });
