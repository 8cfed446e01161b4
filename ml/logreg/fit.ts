/**
 * fitLogisticRegression: L2 logistic regression, binary or multinomial, trained as cloud threads
 * over row-range partitions with full-batch L-BFGS. The optimiser lives in one `ml.LogRegState`
 * on the DSO node; each evaluation, every partition's cloud thread sends its loss and gradient
 * sums in one call and the node adds them (the seed §3.4.2: gradients combined in the storage
 * layer, no reduce phase). scikit-learn's lbfgs semantics: the objective C·Σ logloss + ½‖coef‖²
 * (intercept not penalised), `tol` on max|gradient| of the 1/(C·n)-scaled objective, `maxIter`
 * L-BFGS iterations. Standardising features is the caller's job, as in scikit-learn: on raw
 * breast_cancer neither library converges within the default 100 iterations (both stop at 100 with
 * the same held-out accuracy; with maxIter 10,000 scikit-learn converges after 2,987 iterations and
 * this after about 3,100), while standardised it takes 17 iterations in both. `meta.converged` and
 * `meta.message` (scipy's wording) say how the optimisation ended.
 */
import { randomUUID } from 'node:crypto';
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { MODEL_FORMAT, type Model } from '../model/format.ts';
import { partitions, type Dataset } from '../data/dataset.ts';
import { planData, type DataPlan } from '../kmeans/source.ts';
import { readF64Info } from '../kernels/read-f64.ts';
import { dropObject, followProgress, partitionCount, publishIfNamed, runPartitions, throwIfCancelled, watched, workersOf, type FitOptions, type RunOptions } from '../kmeans/run-tasks.ts';
import { progressReporter } from '../progress.ts';
import { LogRegState, LOGREG_STATE_TYPE } from './state.ts';
import { LogRegTask } from './task.ts';

/** Hyper-parameters of {@link fitLogisticRegression} (scikit-learn's, camelCase). */
export interface LogRegParams {
  /** Inverse regularisation strength; default 1. */
  C?: number;
  /** L-BFGS iterations at most; default 100. */
  maxIter?: number;
  /** Stop when max|gradient| ≤ tol; default 1e-4. */
  tol?: number;
  /** 'auto': binary loss for two classes, multinomial for more; 'multinomial': softmax always. */
  multiClass?: 'auto' | 'multinomial';
  /** Learn an intercept (not penalised); default true. */
  fitIntercept?: boolean;
}

/**
 * Trains logistic regression on an Arrow file (label column `y`) or a Dataset with `y`.
 * The model holds `coef` [r, d] and `intercept` [r] (r = 1 for binary, positive class = classes[1]);
 * meta: classes, lossHistory (objective per iteration, start first), nIter, converged.
 * @throws {BadArgumentError} on a bad parameter, data without labels, or fewer than 2 classes
 * @throws {TaskFailedError} if a partition's cloud thread failed after its retries
 */
