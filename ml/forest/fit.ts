/**
 * fitRandomForest: the seed's §3.4.4 Smile port. The forest's trees are grown as parallel cloud
 * threads (ServerlessExecutorService, `nEstimators` split over `workers`); each reads the training
 * set itself and merges every tree's out-of-bag votes into the fit's one `ml.OobVotes` on the DSO
 * node with one call, and the node scores them. The driver only splits the work, gathers the trees
 * (flat Int32Array/Float64Array, Arrow on the wire) and reports the node's tree count as progress.
 */
import { randomUUID } from 'node:crypto';
import { defaultConnectionAsync } from '../../core/client/context.ts';
import { BadArgumentError, CrucialError, ErrorCode, NoObjectError, TaskFailedError } from '../../core/protocol/errors.ts';
import { SYSTEM_TYPE } from '../../core/protocol/wire/protocol.ts';
import { runPartitions, throwIfCancelled } from '../kmeans/run-tasks.ts';
import { checkDataset, partitions, type Dataset } from '../data/dataset.ts';
import { MODEL_FORMAT, type Model } from '../model/format.ts';
import { progressReporter, type ProgressOptions } from '../progress.ts';
import { concatForests } from './encode.ts';
import { readModule } from '../data/lazy.ts';
import { encodeLabels } from './grow.ts';
import { OOB_VOTES_TYPE, OobVotes } from './oob-votes.ts';
import { featuresPerSplit, resolveForestParams, type ForestParams } from './params.ts';
import { ForestTask, type ForestSource, type ForestTaskResult } from './task.ts';

/** Options of a fit (the ml contract's FitOptions). */
export interface ForestFitOptions extends ProgressOptions {
  /** Cloud threads growing trees (each grows about nEstimators / workers); default 2. */
  workers?: number;
  /** Publish the model to the ModelStore under this name. */
  modelName?: string;
  /** Label column of an Arrow file (default 'y'). */
  label?: string;
  /** Aborting it cancels the fit: each cloud thread stops after the tree it is growing, and the fit rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * @internal Tests only: replaces each cloud thread's task before it is submitted (fault
   * injection: a task that fails once after a chosen tree, to check that its retry counts once).
   */
  mapTask?: (task: ForestTask, index: number) => object;
}

/** How often the driver asks the node how many trees are done, when progress is wanted. */
const PROGRESS_POLL_MS = 200;

/**
 * Trains a random forest classifier (scikit-learn's RandomForestClassifier semantics) as cloud threads.
 * @param data an Arrow file path (each cloud thread reads it) or an in-memory Dataset (shipped with the tasks)
 * @param params forest parameters (see {@link ForestParams})
 * @param opts workers, publishing, progress
 * @returns a `random_forest` model: arrays per ml/model/FORMAT.md, meta.classes, and when asked meta.oobScore (accuracy of
 *   the arg-max out-of-bag votes over the meta.oobRows rows that were out of bag at least once)
 * @throws {BadArgumentError} on bad parameters, data without labels, fewer than two classes, non-finite values
 * @throws {TaskFailedError} if a cloud thread failed for another reason
 */
