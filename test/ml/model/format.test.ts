import { strict as assert } from 'node:assert';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { MODEL_FORMAT, validateModel, type Model } from '../../../ml/model/format.ts';
import { forestModel, taggedModel } from './models.ts';

const refused = (m: unknown, re: RegExp) =>
  assert.throws(() => validateModel(m), (e: Error & { code?: string }) => e.code === ErrorCode.BAD_ARGUMENT && re.test(e.message), `expected ${re}`);

describe('ml/model format (validateModel)', () => {
  it('format - well-formed models of each algorithm are accepted and returned as they are', () => {
    for (const m of [forestModel(1, 50), taggedModel(2, 3, 4)]) assert.equal(validateModel(m), m);
    const lr: Model = { format: MODEL_FORMAT, algorithm: 'logistic_regression', params: { C: 1 }, meta: { nFeatures: 2, classes: [0, 1], lossHistory: [0.7, 0.5] },
      arrays: { coef: { dtype: 'float64', shape: [1, 2], data: new Float64Array(2) }, intercept: { dtype: 'float64', shape: [1], data: new Float64Array(1) } } };
    assert.equal(validateModel(lr), lr);
  });

  it('format - each malformed part is refused with ERR_BAD_ARGUMENT naming it', () => {
    const base = () => taggedModel(1, 2, 3);
    refused(null, /must be an object/);
    refused({ ...base(), format: 'crucial-model/2' }, /model\.format/);
    refused({ ...base(), algorithm: 'svm' }, /model\.algorithm/);
    refused({ ...base(), version: 0 }, /model\.version/);
    refused({ ...base(), name: '' }, /model\.name/);
    refused({ ...base(), params: [] }, /model\.params/);
    refused({ ...base(), meta: { tag: 1 } }, /nFeatures/);
    refused({ ...base(), meta: { nFeatures: 3, classes: ['a'] } }, /classes/);
    refused({ ...base(), meta: { nFeatures: 3, lossHistory: [1, Infinity] } }, /lossHistory\[1\].*Infinity/);
    refused({ ...base(), params: { when: new Date() } }, /params\.when is not JSON/);
    refused({ ...base(), params: { big: 1n } }, /params\.big is not JSON/);
    const m = base();
    m.arrays.centroids!.dtype = 'int32';
    refused(m, /centroids\.data must be a Int32Array/);
    const s = base();
    s.arrays.centroids!.shape = [2, 2];
    refused(s, /centroids has 6 elements, its shape \[2, 2\] needs 4/);
    refused({ ...base(), arrays: { 'a/b': { dtype: 'float64', shape: [1], data: new Float64Array(1) } } }, /no '\/'/);
    refused({ ...base(), arrays: { x: { dtype: 'float32', shape: [1], data: new Float32Array(1) } } }, /dtype/);
    refused({ ...base(), arrays: { x: { dtype: 'float64', shape: [-1], data: new Float64Array(0) } } }, /shape/);
  });
});
