import { strict as assert } from 'node:assert';
import { predictKMeans } from '../../../ml/kmeans/predict.ts';
import { predict } from '../../../ml/model/predict.ts';
import { MODEL_FORMAT, type Model } from '../../../ml/model/format.ts';
import { BadArgumentError } from '../../../core/protocol/errors.ts';

const f = (...v: number[]) => Float64Array.from(v);
const kmeans: Model = {
  format: MODEL_FORMAT, algorithm: 'kmeans', params: { k: 3 }, meta: { nFeatures: 2 },
  arrays: { centroids: { dtype: 'float64', shape: [3, 2], data: f(0, 0, 10, 0, 0, 10) } },
};

describe('ml/kmeans - predictKMeans from the model arrays alone', () => {
  it('predictKMeans - labels each row with its nearest centroid (first one on a tie)', () => {
    const { labels, proba } = predictKMeans(kmeans, f(1, 1, 9, 1, 1, 9, 5, 0), 4);
    assert.deepEqual(Array.from(labels), [0, 1, 2, 0]);
    assert.equal(proba, undefined);
  });

  it('predictKMeans - ml/model/predict dispatches to it; X of the wrong length or another algorithm is ERR_BAD_ARGUMENT', () => {
    assert.deepEqual(Array.from(predict(kmeans, f(9, 1), 1).labels), [1]);
    assert.throws(() => predictKMeans(kmeans, f(1, 2, 3), 2), BadArgumentError);
    assert.throws(() => predictKMeans({ ...kmeans, algorithm: 'logistic_regression' }, f(1, 2), 1), BadArgumentError);
  });
});
