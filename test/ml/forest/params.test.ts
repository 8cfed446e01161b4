/** Random forest parameters: scikit-learn's defaults and rules, every bad value refused with ERR_BAD_ARGUMENT. */
import { strict as assert } from 'node:assert';
import { BadArgumentError } from '../../../core/protocol/errors.ts';
import { classWeights, featuresPerSplit, resolveForestParams, type ForestParams } from '../../../ml/forest/params.ts';

describe('ml/forest - parameters', () => {
  it("params - defaults are scikit-learn's RandomForestClassifier's", () => {
    assert.deepEqual(resolveForestParams({}), {
      nEstimators: 100, criterion: 'gini', maxDepth: null, minSamplesSplit: 2, minSamplesLeaf: 1, maxFeatures: 'sqrt',
      bootstrap: true, oobScore: false, classWeight: null, seed: 0,
    });
  });

  const bad: [string, ForestParams | unknown][] = [
    ['nEstimators', { nEstimators: 0 }], ['nEstimators', { nEstimators: 2.5 }], ['criterion', { criterion: 'log_loss' }],
    ['maxDepth', { maxDepth: 0 }], ['minSamplesSplit', { minSamplesSplit: 1 }], ['minSamplesSplit', { minSamplesSplit: 1.5 }],
    ['minSamplesLeaf', { minSamplesLeaf: 0 }], ['minSamplesLeaf', { minSamplesLeaf: 0.5 }], ['maxFeatures', { maxFeatures: 0 }],
    ['maxFeatures', { maxFeatures: 'auto' }], ['maxFeatures', { maxFeatures: 1.5 }], ['bootstrap', { bootstrap: 'yes' }],
    ['oobScore needs bootstrap', { oobScore: true, bootstrap: false }], ['classWeight', { classWeight: 'balanced_subsample' }],
    ['classWeight key', { classWeight: { a: 1 } }], ['classWeight["1"]', { classWeight: { 1: -1 } }], ['seed', { seed: 0.5 }],
    ['unknown random forest parameter "n_estimators"', { n_estimators: 10 }], ['must be an object', 5],
  ];
  for (const [what, p] of bad) {
    it(`params - ${JSON.stringify(p)} is refused with ERR_BAD_ARGUMENT naming ${what}`, () => {
      assert.throws(() => resolveForestParams(p as ForestParams), (e: unknown) => e instanceof BadArgumentError && e.code === 'ERR_BAD_ARGUMENT' && e.message.includes(what.split(' ')[0]!));
    });
  }

  it("params - features per split follow scikit-learn: sqrt, log2, a count, a fraction (floored, at least 1), null = all", () => {
    assert.equal(featuresPerSplit('sqrt', 30), 5);
    assert.equal(featuresPerSplit('sqrt', 64), 8);
    assert.equal(featuresPerSplit('log2', 30), 4);
    assert.equal(featuresPerSplit('log2', 1), 1);
    assert.equal(featuresPerSplit(7, 30), 7);
    assert.equal(featuresPerSplit(0.33, 30), 9);
    assert.equal(featuresPerSplit(0.01, 30), 1);
    assert.equal(featuresPerSplit(null, 30), 30);
    assert.throws(() => featuresPerSplit(31, 30), BadArgumentError);
  });

  it("params - class weights: 'balanced' is n / (classes · count) as compute_class_weight; a map weighs named classes, others 1", () => {
    const classes = Float64Array.of(0, 1, 5);
    const y = Int32Array.of(0, 0, 0, 0, 0, 0, 1, 1, 2, 2);
    assert.deepEqual([...classWeights('balanced', classes, y)], [10 / 18, 10 / 6, 10 / 6]);
    assert.deepEqual([...classWeights({ 5: 3 }, classes, y)], [1, 1, 3]);
    assert.deepEqual([...classWeights(null, classes, y)], [1, 1, 1]);
    assert.throws(() => classWeights({ 2: 3 }, classes, y), /names class 2/);
  });
});
