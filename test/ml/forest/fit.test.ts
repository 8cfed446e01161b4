/**
 * fitRandomForest as cloud threads (the embedded node and the local worker pool): reproducible from
 * its seed whatever the number of workers or where the rows come from, edge cases refused with
 * ERR_BAD_ARGUMENT before or by the cloud threads, progress counted in trees, the vote matrix
 * removed from the node, the model published when named.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConnectionAsync } from '../../../core/client/context.ts';
import { SYSTEM_TYPE } from '../../../core/protocol/wire/protocol.ts';
import { writeDataset } from '../../../ml/data/write.ts';
import type { Dataset } from '../../../ml/data/dataset.ts';
import { fitRandomForest } from '../../../ml/forest/fit.ts';
import { predictForest } from '../../../ml/forest/predict.ts';
import { Rng } from '../../../ml/forest/rng.ts';
import { ModelStore } from '../../../ml/model/store.ts';
import { validateModel, type Model } from '../../../ml/model/format.ts';
import { rejectsWithCode } from '../../helpers/dso.ts';
import { ALWAYS, failOnceAfter } from '../fixtures/forest-flaky-task.ts';
import { AtomicBoolean } from '../../../core/objects/atomic-boolean.ts';

const SEED = Number(process.env.CRUCIAL_ML_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replay = `(replay with CRUCIAL_ML_SEED=${SEED})`;

/** Two noisy classes separated along feature 1; feature 0 is constant. */
function dataset(n: number, seed: number, classes: [number, number] = [3, 8]): Dataset {
  const rng = new Rng(seed);
  const d = 3, X = new Float64Array(n * d), y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.nextInt(2);
    y[i] = classes[c]!;
    X[i * d] = 42;
    X[i * d + 1] = c + (rng.nextFloat() - 0.5) * 1.6;
    X[i * d + 2] = rng.nextFloat();
  }
  return { X, y, nRows: n, nCols: d, featureNames: ['c', 'signal', 'noise'] };
}

const arrays = (m: Model) => Object.fromEntries(Object.entries(m.arrays).map(([k, a]) => [k, [...a.data]]));

