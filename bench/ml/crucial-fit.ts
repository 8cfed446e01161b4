/**
 * crucial's side of the ml fit bench: the three fits behind one call, and the quality of a fitted
 * model measured here, independently of the algorithm's own report (inertia recomputed from the
 * centroids over the training rows; accuracy of predict() on the test rows).
 *
 * The ml modules are imported when the bench runs rather than statically, so the bench still runs
 * (and says which algorithm is missing) while parts of ml/ are being written.
 */
import type { Model } from '../../ml/model/format.ts';
import type { Alg } from './fit.ts';

interface Dataset { X: Float64Array; y?: Float64Array; nRows: number; nCols: number }
type FitFn = (data: string, params: Record<string, unknown>, opts?: { workers?: number }) => Promise<Model>;

export interface CrucialMl {
  fit(alg: Alg, trainPath: string, params: Record<string, unknown>, workers: number): Promise<Model>;
  readAll(path: string): Promise<Dataset>;
  predict(model: Model, X: Float64Array, nRows: number): { labels: Float64Array };
  close(): Promise<void>;
}

export interface Quality { rows: number; inertia?: number; accuracy?: number }

async function optional<T>(spec: string, name: string): Promise<T | undefined> {
  try {
    const mod = (await import(spec)) as Record<string, unknown>;
    return mod[name] as T | undefined;
  } catch (e) {
    process.stderr.write(`  [crucial] ${spec} not loadable yet: ${(e as Error).message.split('\n')[0]}\n`);
    return undefined;
  }
}

/** Loads ml/ (whatever of it exists) and the client's shutdown. */
export async function loadCrucialMl(): Promise<CrucialMl> {
  const fits: Record<Alg, FitFn | undefined> = {
    kmeans: await optional<FitFn>('../../ml/kmeans/fit.ts', 'fitKMeans'),
    logreg: await optional<FitFn>('../../ml/logreg/fit.ts', 'fitLogisticRegression'),
    forest: await optional<FitFn>('../../ml/forest/fit.ts', 'fitRandomForest'),
  };
  const data = await import('../../ml/data/read.ts');
  type PredictFn = (model: Model, X: Float64Array, nRows: number) => { labels: Float64Array };
  // ml/model/predict.ts dispatches; until it exists, each algorithm's own predict does.
  const predictAny = await optional<PredictFn>('../../ml/model/predict.ts', 'predict');
  const perAlg: Record<string, PredictFn | undefined> = predictAny ? {} : {
    kmeans: await optional<PredictFn>('../../ml/kmeans/predict.ts', 'predictKMeans'),
    logistic_regression: await optional<PredictFn>('../../ml/logreg/predict.ts', 'predictLogReg'),
    random_forest: await optional<PredictFn>('../../ml/forest/predict.ts', 'predictForest'),
  };
  const { shutdown } = await import('../../core/index.ts');
  return {
    async fit(alg, trainPath, params, workers) {
      const fn = fits[alg];
      if (!fn) throw new Error(`ml/${alg} is not available (not written yet?)`);
      const p = alg === 'forest' ? { ...params, bootstrap: true } : params;
      return fn(trainPath, p, { workers });
    },
    async readAll(path) {
      const info = await data.datasetInfo(path);
      return data.readRows(path, 0, info.nRows);
    },
    predict(model, X, nRows) {
      const fn = predictAny ?? perAlg[model.algorithm];
      if (!fn) throw new Error(`no predict for ${model.algorithm} yet`);
      return fn(model, X, nRows);
    },
    close: async () => { await shutdown(); },
  };
}

/** Inertia over `ds` of the model's centroids: the sum of squared distances to the nearest one. */
export function inertia(centroids: Float64Array, k: number, ds: Dataset): number {
  const d = ds.nCols;
  let total = 0;
  for (let i = 0; i < ds.nRows; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) { const t = ds.X[i * d + j]! - centroids[c * d + j]!; s += t * t; }
      if (s < best) best = s;
    }
    total += best;
  }
  return total;
}

/** Quality of a crucial model on the bench data, computed by the bench itself. */
export async function checkQuality(ml: CrucialMl, alg: Alg, model: Model, trainPath: string, testPath: string): Promise<Quality> {
  const train = await ml.readAll(trainPath);
  if (alg === 'kmeans') {
    const c = model.arrays.centroids!;
    return { rows: train.nRows, inertia: inertia(c.data as Float64Array, c.shape[0]!, train) };
  }
  const test = await ml.readAll(testPath);
  const { labels } = ml.predict(model, test.X, test.nRows);
  let ok = 0;
  for (let i = 0; i < test.nRows; i++) if (labels[i] === test.y![i]) ok++;
  return { rows: train.nRows, accuracy: ok / test.nRows };
}
