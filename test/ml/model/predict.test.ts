/**
 * ml/model/predict dispatches on the algorithm to each algorithm's predict: small models whose
 * answers are worked out by hand here, a published-and-loaded model predicting as the original,
 * and an unknown algorithm refused.
 */
import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { MODEL_FORMAT, type Model } from '../../../ml/model/format.ts';
import { predict } from '../../../ml/model/predict.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import { withDso } from '../../helpers/dso.ts';

const f64 = (...v: number[]) => Float64Array.from(v);
const i32 = (...v: number[]) => Int32Array.from(v);

const kmeans: Model = { format: MODEL_FORMAT, algorithm: 'kmeans', params: { k: 2 }, meta: { nFeatures: 2, inertia: 0, nIter: 1 },
  arrays: { centroids: { dtype: 'float64', shape: [2, 2], data: f64(0, 0, 10, 10) } } };
// Binary: p(class 7) = sigmoid(x0 - x1).
const logreg: Model = { format: MODEL_FORMAT, algorithm: 'logistic_regression', params: {}, meta: { nFeatures: 2, classes: [3, 7], lossHistory: [] },
  arrays: { coef: { dtype: 'float64', shape: [1, 2], data: f64(1, -1) }, intercept: { dtype: 'float64', shape: [1], data: f64(0) } } };
// Two stumps on feature 0 (threshold 5) and feature 1 (threshold 0), leaves certain of one class.
const forest: Model = { format: MODEL_FORMAT, algorithm: 'random_forest', params: { nEstimators: 2 }, meta: { nFeatures: 2, classes: [0, 1] },
  arrays: {
    feature: { dtype: 'int32', shape: [6], data: i32(0, -1, -1, 1, -1, -1) },
    threshold: { dtype: 'float64', shape: [6], data: f64(5, 0, 0, 0, 0, 0) },
    left: { dtype: 'int32', shape: [6], data: i32(1, -1, -1, 1, -1, -1) },
    right: { dtype: 'int32', shape: [6], data: i32(2, -1, -1, 2, -1, -1) },
    value: { dtype: 'float64', shape: [6, 2], data: f64(0.5, 0.5, 1, 0, 0, 1, 0.5, 0.5, 1, 0, 0, 1) },
    treeOffsets: { dtype: 'int32', shape: [3], data: i32(0, 3, 6) },
  } };

const X = f64(1, 2, 9, 8, 6, -1); // three rows

describe('ml/model/predict (dispatch)', () => {
  const dso = withDso();

  it('predict - k-means labels each row with its nearest centroid', () => {
    // (6, -1) is 37 from (0, 0) and 137 from (10, 10).
    assert.deepEqual([...predict(kmeans, X, 3).labels], [0, 1, 0]);
  });

  it('predict - logistic regression gives class values and sigmoid probabilities', () => {
    const p = predict(logreg, X, 3);
    assert.deepEqual([...p.labels], [3, 7, 7]);
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    const want = [-1, 1, 7].flatMap((z) => [1 - s(z), s(z)]);
    p.proba!.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-12, `proba[${i}] ${v} vs ${want[i]}`));
  });

  it('predict - a random forest averages its trees\' leaf probabilities', () => {
    const p = predict(forest, X, 3);
    // Row 0: tree 1 left (class 0), tree 2 right (x1 = 2 > 0: class 1) → [0.5, 0.5]; row 1: both right → class 1;
    // row 2: tree 1 right (class 1), tree 2 left (x1 = -1 <= 0: class 0) → [0.5, 0.5].
    assert.deepEqual([...p.proba!], [0.5, 0.5, 0, 1, 0.5, 0.5]);
    assert.deepEqual([...p.labels], [0, 1, 0]);
  });

  it('predict - a model loaded from the store predicts exactly as the one published', async () => {
    const store = new ModelStore({ connection: dso.connection });
    for (const m of [kmeans, logreg, forest]) {
      await store.publish(`p-${m.algorithm.replace('_', '-')}`, m);
      const loaded = await store.load(`p-${m.algorithm.replace('_', '-')}`);
      assert.deepEqual(predict(loaded, X, 3), predict(m, X, 3), m.algorithm);
    }
  });

  it('predict - an unknown algorithm is ERR_BAD_ARGUMENT', () => {
    assert.throws(() => predict({ ...kmeans, algorithm: 'svm' as never }, X, 3), (e: Error & { code?: string }) => e.code === ErrorCode.BAD_ARGUMENT && /svm/.test(e.message));
  });
});