describe('ml/forest - fitRandomForest as cloud threads', function () {
  this.timeout(300_000);
  let dir: string;
  const ds = dataset(600, SEED);
  let path: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crucial-forest-'));
    path = join(dir, 'train.arrow');
    await writeDataset(path, ds, { batchRows: 128 });
  });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  it('fit - the same seed gives the same forest with 1 or 3 workers, from a Dataset or the Arrow file; another seed another forest', async () => {
    const params = { nEstimators: 7, oobScore: true, seed: SEED };
    const one = await fitRandomForest(ds, params, { workers: 1 });
    const three = await fitRandomForest(path, params, { workers: 3 });
    validateModel(one);
    assert.deepEqual(arrays(three), arrays(one), replay);
    assert.equal(three.meta.oobScore, one.meta.oobScore);
    // A row is out of bag in a tree with probability (1 - 1/n)^n ≈ 0.368: in at least one of 7 for ≈ 96 % of rows.
    assert.ok((one.meta.oobRows as number) > 0.9 * ds.nRows && (one.meta.oobRows as number) < ds.nRows, `${one.meta.oobRows} rows out of bag at least once in 7 trees`);
    assert.deepEqual(one.meta.classes, [3, 8]);
    assert.equal(one.arrays.treeOffsets!.data.length, 8);
    const other = await fitRandomForest(ds, { ...params, seed: SEED + 1 }, { workers: 2 });
    assert.notDeepEqual(arrays(other), arrays(one));
  });

  it('fit - a forest learns the signal: training accuracy and OOB accuracy well above chance, the constant feature never used', async () => {
    const m = await fitRandomForest(path, { nEstimators: 20, oobScore: true, seed: SEED }, { workers: 2 });
    const { labels } = predictForest(m, ds.X, ds.nRows);
    let ok = 0;
    for (let i = 0; i < ds.nRows; i++) if (labels[i] === ds.y![i]) ok++;
    assert.ok(ok / ds.nRows > 0.9, `training accuracy ${ok / ds.nRows} ${replay}`);
    assert.ok((m.meta.oobScore as number) > 0.75, `OOB ${m.meta.oobScore} ${replay}`);
    assert.ok(!m.arrays.feature!.data.includes(0), 'split on the constant feature');
  });

  it('fit - without bootstrap every tree sees every row once, so fully grown trees (and the forest) reproduce the training labels', async () => {
    const m = await fitRandomForest(ds, { nEstimators: 4, bootstrap: false, seed: SEED }, { workers: 2 });
    const { labels, proba } = predictForest(m, ds.X, ds.nRows);
    assert.deepEqual([...labels], [...ds.y!], replay);
    assert.ok(proba.every((p) => p === 0 || p === 1), 'every leaf is pure');
  });

  it('fit - maxDepth 1: every tree is a stump on the signal feature', async () => {
    const m = await fitRandomForest(ds, { nEstimators: 5, maxDepth: 1, maxFeatures: null, seed: SEED }, { workers: 2 });
    assert.deepEqual([...m.arrays.treeOffsets!.data], [0, 3, 6, 9, 12, 15]);
    for (let t = 0; t < 5; t++) assert.equal(m.arrays.feature!.data[3 * t], 1);
  });

  it('fit - one class, no labels, NaN features and bad parameters are refused with ERR_BAD_ARGUMENT (in the driver or from the cloud threads)', async () => {
    const oneClass = { ...ds, y: new Float64Array(ds.nRows).fill(1) };
    const e = await rejectsWithCode(fitRandomForest(oneClass, {}), 'ERR_BAD_ARGUMENT');
    assert.match(e.message, /at least two classes/);
    const onePath = join(dir, 'one.arrow');
    await writeDataset(onePath, oneClass);
    assert.match((await rejectsWithCode(fitRandomForest(onePath, { nEstimators: 2 }), 'ERR_BAD_ARGUMENT')).message, /only class 1/);
    const noLabel = join(dir, 'nolabel.arrow');
    await writeDataset(noLabel, { ...ds, y: undefined });
    await rejectsWithCode(fitRandomForest(noLabel, {}), 'ERR_BAD_ARGUMENT');
    const nan = { ...ds, X: ds.X.slice() };
    nan.X[5] = NaN;
    await rejectsWithCode(fitRandomForest(nan, {}), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(fitRandomForest(ds, { nEstimators: 0 }), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(fitRandomForest(ds, { maxFeatures: 4 }), 'ERR_BAD_ARGUMENT'); // 3 features
    await rejectsWithCode(fitRandomForest(ds, {}, { workers: 0 }), 'ERR_BAD_ARGUMENT');
    await rejectsWithCode(fitRandomForest(ds, { classWeight: { 5: 2 } }), 'ERR_BAD_ARGUMENT'); // no class 5
  });

  it('fit - progress counts trees up to nEstimators; the vote matrix is gone from the node afterwards', async () => {
    const conn = await defaultConnectionAsync();
    const objects = async () => ((await conn.call(SYSTEM_TYPE, '', 'stats', [])) as { objects: number }).objects;
    const before = await objects();
    const steps: number[] = [];
    await fitRandomForest(ds, { nEstimators: 6, seed: SEED }, { workers: 2, onProgress: (p) => { assert.equal(p.total, 6); assert.equal(p.label, 'trees'); steps.push(p.step); } });
    assert.equal(steps.at(-1), 6);
    assert.deepEqual(steps, [...steps].sort((a, b) => a - b));
    assert.equal(await objects(), before);
  });

  it('fit - class weights: a map weighs a class up, and the forest then predicts it more often', async () => {
    const plain = await fitRandomForest(ds, { nEstimators: 10, seed: SEED, maxDepth: 2 }, { workers: 2 });
    const heavy = await fitRandomForest(ds, { nEstimators: 10, seed: SEED, maxDepth: 2, classWeight: { 8: 20 } }, { workers: 2 });
    const count8 = (m: Model) => predictForest(m, ds.X, ds.nRows).labels.filter((v) => v === 8).length;
    assert.ok(count8(heavy) > count8(plain), `${count8(heavy)} vs ${count8(plain)} rows predicted 8 ${replay}`);
  });

  it("fit - a cloud thread that fails after a tree's votes reached the node is retried and that tree counts once: same forest, OOB score and tree count as without the failure", async () => {
    const params = { nEstimators: 6, oobScore: true, seed: SEED };
    const clean = await fitRandomForest(ds, params, { workers: 2 });
    const flag = `forest-flaky-${process.pid}-${SEED}`;
    const steps: number[] = [];
    const flaky = await fitRandomForest(ds, params, { workers: 2, mapTask: failOnceAfter(1, flag), onProgress: (p) => steps.push(p.step) });
    assert.equal(await new AtomicBoolean(flag).get(), true, 'the injected failure did not happen');
    assert.deepEqual(arrays(flaky), arrays(clean));
    assert.equal(flaky.meta.oobScore, clean.meta.oobScore, replay);
    assert.equal(steps.at(-1), 6);
  });

  it('fit - a cloud thread that keeps failing fails the fit with ERR_TASK_FAILED once every thread ended, and leaves no vote matrix on the node', async () => {
    const conn = await defaultConnectionAsync();
    const objects = async () => ((await conn.call(SYSTEM_TYPE, '', 'stats', [])) as { objects: number }).objects;
    const before = await objects();
    const err = await rejectsWithCode(fitRandomForest(ds, { nEstimators: 6, oobScore: true, seed: SEED }, { workers: 2, mapTask: failOnceAfter(0, ALWAYS) }), 'ERR_TASK_FAILED');
    assert.match(err.message, /injected failure after tree 0/);
    assert.equal(await objects(), before);
  });

  it('fit - modelName publishes the model to the ModelStore, read back whole', async () => {
    const name = `forest-${SEED}`;
    const m = await fitRandomForest(ds, { nEstimators: 3, seed: SEED }, { workers: 2, modelName: name });
    assert.equal(m.name, name);
    const back = await new ModelStore().load(name, m.version);
    assert.equal(back.algorithm, 'random_forest');
    assert.deepEqual(arrays(back), arrays(m));
    assert.deepEqual([...predictForest(back, ds.X.subarray(0, 30), 10).proba], [...predictForest(m, ds.X.subarray(0, 30), 10).proba]);
  });
});
