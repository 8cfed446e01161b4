/**
 * fitKMeans: k-means (Lloyd) trained as cloud threads over row-range partitions, the seed's
 * Listing 5 — centroids, convergence and the iteration counter live in one `ml.KMeansState` on the
 * DSO node, which merges each partition's sums and counts (one call per partition per iteration)
 * and releases every thread into the next iteration at once. k-means++ initialisation on a uniform
 * sample of the data (the whole data up to {@link INIT_SAMPLE_ROWS} rows), seeded, run here in the
 * driver while the partitions wait (it is the costly step; the node's thread is kept for merging);
 * `nInit` runs in lock step, the best inertia wins; `tol` as scikit-learn (relative to the mean
 * feature variance, against the squared centre shift); an empty cluster takes the row farthest from
 * its centroid, as scikit-learn does.
 */
import { randomUUID } from 'node:crypto';
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { MODEL_FORMAT, type Model } from '../model/format.ts';
import type { Dataset } from '../data/dataset.ts';
import { planData, type PartitionSource } from './source.ts';
import { dropObject, followProgress, partitionCount, publishIfNamed, runPartitions, throwIfCancelled, watched, workersOf, type FitOptions, type RunOptions } from './run-tasks.ts';
import { KMeansState, KMEANS_STATE_TYPE } from './state.ts';
import { KMeansTask } from './task.ts';
import { initialCentroids } from './local.ts';
import { progressReporter } from '../progress.ts';

/** Hyper-parameters of {@link fitKMeans} (scikit-learn's names in camelCase). */
export interface KMeansParams {
  /** Clusters (scikit-learn's n_clusters). */
  k: number;
  /** k-means++ initialisations; the run with the lowest inertia wins. Default 1 (scikit-learn's 'auto' for k-means++). */
  nInit?: number;
  /** Lloyd iterations per run; default 300. */
  maxIter?: number;
  /** Relative tolerance: stop when Σ‖Δcentre‖² ≤ tol · mean feature variance; default 1e-4. */
  tol?: number;
  /**
   * Seed of the k-means++ draws and the init sample, an integer in [0, 2**32 - 1] (numpy's range); default: a random one, kept in the model's
   * params. k-means++ draws from numpy's RandomState(seed), as scikit-learn's KMeans with
   * `random_state=seed`: up to 32,768 rows (INIT_SAMPLE_ROWS) (k-means++ then runs on all of them)
   * both pick the same initial centres.
   */
  seed?: number;
}

/** Rows the k-means++ sample holds at most (at least 64·k when k is large). */
export const INIT_SAMPLE_ROWS = 32_768;

/**
 * Trains k-means on an Arrow file (each cloud thread reads its own rows) or an in-memory Dataset.
 * The model holds `centroids` [k, d]; meta: inertia, nIter, nFeatures.
 * @param data an Arrow IPC file path or a Dataset (labels, if any, are ignored)
 * @param params hyper-parameters
 * @param opts workers (partitions), modelName (publish), progress
 * @throws {BadArgumentError} on a bad parameter, k greater than the rows, or unreadable data
 * @throws {TaskFailedError} if a partition's cloud thread failed after its retries
 */
