/**
 * Random forest fit time: crucial's fitRandomForest (cloud threads, 2 workers, the Arrow file read
 * by each) against scikit-learn's RandomForestClassifier (n_jobs=2) on the same file, alternated
 * run by run so both see the same machine load; plus CPU time per tree of one thread on both sides
 * (crucial: growTrees in process; scikit-learn: n_jobs=1, process_time), which a loaded machine
 * disturbs far less than wall time.
 *
 *   npx tsx bench/forest/speed.ts [--rows 100000] [--trees 100] [--repeat 2] [--dataset classification]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { shutdown } from '../../core/index.ts';
import { datasetInfo, readRows } from '../../ml/data/read.ts';
import { fitRandomForest } from '../../ml/forest/fit.ts';
import { encodeLabels, growTrees, prepareData } from '../../ml/forest/grow.ts';
import { resolveForestParams } from '../../ml/forest/params.ts';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

const SKLEARN = `
import json, sys, time
import numpy as np, pyarrow.ipc as ipc
from sklearn.ensemble import RandomForestClassifier
path, trees, jobs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
t = ipc.open_file(path).read_all()
X = np.column_stack([t.column(n).to_numpy() for n in t.column_names if n != "y"]); y = t.column("y").to_numpy()
c, w = time.process_time(), time.perf_counter()
RandomForestClassifier(n_estimators=trees, max_features="sqrt", random_state=0, n_jobs=jobs).fit(X, y)
print(json.dumps({"wall": time.perf_counter() - w, "cpu": time.process_time() - c}))
`;

async function sklearn(path: string, trees: number, jobs: number): Promise<{ wall: number; cpu: number }> {
  const { stdout } = await run(process.env.CRUCIAL_PYTHON ?? 'python3', ['-c', SKLEARN, path, String(trees), String(jobs)], { timeout: 3_600_000 });
  return JSON.parse(stdout) as { wall: number; cpu: number };
}

/** CPU seconds of one thread growing `trees` trees in this process (after reading and sorting). */
async function crucialCpu(path: string, trees: number): Promise<{ prepare: number; grow: number }> {
  const ds = await readRows(path, 0, (await datasetInfo(path)).nRows);
  const c0 = process.cpuUsage();
  const labels = encodeLabels(ds.y!);
  const ts = prepareData(ds.X, ds.nRows, ds.nCols, labels);
  const c1 = process.cpuUsage();
  await growTrees(ts, ds.X, labels, resolveForestParams({ nEstimators: trees, seed: 0 }), 0, trees, () => {});
  const c2 = process.cpuUsage();
  const s = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage) => (b.user + b.system - a.user - a.system) / 1e6;
  return { prepare: s(c0, c1), grow: s(c1, c2) };
}

async function main(): Promise<void> {
  const o = new Command('forest-speed')
    .option('--rows <n>', 'rows of the generated data set (before its 80/20 split)', Number, 100_000)
    .option('--trees <n>', 'trees per forest', Number, 100)
    .option('--cpu-trees <n>', 'trees for the one-thread CPU measure', Number, 10)
    .option('--repeat <n>', 'timed runs per system', Number, 2)
    .option('--dataset <name>', 'classification (16 features) or imbalanced (30 features) from scripts/ml/datasets.py', 'classification')
    .parse().opts<{ rows: number; trees: number; cpuTrees: number; repeat: number; dataset: string }>();
  const dir = await mkdtemp(join(tmpdir(), 'crucial-forest-bench-'));
  try {
    await run('python3', [join(ROOT, 'scripts/ml/datasets.py'), '--out', dir, '--datasets', o.dataset, '--rows', String(o.rows), '--imbalanced-rows', String(o.rows), '--json']);
    const path = join(dir, `${o.dataset}-train.arrow`);
    const info = await datasetInfo(path);
    const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
    console.log(`${o.dataset}: ${info.nRows} training rows x ${info.featureNames.length} features, ${o.trees} trees, max_features sqrt, fully grown; load average ${load}`);
    for (let i = 0; i < o.repeat; i++) {
      const t = performance.now();
      const m = await fitRandomForest(path, { nEstimators: o.trees, maxFeatures: 'sqrt', seed: i }, { workers: 2 });
      const ours = (performance.now() - t) / 1000;
      const sk = await sklearn(path, o.trees, 2);
      console.log(`run ${i + 1}: crucial fitRandomForest (2 workers) ${ours.toFixed(2)} s (${m.meta.nNodes} nodes) | scikit-learn n_jobs=2 ${sk.wall.toFixed(2)} s | ratio ${(ours / sk.wall).toFixed(2)}`);
    }
    const cpu = await crucialCpu(path, o.cpuTrees);
    const sk1 = await sklearn(path, o.cpuTrees, 1);
    console.log(`one thread, CPU per tree: crucial ${(cpu.grow / o.cpuTrees).toFixed(3)} s (+ ${cpu.prepare.toFixed(2)} s to sort the features once) | scikit-learn ${(sk1.cpu / o.cpuTrees).toFixed(3)} s | ratio ${(cpu.grow / sk1.cpu).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
    await shutdown();
  }
}

await main();