export async function fitLogisticRegression(data: string | Dataset, params: LogRegParams = {}, opts: FitOptions & RunOptions = {}): Promise<Model> {
  const p = checkParams(params);
  throwIfCancelled(opts.signal);
  // Planned as `workers` partitions; run as one thread evaluating them all when the data is small.
  const plan = await planFit(data, workersOf(opts));
  const workers = partitionCount(plan.nRows, opts) === 1 ? 1 : plan.sources.length;
  if (workers > 1 && workers < plan.sources.length) Object.assign(plan, await planFit(data, workers));
  if (!plan.hasLabel) throw new BadArgumentError('logistic regression needs labels: the data has no label column y');
  if (plan.nRows === 0) throw new BadArgumentError('logistic regression needs at least one row');
  if (plan.y) {
    const first = plan.y[0]!;
    if (plan.y.every((v) => v === first)) throw new BadArgumentError(`logistic regression needs at least 2 classes in y, the data has only class ${first}`);
  }
  const d = plan.nCols;
  const key = `ml.logreg.${randomUUID()}`;
  const state = new LogRegState(key, { d, parts: workers, C: p.C, maxIter: p.maxIter, tol: p.tol, multinomial: p.multiClass === 'multinomial', fitIntercept: p.fitIntercept });
  // A one-thread fit that nobody follows and nothing can cancel needs no object on the node.
  const onNode = workers > 1 || watched(opts);
  if (onNode) await state.materialize();
  const tasks = workers === 1
    ? [new LogRegTask(key, 0, plan.sources[0]!, d, p.fitIntercept, { C: p.C, maxIter: p.maxIter, tol: p.tol, multinomial: p.multiClass === 'multinomial', sources: plan.sources, watch: onNode })]
    : plan.sources.map((src, part) => new LogRegTask(key, part, src, d, p.fitIntercept));

  const started = performance.now();
  const report = progressReporter(opts);
  const following = report
    ? followProgress(async (after) => {
      const s = await state.progress(after);
      return { iteration: s.iteration, metric: s.loss, done: s.done };
    }, report.update, p.maxIter, 'L-BFGS iteration')
    : Promise.resolve();
  try {
    const results = await runPartitions(tasks, async (reason) => { if (onNode) await state.abort(reason); }, opts);
    await following;
    throwIfCancelled(opts.signal);
    const r = results[0]?.result ?? await state.result();
    const coef = r.x.slice(0, r.r * d);
    const intercept = p.fitIntercept ? r.x.slice(r.r * d, r.r * d + r.r) : new Float64Array(r.r);
    const model: Model = {
      format: MODEL_FORMAT,
      algorithm: 'logistic_regression',
      params: { C: p.C, maxIter: p.maxIter, tol: p.tol, multiClass: p.multiClass, fitIntercept: p.fitIntercept },
      meta: {
        nFeatures: d,
        featureNames: plan.featureNames,
        classes: Array.from(r.classes),
        lossHistory: r.lossHistory,
        nIter: r.nIter,
        evaluations: r.evaluations,
        converged: r.converged,
        message: r.message,
        nRows: plan.nRows,
        workers,
        fitSeconds: (performance.now() - started) / 1000,
      },
      arrays: {
        coef: { dtype: 'float64', shape: [r.r, d], data: coef },
        intercept: { dtype: 'float64', shape: [r.r], data: intercept },
      },
    };
    return await publishIfNamed(model, opts.modelName);
  } finally {
    report?.stop();
    if (onNode) await dropObject(LOGREG_STATE_TYPE, key);
  }
}

/**
 * planData, with an all-float64 file's shape read the short way (ml/kernels/read-f64.ts: the
 * footer and batch metadata, ~0.1 ms, where datasetInfo opens the file through apache-arrow's
 * reader, ~0.8 ms); any other file or a Dataset through planData.
 */
async function planFit(data: string | Dataset, parts: number): Promise<DataPlan> {
  const info = typeof data === 'string' ? await readF64Info(data) : null;
  if (!info || typeof data !== 'string') return planData(data, parts);
  const sources = partitions(info.nRows, parts).map(([from, to]) => ({ kind: 'file' as const, path: data, from, to }));
  return { nRows: info.nRows, nCols: info.featureNames.length, featureNames: info.featureNames, hasLabel: info.hasLabel, y: null, sources };
}

function checkParams(params: LogRegParams): Required<LogRegParams> {
  if (typeof params !== 'object' || params === null) throw new BadArgumentError('params must be an object');
  const C = params.C ?? 1;
  if (typeof C !== 'number' || !(C > 0) || !Number.isFinite(C)) throw new BadArgumentError(`params.C must be a finite number > 0, got ${String(C)}`);
  const maxIter = params.maxIter ?? 100;
  if (!Number.isSafeInteger(maxIter) || maxIter <= 0) throw new BadArgumentError(`params.maxIter must be a positive integer, got ${String(maxIter)}`);
  const tol = params.tol ?? 1e-4;
  if (typeof tol !== 'number' || !(tol >= 0) || !Number.isFinite(tol)) throw new BadArgumentError(`params.tol must be a finite number >= 0, got ${String(tol)}`);
  const multiClass = params.multiClass ?? 'auto';
  if (multiClass !== 'auto' && multiClass !== 'multinomial') throw new BadArgumentError(`params.multiClass must be 'auto' or 'multinomial', got ${String(multiClass)}`);
  const fitIntercept = params.fitIntercept ?? true;
  if (typeof fitIntercept !== 'boolean') throw new BadArgumentError(`params.fitIntercept must be a boolean, got ${String(fitIntercept)}`);
  return { C, maxIter, tol, multiClass, fitIntercept };
}