export async function fitRandomForest(data: string | Dataset, params: ForestParams = {}, opts: ForestFitOptions = {}): Promise<Model> {
  const p = resolveForestParams(params);
  throwIfCancelled(opts.signal);
  const workers = opts.workers ?? 2;
  if (!Number.isSafeInteger(workers) || workers <= 0) throw new BadArgumentError(`workers must be a positive integer, got ${workers}`);
  if (opts.modelName !== undefined && (typeof opts.modelName !== 'string' || opts.modelName.length === 0)) throw new BadArgumentError('modelName must be a non-empty string');
  const started = performance.now();

  let source: ForestSource, nCols: number, featureNames: string[];
  if (typeof data === 'string') {
    const { datasetInfo } = await readModule();
    const info = await datasetInfo(data, opts.label === undefined ? {} : { label: opts.label });
    if (!info.hasLabel) throw new BadArgumentError(`${data}: no label column "${opts.label ?? 'y'}"; a random forest needs labels`);
    if (info.nRows === 0) throw new BadArgumentError(`${data} has no rows`);
    source = { kind: 'file', path: data, ...(opts.label === undefined ? {} : { label: opts.label }) };
    ({ featureNames } = info);
    nCols = featureNames.length;
  } else {
    checkDataset(data);
    if (!data.y) throw new BadArgumentError('the Dataset has no labels (y); a random forest needs them');
    encodeLabels(data.y); // one class, NaN: refused before any cloud thread starts
    source = { kind: 'inline', X: data.X, y: data.y, nRows: data.nRows, nCols: data.nCols };
    ({ nCols, featureNames } = data);
  }
  featuresPerSplit(p.maxFeatures, nCols);

  const votesKey = `ml.forest.oob.${randomUUID()}`;
  const ranges = partitions(p.nEstimators, Math.min(workers, p.nEstimators));
  const tasks = ranges.map(([from, to]) => new ForestTask(votesKey, source, p, from, to));
  const votes = new OobVotes(votesKey);
  const stopProgress = watchProgress(votes, p.nEstimators, opts);
  const submitted = opts.mapTask ? tasks.map((t, i) => opts.mapTask!(t, i) as ForestTask) : tasks;
  // A retried cloud thread grows the same trees (seeded per tree) and the node counts each tree's
  // votes once. Every task is waited for, failed or not: one still running would recreate the vote
  // matrix after its removal below. A cancel, or a task failing for good, aborts the matrix (created
  // if no tree landed yet), so the others stop after their current tree.
  let results: ForestTaskResult[];
  try {
    results = await runPartitions<ForestTaskResult>(submitted, (reason) => new OobVotes(votesKey, 1, 1).abort(reason), { signal: opts.signal, retries: 1 });
  } catch (err) {
    await stopProgress();
    await dropVotes(votesKey).catch(() => {}); // the task's error is the one to report
    throw unwrapTaskError(err);
  }
  await stopProgress();

  let oobScore: number | null = null, oobRows = 0;
  try {
    if (p.oobScore) [oobScore, oobRows] = await Promise.all([votes.score(), votes.votedRows()]);
  } finally {
    await dropVotes(votesKey);
  }
  results.sort((a, b) => a.from - b.from);
  const classes = results[0]!.classes;
  const K = classes.length;
  const arrays = concatForests(results.map((r) => r.arrays), K);
  const N = arrays.feature.length;
  const meta: Record<string, unknown> = {
    nFeatures: nCols,
    featureNames,
    classes: [...classes],
    nTrees: p.nEstimators,
    nNodes: N,
    fitSeconds: (performance.now() - started) / 1000,
  };
  // Over the rows out of bag at least once (oobRows of them). scikit-learn's oob_score_ also counts
  // rows never out of bag, as class 0: with class weights its weighted bootstrap keeps heavy rows
  // in every tree, and the two differ by those rows.
  if (oobScore !== null) Object.assign(meta, { oobScore, oobRows });
  const model: Model = {
    format: MODEL_FORMAT,
    algorithm: 'random_forest',
    params: { ...p },
    meta,
    arrays: {
      feature: { dtype: 'int32', shape: [N], data: arrays.feature },
      threshold: { dtype: 'float64', shape: [N], data: arrays.threshold },
      left: { dtype: 'int32', shape: [N], data: arrays.left },
      right: { dtype: 'int32', shape: [N], data: arrays.right },
      value: { dtype: 'float64', shape: [N, K], data: arrays.value },
      treeOffsets: { dtype: 'int32', shape: [arrays.treeOffsets.length], data: arrays.treeOffsets },
    },
  };
  if (opts.modelName !== undefined) {
    const { ModelStore } = await import('../model/store.ts');
    const version = await new ModelStore().publish(opts.modelName, model);
    model.name = opts.modelName;
    model.version = version;
  }
  return model;
}

/** A task's own BadArgumentError (one class in a file, NaN features) is the fit's error, not a task failure. */
function unwrapTaskError(err: unknown): unknown {
  if (err instanceof TaskFailedError && err.cause instanceof CrucialError && err.cause.code === ErrorCode.BAD_ARGUMENT) return err.cause;
  return err;
}

/** The vote matrix is the fit's scratch state: removed from the node once scored. */
async function dropVotes(key: string): Promise<void> {
  const conn = await defaultConnectionAsync();
  await conn.call(SYSTEM_TYPE, '', 'delete', [OOB_VOTES_TYPE, key]);
}

/** Polls the node's tree count while the fit runs; the returned stopper ends polling and the bar. */
function watchProgress(votes: OobVotes, total: number, opts: ForestFitOptions): () => Promise<void> {
  const reporter = progressReporter(opts);
  if (!reporter) return async () => {};
  let last = -1;
  const report = (step: number) => {
    if (step === last) return;
    last = step;
    reporter.update({ step, total, label: 'trees' });
  };
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        report(await votes.treesDone());
      } catch (err) {
        if (!(err instanceof NoObjectError)) throw err; // not created yet: no task has finished a tree
      }
      await new Promise<void>((r) => { wake = r; setTimeout(r, PROGRESS_POLL_MS).unref(); });
    }
  })();
  return async () => {
    stopped = true;
    wake?.();
    await loop.catch(() => {});
    // The last trees may have landed after the last poll.
    await votes.treesDone().then(report, () => {});
    reporter.stop();
  };
}
