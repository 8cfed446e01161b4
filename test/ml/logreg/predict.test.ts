import { strict as assert } from 'node:assert';
import { predictLogReg } from '../../../ml/logreg/predict.ts';
import { predict } from '../../../ml/model/predict.ts';
import { MODEL_FORMAT, type Model } from '../../../ml/model/format.ts';
import { BadArgumentError } from '../../../core/protocol/errors.ts';

const f = (...v: number[]) => Float64Array.from(v);
const binary: Model = {
  format: MODEL_FORMAT, algorithm: 'logistic_regression', params: {}, meta: { nFeatures: 2, classes: [-1, 7] },
  arrays: { coef: { dtype: 'float64', shape: [1, 2], data: f(1, -1) }, intercept: { dtype: 'float64', shape: [1], data: f(0.5) } },
};
const multi: Model = {
  format: MODEL_FORMAT, algorithm: 'logistic_regression', params: {}, meta: { nFeatures: 1, classes: [0, 1, 2] },
  arrays: { coef: { dtype: 'float64', shape: [3, 1], data: f(-1, 0, 1) }, intercept: { dtype: 'float64', shape: [3], data: f(0, 0, 0) } },
};

describe('ml/logreg - predictLogReg from the model arrays alone', () => {
  it('predictLogReg - binary: proba [1-p, p] with p = σ(x·coef + b), label = classes[1] when p > 0.5', () => {
    const { labels, proba } = predictLogReg(binary, f(2, 0, 0, 2), 2);
    const p0 = 1 / (1 + Math.exp(-2.5));
    const p1 = 1 / (1 + Math.exp(1.5));
    assert.deepEqual(Array.from(labels), [7, -1]);
    const want = [1 - p0, p0, 1 - p1, p1];
    proba!.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-15, `proba[${i}] ${v} vs ${want[i]}`));
  });

  it('predictLogReg - multinomial: softmax rows summing to 1, the argmax class value', () => {
    const { labels, proba } = predictLogReg(multi, f(-3, 0, 3), 3);
    assert.deepEqual(Array.from(labels), [0, 0, 2], 'x = 0 ties all three: the first class, as numpy argmax');
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(proba![3 * i]! + proba![3 * i + 1]! + proba![3 * i + 2]! - 1) < 1e-15);
    assert.ok(Math.abs(proba![3]! - 1 / 3) < 1e-15);
  });

  it('predictLogReg - ml/model/predict dispatches to it; X of the wrong length, missing classes or another algorithm is ERR_BAD_ARGUMENT', () => {
    assert.deepEqual(Array.from(predict(multi, f(5), 1).labels), [2]);
    assert.throws(() => predictLogReg(binary, f(1), 1), BadArgumentError);
    assert.throws(() => predictLogReg({ ...binary, meta: { nFeatures: 2 } }, f(1, 2), 1), BadArgumentError);
    assert.throws(() => predictLogReg({ ...binary, algorithm: 'kmeans' }, f(1, 2), 1), BadArgumentError);
  });
});