export async function fitKMeans(data: string | Dataset, params: KMeansParams, opts: FitOptions & RunOptions = {}): Promise<Model> {
  const p = checkParams(params);
  throwIfCancelled(opts.signal);
  // Planned as `workers` partitions; run as one thread computing them all when the data is small.
  const plan = await planData(data, workersOf(opts));
  const { nRows, nCols: d } = plan;
  const workers = partitionCount(nRows, opts) === 1 ? 1 : plan.sources.length;
  if (workers > 1 && workers < plan.sources.length) Object.assign(plan, await planData(data, workers));
  if (p.k > nRows) throw new BadArgumentError(`k = ${p.k} is greater than the ${nRows} rows of the data`);

  const sampleTotal = Math.min(nRows, Math.max(INIT_SAMPLE_ROWS, 64 * p.k));
  const key = `ml.kmeans.${randomUUID()}`;
  const state = new KMeansState(key, { k: p.k, d, parts: workers, nInit: p.nInit, maxIter: p.maxIter, tol: p.tol });
  // A one-thread fit that nobody follows and nothing can cancel needs no object on the node.
  const onNode = workers > 1 || watched(opts);
  if (onNode) await state.materialize();
  // Each partition's share of the sample in proportion to its rows; together at least sampleTotal.
  const quota = (src: PartitionSource): number => {
    const rows = src.kind === 'file' ? src.to - src.from : src.nRows;
    return Math.min(rows, Math.ceil((sampleTotal * rows) / nRows));
  };
  const tasks = workers === 1
    ? [new KMeansTask(key, 0, plan.sources[0]!, d, p.k, p.nInit, quota(plan.sources[0]!), p.seed, { maxIter: p.maxIter, tol: p.tol, sources: plan.sources, quotas: plan.sources.map(quota), watch: onNode })]
    : plan.sources.map((src, part) => new KMeansTask(key, part, src, d, p.k, p.nInit, quota(src), p.seed));

  const started = performance.now();
  const report = progressReporter(opts);
  const following = report
    ? followProgress(async (after) => {
      const s = await state.progress(after);
      return { iteration: s.iteration, metric: s.inertia, done: s.done };
    }, report.update, p.maxIter, 'k-means iteration')
    : Promise.resolve();
  try {
    const running = runPartitions(tasks, async (reason) => { if (onNode) await state.abort(reason); }, opts);
    // k-means++ here, on the sample the partitions sent, while they wait parked on the node (a
    // one-partition fit seeds in its thread).
    const init = workers === 1 ? Promise.resolve() : initCentroids(state, p, d).catch(async (err: unknown) => {
      await state.abort(`k-means++ initialisation failed: ${err instanceof Error ? err.message : String(err)}`).catch(() => undefined);
      throw err;
    });
    init.catch(() => undefined);
    const results = await running;
    await init;
    await following;
    throwIfCancelled(opts.signal);
    const r = results[0]?.result ?? await state.result();
    const model: Model = {
      format: MODEL_FORMAT,
      algorithm: 'kmeans',
      params: { k: p.k, nInit: p.nInit, maxIter: p.maxIter, tol: p.tol, seed: p.seed },
      meta: {
        nFeatures: d,
        featureNames: plan.featureNames,
        inertia: r.inertia,
        nIter: r.nIter,
        inertias: Array.from(r.inertias),
        nIters: Array.from(r.nIters),
        tolerance: r.tolerance,
        nRows,
        workers,
        fitSeconds: (performance.now() - started) / 1000,
      },
      arrays: { centroids: { dtype: 'float64', shape: [p.k, d], data: r.centroids } },
    };
    return await publishIfNamed(model, opts.modelName);
  } finally {
    report?.stop();
    if (onNode) await dropObject(KMEANS_STATE_TYPE, key);
  }
}

/** Runs k-means++ (one seeded draw per run) on the partitions' sample and starts iteration 0. */
async function initCentroids(state: KMeansState, p: Required<KMeansParams>, d: number): Promise<void> {
  const { sample, rows } = await state.sample();
  await state.start(initialCentroids(sample, rows, d, p.k, p.nInit, p.seed));
}

function checkParams(params: KMeansParams): Required<KMeansParams> {
  if (typeof params !== 'object' || params === null) throw new BadArgumentError('params must be an object with k');
  const k = params.k;
  if (!Number.isSafeInteger(k) || k <= 0) throw new BadArgumentError(`params.k must be a positive integer, got ${String(k)}`);
  const nInit = params.nInit ?? 1;
  if (!Number.isSafeInteger(nInit) || nInit <= 0) throw new BadArgumentError(`params.nInit must be a positive integer, got ${String(nInit)}`);
  const maxIter = params.maxIter ?? 300;
  if (!Number.isSafeInteger(maxIter) || maxIter <= 0) throw new BadArgumentError(`params.maxIter must be a positive integer, got ${String(maxIter)}`);
  const tol = params.tol ?? 1e-4;
  if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) throw new BadArgumentError(`params.tol must be a finite number >= 0, got ${String(tol)}`);
  const seed = params.seed ?? Math.floor(Math.random() * 2 ** 31);
  // numpy's RandomState (k-means++'s draws, as scikit-learn's) takes exactly this range: wrapping other ints would give two seeds one model.
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new BadArgumentError(`params.seed must be an integer in [0, 2**32 - 1], got ${String(seed)}`);
  return { k, nInit, maxIter, tol, seed };
}
