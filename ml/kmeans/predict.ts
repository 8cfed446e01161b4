/**
 * predictKMeans: the nearest centroid of each row (labels = cluster index). Pure and synchronous:
 * the server calls it on every micro-batch.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import type { Model } from '../model/format.ts';
import type { Prediction } from '../model/predict.ts';
import { assignRows } from './lloyd.ts';

/**
 * Labels each of `nRows` rows of `X` (row-major, nFeatures columns) with its nearest centroid.
 * @throws {BadArgumentError} if the model is not a k-means model or `X` has the wrong length
 */
export function predictKMeans(model: Model, X: Float64Array, nRows: number): Prediction {
  if (model.algorithm !== 'kmeans') throw new BadArgumentError(`predictKMeans needs a kmeans model, got ${model.algorithm}`);
  const c = model.arrays.centroids;
  if (!c || c.shape.length !== 2 || !(c.data instanceof Float64Array)) throw new BadArgumentError('kmeans model needs a float64 centroids array of shape [k, d]');
  const [k, d] = c.shape as [number, number];
  if (!Number.isSafeInteger(nRows) || nRows < 0 || X.length !== nRows * d) {
    throw new BadArgumentError(`X must hold nRows × ${d} = ${nRows * d} values, got ${X.length}`);
  }
  const labels = new Float64Array(nRows);
  assignRows(X, nRows, d, c.data, 0, k, null, labels);
  return { labels };
}
