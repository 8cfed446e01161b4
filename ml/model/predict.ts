/**
 * Prediction from a model alone, whatever algorithm made it: dispatches on `model.algorithm` to
 * the algorithm's own predict. Pure and synchronous, so the model server can call it on each
 * micro-batch without touching the DSO.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import { predictForest } from '../forest/predict.ts';
import { predictKMeans } from '../kmeans/predict.ts';
import { predictLogReg } from '../logreg/predict.ts';
import type { Model } from './format.ts';

/** What a model predicts for a batch of rows. */
export interface Prediction {
  /** One label per row: a class value, or the cluster index for k-means. */
  labels: Float64Array;
  /** Classifiers: class probabilities, nRows × nClasses row-major, classes in `meta.classes` order. */
  proba?: Float64Array;
}

/**
 * Predicts `nRows` rows of `X` (row-major, `model.meta.nFeatures` wide).
 * @throws {BadArgumentError} for an unknown algorithm, a malformed model or `X` of the wrong size
 */
export function predict(model: Model, X: Float64Array, nRows: number): Prediction {
  switch (model.algorithm) {
    case 'kmeans': return predictKMeans(model, X, nRows);
    case 'logistic_regression': return predictLogReg(model, X, nRows);
    case 'random_forest': return predictForest(model, X, nRows);
    default: throw new BadArgumentError(`no predict for algorithm ${JSON.stringify((model as { algorithm?: unknown }).algorithm)}`);
  }
}
