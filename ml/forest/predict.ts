/**
 * Random forest prediction from the model's arrays alone: the mean of the trees' leaf class
 * probabilities (scikit-learn's `predict_proba`), the label being the class of highest mean (the
 * first on a tie, as numpy's argmax). Pure and synchronous: the server calls it on micro-batches.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import type { Model } from '../model/format.ts';
import { checkForest, type ForestArrays } from './encode.ts';

/** What predict returns (ml/model/predict.ts's Prediction). */
export interface ForestPrediction {
  labels: Float64Array;
  /** `nRows × nClasses`, row-major. */
  proba: Float64Array;
}

interface Checked {
  a: ForestArrays;
  classes: number[];
  nFeatures: number;
}

/** A model is checked once; predict runs on many small batches of the same model. */
const checked = new WeakMap<Model, Checked>();

/**
 * Predicts `nRows` rows of `X` (row-major, `meta.nFeatures` wide).
 * @throws {BadArgumentError} if the model is not a well-formed random forest or `X` has the wrong size
 */
export function predictForest(model: Model, X: Float64Array, nRows: number): ForestPrediction {
  const { a, classes, nFeatures } = check(model);
  if (!Number.isSafeInteger(nRows) || nRows < 0) throw new BadArgumentError(`nRows must be a non-negative integer, got ${nRows}`);
  if (X.length !== nRows * nFeatures) throw new BadArgumentError(`X has ${X.length} values, ${nRows} rows of ${nFeatures} features need ${nRows * nFeatures}`);
  const K = classes.length;
  const nTrees = a.treeOffsets.length - 1;
  const { feature, threshold, left, right, value, treeOffsets } = a;
  const proba = new Float64Array(nRows * K);
  for (let r = 0; r < nRows; r++) {
    const base = r * nFeatures, pb = r * K;
    for (let t = 0; t < nTrees; t++) {
      const off = treeOffsets[t]!;
      let node = off;
      for (;;) {
        const f = feature[node]!;
        if (f < 0) break;
        node = off + (X[base + f]! <= threshold[node]! ? left[node]! : right[node]!);
      }
      const vb = node * K;
      for (let k = 0; k < K; k++) proba[pb + k]! += value[vb + k]!;
    }
  }
  const labels = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const pb = r * K;
    let best = 0;
    for (let k = 0; k < K; k++) {
      proba[pb + k]! /= nTrees;
      if (proba[pb + k]! > proba[pb + best]!) best = k;
    }
    labels[r] = classes[best]!;
  }
  return { labels, proba };
}

function check(model: Model): Checked {
  const hit = checked.get(model);
  if (hit) return hit;
  if (model.algorithm !== 'random_forest') throw new BadArgumentError(`predictForest needs a random_forest model, got ${model.algorithm}`);
  const classes = model.meta.classes;
  if (!Array.isArray(classes) || classes.length < 2) throw new BadArgumentError('random_forest model.meta.classes must list at least two classes');
  const nFeatures = model.meta.nFeatures;
  if (!Number.isSafeInteger(nFeatures) || (nFeatures as number) <= 0) throw new BadArgumentError('model.meta.nFeatures must be a positive integer');
  const get = <T extends Int32Array | Float64Array>(name: string, Type: new (n: number) => T): T => {
    const arr = model.arrays[name];
    if (!arr || !(arr.data instanceof Type)) throw new BadArgumentError(`random_forest model needs a ${Type.name === 'Int32Array' ? 'int32' : 'float64'} array "${name}"`);
    return arr.data as T;
  };
  const a: ForestArrays = {
    feature: get('feature', Int32Array), threshold: get('threshold', Float64Array), left: get('left', Int32Array),
    right: get('right', Int32Array), value: get('value', Float64Array), treeOffsets: get('treeOffsets', Int32Array),
  };
  checkForest(a, classes.length, nFeatures as number);
  const c: Checked = { a, classes: classes as number[], nFeatures: nFeatures as number };
  checked.set(model, c);
  return c;
}
