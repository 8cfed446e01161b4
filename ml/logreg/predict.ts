/**
 * predictLogReg: class probabilities (sigmoid for a binary model, softmax for a multinomial one)
 * and the most probable class's value. Pure and synchronous: the server calls it per micro-batch.
 */
import { BadArgumentError } from '../../core/protocol/errors.ts';
import type { Model } from '../model/format.ts';
import type { Prediction } from '../model/predict.ts';
import { probabilities } from './loss.ts';

/**
 * Predicts `nRows` rows of `X` (row-major, nFeatures columns): `proba` nRows × nClasses, `labels`
 * the class values (meta.classes) of the highest probability (the first on a tie, as numpy's argmax).
 * @throws {BadArgumentError} if the model is not a logistic-regression model or `X` has the wrong length
 */
export function predictLogReg(model: Model, X: Float64Array, nRows: number): Prediction {
  if (model.algorithm !== 'logistic_regression') throw new BadArgumentError(`predictLogReg needs a logistic_regression model, got ${model.algorithm}`);
  const coef = model.arrays.coef;
  const intercept = model.arrays.intercept;
  const classes = model.meta.classes;
  if (!coef || coef.shape.length !== 2 || !(coef.data instanceof Float64Array)) throw new BadArgumentError('logistic_regression model needs a float64 coef array of shape [r, d]');
  const [r, d] = coef.shape as [number, number];
  if (!intercept || !(intercept.data instanceof Float64Array) || intercept.data.length !== r) throw new BadArgumentError(`logistic_regression model needs a float64 intercept array of shape [${r}]`);
  if (!Array.isArray(classes) || classes.length < 2 || (r !== 1 && r !== classes.length)) {
    throw new BadArgumentError(`logistic_regression model needs meta.classes: ${r === 1 ? 'two' : r} class values`);
  }
  if (!Number.isSafeInteger(nRows) || nRows < 0 || X.length !== nRows * d) {
    throw new BadArgumentError(`X must hold nRows × ${d} = ${nRows * d} values, got ${X.length}`);
  }
  const proba = probabilities(X, nRows, d, coef.data, intercept.data, r);
  const k = classes.length;
  const labels = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (proba[i * k + c]! > proba[i * k + best]!) best = c;
    labels[i] = classes[best] as number;
  }
  return { labels, proba };
}
