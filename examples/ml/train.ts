/**
 * Trains the two example models and publishes them to the DSO's model store, where
 * `crucial ml serve` finds them:
 *   - k-means (k-means++, `--k` clusters) on `blobs`;
 *   - a random forest with balanced class weights on `imbalanced` (1% positives, the seed's
 *     credit-card fraud stand-in), scored on its test split by accuracy, AUPRC and out-of-bag accuracy.
 *
 *   npx crucial dso start --port 7700 --pmem /tmp/ml-example.pmem      # models survive a restart
 *   CRUCIAL_DSO=tcp://127.0.0.1:7700 npx tsx examples/ml/train.ts
 *
 * Without CRUCIAL_DSO the models go to an embedded node that ends with this command (useful to try the
 * training alone). The data is made on first use by scripts/ml/datasets.py (scikit-learn) under --data.
 */
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shutdown } from 'crucial';
import { datasetInfo, fitKMeans, fitRandomForest, predict, readRows, type Model } from 'crucial/ml';
import { isMain, positiveInt } from '../lib/cli.ts';
import { averagePrecision } from './metrics.ts';

const DATASETS = fileURLToPath(new URL('../../scripts/ml/datasets.py', import.meta.url));

export interface TrainOptions {
  /** Folder of the Arrow files (made if missing). */
  data: string;
  /** Rows of blobs. */
  blobRows: number;
  /** Rows of the imbalanced set. */
  imbalancedRows: number;
  /** k-means clusters. */
  k: number;
  /** Trees of the forest. */
  trees: number;
  /** Cloud threads per fit. */
  workers: number;
  /** Names the models are published under. */
  kmeansName: string;
  forestName: string;
  /** Show progress bars. */
  progress?: boolean;
}

export interface TrainResult {
  kmeans: { name: string; version?: number; inertia: number; nIter: number; seconds: number };
  forest: { name: string; version?: number; accuracy: number; auprc: number; oobScore?: number; seconds: number };
}

/** Makes blobs and imbalanced under `dir` with scikit-learn unless they are there already. */
export function ensureData(dir: string, blobRows: number, imbalancedRows: number): void {
  const stamp = `blobs-${blobRows}`;
  if (existsSync(join(dir, 'imbalanced-test.arrow')) && existsSync(join(dir, `.${stamp}-${imbalancedRows}`))) return;
  const r = spawnSync('python3', [DATASETS, '--out', dir, '--datasets', 'blobs,imbalanced', '--rows', String(blobRows), '--imbalanced-rows', String(imbalancedRows)], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/ml/datasets.py failed (exit ${r.status}); it needs python3 with scikit-learn and pyarrow`);
  spawnSync('touch', [join(dir, `.${stamp}-${imbalancedRows}`)]);
}

async function readAll(path: string) {
  const { nRows } = await datasetInfo(path);
  return readRows(path, 0, nRows);
}

/** Trains and publishes both models on the current DSO (CRUCIAL_DSO or an embedded node). */
export async function train(o: TrainOptions): Promise<TrainResult> {
  ensureData(o.data, o.blobRows, o.imbalancedRows);
  const fitOpts = { workers: o.workers, progress: o.progress ?? false };

  let t0 = performance.now();
  const km: Model = await fitKMeans(join(o.data, 'blobs-train.arrow'), { k: o.k, nInit: 3, seed: 1 }, { ...fitOpts, modelName: o.kmeansName });
  const kmeans = { name: o.kmeansName, version: km.version, inertia: Number(km.meta.inertia), nIter: Number(km.meta.nIter), seconds: (performance.now() - t0) / 1000 };

  t0 = performance.now();
  const rf: Model = await fitRandomForest(join(o.data, 'imbalanced-train.arrow'),
    { nEstimators: o.trees, classWeight: 'balanced', oobScore: true, seed: 1 }, { ...fitOpts, modelName: o.forestName });
  const seconds = (performance.now() - t0) / 1000;
  const test = await readAll(join(o.data, 'imbalanced-test.arrow'));
  const { labels, proba } = predict(rf, test.X, test.nRows);
  let ok = 0;
  for (let i = 0; i < test.nRows; i++) if (labels[i] === test.y![i]) ok++;
  // Column of the positive class (the larger label) in predict_proba's rows.
  const classes = rf.meta.classes as number[];
  const pos = classes.length - 1;
  const score = Float64Array.from({ length: test.nRows }, (_, i) => proba![i * classes.length + pos]!);
  const truth = Float64Array.from(test.y!, (v) => (v === classes[pos] ? 1 : 0));
  const forest = {
    name: o.forestName, version: rf.version, accuracy: ok / test.nRows, auprc: averagePrecision(truth, score),
    oobScore: rf.meta.oobScore === undefined ? undefined : Number(rf.meta.oobScore), seconds,
  };
  return { kmeans, forest };
}

async function main(): Promise<void> {
  const o = new Command('train')
    .description('train k-means on blobs and a random forest on the imbalanced set, and publish both to the DSO model store')
    .option('--data <dir>', 'folder of the Arrow files (made with scikit-learn if missing)', '/tmp/crucial-ml-example')
    .option('--blob-rows <n>', 'rows of blobs', positiveInt, 200_000)
    .option('--imbalanced-rows <n>', 'rows of the imbalanced set (1% positives)', positiveInt, 20_000)
    .option('--k <n>', 'k-means clusters', positiveInt, 8)
    .option('--trees <n>', 'trees of the random forest', positiveInt, 50)
    .option('--workers <n>', 'cloud threads per fit', positiveInt, 2)
    .option('--kmeans-name <name>', 'model name of the k-means model', 'blobs-kmeans')
    .option('--forest-name <name>', 'model name of the random forest', 'fraud-forest')
    .option('--no-progress', 'no progress bars')
    .option('--json', 'print the result as one JSON line')
    .parse()
    .opts<TrainOptions & { json?: boolean }>();
  if (!process.env.CRUCIAL_DSO) console.error('note: CRUCIAL_DSO is not set: the models go to an embedded node that stops with this command');
  try {
    const r = await train(o);
    if (o.json) {
      console.log(JSON.stringify(r));
    } else {
      const k = r.kmeans, f = r.forest;
      console.log(`k-means: ${k.name} v${k.version ?? '?'}  k=${o.k}  inertia ${k.inertia.toExponential(4)}  ${k.nIter} iterations  ${k.seconds.toFixed(2)} s`);
      console.log(`forest:  ${f.name} v${f.version ?? '?'}  ${o.trees} trees  test accuracy ${(100 * f.accuracy).toFixed(2)}%  AUPRC ${f.auprc.toFixed(3)}` +
        `${f.oobScore === undefined ? '' : `  OOB accuracy ${(100 * f.oobScore).toFixed(2)}%`}  ${f.seconds.toFixed(2)} s`);
    }
  } finally {
    await shutdown();
  }
}

if (isMain(import.meta.url)) {
  main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
}
